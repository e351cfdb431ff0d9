"""summary.md: a run's tables. Cells are medians over the repetitions, with (min–max) where
there are several."""

import statistics
from argparse import Namespace

from bench.scenarios import SATURATING


class Values:
    """Every repetition's value of each figure, per system and scenario."""

    def __init__(self, runs: list[dict]):
        self.by: dict[str, dict[str, list[dict]]] = {}
        self.runs = runs
        for run in runs:
            for scenario, figures in (run.get("scenarios") or {}).items():
                self.by.setdefault(run["system"], {}).setdefault(scenario, []).append(figures)

    def of(self, system: str, scenario: str, name: str) -> list[float]:
        return [f[name] for f in self.by.get(system, {}).get(scenario, []) if f.get(name) is not None]

    def run_values(self, system: str, section: str, name: str) -> list:
        return [(run.get(section) or {}).get(name) for run in self.runs
                if run["system"] == system and (run.get(section) or {}).get(name) is not None]


def median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def number(value: float | None, digits: int = 0) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def spread(values: list[float], digits: int = 0) -> str:
    if len(values) < 2:
        return number(median(values), digits)
    return f"{median(values):.{digits}f} ({min(values):.{digits}f}–{max(values):.{digits}f})"


def table(header: list[str], rows: list[list[str]]) -> list[str]:
    return ["| " + " | ".join(header) + " |", "|" + "---|" * len(header), *("| " + " | ".join(r) + " |" for r in rows), ""]


def latencies(values: Values, system: str, scenario: str, digits: int = 1) -> str:
    if not values.of(system, scenario, "rps"):
        return "–"
    return (f"{number(median(values.of(system, scenario, 'lat_p50_ms')), digits)} / "
            f"{number(median(values.of(system, scenario, 'lat_p99_ms')), digits)}")


def headline(values: Values, names: list[str], opts: Namespace) -> list[str]:
    header = ["system", "health req/s (c64)", f"me req/s (c{opts.me_conns})", "me p50 / p99",
              f"refresh req/s (c{opts.refresh_conns})", "refresh p50 / p99", "login/s c4", "login/s c16",
              "login c16 p50 / p99", "probe alone p50 / p99", "probe + storm p50 / p99", "storm logins/s",
              "RSS after run MiB"]
    rows = [[name, spread(values.of(name, "health", "rps")), spread(values.of(name, "me", "rps")),
             latencies(values, name, "me"), spread(values.of(name, "refresh", "rps")),
             latencies(values, name, "refresh"), spread(values.of(name, "login_c4", "rps"), 1),
             spread(values.of(name, "login_c16", "rps"), 1), latencies(values, name, "login_c16", 0),
             latencies(values, name, "probe", 2), latencies(values, name, "probe_storm", 2),
             spread(values.of(name, "probe_storm", "storm_rps"), 1),
             spread(values.run_values(name, "memory_after", "rss_mib"))] for name in names]
    return ["## Headline figures", "", *table(header, rows)]


RATIOS = [("health", "rps", "health req/s"), ("me", "rps", "me req/s"), ("me", "lat_p99_ms", "me p99"),
          ("refresh", "rps", "refresh req/s"), ("login_c4", "rps", "login/s c4"), ("login_c16", "rps", "login/s c16"),
          ("probe_storm", "lat_p99_ms", "probe+storm p99"), ("me", "srv_cpu_ms_per_req", "server CPU per me"),
          ("me", "total_cpu_ms_per_req", "server+PG CPU per me"),
          ("refresh", "srv_cpu_ms_per_req", "server CPU per refresh"),
          ("login_c4", "srv_cpu_ms_per_req", "server CPU per login")]


def ratios(values: Values, names: list[str]) -> list[str]:
    reference = names[0]

    def ratio(a: float | None, b: float | None) -> str:
        return f"{a / b:.2f}×" if a is not None and b else "–"

    rows = [[name, *(ratio(median(values.of(name, sc, key)), median(values.of(reference, sc, key)))
                     for sc, key, _ in RATIOS),
             ratio(median(values.run_values(name, "memory_after", "rss_mib")),
                   median(values.run_values(reference, "memory_after", "rss_mib")))] for name in names]
    return [f"## Ratios to {reference} (medians; above 1: more throughput, latency or CPU than {reference})", "",
            *table(["system", *(label for _, _, label in RATIOS), "RSS"], rows)]


DETAIL = [("rps", 1, "req/s"), ("lat_p50_ms", 2, "p50"), ("lat_p99_ms", 2, "p99"), ("lat_max_ms", 1, "max"),
          ("srv_cpu_ms_per_req", 3, "server CPU ms/req"), ("pg_cpu_ms_per_req", 3, "PG CPU ms/req"),
          ("srv_cpu_pct", 0, "server CPU %"), ("client_cpu_pct", 0, "driver CPU %"),
          ("server_core_busy_pct", 0, "server core busy %"), ("client_core_busy_pct", 0, "client core busy %"),
          ("steal_pct", 1, "steal %")]


def detail(values: Values, names: list[str], opts: Namespace) -> list[str]:
    rows = []
    for name in names:
        for scenario in opts.scenarios:
            if values.of(name, scenario, "rps"):
                errors = sum(values.of(name, scenario, "errors")) + sum(values.of(name, scenario, "storm_errors"))
                cells = [spread(values.of(name, scenario, key), digits) if key == "rps"
                         else number(median(values.of(name, scenario, key)), digits) for key, digits, _ in DETAIL]
                rows.append([name, scenario, *cells[:4], str(errors), *cells[4:]])
    header = ["system", "scenario", *(label for _, _, label in DETAIL[:4]), "errors", *(l for _, _, l in DETAIL[4:])]
    return ["## Per scenario (medians)", "", *table(header, rows)]


def checks(values: Values, names: list[str]) -> list[str]:
    rows = [[name, spread(values.run_values(name, "memory_after", "rss_mib")),
             spread(values.run_values(name, "memory_after", "hwm_mib")),
             spread(values.run_values(name, "seed", "seed_register_per_s"), 1),
             "; ".join(sorted({run["logout_check"] for run in values.runs
                               if run["system"] == name and run.get("logout_check")})) or "–"] for name in names]
    return ["## Memory, seeding, checks", "",
            *table(["system", "RSS after run MiB", "peak RSS (VmHWM) MiB", "registrations/s while seeding",
                    "logout ends the session"], rows)]


def flags(values: Values) -> list[str]:
    """The measurements not to trust, and why."""
    found = set()
    for name, scenarios in values.by.items():
        for scenario, measured in scenarios.items():
            for figures in measured:
                where = f"{name}/{scenario}"
                if figures.get("errors") or figures.get("storm_errors"):
                    found.add(f"{where}: {figures.get('errors')} errors (+{figures.get('storm_errors', 0)} in the storm)")
                if (figures.get("client_cpu_pct") or 0) > 85:
                    found.add(f"{where}: the load driver used {figures['client_cpu_pct']:.0f}% of its core: "
                              "the client may be the limit")
                if (figures.get("client_core_busy_pct") or 0) > 95 and scenario in ("health", "me", "refresh"):
                    found.add(f"{where}: the client core was {figures['client_core_busy_pct']:.0f}% busy "
                              "(driver, PostgreSQL and others): the client side may be the limit")
                if (figures.get("srv_cpu_pct") or 100) < 85 and scenario in SATURATING:
                    found.add(f"{where}: the server used {figures['srv_cpu_pct']:.0f}% of its core in a saturation "
                              "test: it waited on something (PostgreSQL, the client, a lock)")
                if (figures.get("steal_pct") or 0) > 5:
                    found.add(f"{where}: {figures['steal_pct']:.1f}% of the CPU stolen (noisy neighbours)")
    return ["## Flags", "", *(f"- {flag}" for flag in sorted(found) or ["none"]), ""]


def write(meta: dict, runs: list[dict], opts: Namespace) -> str:
    names = list(meta["systems"])
    values = Values(runs)
    lines = [
        f"# Sésame's benchmark ({meta['date']})", "",
        f"- Machine: {meta['machine']}",
        f"- Pinning: each server the driver starts on CPU {opts.server_cpu}, the load driver on CPU "
        f"{opts.client_cpu}; PostgreSQL not pinned (it floats over both)",
        f"- Load driver: {meta['driver']}",
        f"- Runs: {opts.reps} interleaved repetition(s); {opts.duration:g} s per measurement after a "
        f"{opts.warmup:g} s warm-up; {opts.users} users seeded, {opts.sessions} session cookies rotated",
        "- Cells: medians over the repetitions, (min–max) where there are several; latencies in ms", "",
        *headline(values, names, opts),
        *(ratios(values, names) if len(names) > 1 else []),
        *detail(values, names, opts),
        *checks(values, names),
        *flags(values),
    ]
    failed = [f"- {run['system']} rep {run['rep']}: {run['error']}" for run in runs if run.get("error")]
    if failed:
        lines += ["## Failed repetitions", "", *failed, ""]
    return "\n".join(lines)
