"""What the machine spent, read from /proc: CPU per process tree, PostgreSQL's CPU, each
core's busy and stolen time, resident memory."""

import os
import time

TICKS = os.sysconf("SC_CLK_TCK")


def tree(pid: int) -> list[int]:
    """pid and every process below it (a server's workers, a migration child)."""
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        try:
            threads = os.listdir(f"/proc/{current}/task")
        except OSError:
            continue
        found.append(current)
        for thread in threads:
            try:
                with open(f"/proc/{current}/task/{thread}/children") as file:
                    todo += [int(child) for child in file.read().split()]
            except OSError:
                pass
    return found


def cpu_seconds(pid: int) -> float:
    """utime + stime of one process."""
    try:
        with open(f"/proc/{pid}/stat") as file:
            fields = file.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / TICKS
    except (OSError, IndexError):
        return 0.0


def memory_mib(pids: list[int]) -> dict:
    """RSS and its peak (VmHWM) summed over the processes."""
    rss = peak = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/status") as file:
                for line in file:
                    if line.startswith("VmRSS:"):
                        rss += int(line.split()[1])
                    elif line.startswith("VmHWM:"):
                        peak += int(line.split()[1])
        except OSError:
            pass
    return {"rss_mib": rss / 1024, "hwm_mib": peak / 1024, "processes": len(pids)}


def postgres_cpu() -> dict[int, float]:
    """CPU seconds of every postgres process on the machine (other tenants' included)."""
    spent = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                with open(f"/proc/{name}/comm") as file:
                    if file.read().strip() == "postgres":
                        spent[int(name)] = cpu_seconds(int(name))
            except OSError:
                pass
    return spent


def core_ticks() -> dict[str, list[int]]:
    with open("/proc/stat") as file:
        return {parts[0]: [int(x) for x in parts[1:9]]
                for parts in (line.split() for line in file) if parts[0].startswith("cpu") and parts[0][3:].isdigit()}


class Sampler:
    """CPU spent around one measurement: `with Sampler(...) as sample: ...; sample.figures(n)`."""

    def __init__(self, server_pids: list[int], server_cpu: int, client_cpu: int):
        self.server_pids, self.server_cpu, self.client_cpu = server_pids, server_cpu, client_cpu

    def server_seconds(self) -> float:
        return sum(cpu_seconds(pid) for pid in self.server_pids)

    def __enter__(self):
        self.started, self.server0, self.postgres0, self.cores0 = (
            time.monotonic(), self.server_seconds(), postgres_cpu(), core_ticks())
        return self

    def __exit__(self, *_):
        self.wall = time.monotonic() - self.started
        self.server = self.server_seconds() - self.server0
        self.postgres = sum(spent - self.postgres0.get(pid, 0.0) for pid, spent in postgres_cpu().items())
        self.cores = {}
        for core, ticks in core_ticks().items():
            before = self.cores0.get(core)
            if before:
                # user nice system idle iowait irq softirq steal
                delta = [b - a for a, b in zip(before, ticks)]
                total = sum(delta) or 1
                self.cores[core] = {"busy_pct": 100 * (total - delta[3] - delta[4]) / total,
                                    "steal_pct": 100 * delta[7] / total}
        return False

    def figures(self, requests: int) -> dict:
        n = max(requests, 1)
        managed = bool(self.server_pids)  # a server the bench did not start has no CPU figures
        return {
            "srv_cpu_ms_per_req": 1000 * self.server / n if managed else None,
            "srv_cpu_pct": 100 * self.server / self.wall if managed else None,
            "pg_cpu_ms_per_req": 1000 * self.postgres / n,
            "total_cpu_ms_per_req": 1000 * (self.server + self.postgres) / n if managed else None,
            "server_core_busy_pct": self.cores.get(f"cpu{self.server_cpu}", {}).get("busy_pct"),
            "client_core_busy_pct": self.cores.get(f"cpu{self.client_cpu}", {}).get("busy_pct"),
            "steal_pct": max((core["steal_pct"] for core in self.cores.values()), default=0.0),
        }


def quiesce(pids: list[int], limit_s: float = 60.0, below: float = 0.10, step_s: float = 0.25) -> bool:
    """Wait until the server is idle (under 10% of a core twice in a row).

    A load driver that stops abandons its requests in flight, and a server hashing a password
    does not notice the closed socket: without this wait the next measurement pays for up to
    (connections x hash time) of the last one's work. False if still busy at the limit."""
    if not pids:
        time.sleep(1.0)
        return True
    deadline, calm = time.monotonic() + limit_s, 0
    before = sum(cpu_seconds(pid) for pid in pids)
    while time.monotonic() < deadline:
        time.sleep(step_s)
        now = sum(cpu_seconds(pid) for pid in pids)
        calm, before = (calm + 1 if (now - before) / step_s < below else 0), now
        if calm >= 2:
            return True
    return False
