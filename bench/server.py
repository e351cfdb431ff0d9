"""A system's server for one repetition: its database reset, the server started pinned to
the server core in a process group of its own, and stopped by that group."""

import os
import shlex
import signal
import subprocess
import time
from pathlib import Path

from bench import procfs
from bench.http_calls import call
from bench.systems import expand


class Server:
    def __init__(self, system: dict, cpu: int, log: Path):
        self.system, self.cpu, self.log = system, cpu, log
        self.spec = system.get("server") or {}
        self.process: subprocess.Popen | None = None

    @property
    def managed(self) -> bool:
        """False for a system without [server]: the bench measures what already answers there."""
        return bool(self.spec.get("command"))

    def healthy(self) -> bool:
        health = self.system["health"]
        try:
            status, _, _ = call(self.system["base_url"], health["method"], health["path"], timeout=2)
        except OSError:
            return False
        return status in health["ok_status"]

    def start(self) -> str:
        """Start it and wait for its health check; says what was started."""
        if not self.managed:
            if not self.healthy():
                raise RuntimeError(f"nothing healthy answers at {self.system['base_url']}")
            return f"already running at {self.system['base_url']} (not pinned, no CPU or memory figures)"
        if self.healthy():
            raise RuntimeError(f"something already answers at {self.system['base_url']}: stop it first")
        if reset := self.spec.get("reset"):
            done = subprocess.run(expand(reset), shell=True, capture_output=True, text=True)
            if done.returncode:
                raise RuntimeError(f"reset failed: {done.stderr.strip()}")
        command = [expand(part) for part in self.spec["command"]]
        env = {**os.environ, **{key: expand(str(value)) for key, value in self.spec.get("env", {}).items()}}
        with self.log.open("w") as log:
            self.process = subprocess.Popen(
                command, cwd=expand(self.spec.get("cwd", "${PROJECT_DIR}")), env=env, stdin=subprocess.DEVNULL,
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
                preexec_fn=lambda: os.sched_setaffinity(0, {self.cpu}))
        deadline = time.monotonic() + float(self.spec.get("ready_timeout_s", 30))
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited with {self.process.returncode}: see {self.log}")
            if self.healthy():
                return f"pid {self.process.pid} on CPU {self.cpu}: {shlex.join(command)}"
            time.sleep(0.2)
        raise RuntimeError(f"the server did not answer its health check in {self.spec.get('ready_timeout_s', 30)} s")

    def pids(self) -> list[int]:
        return procfs.tree(self.process.pid) if self.process and self.process.poll() is None else []

    def memory(self) -> dict:
        pids = self.pids()
        return procfs.memory_mib(pids) if pids else {}

    def stop(self) -> int | None:
        """SIGTERM to its process group, SIGKILL 10 s later; its exit code."""
        if not self.process or self.process.poll() is not None:
            return None
        group = self.process.pid  # start_new_session: the group is the server's own
        try:
            os.killpg(group, signal.SIGTERM)
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(group, signal.SIGKILL)
            self.process.wait(timeout=10)
        except ProcessLookupError:
            pass
        return self.process.returncode
