"""A run's raw.json, read back: every measurement of every repetition, as loadtest.py wrote it."""

import json
import statistics
from pathlib import Path


def runs(raw: Path) -> list[dict]:
    return json.loads(raw.read_text())["runs"]


def medians(raw: Path) -> dict[str, dict]:
    """{system: {scenario: {figure: median over the repetitions}, "memory": {"rss_mib": median}}}."""
    samples: dict[str, dict[str, dict[str, list[float]]]] = {}
    for run in runs(raw):
        system = samples.setdefault(run["system"], {})
        for scenario, figures in (run.get("scenarios") or {}).items():
            for name, value in figures.items():
                if isinstance(value, (int, float)):
                    system.setdefault(scenario, {}).setdefault(name, []).append(value)
        if (rss := (run.get("memory_after") or {}).get("rss_mib")) is not None:
            system.setdefault("memory", {}).setdefault("rss_mib", []).append(rss)
    return {system: {scenario: {name: statistics.median(values) for name, values in figures.items()}
                     for scenario, figures in scenarios.items()}
            for system, scenarios in samples.items()}


def figure(results: dict, system: str, scenario: str, name: str) -> float | None:
    return results.get(system, {}).get(scenario, {}).get(name)


def errors_in(raw: Path) -> list[str]:
    """Repetitions that failed and measurements with errors: their figures do not count."""
    problems = []
    for run in runs(raw):
        if run.get("error"):
            problems.append(f"{run['system']} rep {run['rep']}: {run['error']}")
        for scenario, figures in (run.get("scenarios") or {}).items():
            if errors := figures.get("errors", 0) + figures.get("storm_errors", 0):
                problems.append(f"{run['system']} rep {run['rep']} {scenario}: {errors} errors")
    return problems
