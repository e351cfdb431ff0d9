"""`make scale-bench`: me, login and refresh at 1 000 and at 1 000 000 users, one table.

For each size, a template database (sesame_scale_<N>_tpl) is seeded once with
bench/seed_users.py (COPY; a few minutes for a million) and kept: later runs reuse it
(--reseed to rebuild). Each repetition starts Sésame on a fresh copy of it (CREATE DATABASE
... TEMPLATE), then registers and logs in its own 64 bench users through the API as usual:
64 more among N, so every lookup the scenarios make (sid, refresh token, email) runs against
tables of N rows. The two sizes run interleaved in one run of the driver, pinned as in make bench.

    make scale-bench                                   # 3 reps x 20 s
    make scale-bench SCALE_ARGS="--quick"              # a smoke run: 1 rep x 3 s
    .venv/bin/python -m bench.scale --sizes 1000,1000000 --reps 3 --duration 20

Any option of python -m bench.loadtest passes through. Needs about 2 GB of disk per million
users (template and copy).
"""

import argparse
import os
import subprocess
import sys
import time

from bench import loadtest, systems
from bench.results import errors_in, figure, medians

SERVER = "postgresql://postgres@127.0.0.1:5432"
PSQL = ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-tAc"]
SCENARIOS = "me,login_c4,refresh"
ROWS = [  # (label, scenario, figure, judged): tail latency and PostgreSQL's CPU (machine-wide:
    # other tenants count) are shown, not judged; throughput and the server's CPU are.
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
FLAT = 0.10  # each judged figure within 10% of the other size's


def label(n: int) -> str:
    return f"{n // 1_000_000}M" if n % 1_000_000 == 0 else f"{n // 1000}k" if n % 1000 == 0 else str(n)


def psql(sql: str) -> str:
    return subprocess.run([*PSQL, sql], check=True, capture_output=True, text=True).stdout.strip()


def ensure_template(n: int, reseed: bool) -> str:
    """The template of `n` seeded users; seeded now if missing or unfinished."""
    name, mark = f"sesame_scale_{n}_tpl", f"seeded {n} users"
    comment = psql(f"SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = '{name}'")
    if comment == mark and not reseed:
        print(f"{name}: already {mark} (--reseed to rebuild); migrating it to this version", flush=True)
        subprocess.run([sys.executable, "-m", "web", "migrate"], check=True, cwd=systems.ROOT,
                       env={**os.environ, "DATABASE_URL": f"{SERVER}/{name}"})
        return name
    psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    psql(f'CREATE DATABASE "{name}"')
    print(f"{name}: seeding {n} users ...", flush=True)
    started = time.monotonic()
    sample = systems.SCRATCH / f"scale-sample-{n}.tsv"
    sample.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run([sys.executable, "-m", "bench.seed_users", "--users", str(n), "--database-url", f"{SERVER}/{name}",
                    "--sample-file", str(sample)], check=True, cwd=systems.ROOT)
    psql(f"COMMENT ON DATABASE \"{name}\" IS '{mark}'")  # only a finished seed is reused
    print(f"{name}: seeded in {time.monotonic() - started:.0f} s", flush=True)
    return name


def system(n: int, template: str, port: int) -> dict:
    """Sésame as make bench runs it, on a fresh copy of the seeded template."""
    sesame = systems.load(systems.SYSTEMS / "sesame.toml")
    database = f"sesame_scale_{n}"
    env = sesame["server"]["env"] | {"DATABASE_URL": f"{SERVER}/{database}", "PORT": str(port)}
    reset = (f"dropdb -h 127.0.0.1 -U postgres --if-exists --force {database} && "
             f"createdb -h 127.0.0.1 -U postgres -T {template} {database}")
    return sesame | {"name": f"sesame-{label(n)}", "base_url": f"http://127.0.0.1:{port}",
                     "server": sesame["server"] | {"env": env, "reset": reset, "ready_timeout_s": 120}}


def table(results: dict, small: str, large: str) -> tuple[str, bool]:
    lines = [f"| figure | {small} | {large} | difference | within {FLAT:.0%} |", "|---|---|---|---|---|"]
    flat = True
    for name, scenario, key, judged in ROWS:
        a, b = figure(results, small, scenario, key), figure(results, large, scenario, key)
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
    parser.add_argument("--sizes", default="1000,1000000", help="two user counts, the smaller first")
    parser.add_argument("--reseed", action="store_true", help="rebuild the seeded templates")
    args, rest = parser.parse_known_args(argv)
    sizes = [int(size) for size in args.sizes.split(",")]
    chosen = [system(n, ensure_template(n, args.reseed), 8110 + index) for index, n in enumerate(sizes)]
    raw = loadtest.run(chosen, loadtest.options(["--only", SCENARIOS, *rest]))
    small, large = (f"sesame-{label(n)}" for n in sizes[:2])
    text, flat = table(medians(raw), small, large)
    print(f"\n## Scale: {small} vs {large} users (medians; {raw})\n\n{text}\n")
    for problem in errors_in(raw):
        print(f"invalid: {problem}")
    print("FLAT" if flat else f"NOT FLAT: a throughput or CPU figure moved by more than {FLAT:.0%}")
    return 0 if flat and not errors_in(raw) else 1


if __name__ == "__main__":
    sys.exit(main())
