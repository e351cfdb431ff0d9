"""Run the real app under uvicorn in a subprocess, as production does."""

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def log_path(port: int) -> Path:
    """Where the server on `port` writes its log (tests read it: no traceback, say)."""
    return ROOT / ".data" / f"e2e-server-{port}.log"


@contextmanager
def running_server(
    env: dict[str, str], workers: int = 1, timeout: float = 60, port: int | None = None
) -> Iterator[str]:
    port = port or free_port()
    base_url = f"http://127.0.0.1:{port}"
    log_path(port).parent.mkdir(exist_ok=True)
    log = open(log_path(port), "w")
    process = subprocess.Popen(
        [sys.executable, "-OO", "-m", "web"],  # the documented production command, with its settings
        cwd=ROOT,
        env={**os.environ, "HOST": "127.0.0.1", "PORT": str(port), "WORKERS": str(workers),
             **env},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        _wait_ready(base_url, process, timeout)
        yield base_url
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def _wait_ready(base_url: str, process: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            if httpx.get(f"{base_url}/health/ready", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"server not ready after {timeout} s")
