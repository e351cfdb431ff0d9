"""The scenarios: what each one sends, and how it is measured (bench/README.md says what each
figure tells). Every measurement follows a warm-up, and both start on an idle server."""

import time
from argparse import Namespace
from dataclasses import replace

from bench import procfs
from bench.load import Driver, Load
from bench.server import Server

ALL = ("health", "me", "refresh", "login_c4", "login_c16", "probe", "probe_storm")
STORM_LEAD_S = 2.0  # the login storm starts this long before the probe and ends this long after
SATURATING = ("health", "me", "refresh", "login_c4", "login_c16")  # as fast as the server goes


def loads(system: dict, seeded: dict, opts: Namespace) -> dict[str, Load]:
    """Each scenario's load; the probe_storm's storm is "storm"."""
    base, me, login = system["base_url"], system["me"], system["login"]
    cookies = Load(base, me["method"], me["path"], opts.me_conns, seeded["cookie_file"], "cookie")
    logins = Load(base, login["method"], login["path"], 4, seeded["body_file"], "body", seeded["login_content_type"])
    probe = Load(base, me["method"], me["path"], opts.probe_conns, seeded["cookie_file"], "cookie",
                 delay_ms=opts.probe_delay_ms)
    found = {
        "health": Load(base, system["health"]["method"], system["health"]["path"], 64),
        "me": cookies,
        "login_c4": logins,
        "login_c16": replace(logins, conns=16),
        "probe": probe,
        "probe_storm": probe,
        "storm": replace(logins, conns=opts.storm_conns),
    }
    if seeded.get("refresh_file"):
        refresh = system["refresh"]
        found["refresh"] = Load(base, refresh["method"], refresh["path"], opts.refresh_conns, seeded["refresh_file"],
                                "refresh", cookie=refresh["cookie"], origin=refresh["origin"])
    return found


class Scenarios:
    def __init__(self, server: Server, driver: Driver, opts: Namespace, log):
        self.server, self.driver, self.opts, self.log = server, driver, opts, log

    def idle(self) -> None:
        if not procfs.quiesce(self.server.pids()):
            self.log("  warning: the server was still busy after 60 s of waiting")

    def measured(self, load: Load) -> dict:
        """A warm-up, then the measurement with the CPU it cost."""
        if self.opts.warmup > 0:
            self.idle()
            self.driver.run(load, self.opts.warmup)
        self.idle()
        with procfs.Sampler(self.server.pids(), self.opts.server_cpu, self.opts.client_cpu) as sample:
            figures = self.driver.run(load, self.opts.duration)
        return figures | sample.figures(figures["requests"])

    def probe_in_storm(self, probe: Load, storm: Load) -> dict:
        """The paced probe while logins hash as fast as they are answered: does hashing stall
        the requests that need no hash?"""
        self.idle()
        storming = self.driver.start(storm, self.opts.duration + 2 * STORM_LEAD_S)
        try:
            time.sleep(STORM_LEAD_S)
            with procfs.Sampler(self.server.pids(), self.opts.server_cpu, self.opts.client_cpu) as sample:
                figures = self.driver.run(probe, self.opts.duration)
        finally:
            storm_figures = self.driver.finish(storming)
        return figures | sample.figures(figures["requests"]) | {
            "storm_rps": storm_figures["rps"], "storm_errors": storm_figures["errors"],
            "storm_p50_ms": storm_figures["lat_p50_ms"], "storm_p99_ms": storm_figures["lat_p99_ms"]}

    def run(self, system: dict, seeded: dict) -> dict[str, dict]:
        """Every scenario asked for, in order; a system without [refresh] skips refresh."""
        planned, results = loads(system, seeded, self.opts), {}
        for name in self.opts.scenarios:
            if name not in planned:
                self.log(f"  {system['name']:<18} {name:<12} skipped (no [refresh] in {system['file']})")
                continue
            started = time.monotonic()
            results[name] = (self.probe_in_storm(planned[name], planned["storm"]) if name == "probe_storm"
                             else self.measured(planned[name]))
            self.log(f"  {system['name']:<18} {name:<12} {line(results[name])} ({time.monotonic() - started:.0f} s)")
            time.sleep(self.opts.pause)
        return results


def line(figures: dict) -> str:
    """One measurement in a log line."""
    def number(key: str, digits: int) -> str:
        return "–" if figures.get(key) is None else f"{figures[key]:.{digits}f}"

    storm = f", storm {figures['storm_rps']:.1f} logins/s" if "storm_rps" in figures else ""
    return (f"{figures['rps']:9.1f} req/s  p50 {figures['lat_p50_ms']:8.2f} ms  p99 {figures['lat_p99_ms']:8.2f} ms  "
            f"err {figures['errors']}{storm}  server {number('srv_cpu_ms_per_req', 3)} ms/req  "
            f"pg {number('pg_cpu_ms_per_req', 3)} ms/req  client {number('client_cpu_pct', 0)}% cpu")
