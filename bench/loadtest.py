"""The benchmark's driver: systems side by side, in one interleaved run on one machine.

For each repetition, and each system in turn (the order rotates: A B C, B C A, ...):
  1. its database reset, its server started pinned to the server core, its health awaited;
  2. users registered and logged in through its own routes, with sanity checks (seeding.py);
  3. the scenarios (scenarios.py), driven from the client core by wrk or bench/pyload.py;
  4. its memory read, a logout checked, the server stopped.
Then raw.json (every figure of every repetition) and summary.md (the tables) in
$BENCH_SCRATCH/results/<stamp>/, beside each server's log.

    .venv/bin/python -m bench.loadtest bench/systems/sesame.toml bench/systems/express_passport.toml \\
        [--reps 3] [--duration 20] [--only me,refresh] [--quick] [--driver auto|wrk|python]
"""

import argparse
import datetime
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path

from bench import load, seeding, summary, systems
from bench.scenarios import ALL, Scenarios
from bench.server import Server


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def parser() -> argparse.ArgumentParser:
    options = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    options.add_argument("--reps", type=int, default=3)
    options.add_argument("--duration", type=float, default=20.0, help="seconds per measurement")
    options.add_argument("--warmup", type=float, default=3.0, help="seconds of warm-up before each measurement")
    options.add_argument("--only", default=",".join(ALL), help="scenarios, comma-separated")
    options.add_argument("--quick", action="store_true", help="a smoke run: 1 rep, 3 s measurements, 1 s warm-ups")
    options.add_argument("--driver", choices=("auto", "wrk", "python"), default="auto",
                         help="auto: wrk where installed, else bench/pyload.py")
    options.add_argument("--users", type=int, default=64, help="users registered per repetition")
    options.add_argument("--sessions", type=int, default=64, help="session cookies the who-am-I loads rotate over")
    options.add_argument("--seed-threads", type=int, default=4)
    options.add_argument("--me-conns", type=int, default=64)
    options.add_argument("--refresh-conns", type=int, default=16, help="one refresh session each")
    options.add_argument("--probe-conns", type=int, default=4)
    options.add_argument("--probe-delay-ms", type=int, default=20, help="each probe connection's think time")
    options.add_argument("--storm-conns", type=int, default=4, help="login connections of the probe's storm")
    options.add_argument("--server-cpu", type=int, default=0)
    options.add_argument("--client-cpu", type=int, default=1)
    options.add_argument("--timeout", type=float, default=30.0, help="seconds per request before a timeout")
    options.add_argument("--pause", type=float, default=1.0, help="seconds between measurements")
    options.add_argument("--out", default=str(systems.SCRATCH / "results"), help="where each run's folder goes")
    return options


def options(argv: list[str] | None = None) -> argparse.Namespace:
    """The driver's options, checked; what make bench, scale-bench and workers-bench pass on."""
    options_parser = parser()
    opts = options_parser.parse_args(argv)
    if opts.quick:
        opts.reps, opts.duration, opts.warmup = 1, 3.0, 1.0
    opts.scenarios = [name.strip() for name in opts.only.split(",") if name.strip()]
    if unknown := set(opts.scenarios) - set(ALL):
        options_parser.error(f"unknown scenario(s) {sorted(unknown)}: choose among {', '.join(ALL)}")
    opts.sessions = min(opts.sessions, opts.users)
    if max(opts.server_cpu, opts.client_cpu) >= (os.cpu_count() or 1) or opts.server_cpu == opts.client_cpu:
        options_parser.error(f"--server-cpu and --client-cpu must be two of this machine's {os.cpu_count()} CPUs")
    return opts


def machine() -> str:
    model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), "unknown CPU")
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{os.cpu_count()} cores ({model}), {memory:.0f} GiB, Linux {platform.release()}"


def driver_said(name: str) -> str:
    if name == "python":
        why = "asked for" if shutil.which("wrk") else "wrk is not installed"
        return (f"bench/pyload.py for every scenario ({why}; the flags say where the client's core was the "
                f"limit), Python {platform.python_version()}")
    version = subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout.splitlines()[:1]
    return f"{' '.join(version[0].split()[:2]) if version else 'wrk'}, and bench/pyload.py for refresh"


def repetition(system: dict, rep: int, opts: argparse.Namespace, driver: load.Driver, folder: Path) -> dict:
    """One system's turn: start, seed, measure, check, stop. A failure is recorded, not raised."""
    result: dict = {"system": system["name"], "rep": rep}
    server = Server(system, opts.server_cpu, folder / f"server-{system['name']}-rep{rep}.log")
    try:
        log(f"  {system['name']}: {server.start()}")
        result["memory_start"] = server.memory()
        refresh_sessions = opts.refresh_conns if "refresh" in opts.scenarios else 0
        result["seed"] = seeding.seed(system, opts.users, opts.sessions, refresh_sessions, opts.seed_threads, folder)
        log(f"  seeded {opts.users} users in {result['seed']['seed_register_s']:.1f} s and {opts.sessions} sessions "
            f"in {result['seed']['seed_login_s']:.1f} s; sanity checks passed")
        result["memory_seeded"] = server.memory()
        result["scenarios"] = Scenarios(server, driver, opts, log).run(system, result["seed"])
        result["memory_after"] = server.memory()
        result["logout_check"] = seeding.logout_works(system, opts.users - 1)
        if memory := result["memory_after"]:
            log(f"  {system['name']}: RSS after the run {memory['rss_mib']:.0f} MiB (peak {memory['hwm_mib']:.0f} MiB, "
                f"{memory['processes']} process(es)); logout ends the session: {result['logout_check']}")
    except Exception as error:  # noqa: BLE001 - the other systems still run; the summary lists it
        result["error"] = f"{type(error).__name__}: {error}"
        log(f"  FAILED: {result['error']}")
    finally:
        if (code := server.stop()) is not None:
            log(f"  {system['name']}: stopped (exit code {code})")
    return result


def run(chosen: list[dict], opts: argparse.Namespace) -> Path:
    """Run every repetition of every system; the run's raw.json (summary.md beside it)."""
    os.sched_setaffinity(0, {opts.client_cpu})  # this process and the load drivers it starts
    driver = load.Driver(load.choose(opts.driver), opts.timeout)
    folder = Path(opts.out) / datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    folder.mkdir(parents=True, exist_ok=True)
    meta = {"date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"), "machine": machine(),
            "driver": driver_said(driver.name), "options": dict(vars(opts)),
            "systems": {system["name"]: system["file"] for system in chosen}}
    log(f"machine: {meta['machine']}; load driver: {meta['driver']}")
    log(f"servers it starts on CPU {opts.server_cpu}, load driver on CPU {opts.client_cpu}; results in {folder}")
    raw, results = folder / "raw.json", []
    for rep in range(1, opts.reps + 1):
        shift = (rep - 1) % len(chosen)
        for system in chosen[shift:] + chosen[:shift]:
            log(f"=== rep {rep}/{opts.reps}: {system['name']} ({system['base_url']})")
            results.append(repetition(system, rep, opts, driver, folder))
            raw.write_text(json.dumps({"meta": meta, "runs": results}, indent=1, default=str))
    text = summary.write(meta, results, opts)
    (folder / "summary.md").write_text(text)
    print("\n" + text, flush=True)
    log(f"wrote {folder / 'summary.md'} and {raw}")
    return raw


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    files = [arg for arg in args if arg.endswith(".toml")]
    if not files:
        parser().error("name at least one system (bench/systems/*.toml); the first is the ratios' reference")
    raw = run([systems.load(path) for path in files], options([arg for arg in args if not arg.endswith(".toml")]))
    return 1 if any(result.get("error") for result in json.loads(raw.read_text())["runs"]) else 0


if __name__ == "__main__":
    sys.exit(main())
