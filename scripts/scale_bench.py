"""`make scale-bench`: me, login and refresh at 1 000 and at 1 000 000 users, one table.

For each size, a template database (sesame_scale_<N>_tpl) is seeded once with
scripts/seed_users.py (COPY; a few minutes for a million) and kept: later runs reuse it
(--reseed to rebuild). Each repetition of the harness (BENCH_DIR/loadtest.py) starts from a
fresh copy of it (CREATE DATABASE ... TEMPLATE), then registers and logs in its own 64 bench
users through the API as usual: they are 64 more among N, and every lookup the scenarios make
(sid, refresh token, email) runs against tables of N rows. The two sizes run interleaved in
one harness run, server pinned to one core as in run_ours.sh.

    make scale-bench                                   # 3 reps x 20 s
    make scale-bench SCALE_ARGS="--quick"              # smoke: 1 rep x 3 s
    .venv/bin/python scripts/scale_bench.py --sizes 1000,1000000 --reps 3 --duration 20

Needs what the harness needs (PostgreSQL on 127.0.0.1:5432 with trust auth for postgres,
wrk, taskset) and about 2 GB of disk per million users (template + copy).
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import PROJECT_DIR, bench_dir, endpoints_toml, errors_in, figure, medians, newest_raw  # noqa: E402

SERVER = "postgresql://postgres@127.0.0.1:5432"
PSQL = ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-tAc"]
SCENARIOS = "me,login_c4,refresh"
ROWS = [  # (label, scenario, metric, judged): tail latency and PostgreSQL CPU (machine-wide:
    # other tenants count) are reported, not judged; throughput and server CPU are.
    ("me req/s", "me", "rps", True),
    ("me server CPU ms/req", "me", "srv_cpu_ms_per_req", True),
    ("me PostgreSQL CPU ms/req", "me", "pg_cpu_ms_per_req", False),
    ("me p99 ms", "me", "lat_p99_ms", False),
    ("login/s (c4)", "login_c4", "rps", True),
    ("login server CPU ms/req", "login_c4", "srv_cpu_ms_per_req", True),
    ("login PostgreSQL CPU ms/req", "login_c4", "pg_cpu_ms_per_req", False),
    ("refresh req/s", "refresh", "rps", True),
    ("refresh server CPU ms/req", "refresh", "srv_cpu_ms_per_req", True),
    ("refresh PostgreSQL CPU ms/req", "refresh", "pg_cpu_ms_per_req", False),
    ("refresh p99 ms", "refresh", "lat_p99_ms", False),
]
FLAT = 0.10  # the bar: each figure within 10% of the other


def label(n: int) -> str:
    return f"{n // 1_000_000}M" if n % 1_000_000 == 0 else f"{n // 1000}k" if n % 1000 == 0 else str(n)


def psql(sql: str) -> str:
    return subprocess.run([*PSQL, sql], check=True, capture_output=True, text=True).stdout.strip()


def ensure_template(n: int, reseed: bool) -> str:
    """The seeded template of `n` users; seeded now if missing or incomplete."""
    name = f"sesame_scale_{n}_tpl"
    mark = f"seeded {n} users"
    comment = psql(f"SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = '{name}'")
    if comment == mark and not reseed:
        print(f"{name}: already {mark} (--reseed to rebuild); migrating it to this version", flush=True)
        subprocess.run([sys.executable, "-m", "web", "migrate"], check=True, cwd=PROJECT_DIR,
                       env={**os.environ, "DATABASE_URL": f"{SERVER}/{name}"})
        return name
    psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    psql(f'CREATE DATABASE "{name}"')
    print(f"{name}: seeding {n} users ...", flush=True)
    started = time.monotonic()
    sample = PROJECT_DIR / ".data" / f"scale-sample-{n}.tsv"
    sample.parent.mkdir(exist_ok=True)
    subprocess.run(
        [sys.executable, str(PROJECT_DIR / "scripts" / "seed_users.py"), "--users", str(n),
         "--database-url", f"{SERVER}/{name}", "--sample-file", str(sample)],
        check=True, cwd=PROJECT_DIR,
    )
    psql(f"COMMENT ON DATABASE \"{name}\" IS '{mark}'")  # only a finished seed is reused
    print(f"{name}: seeded in {time.monotonic() - started:.0f} s", flush=True)
    return name


def system_toml(n: int, template: str, port: int) -> str:
    """A harness config that starts the server on a fresh copy of the seeded template."""
    database = f"sesame_scale_{n}"
    python = PROJECT_DIR / ".venv" / "bin" / "python"
    return endpoints_toml(f"sesame-{label(n)}", port) + f"""
[server]
cwd = "{PROJECT_DIR}"
command = ["{python}", "-OO", "-m", "web"]
env = {{ DATABASE_URL = "{SERVER}/{database}", HOST = "127.0.0.1", PORT = "{port}", WORKERS = "1", ACCESS_LOG = "false", RATE_LIMIT_ENABLED = "false", APP_ENV = "development" }}
reset = "dropdb -h 127.0.0.1 -U postgres --if-exists --force {database} && createdb -h 127.0.0.1 -U postgres -T {template} {database}"
ready_timeout_s = 120
"""


def table(results: dict, small: str, large: str) -> tuple[str, bool]:
    lines = [f"| figure | {small} | {large} | difference | within {FLAT:.0%} |", "|---|---|---|---|---|"]
    flat = True
    for name, scenario, metric, judged in ROWS:
        a, b = figure(results, small, scenario, metric), figure(results, large, scenario, metric)
        if a is None or b is None:
            lines.append(f"| {name} | {a if a is not None else '–'} | {b if b is not None else '–'} | – | – |")
            continue
        change = (b - a) / a if a else 0.0
        ok = abs(change) <= FLAT
        flat &= ok or not judged
        verdict = ("yes" if ok else "NO") if judged else "(not judged)"
        lines.append(f"| {name} | {a:.2f} | {b:.2f} | {change:+.1%} | {verdict} |")
    return "\n".join(lines), flat


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,1000000", help="two user counts, small first")
    parser.add_argument("--reseed", action="store_true", help="rebuild the seeded templates")
    parser.add_argument("--out", default="/tmp/sesame-scale-bench")
    args, harness_args = parser.parse_known_args(argv)  # the rest goes to loadtest.py (--reps, --quick...)
    sizes = [int(s) for s in args.sizes.split(",")]
    harness = bench_dir()
    configs = Path(tempfile.mkdtemp(prefix="sesame-scale-"))
    tomls = []
    for index, n in enumerate(sizes):
        template = ensure_template(n, args.reseed)
        path = configs / f"sesame-{label(n)}.toml"
        path.write_text(system_toml(n, template, 8110 + index))
        tomls.append(str(path))
    out = Path(args.out)
    command = [sys.executable, str(harness / "loadtest.py"), *tomls, "--only", SCENARIOS, "--out", str(out),
               *harness_args]
    print("$ " + " ".join(command), flush=True)
    subprocess.run(command, cwd=harness, env={**os.environ, "PROJECT_DIR": str(PROJECT_DIR)})
    raw = newest_raw(out)
    results = medians(raw)
    small, large = (f"sesame-{label(n)}" for n in sizes[:2])
    text, flat = table(results, small, large)
    print(f"\n## Scale: {small} vs {large} users (medians; {raw})\n\n{text}\n")
    for problem in errors_in(raw):
        print(f"invalid: {problem}")
    print("FLAT" if flat else f"NOT FLAT: a throughput or CPU figure moved by more than {FLAT:.0%}")
    return 0 if flat and not errors_in(raw) else 1


if __name__ == "__main__":
    sys.exit(main())
