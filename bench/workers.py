"""`make workers-bench`: the production server (`python -m web serve --production`) with 1 and
with N workers (default 2), side by side in one run.

The driver pins a server it starts to ONE core, which would put every worker on it; so this
script starts both servers itself, unpinned, and the driver measures them as running systems
(no [server]: no CPU or memory figures, no reset; its 64 bench users are registered in the
first repetition and found "already there" after). The load driver runs on CPU 1 as usual, so
on a 2-core machine the N-worker server shares a core with it and PostgreSQL: the figures show
that the workers share the load, not what N cores give.

    make workers-bench                              # 1 rep x 5 s
    .venv/bin/python -m bench.workers --workers 4 --reps 3 --duration 20
"""

import argparse
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from bench import loadtest, systems
from bench.results import errors_in, figure, medians
from bench.scale import PSQL, SERVER

DATABASE = "sesame_workers_bench"
SECRET = "workers-bench-secret-key-0123456789abcdef"  # production refuses the development key
SHORT = ["--reps", "1", "--duration", "5", "--warmup", "2"]  # later options override these


def start(workers: int, port: int, log: Path) -> subprocess.Popen:
    env = os.environ | {"DATABASE_URL": f"{SERVER}/{DATABASE}", "HOST": "127.0.0.1", "PORT": str(port),
                        "WORKERS": str(workers), "ACCESS_LOG": "false", "RATE_LIMIT_ENABLED": "false",
                        "SECRET_KEY": SECRET,
                        "MESSAGES_TO_LOG": "true"}  # production sends no message unless told how (no SendGrid here)
    with log.open("w") as output:
        return subprocess.Popen([sys.executable, "-OO", "-m", "web", "serve", "--production"], cwd=systems.ROOT,
                                env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True)


def wait_healthy(port: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1):
                return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"the server on port {port} did not answer /health in {timeout:.0f} s")


def running(name: str, port: int) -> dict:
    """Sésame's routes, as a system the driver does not start."""
    sesame = systems.load(systems.SYSTEMS / "sesame.toml")
    return {key: value for key, value in sesame.items() if key != "server"} | {
        "name": name, "base_url": f"http://127.0.0.1:{port}"}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workers", type=int, default=2)
    args, rest = parser.parse_known_args(argv)
    subprocess.run([*PSQL, f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)'], check=True)
    subprocess.run([*PSQL, f'CREATE DATABASE "{DATABASE}"'], check=True)
    subprocess.run([sys.executable, "-m", "web", "migrate"], check=True, cwd=systems.ROOT,
                   env=os.environ | {"DATABASE_URL": f"{SERVER}/{DATABASE}"})
    opts = loadtest.options([*SHORT, "--only", "me,refresh,login_c16", *rest])
    names = {1: "sesame-1-worker", args.workers: f"sesame-{args.workers}-workers"}
    servers, chosen = [], []
    systems.SCRATCH.mkdir(parents=True, exist_ok=True)
    try:
        for index, (workers, name) in enumerate(names.items()):
            port = 8120 + index
            servers.append(start(workers, port, systems.SCRATCH / f"workers-bench-{workers}.log"))
            wait_healthy(port)
            chosen.append(running(name, port))
        raw = loadtest.run(chosen, opts)
    finally:
        for server in servers:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=20)
    one, many = names[1], names[args.workers]
    results = medians(raw)
    print(f"\n## 1 worker vs {args.workers} workers, unpinned ({raw}; noisy on a shared machine)\n")
    print(f"| figure | {one} | {many} | ratio |\n|---|---|---|---|")
    for label, scenario in (("me req/s", "me"), ("refresh req/s", "refresh"), ("login/s (c16)", "login_c16")):
        a, b = figure(results, one, scenario, "rps"), figure(results, many, scenario, "rps")
        if a and b:
            print(f"| {label} | {a:.1f} | {b:.1f} | {b / a:.2f}x |")
    for problem in errors_in(raw):
        print(f"invalid: {problem}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
