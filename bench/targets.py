"""Sésame's performance targets, judged on one run's medians: a PASS/FAIL line each.

Every target is a ratio within one run (Sésame against Express + Passport beside it, or against
itself), so a machine that is slower or busier moves both sides: read the ratios, not req/s."""

from pathlib import Path

from bench.results import errors_in, figure, medians

OURS, EXPRESS = "sesame", "express-passport"


def ratio(a: float | None, b: float | None) -> float | None:
    return a / b if a is not None and b else None


def checks(results: dict, ours: str = OURS, express: str = EXPRESS) -> list[tuple[str, float | None, str, float]]:
    """(what, the measured ratio, >= or <=, the bound)."""
    def f(system: str, scenario: str, name: str = "rps") -> float | None:
        return figure(results, system, scenario, name)

    return [
        ("/auth/me req/s vs Express", ratio(f(ours, "me"), f(express, "me")), ">=", 1.5),
        ("refresh req/s vs Express", ratio(f(ours, "refresh"), f(express, "refresh")), ">=", 1.5),
        ("refresh req/s vs own /auth/me", ratio(f(ours, "refresh"), f(ours, "me")), ">=", 0.4),
        ("logins/s (c4) vs Express", ratio(f(ours, "login_c4"), f(express, "login_c4")), ">=", 2.0),
        ("logins/s (c16) vs Express", ratio(f(ours, "login_c16"), f(express, "login_c16")), ">=", 2.0),
        ("/auth/me p99 in the login storm vs probe alone",
         ratio(f(ours, "probe_storm", "lat_p99_ms"), f(ours, "probe", "lat_p99_ms")), "<=", 2.0),
        ("RSS after the run vs Express", ratio(f(ours, "memory", "rss_mib"), f(express, "memory", "rss_mib")), "<=", 1.0),
    ]


def verdicts(results: dict, ours: str = OURS, express: str = EXPRESS) -> tuple[list[str], bool]:
    lines, passed = [], True
    for what, value, comparison, bound in checks(results, ours, express):
        if value is None:
            lines.append(f"MISSING  {what}: not measured in this run")
            passed = False
            continue
        ok = value >= bound if comparison == ">=" else value <= bound
        passed &= ok
        lines.append(f"{'PASS' if ok else 'FAIL'}     {what}: {value:.2f}x (target {comparison} {bound:g}x)")
    return lines, passed


def report(raw: Path, ours: str = OURS, express: str = EXPRESS) -> tuple[str, bool]:
    """The targets' lines for a run, and whether every one was met."""
    lines, passed = verdicts(medians(raw), ours, express)
    invalid = [f"INVALID  {problem}" for problem in errors_in(raw)]
    ending = "all targets met" if passed else "some targets missed (a short run on a busy machine is noisy: measure again)"
    return "\n".join([f"## Performance targets ({raw})", "", *lines, *invalid, "", ending]), passed
