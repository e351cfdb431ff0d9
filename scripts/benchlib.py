"""What `make bench`, `make scale-bench` and `make workers-bench` share: where the harness is,
Sésame's endpoints in it, and its raw.json.

The harness (loadtest.py, run_ours.sh, the peers) lives OUTSIDE this repository, in the
external harness folder named by BENCH_DIR (a sibling folder of the project by default).
"""

import json
import os
import re
import statistics
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent


def bench_dir() -> Path:
    """BENCH_DIR, or the default sibling folder; stops with one line saying where it looked."""
    path = Path(os.environ.get("BENCH_DIR") or PROJECT_DIR.parent / "shared" / "bench").resolve()
    if not (path / "loadtest.py").is_file():
        raise SystemExit(
            f"The benchmark harness is not in {path} (no loadtest.py there). It is not part of this "
            "repository: set BENCH_DIR to the folder holding loadtest.py and run_ours.sh, e.g. "
            "make bench BENCH_DIR=/path/to/harness"
        )
    return path


def newest_raw(out: Path) -> Path:
    """loadtest.py writes <out>/<stamp>/raw.json: the newest one."""
    found = sorted(out.glob("*/raw.json"), key=lambda p: p.stat().st_mtime)
    if not found:
        raise SystemExit(f"no raw.json under {out}: the run failed before its first measurement")
    return found[-1]


def medians(raw_path: Path) -> dict[str, dict]:
    """{system: {scenario: {metric: median over reps}, "rss_mib": median}} from a raw.json."""
    runs = json.loads(raw_path.read_text())["runs"]
    samples: dict[str, dict[str, dict[str, list[float]]]] = {}
    for run in runs:
        system = samples.setdefault(run["system"], {})
        for scenario, figures in (run.get("scenarios") or {}).items():
            for metric, value in figures.items():
                if isinstance(value, (int, float)):
                    system.setdefault(scenario, {}).setdefault(metric, []).append(value)
        rss = (run.get("memory_after") or {}).get("rss_mib")
        if rss is not None:
            system.setdefault("memory", {}).setdefault("rss_mib", []).append(rss)
    return {
        name: {sc: {m: statistics.median(v) for m, v in metrics.items()} for sc, metrics in scenarios.items()}
        for name, scenarios in samples.items()
    }


def figure(results: dict, system: str, scenario: str, metric: str) -> float | None:
    return results.get(system, {}).get(scenario, {}).get(metric)


def errors_in(raw_path: Path) -> list[str]:
    """Measurements with errors, or runs that failed: their figures are not valid."""
    problems = []
    for run in json.loads(raw_path.read_text())["runs"]:
        if run.get("error"):
            problems.append(f"{run['system']} rep {run['rep']}: {run['error']}")
        for scenario, figures in (run.get("scenarios") or {}).items():
            if figures.get("errors"):
                problems.append(f"{run['system']} rep {run['rep']} {scenario}: {figures['errors']} errors")
    return problems


SYSTEM = PROJECT_DIR / "scripts" / "sesame.bench.toml"  # how the harness starts Sésame


def endpoints_toml(name: str, port: int) -> str:
    """SYSTEM's endpoints under another name and port, without its [server] section (the
    caller starts the server itself or appends its own)."""
    kept, skipping = [], False
    for line in SYSTEM.read_text().splitlines():
        if line.startswith("["):
            skipping = line.strip() == "[server]"
        if not skipping:
            kept.append(line)
    text = "\n".join(kept) + "\n"
    text = re.sub(r'^name = ".*"$', f'name = "{name}"', text, count=1, flags=re.M)
    return re.sub(r'^base_url = ".*"$', f'base_url = "http://127.0.0.1:{port}"', text, count=1, flags=re.M)
