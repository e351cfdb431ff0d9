"""The example Next.js app (examples/nextjs) as the browser tests use it: a production build
made for one API address, served by `next start`.

NEXT_PUBLIC_API_BASE is inlined at build time, and the API's port is chosen per test session,
so each session builds its own copy: in a folder of its own under .data/ (node_modules
hard-linked, not copied), so that neither a developer's `make web` (next dev, which writes
examples/nextjs/.next) nor another session's build is disturbed.
"""

import os
import shutil
import signal
import subprocess
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from tests.support.server import ROOT

APP = Path(os.environ.get("NEXT_APP_DIR") or ROOT / "examples" / "nextjs")  # another copy, for trying
CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
# As the machine notes say: without the background-networking flags Chromium keeps calling
# Google's hosts, which this closed network refuses.
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
BUILD_TIMEOUT = 600  # two shared cores: a cold `next build` can take minutes
SKIPPED = {"node_modules", ".next", "out", "next-env.d.ts", "tsconfig.tsbuildinfo"}


def missing_prerequisites() -> list[str]:
    """What the browser tests need and this machine lacks, each with how to get it
    (`make browser-deps` installs all of it where it can)."""
    missing = []
    if not CHROMIUM.exists():
        missing.append(f"Chromium at {CHROMIUM}: `apt-get install -y chromium` (Debian), or set "
                       "CHROMIUM=/path/to/chromium")
    if shutil.which("node") is None or shutil.which("npm") is None:
        missing.append("Node.js 20+ and npm: https://nodejs.org or `apt-get install nodejs npm`")
    if not (APP / "package.json").exists():
        missing.append(f"the example app: {APP}/package.json is not there")
    elif not (APP / "node_modules" / ".bin" / "next").exists():
        missing.append(f"the app's packages: `npm ci` in {APP} (or `make browser-deps`)")
    return missing


def _copy_app(target: Path) -> None:
    """The app's sources, and node_modules as hard links (fast, no second copy on disk)."""
    shutil.copytree(APP, target, ignore=lambda folder, names: [
        name for name in names if Path(folder) == APP and name in SKIPPED])
    subprocess.run(["cp", "-al", str(APP / "node_modules"), str(target / "node_modules")],
                   check=True)


def _run(command: list[str], cwd: Path, env: dict[str, str], log: Path, timeout: float) -> None:
    with open(log, "a") as out:
        out.write(f"$ {' '.join(command)}\n")
        out.flush()
        done = subprocess.run(command, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT,
                              timeout=timeout)
    if done.returncode != 0:
        tail = "\n".join(log.read_text(errors="replace").splitlines()[-40:])
        raise RuntimeError(f"{' '.join(command)} failed ({done.returncode}); log {log}:\n{tail}")


@contextmanager
def running_app(api_base: str, port: int) -> Iterator[str]:
    """Build the app for `api_base` and serve it on http://localhost:<port>; yield that origin."""
    work = ROOT / ".data" / f"browser-app-{uuid.uuid4().hex[:8]}"
    log = ROOT / ".data" / f"{work.name}.log"
    env = {**os.environ, "NEXT_PUBLIC_API_BASE": api_base, "NEXT_TELEMETRY_DISABLED": "1",
           "NODE_ENV": "production"}
    next_bin = str(work / "node_modules" / ".bin" / "next")
    process = out = None
    try:
        _copy_app(work)
        _run([next_bin, "build"], work, env, log, BUILD_TIMEOUT)
        out = open(log, "a")
        # Its own process group: `next start` serves from a child (next-server), stopped with it.
        process = subprocess.Popen([next_bin, "start", "-p", str(port), "-H", "localhost"],
                                   cwd=work, env=env, stdout=out, stderr=subprocess.STDOUT,
                                   start_new_session=True)
        origin = f"http://localhost:{port}"
        _wait_ready(origin, process, log)
        yield origin
    finally:
        if process is not None:
            _stop_group(process)
        if out is not None:
            out.close()
        shutil.rmtree(work, ignore_errors=True)


def _stop_group(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    except ProcessLookupError:
        pass


def _wait_ready(origin: str, process: subprocess.Popen, log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"next start exited with {process.returncode}; see {log}")
        try:
            if httpx.get(f"{origin}/login", timeout=2).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"next start not answering after {timeout} s; see {log}")
