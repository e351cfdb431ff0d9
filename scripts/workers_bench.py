"""`make workers-bench`: the production server (`python -m web serve --production`) with 1 and
with N workers (default 2), side by side in one harness run.

The harness pins a server it starts to ONE core (taskset -c 0), which would put every worker
on it; so here the script starts both servers itself, unpinned, and the harness measures
them as already-running systems (no [server] section: no CPU or RSS figures, no reset; its
64 bench users are registered once, then found as "already there"). wrk runs on CPU 1 as
usual, so on a 2-core machine the N-worker server shares a core with the load generator and
PostgreSQL: the figure shows that the workers share the load, not what N cores give.

    make workers-bench                              # 1 rep x 5 s
    .venv/bin/python scripts/workers_bench.py --workers 4 --reps 3 --duration 20
"""

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import PROJECT_DIR, bench_dir, endpoints_toml, errors_in, figure, medians, newest_raw  # noqa: E402
from scale_bench import PSQL, SERVER  # noqa: E402

DATABASE = "sesame_workers_bench"
SECRET = "workers-bench-secret-key-0123456789abcdef"  # production refuses the development key


def start(workers: int, port: int, log: Path) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": f"{SERVER}/{DATABASE}", "HOST": "127.0.0.1", "PORT": str(port),
           "WORKERS": str(workers), "ACCESS_LOG": "false", "RATE_LIMIT_ENABLED": "false",
           "SECRET_KEY": SECRET,
           "MESSAGES_TO_LOG": "true"}  # production prints no message unless told to (no SendGrid here)
    return subprocess.Popen([str(PROJECT_DIR / ".venv" / "bin" / "python"), "-OO", "-m", "web", "serve", "--production"],
                            cwd=PROJECT_DIR, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT,
                            start_new_session=True)


def wait_healthy(port: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1):
                return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"the server on port {port} did not answer /health in {timeout:.0f} s")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--out", default="/tmp/sesame-workers-bench")
    args, harness_args = parser.parse_known_args(argv)
    harness = bench_dir()
    subprocess.run([*PSQL, f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)'], check=True)
    subprocess.run([*PSQL, f'CREATE DATABASE "{DATABASE}"'], check=True)
    subprocess.run([sys.executable, "-m", "web", "migrate"], check=True, cwd=PROJECT_DIR,
                   env={**os.environ, "DATABASE_URL": f"{SERVER}/{DATABASE}"})
    configs = Path(tempfile.mkdtemp(prefix="sesame-workers-"))
    names = {1: "sesame-1-worker", args.workers: f"sesame-{args.workers}-workers"}
    servers, tomls = [], []
    try:
        for index, workers in enumerate(names):
            port = 8120 + index
            servers.append(start(workers, port, configs / f"server-{workers}.log"))
            wait_healthy(port)
            path = configs / f"{names[workers]}.toml"
            path.write_text(endpoints_toml(names[workers], port))
            tomls.append(str(path))
        out = Path(args.out)
        command = [sys.executable, str(harness / "loadtest.py"), *tomls, "--only", "me,refresh,login_c16",
                   "--out", str(out), *(harness_args or ["--reps", "1", "--duration", "5", "--warmup", "2"])]
        print("$ " + " ".join(command), flush=True)
        subprocess.run(command, cwd=harness)
    finally:
        for server in servers:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=20)
    raw = newest_raw(Path(args.out))
    results = medians(raw)
    one, many = names[1], names[args.workers]
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
