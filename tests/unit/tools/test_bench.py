"""The benchmark's own logic (bench/: not the service): its arithmetic on hand-made raw.json
files, how it reads answers and system files. Nothing here measures anything."""

import asyncio
import json
from argparse import Namespace
from pathlib import Path

import pytest

from bench import load, pyload, scale, summary, systems, targets
from bench.results import errors_in, medians


def raw(tmp_path, runs) -> Path:
    path = tmp_path / "raw.json"
    path.write_text(json.dumps({"meta": {}, "runs": runs}))
    return path


def run(system, rep, rss=None, **scenarios):
    return {"system": system, "rep": rep, "scenarios": scenarios,
            "memory_after": {"rss_mib": rss, "hwm_mib": rss} if rss else {}}


def sc(rps, p99=10.0, errors=0, cpu=1.0):
    return {"rps": rps, "lat_p50_ms": p99 / 2, "lat_p99_ms": p99, "errors": errors, "srv_cpu_ms_per_req": cpu}


def test_medians_are_taken_over_repetitions(tmp_path):
    results = medians(raw(tmp_path, [run("a", 1, 90, me=sc(100)), run("a", 2, 80, me=sc(300)),
                                     run("a", 3, 70, me=sc(200))]))
    assert results["a"]["me"]["rps"] == 200 and results["a"]["memory"]["rss_mib"] == 80


def test_the_targets_pass_only_what_meets_each_bound(tmp_path):
    ours = run("sesame", 1, 95, me=sc(6000), refresh=sc(2000), login_c4=sc(40), login_c16=sc(39),
               probe=sc(170, p99=4.0), probe_storm=sc(170, p99=9.0))
    express = run("express-passport", 1, 100, me=sc(3600), refresh=sc(1500), login_c4=sc(19),
                  login_c16=sc(19))
    lines, passed = targets.verdicts(medians(raw(tmp_path, [ours, express])))
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
    lines, passed = targets.verdicts(medians(raw(tmp_path, [run("sesame", 1, me=sc(1))])))
    assert not passed and all(line.startswith("MISSING") for line in lines)


def test_errors_make_a_run_invalid(tmp_path):
    storm = sc(170) | {"storm_errors": 2}
    path = raw(tmp_path, [run("sesame", 1, me=sc(100, errors=3), probe_storm=storm),
                          {"system": "x", "rep": 1, "error": "boom"}])
    assert errors_in(path) == ["sesame rep 1 me: 3 errors", "sesame rep 1 probe_storm: 2 errors", "x rep 1: boom"]
    text, passed = targets.report(path)
    assert "INVALID  x rep 1: boom" in text and not passed


@pytest.mark.parametrize(("large_rps", "flat"), [(950.0, True), (880.0, False)])
def test_the_scale_table_is_flat_within_ten_percent(tmp_path, large_rps, flat):
    results = medians(raw(tmp_path, [
        run("sesame-1k", 1, me=sc(1000), login_c4=sc(40), refresh=sc(500)),
        run("sesame-1M", 1, me=sc(large_rps, p99=50.0), login_c4=sc(40), refresh=sc(500)),
    ]))
    text, is_flat = scale.table(results, "sesame-1k", "sesame-1M")
    assert is_flat is flat
    assert f"| me req/s | 1000.00 | {large_rps:.2f} | {(large_rps - 1000) / 1000:+.1%} |" in text


def test_sizes_are_labelled_as_people_say_them():
    assert [scale.label(n) for n in (1000, 1_000_000, 250)] == ["1k", "1M", "250"]


def test_the_summary_puts_each_system_in_each_table_and_flags_errors():
    runs = [run("sesame", 1, 90, me=sc(4000), refresh=sc(2500)),
            run("express-passport", 1, 100, me=sc(2000, errors=5))]
    opts = Namespace(me_conns=64, refresh_conns=16, scenarios=["me", "refresh"], server_cpu=0, client_cpu=1,
                     reps=1, duration=5.0, warmup=2.0, users=64, sessions=64)
    meta = {"date": "today", "machine": "m", "driver": "wrk", "systems": {"sesame": "a", "express-passport": "b"}}
    text = summary.write(meta, runs, opts)
    assert "| sesame | – | 4000 | 5.0 / 10.0 | 2500 |" in text
    assert "| express-passport | 0.50× |" not in text  # health was not measured: no ratio for it
    assert "| express-passport | – | 0.50× | 1.00× | – |" in text
    assert "- express-passport/me: 5 errors (+0 in the storm)" in text


def test_every_system_file_loads_with_its_defaults():
    loaded = {path.stem: systems.load(path) for path in systems.SYSTEMS.glob("*.toml")}
    assert set(loaded) == {"sesame", "fastapi_users", "express_passport"}
    assert loaded["fastapi_users"]["login"]["format"] == "form" and "refresh" not in loaded["fastapi_users"]
    assert loaded["express_passport"]["refresh"]["origin"] == "http://localhost:3000"
    assert loaded["sesame"]["logout"]["method"] == "POST"
    assert all(systems.expand(s["server"]["cwd"]).startswith(str(systems.ROOT)) for s in loaded.values())


def test_a_system_without_a_login_body_is_refused(tmp_path):
    with pytest.raises(SystemExit, match=r"\[login\] needs a body"):
        systems.complete({"base_url": "http://x", "register": {"path": "/r", "body": {}},
                          "login": {"path": "/l"}, "me": {"path": "/m"}}, tmp_path / "broken.toml")


def test_bodies_are_filled_per_user_and_encoded_as_asked():
    sesame = systems.load(systems.SYSTEMS / "sesame.toml")
    fau = systems.load(systems.SYSTEMS / "fastapi_users.toml")
    assert systems.body(sesame["login"], systems.user(sesame, 7)) == (
        "application/json", '{"emailOrUsername":"bench7@example.com","password":"Bench-pass-7-Xy7!"}')
    assert systems.body(fau["login"], systems.user(fau, 7)) == (
        "application/x-www-form-urlencoded", "username=bench7%40example.com&password=Bench-pass-7-Xy7%21")


def test_refresh_always_goes_to_the_python_driver():
    refresh = load.Load("http://h:1", "POST", "/auth/refresh", 16, "/tmp/t", "refresh", cookie="rt", origin="o")
    me = load.Load("http://h:1", "GET", "/auth/me", 64, "/tmp/c", "cookie")
    wrk = load.Driver("wrk", 30)
    assert wrk.command(refresh, 5)[1].endswith("pyload.py")
    assert wrk.command(me, 5)[:1] == ["wrk"] and wrk.command(me, 5)[-4:] == ["/tmp/c", "cookie", "-", "0"]
    assert load.Driver("python", 30).command(me, 5)[1].endswith("pyload.py")


def test_a_driver_line_becomes_figures_in_ms():
    figures = load.parse('noise\nBENCHJSON {"requests":500,"duration_us":2000000,"err_connect":1,"err_read":0,'
                         '"err_write":0,"err_status":2,"err_timeout":0,"lat_p99_us":1500}\n')
    assert figures["rps"] == 250 and figures["errors"] == 3 and figures["lat_p99_ms"] == 1.5


def test_percentiles_follow_wrks_rule():
    ordered = list(range(1, 101))
    assert [pyload.percentile(ordered, p) for p in (50, 90, 99)] == [51, 91, 100]
    assert pyload.percentile([], 99) == 0


def answer(data: bytes, cookie: bytes = b"refresh_token"):
    async def read():
        reader = asyncio.StreamReader()
        reader.feed_data(data)
        reader.feed_eof()
        return await pyload.read_answer(reader, cookie)
    return asyncio.run(read())


def test_the_python_driver_keeps_the_last_refresh_cookie_of_a_chunked_answer():
    data = (b"HTTP/1.1 200 OK\r\nSet-Cookie: refresh_token=old; Path=/auth\r\nSet-Cookie: sid=s\r\n"
            b"Set-Cookie: refresh_token=new; Path=/auth\r\nTransfer-Encoding: chunked\r\n\r\n"
            b"4\r\n{\"a\"\r\n3\r\n:1}\r\n0\r\n\r\n")
    status, token, size, keep = answer(data)
    assert (status, token, size, keep) == (200, b"new", len(data), True)


def test_the_python_driver_reads_a_body_to_its_length_and_honours_close():
    data = b"HTTP/1.1 401 Unauthorized\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}"
    assert answer(data) == (401, None, len(data), False)
    assert answer(b"HTTP/1.1 204 No Content\r\n\r\n")[2:] == (len(b"HTTP/1.1 204 No Content\r\n\r\n"), True)
