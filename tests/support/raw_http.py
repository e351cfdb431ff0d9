"""HTTP over a bare socket, for what httpx will not send: huge or trickled headers, a body
cut short, a request abandoned mid-way."""

import asyncio
import time
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import urlsplit

# What the server log must not contain after a bad request was handled.
TRACEBACK_MARKS = ("Traceback", "RecursionError", "Exception in ASGI application")


async def connect(base_url: str) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    url = urlsplit(base_url)
    return await asyncio.open_connection(url.hostname, url.port)


async def exchange(base_url: str, request: bytes) -> tuple[int, bytes]:
    """Send one request (Connection: close expected) and return the status and the body."""
    reader, writer = await connect(base_url)
    try:
        writer.write(request)
        await writer.drain()
        answer = await asyncio.wait_for(reader.read(), timeout=30)
    except ConnectionResetError:  # the server answered and closed before reading it all
        answer = b""
    finally:
        writer.close()
    head, _, body = answer.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1]) if head.startswith(b"HTTP/1.1 ") else 0
    return status, body


async def seconds_until_closed(base_url: str, pieces: Iterable[bytes], pause: float, limit: float) -> float:
    """Send `pieces` one by one, `pause` seconds apart, until the server closes the connection;
    fail if it has not after `limit` seconds."""
    reader, writer = await connect(base_url)
    started = time.monotonic()
    try:
        for piece in pieces:
            if time.monotonic() - started > limit:
                break
            writer.write(piece)
            await writer.drain()
            try:  # whatever the server says (a 408, or nothing) ends with EOF
                await asyncio.wait_for(reader.read(), timeout=pause)
                return time.monotonic() - started
            except TimeoutError:
                continue
        raise AssertionError(f"the server let a client trickle for {limit} s")
    except (ConnectionResetError, BrokenPipeError):
        return time.monotonic() - started
    finally:
        writer.close()


class ServerLog:
    """What the server wrote to its log since this object was made."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.start = path.stat().st_size

    def new_text(self) -> str:
        with self.path.open("rb") as log:
            log.seek(self.start)
            return log.read().decode("utf-8", "replace")

    async def wait_for(self, *marks: str, timeout: float = 10) -> str:
        """The new text, as soon as one of `marks` is in it (or after `timeout`)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if any(mark in (text := self.new_text()) for mark in marks):
                return text
            await asyncio.sleep(0.05)
        return self.new_text()
