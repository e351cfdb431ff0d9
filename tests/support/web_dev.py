"""`make web`: the API and the Next.js example together, for a developer, with local providers.

Starts, in one terminal:
- local stand-ins for Google (OpenID Connect), Facebook and GitHub (the fakes of the tests,
  each signing everyone in as one person), on free loopback ports;
- the API on http://localhost:4000 (`python -m web`: embedded PostgreSQL under ./.data/, emails
  and WhatsApp codes printed here, since no SendGrid or Twilio credentials are passed);
- the app on http://localhost:3000 (`next dev` in examples/nextjs, `npm ci` first when its
  node_modules is missing or older than its lockfile).

Ctrl-C stops everything. API_PORT and APP_PORT choose other ports.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import time
from contextlib import ExitStack
from pathlib import Path

from tests.support.fake_oauth2 import FakeFacebook, FakeGitHub
from tests.support.fake_oidc import FakeOidcProvider

ROOT = Path(__file__).resolve().parents[2]
APP_DIR = ROOT / "examples" / "nextjs"
MIN_NODE = (18, 18)  # Next.js 15's own requirement
# Variables that would send real messages or use another database: make web prints messages
# and uses the embedded PostgreSQL, whatever the shell exports (a .env file is the developer's
# own choice and still applies).
DROPPED = ("DATABASE_URL", "SENDGRID_API_KEY", "TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "OIDC_PROVIDERS")


def node_problem() -> str | None:
    """Why the app cannot run here (no node, no npm, too old a node), or None."""
    missing = [tool for tool in ("node", "npm") if shutil.which(tool) is None]
    if missing:
        return (f"make web needs Node.js ({'.'.join(map(str, MIN_NODE))} or newer) and npm; missing: "
                f"{', '.join(missing)}. Install them (https://nodejs.org/, or `apt install nodejs npm` "
                "on Debian 13) and run make web again. `make dev` serves the API alone.")
    version = subprocess.run(["node", "--version"], capture_output=True, text=True).stdout.strip()
    try:
        major, minor = (int(part) for part in version.lstrip("v").split(".")[:2])
    except ValueError:
        return None  # an odd version string: let Next.js judge
    if (major, minor) < MIN_NODE:
        return f"Node.js {version} is too old for Next.js 15: install {'.'.join(map(str, MIN_NODE))} or newer."
    return None


def install_app() -> None:
    """npm ci when node_modules is missing or older than the lockfile."""
    installed = APP_DIR / "node_modules" / ".package-lock.json"
    lock = APP_DIR / "package-lock.json"
    if installed.exists() and installed.stat().st_mtime >= lock.stat().st_mtime:
        return
    print("Installing the app's packages (npm ci in examples/nextjs)...", flush=True)
    subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=APP_DIR, check=True)


def start_providers(stack: ExitStack, email: str, name: str) -> dict[str, str]:
    """The three fakes, each signing in one person; the API's variables that point at them."""
    given, _, family = name.partition(" ")
    local, _, domain = email.partition("@")
    google = stack.enter_context(FakeOidcProvider())
    google.login_as(f"dev-{email}", email=email, email_verified=True, name=name,
                    given_name=given, family_name=family or None)
    facebook = stack.enter_context(FakeFacebook())
    facebook.login_as("10001", name=name, first_name=given, last_name=family or None,
                      email=f"{local}+facebook@{domain}")  # Facebook's emails count as unverified
    github = stack.enter_context(FakeGitHub())
    github_email = f"{local}+github@{domain}"
    github.login_as("20001", login="dev-user", name=name, email=github_email,
                    emails=[{"email": github_email, "primary": True, "verified": True}])
    return {
        "GOOGLE_CLIENT_ID": google.client_id, "GOOGLE_CLIENT_SECRET": google.client_secret,
        "GOOGLE_DISCOVERY_URL": google.discovery_url,
        "FACEBOOK_CLIENT_ID": facebook.client_id, "FACEBOOK_CLIENT_SECRET": facebook.client_secret,
        "FACEBOOK_AUTHORIZE_URL": facebook.authorize_url, "FACEBOOK_GRAPH_URL": facebook.graph_url,
        "GITHUB_CLIENT_ID": github.client_id, "GITHUB_CLIENT_SECRET": github.client_secret,
        "GITHUB_OAUTH_URL": github.oauth_url, "GITHUB_API_URL": github.api_url,
    }


def spawn(command: list[str], env: dict[str, str], cwd: Path) -> subprocess.Popen:
    # Its own process group: Ctrl-C reaches us once, and we stop each child with its children.
    return subprocess.Popen(command, env=env, cwd=cwd, start_new_session=True)


def stop(process: subprocess.Popen, grace: float = 15) -> None:
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    except ProcessLookupError:
        pass


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make web", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--api-port", type=int, default=int(os.environ.get("API_PORT", 4000)))
    parser.add_argument("--app-port", type=int, default=int(os.environ.get("APP_PORT", 3000)))
    parser.add_argument("--email", default="dev@example.com", help="who the local providers sign in")
    parser.add_argument("--name", default="Dev User")
    args = parser.parse_args(argv)

    if problem := node_problem():
        print(problem, file=sys.stderr)
        return 1
    install_app()

    api_url, app_url = f"http://localhost:{args.api_port}", f"http://localhost:{args.app_port}"
    base = {key: value for key, value in os.environ.items() if key not in DROPPED}
    children: list[subprocess.Popen] = []
    stopping = False

    def on_signal(signum, frame):  # Ctrl-C, or a kill of make web
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    with ExitStack() as stack:
        providers = start_providers(stack, args.email, args.name)
        api_env = {**base, **providers, "APP_ENV": "development", "HOST": "localhost",
                   "PORT": str(args.api_port), "PUBLIC_URL": api_url, "FRONTEND_ORIGIN": app_url}
        app_env = {**base, "NEXT_PUBLIC_API_BASE": api_url, "NEXT_TELEMETRY_DISABLED": "1", "PORT": str(args.app_port)}
        try:
            children.append(spawn([sys.executable, "-OO", "-m", "web"], api_env, ROOT))
            children.append(spawn([str(APP_DIR / "node_modules" / ".bin" / "next"), "dev", "-p", str(args.app_port)],
                                  app_env, APP_DIR))
            print(f"\nmake web: the app on {app_url}, the API on {api_url} (docs at {api_url}/schema).\n"
                  f"Google, Facebook and GitHub are local stand-ins that sign in {args.name} "
                  f"<{args.email}> (Facebook and GitHub with +facebook / +github addresses).\n"
                  "Emails and WhatsApp codes are printed below, between ----- lines. Ctrl-C stops everything.\n",
                  flush=True)
            while not stopping:
                if any(child.poll() is not None for child in children):
                    print("make web: a process stopped; stopping the others.", file=sys.stderr, flush=True)
                    break
                time.sleep(0.3)
        finally:
            for child in reversed(children):
                stop(child)
    failed = any(child.returncode not in (0, -signal.SIGTERM, -signal.SIGINT) for child in children)
    return 1 if failed and not stopping else 0


if __name__ == "__main__":
    raise SystemExit(main())
