"""The benchmark scripts' arithmetic (scripts/: not the service), on hand-made raw.json files."""

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "scripts"))
import bench_guard  # noqa: E402
import scale_bench  # noqa: E402
from benchlib import errors_in, medians  # noqa: E402


def raw(tmp_path, runs) -> Path:
    path = tmp_path / "raw.json"
    path.write_text(json.dumps({"meta": {}, "runs": runs}))
    return path


def run(system, rep, rss=None, **scenarios):
    return {"system": system, "rep": rep, "scenarios": scenarios,
            "memory_after": {"rss_mib": rss} if rss else {}}


def sc(rps, p99=10.0, errors=0, cpu=1.0):
    return {"rps": rps, "lat_p99_ms": p99, "errors": errors, "srv_cpu_ms_per_req": cpu}


def test_medians_are_taken_over_repetitions(tmp_path):
    results = medians(raw(tmp_path, [run("a", 1, 90, me=sc(100)), run("a", 2, 80, me=sc(300)),
                                     run("a", 3, 70, me=sc(200))]))
    assert results["a"]["me"]["rps"] == 200 and results["a"]["memory"]["rss_mib"] == 80


def test_the_guard_passes_only_what_meets_each_target(tmp_path):
    ours = run("sesame", 1, 95, me=sc(6000), refresh=sc(2000), login_c4=sc(40), login_c16=sc(39),
               probe=sc(170, p99=4.0), probe_storm=sc(170, p99=9.0))
    express = run("express-passport", 1, 100, me=sc(3600), refresh=sc(1500), login_c4=sc(19),
                  login_c16=sc(19))
    lines, passed = bench_guard.verdicts(medians(raw(tmp_path, [ours, express])))
    verdict = {line.split(":")[0].split(None, 1)[1]: line.split()[0] for line in lines}
    assert verdict == {
        "/auth/me req/s vs Express": "PASS",  # 1.67
        "refresh req/s vs Express": "FAIL",  # 1.33
        "refresh req/s vs own /auth/me": "FAIL",  # 0.33
        "logins/s (c4) vs Express": "PASS",  # 2.1
        "logins/s (c16) vs Express": "PASS",
        "/auth/me p99 in the login storm vs probe alone": "FAIL",  # 2.25
        "RSS after the run vs Express": "PASS",  # 0.95
    }
    assert not passed


def test_a_missing_figure_is_not_a_pass(tmp_path):
    lines, passed = bench_guard.verdicts(medians(raw(tmp_path, [run("sesame", 1, me=sc(1))])))
    assert not passed and all(line.startswith("MISSING") for line in lines)


def test_errors_make_a_run_invalid(tmp_path):
    path = raw(tmp_path, [run("sesame", 1, me=sc(100, errors=3)), {"system": "x", "rep": 1, "error": "boom"}])
    assert errors_in(path) == ["sesame rep 1 me: 3 errors", "x rep 1: boom"]


@pytest.mark.parametrize(("large_rps", "flat"), [(950.0, True), (880.0, False)])
def test_the_scale_table_is_flat_within_ten_percent(tmp_path, large_rps, flat):
    results = medians(raw(tmp_path, [
        run("sesame-1k", 1, me=sc(1000), login_c4=sc(40), refresh=sc(500)),
        run("sesame-1M", 1, me=sc(large_rps, p99=50.0), login_c4=sc(40), refresh=sc(500)),
    ]))
    text, is_flat = scale_bench.table(results, "sesame-1k", "sesame-1M")
    assert is_flat is flat
    assert f"| me req/s | 1000.00 | {large_rps:.2f} | {(large_rps - 1000) / 1000:+.1%} |" in text


def test_sizes_are_labelled_as_people_say_them():
    assert [scale_bench.label(n) for n in (1000, 1_000_000, 250)] == ["1k", "1M", "250"]
