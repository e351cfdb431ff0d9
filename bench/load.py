"""The load drivers: wrk (bench/wrk.lua) where it is installed, and bench/pyload.py for what
wrk cannot send (refresh) or everywhere when wrk is missing. Each runs as a child process on
the client core (the driver's own affinity, which children inherit) and prints one line,
BENCHJSON {...}; its CPU comes from wait4."""

import json
import os
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

BENCH = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Load:
    """What one closed-loop load sends: `conns` connections, one request at a time on each."""

    base_url: str
    method: str
    path: str
    conns: int
    lines: str = ""          # a file rotated over: Cookie header values, bodies, or refresh tokens
    kind: str = ""           # "cookie", "body", "refresh" (one token per connection), or "" (no file)
    content_type: str = ""
    delay_ms: int = 0        # think time before a connection's next request
    cookie: str = ""         # refresh: the rotating cookie's name
    origin: str = ""         # refresh: its Origin header ("" sends none)


def choose(requested: str) -> str:
    """The driver that `requested` ("auto", "wrk" or "python") comes to on this machine."""
    if requested == "python" or (requested == "auto" and not shutil.which("wrk")):
        return "python"
    if not shutil.which("wrk"):
        raise SystemExit("--driver wrk: wrk is not installed (bench/setup.sh installs Debian's when run as root)")
    return "wrk"


class Driver:
    def __init__(self, name: str, timeout_s: float):
        self.name, self.timeout_s = name, timeout_s

    def command(self, load: Load, duration: float) -> list[str]:
        if self.name == "wrk" and load.kind != "refresh":
            return self.wrk(load, duration)
        command = [sys.executable, str(BENCH / "pyload.py"), load.base_url, load.method, load.path,
                   "-c", str(load.conns), "-d", f"{duration:g}", "--timeout", f"{self.timeout_s:g}"]
        if load.lines:
            command += ["--lines", load.lines, "--kind", load.kind, "--content-type", load.content_type]
        if load.delay_ms:
            command += ["--delay-ms", str(load.delay_ms)]
        if load.kind == "refresh":
            command += ["--cookie", load.cookie, "--origin", load.origin]
        return command

    def wrk(self, load: Load, duration: float) -> list[str]:
        command = ["wrk", "-t1", f"-c{load.conns}", f"-d{duration:g}s", "--timeout", f"{self.timeout_s:g}s",
                   "-s", str(BENCH / "wrk.lua"), load.base_url, "--", load.method, load.path]
        if load.lines:
            command += [load.lines, load.kind, load.content_type or "-", str(load.delay_ms)]
        return command

    def start(self, load: Load, duration: float) -> tuple[subprocess.Popen, float, float]:
        """(the child, when it started, how long to wait for it at most)."""
        child = subprocess.Popen(self.command(load, duration), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                 text=True)
        return child, time.monotonic(), duration + self.timeout_s + 60

    @staticmethod
    def finish(running: tuple[subprocess.Popen, float, float]) -> dict:
        """Its figures: wrk's, with req/s, errors, latencies in ms and its CPU % added."""
        child, started, limit = running
        watchdog = threading.Timer(max(0.0, started + limit - time.monotonic()), child.kill)
        watchdog.start()
        try:  # both print a few lines: reading one pipe to its end cannot leave the other full
            out, err = child.stdout.read(), child.stderr.read()
            _, status, usage = os.wait4(child.pid, 0)  # not Popen.wait: wait4 also says its CPU
        finally:
            watchdog.cancel()
        child.returncode = os.waitstatus_to_exitcode(status)
        wall = time.monotonic() - started
        if child.returncode:
            raise RuntimeError(f"the load driver failed ({child.returncode}): {err.strip()[:500]}")
        if err.strip():
            print(f"  {err.strip()}", flush=True)
        return {**parse(out), "client_cpu_pct": 100 * (usage.ru_utime + usage.ru_stime) / wall}

    def run(self, load: Load, duration: float) -> dict:
        return self.finish(self.start(load, duration))


def parse(out: str) -> dict:
    for line in out.splitlines():
        if line.startswith("BENCHJSON "):
            figures = json.loads(line.removeprefix("BENCHJSON "))
            figures["rps"] = figures["requests"] / (figures["duration_us"] / 1e6)
            figures["errors"] = sum(figures[f"err_{kind}"] for kind in ("connect", "read", "write", "status", "timeout"))
            for key in [key for key in figures if key.startswith("lat_") and key.endswith("_us")]:
                figures[key.removesuffix("_us") + "_ms"] = figures.pop(key) / 1000
            return figures
    raise RuntimeError(f"the load driver printed no BENCHJSON line:\n{out[-2000:]}")
