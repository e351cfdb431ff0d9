"""The Python load driver: closed-loop HTTP/1.1 load from one process, standard library only
(on uvloop when it is installed).

It always drives the refresh scenario, which wrk cannot: each answer carries the next token in
a Set-Cookie, a token is single use, and wrk's Lua sees a repeated Set-Cookie as one. It drives
every other scenario where wrk is not installed. It counts as bench/wrk.lua does: the answers
received within the window and their latencies, err_status for answers >= 400, and connect,
read, write and timeout errors. It spends more CPU per request than wrk: the summary flags a
measurement in which its core, not the server, was the limit.

    python bench/pyload.py BASE_URL METHOD PATH -c CONNS -d SECONDS [--timeout S] [--delay-ms MS]
        [--lines FILE --kind cookie|body|refresh [--content-type TYPE] [--cookie NAME] [--origin URL]]

--kind cookie, body: each request sends the next line of FILE as its Cookie header, its body.
--kind refresh: connection i owns line i, a token. It sends `Cookie: NAME=token`, takes the
answer's last `Set-Cookie: NAME=...` as its next token, and stops at the first answer that
leaves the token's fate unknown (an error, a timeout, no new cookie): no token is sent twice. A
request in flight when the window closes is still read (its token matters) but not counted.
FILE is then rewritten: each live token, then the lines no connection took, so a warm-up and
the measurement after it share one file. A connection without a token counts a connect error.

Prints one line, BENCHJSON {...}, latencies in µs.
"""

import argparse
import asyncio
import json
import math
import os
import sys
import time
import urllib.parse
from collections import Counter
from pathlib import Path

NO_BODY = {204, 304}


class Tally:
    def __init__(self) -> None:
        self.latencies_us: list[int] = []
        self.bytes = 0
        self.errors = dict.fromkeys(("connect", "read", "write", "status", "timeout"), 0)
        self.stopped: Counter[str] = Counter()  # why refresh connections stopped (stderr)


class Target:
    """Where to send, and the fixed part of every request."""

    def __init__(self, args: argparse.Namespace):
        url = urllib.parse.urlsplit(args.base_url)
        if url.scheme != "http" or not url.hostname:
            raise SystemExit("BASE_URL must be http://host[:port]")
        self.host, self.port, self.timeout = url.hostname, url.port or 80, args.timeout
        self.head = f"{args.method} {args.path} HTTP/1.1\r\nHost: {url.netloc}\r\n"
        if args.origin:
            self.head += f"Origin: {args.origin}\r\n"

    def request(self, cookie: str = "", body: str = "", content_type: str = "") -> bytes:
        headers = self.head + (f"Cookie: {cookie}\r\n" if cookie else "")
        if content_type:
            headers += f"Content-Type: {content_type}\r\n"
        if body or not self.head.startswith("GET "):
            headers += f"Content-Length: {len(body.encode())}\r\n"
        return (headers + "\r\n" + body).encode()


async def read_answer(reader: asyncio.StreamReader, cookie: bytes) -> tuple[int, bytes | None, int, bool]:
    """One answer: (status, the last value set for `cookie`, bytes read, connection kept)."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    status, keep = int(lines[0][9:12]), not lines[0].startswith(b"HTTP/1.0")
    length, chunked, token = None, False, None
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        name = name.strip().lower()
        if name == b"content-length":
            length = int(value)
        elif name == b"transfer-encoding":
            chunked = b"chunked" in value.lower()
        elif name == b"connection":
            keep = value.strip().lower() == b"keep-alive" if not keep else value.strip().lower() != b"close"
        elif name == b"set-cookie" and cookie:
            key, _, rest = value.split(b";", 1)[0].partition(b"=")
            if key.strip() == cookie:
                token = rest.strip()
    size = len(head)
    if status in NO_BODY or status < 200:
        pass
    elif chunked:
        size += await read_chunks(reader)
    elif length is not None:
        size += len(await reader.readexactly(length))
    else:  # the body ends with the connection
        size += len(await reader.read())
        keep = False
    return status, token, size, keep


async def read_chunks(reader: asyncio.StreamReader) -> int:
    size = 0
    while True:
        line = await reader.readuntil(b"\r\n")
        chunk = int(line.split(b";", 1)[0], 16)
        size += len(line)
        if chunk == 0:
            while (trailer := await reader.readuntil(b"\r\n")) != b"\r\n":
                size += len(trailer)
            return size + 2
        size += len(await reader.readexactly(chunk + 2))


class Connection:
    """One keep-alive connection, reopened after an error or a `Connection: close`."""

    def __init__(self, target: Target, tally: Tally):
        self.target, self.tally = target, tally
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def open(self) -> bool:
        try:
            async with asyncio.timeout(self.target.timeout):
                self.reader, self.writer = await asyncio.open_connection(self.target.host, self.target.port)
            return True
        except TimeoutError:
            self.tally.errors["timeout"] += 1
        except OSError:
            self.tally.errors["connect"] += 1
            await asyncio.sleep(0.01)
        return False

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None

    async def exchange(self, request: bytes, cookie: bytes = b"") -> tuple[int, bytes | None, int] | str:
        """Send one request and read its answer: (status, cookie value, latency µs), or what failed."""
        if self.writer is None and not await self.open():
            return "connect"
        started = time.perf_counter_ns()
        try:
            self.writer.write(request)
            await self.writer.drain()
        except (OSError, RuntimeError):
            self.close()
            return "write"
        try:
            async with asyncio.timeout(self.target.timeout):
                status, token, size, keep = await read_answer(self.reader, cookie)
        except TimeoutError:
            self.close()
            return "timeout"
        except (OSError, EOFError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError):
            self.close()
            return "read"
        self.tally.bytes += size
        if not keep:
            self.close()
        return status, token, (time.perf_counter_ns() - started) // 1000


async def rotating(connection: Connection, requests: list[bytes], turn: list[int], delay_s: float) -> None:
    """Send the next of `requests` (shared by every connection) until cancelled."""
    tally = connection.tally
    while True:
        request = requests[turn[0] % len(requests)]
        turn[0] += 1
        answer = await connection.exchange(request)
        if isinstance(answer, str):
            if answer != "connect":  # open() counted its own
                tally.errors[answer] += 1
            continue
        status, _, latency_us = answer
        tally.latencies_us.append(latency_us)
        tally.errors["status"] += status >= 400
        if delay_s:
            await asyncio.sleep(delay_s)


async def refreshing(connection: Connection, target: Target, token: bytes | None, cookie: bytes,
                     deadline: float) -> bytes | None:
    """Trade token after token until the deadline; the live token left, or None if unknown."""
    tally = connection.tally
    if token is None:
        tally.errors["connect"] += 1
        tally.stopped["no token"] += 1
        return None
    try:
        while time.monotonic() < deadline:
            answer = await connection.exchange(target.request(cookie=(cookie + b"=" + token).decode()), cookie)
            if answer == "connect":
                continue  # nothing was sent: the token is still good
            counted = time.monotonic() <= deadline
            if isinstance(answer, str):
                tally.errors[answer] += counted
                tally.stopped[f"{answer} error"] += 1
                return None
            status, successor, latency_us = answer
            if counted:
                tally.latencies_us.append(latency_us)
            if not 200 <= status < 300 or not successor:
                tally.errors["status"] += counted
                tally.stopped[f"HTTP {status}" + ("" if status >= 300 else " without a new cookie")] += 1
                return None
            token = successor
        return token
    finally:
        connection.close()


async def drive(args: argparse.Namespace) -> tuple[Tally, float]:
    target, tally = Target(args), Tally()
    connections = [Connection(target, tally) for _ in range(args.conns)]
    lines = [line for line in Path(args.lines).read_text().splitlines() if line] if args.lines else []
    started = time.monotonic()
    if args.kind == "refresh":
        tokens = [line.encode() for line in lines[:args.conns]]
        tokens += [None] * (args.conns - len(tokens))
        live = await asyncio.gather(*(refreshing(c, target, t, args.cookie.encode(), started + args.duration)
                                      for c, t in zip(connections, tokens)))
        Path(args.lines).write_text("".join(f"{t.decode()}\n" for t in live if t) +
                                    "".join(f"{line}\n" for line in lines[args.conns:]))
        await asyncio.sleep(max(0.0, started + args.duration - time.monotonic()))  # the window lasts its duration
    else:
        if args.kind == "cookie":
            requests = [target.request(cookie=line) for line in lines]
        elif args.kind == "body":
            requests = [target.request(body=line, content_type=args.content_type) for line in lines]
        else:
            requests = [target.request()]
        turn = [0]
        tasks = [asyncio.create_task(rotating(c, requests, turn, args.delay_ms / 1000)) for c in connections]
        await asyncio.sleep(args.duration)
        for task in tasks:  # as wrk does: the answers still on their way are not waited for
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        for connection in connections:
            connection.close()
    return tally, time.monotonic() - started


def percentile(ordered: list[int], p: float) -> int:
    """wrk's rule: the smallest latency whose rank reaches round(p% of n + 0.5)."""
    if not ordered:
        return 0
    rank = math.floor(p / 100 * len(ordered) + 1)
    return ordered[min(rank, len(ordered)) - 1]


def figures(tally: Tally, window_s: float) -> dict:
    ordered = sorted(tally.latencies_us)
    n = len(ordered)
    mean = sum(ordered) / n if n else 0.0
    stdev = math.sqrt(sum((x - mean) ** 2 for x in ordered) / (n - 1)) if n > 1 else 0.0
    return {
        "requests": n, "duration_us": int(window_s * 1e6), "bytes": tally.bytes,
        **{f"err_{kind}": count for kind, count in tally.errors.items()},
        "lat_mean_us": round(mean, 1), "lat_stdev_us": round(stdev, 1),
        "lat_p50_us": percentile(ordered, 50), "lat_p90_us": percentile(ordered, 90),
        "lat_p99_us": percentile(ordered, 99), "lat_max_us": ordered[-1] if ordered else 0,
    }


def event_loop() -> asyncio.AbstractEventLoop:
    try:
        import uvloop
    except ImportError:
        return asyncio.new_event_loop()
    return uvloop.new_event_loop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("base_url")
    parser.add_argument("method")
    parser.add_argument("path")
    parser.add_argument("-c", "--conns", type=int, default=16)
    parser.add_argument("-d", "--duration", type=float, default=10.0, help="seconds")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds per request")
    parser.add_argument("--delay-ms", type=int, default=0, help="think time after each answer")
    parser.add_argument("--lines", help="the file of cookies, bodies or refresh tokens")
    parser.add_argument("--kind", choices=("cookie", "body", "refresh"))
    parser.add_argument("--content-type", default="")
    parser.add_argument("--cookie", default="refresh_token", help="refresh: the rotating cookie's name")
    parser.add_argument("--origin", default="", help="an Origin header for every request")
    args = parser.parse_args(argv)
    if bool(args.lines) != bool(args.kind) or (args.lines and not os.path.isfile(args.lines)):
        parser.error("--lines FILE and --kind go together, and FILE must exist")
    if args.conns < 1 or args.duration <= 0:
        parser.error("--conns must be 1 or more and --duration more than 0")
    with asyncio.Runner(loop_factory=event_loop) as runner:
        tally, window_s = runner.run(drive(args))
    print("BENCHJSON " + json.dumps(figures(tally, window_s), separators=(",", ":")), flush=True)
    if tally.stopped:
        reasons = ", ".join(f"{count} x {why}" for why, count in sorted(tally.stopped.items()))
        print(f"pyload: {sum(tally.stopped.values())} of {args.conns} connections stopped ({reasons})", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
