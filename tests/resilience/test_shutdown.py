"""Shutdown (docs/operations.md, "Serving"): on SIGTERM the service refuses new connections at once, in
every process, serves the connections it has (the request in flight finishes with its normal
answer; a keep-alive connection's next request is answered 503 `not_ready` on
`/health/ready`, with `Connection: close`), and exits 0 without a traceback. With one
worker, and with two (the parent process holds the listening sockets too).

Servers of their own (the package's fleet stays up), on the session's database. A request is
held in flight deterministically: the test holds an ACCESS EXCLUSIVE lock on `users`, and
waits until PostgreSQL shows the server's query waiting for it."""

import asyncio
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import asyncpg
import httpx
import pytest

from tests.support.http import register
from tests.support.raw_http import TRACEBACK_MARKS
from tests.support.server import ROOT, free_port

BOUND = 60  # seconds: a bound on waits that end by themselves, not a timing
# From SIGTERM to refused connections: signal handling, then a loop's tick (a tenth of a
# second) and a socket closed. A bound well above it, far below the 5 s connections hung.
REFUSED_WITHIN = 3.0
SECRET = "shutdown-secret-key-0123456789abcdef0123456"
# How a new connection is refused: at once by a closed port, or reset when it was still in
# the listening socket's queue as the last process holding that socket closed it (the kernel
# completed its handshake, then answers it with RST, while connecting or at its first
# request). Either way the service never accepted it, and the client knows at once.
REFUSED = (ConnectionRefusedError, ConnectionResetError)


@contextmanager
def served(database_url: str, workers: int, log: Path) -> Iterator[tuple[subprocess.Popen, str]]:
    """`python -m web` with `workers`, until /health/ready answers 200; yields it and its URL.
    The test sends SIGTERM itself; whatever is left is killed at the end."""
    port = free_port()
    inherited = {k: v for k, v in os.environ.items() if k not in ("HOST", "PORT", "APP_ENV", "WORKERS")}
    env = {**inherited, "DATABASE_URL": database_url, "SECRET_KEY": SECRET, "RUN_MIGRATIONS": "false",
           "HOST": "127.0.0.1", "PORT": str(port), "WORKERS": str(workers)}
    base_url = f"http://127.0.0.1:{port}"
    with open(log, "w") as out:
        process = subprocess.Popen([sys.executable, "-OO", "-m", "web"], cwd=ROOT, env=env,
                                   stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + BOUND
        while not _ready(f"{base_url}/health/ready"):
            assert process.poll() is None, f"exited with {process.returncode}: {log.read_text()}"
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.1)
        yield process, base_url
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def _ready(url: str) -> bool:
    try:
        return httpx.get(url, timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


# --- HTTP/1.1 on a bare socket: what happened to each request, exactly ---------------------

class Reset(Exception):
    """The connection ended before the whole answer came: a request lost mid-way."""


async def ask(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, path: str) -> tuple[int, dict, bytes]:
    """One request on an open keep-alive connection; its status, headers and body."""
    writer.write(f"GET {path} HTTP/1.1\r\nHost: sesame.test\r\n\r\n".encode())
    try:
        await writer.drain()
        head = await reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        headers = dict(line.lower().split(": ", 1) for line in lines[1:] if line)
        body = await reader.readexactly(int(headers.get("content-length", "0")))
    except (ConnectionError, asyncio.IncompleteReadError) as error:
        raise Reset(repr(error)) from None
    return int(lines[0].split(" ", 2)[1]), headers, body


async def connect(base_url: str) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    host, port = base_url.removeprefix("http://").split(":")
    return await asyncio.wait_for(asyncio.open_connection(host, int(port)), BOUND)


async def seconds_until_refused(base_url: str, since: float) -> float:
    """Connect again and again until refused; a connection accepted meanwhile must be served
    (not left hanging). Seconds from `since` to the first refusal."""
    while True:
        try:
            reader, writer = await connect(base_url)
        except REFUSED:
            return time.monotonic() - since
        try:
            status, _, _ = await asyncio.wait_for(ask(reader, writer, "/health"), BOUND)
        except Reset:  # queued, never accepted: see REFUSED (accepted ones are served, below)
            return time.monotonic() - since
        finally:
            writer.close()
        assert status == 200
        assert time.monotonic() - since < BOUND, "new connections still accepted"
        await asyncio.sleep(0.02)


async def exit_code(process: subprocess.Popen) -> int:
    return await asyncio.to_thread(process.wait, BOUND)


def assert_clean(log: Path) -> None:
    text = log.read_text()
    assert not any(mark in text for mark in TRACEBACK_MARKS), text


@pytest.mark.parametrize("workers", [1, 2])
async def test_sigterm_refuses_new_connections_at_once_and_finishes_the_request_in_flight(
    database_url, workers, tmp_path
):
    log = tmp_path / "server.log"
    with served(database_url, workers, log) as (process, base_url):
        email = f"shutdown-{uuid.uuid4().hex[:12]}@example.com"
        async with httpx.AsyncClient(base_url=base_url, timeout=BOUND) as user:
            assert (await register(user, email)).status_code == 201
            database = await asyncpg.connect(database_url.replace("postgresql+asyncpg", "postgresql"))
            try:
                lock = database.transaction()
                await lock.start()
                await database.execute("LOCK TABLE users IN ACCESS EXCLUSIVE MODE")
                in_flight = asyncio.create_task(user.get("/auth/me"))
                await until_waiting_for_the_lock(database)

                idle = await connect(base_url)  # a keep-alive connection, served before SIGTERM
                status, headers, _ = await ask(*idle, "/health/ready")
                assert status == 200 and headers.get("connection") != "close"

                signalled = time.monotonic()
                process.send_signal(signal.SIGTERM)
                refused_after = await seconds_until_refused(base_url, signalled)
                assert refused_after < REFUSED_WITHIN
                await until_logged(log, "Shutting down", workers)  # every worker drains now

                status, headers, body = await ask(*idle, "/health/ready")  # still served: not ready
                assert status == 503 and b'"not_ready"' in body and headers["connection"] == "close"
                assert await idle[0].read() == b""  # then closed by the server
                idle[1].close()

                assert not in_flight.done()
                await lock.rollback()
            finally:
                await database.close()
            answer = await in_flight
            assert answer.status_code == 200 and answer.json()["user"]["email"] == email
            assert answer.headers["connection"] == "close"
        assert await exit_code(process) == 0
    assert_clean(log)
    print(f"\n{workers} worker(s): refused {refused_after:.2f} s after SIGTERM")


async def until_logged(log: Path, line: str, times: int) -> None:
    deadline = time.monotonic() + BOUND
    while log.read_text().count(line) < times:
        assert time.monotonic() < deadline, log.read_text()
        await asyncio.sleep(0.02)


async def until_waiting_for_the_lock(database: asyncpg.Connection) -> None:
    deadline = time.monotonic() + BOUND
    while not await database.fetchval(
        "SELECT count(*) FROM pg_locks WHERE NOT granted AND relation = 'users'::regclass"
    ):
        assert time.monotonic() < deadline, "the request never reached the database"
        await asyncio.sleep(0.02)


@pytest.mark.parametrize("workers", [1, 2])
async def test_under_load_every_request_is_answered_or_its_connection_refused(database_url, workers, tmp_path):
    """8 keep-alive connections asking /health in a loop through SIGTERM: every request sent
    is answered; a client told `Connection: close` reconnects, and is refused at connect."""
    log = tmp_path / "server.log"
    with served(database_url, workers, log) as (process, base_url):
        signalled: list[float] = []
        warm = asyncio.Event()
        counts = {"answered": 0, "after_sigterm": 0, "closed_by_server": 0}
        refused_after: list[float] = []
        resets: list[str] = []

        async def client() -> None:
            connection = await connect(base_url)
            while True:
                try:
                    status, headers, _ = await ask(*connection, "/health")
                except Reset as reset:
                    resets.append(str(reset))
                    return
                assert status == 200
                counts["answered"] += 1
                if counts["answered"] >= 400:
                    warm.set()
                if signalled:
                    counts["after_sigterm"] += 1
                if headers.get("connection") == "close":
                    counts["closed_by_server"] += 1
                    connection[1].close()
                    try:
                        connection = await connect(base_url)
                    except REFUSED:
                        assert signalled, "refused before SIGTERM"
                        refused_after.append(time.monotonic() - signalled[0])
                        return

        clients = [asyncio.create_task(client()) for _ in range(8)]
        await asyncio.wait_for(warm.wait(), BOUND)
        signalled.append(time.monotonic())
        process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(asyncio.gather(*clients), BOUND)
        assert await exit_code(process) == 0
    assert resets == []
    assert len(refused_after) == 8 and max(refused_after) < REFUSED_WITHIN
    assert_clean(log)
    print(f"\n{workers} worker(s), 8 connections: {counts}, 0 resets, refused "
          f"{min(refused_after):.2f}-{max(refused_after):.2f} s after SIGTERM")
