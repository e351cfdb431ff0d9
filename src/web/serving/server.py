"""How the app is served: uvicorn on httptools, with the two limits uvicorn lacks.

httptools parses headers of any size (a 96 MiB Cookie header was read and parsed whole), and
uvicorn has no deadline for a request to arrive (a client that sends a byte every few
seconds holds a connection forever). `GuardedHttpToolsProtocol` adds both at the socket,
before anything is buffered or parsed, at the cost of one comparison per read:

- the request line and headers may take at most MAX_HEAD_BYTES, else 400 and close;
- a request must arrive whole, headers and body, within REQUEST_DEADLINE_SECONDS of the
  connection's opening (for its first request) or of the read that began it, else 408
  (while still in the headers) and close.

Measured against h11 (which caps headers but has no deadline either) and an ASGI guard
(which only runs after the headers are parsed): see docs/operations.md, "Serving".

And one courtesy it enforces: a client answered 503 `busy` with `Retry-After: N` is not read
for N seconds on that connection (the app marks the scope with PAUSE_READING). The answer
still goes at once; what the pause bounds is a client that ignores Retry-After. Measured with
200 connections of logins in a tight loop: without it, the refusals alone (about 2 200/s, each
a full pass through the app) took the core, and `/auth/me` p99 went 5 -> 148 ms; with it, each
such connection costs one refusal per second (docs/performance.md, "Overload").

Shutdown (docs/operations.md, "Serving"): on SIGTERM the listening sockets stop at once, in every process
(uvicorn closes a worker's copies, but with several workers the parent keeps its own open:
the kernel went on completing connections nobody accepted, which hung, then were reset when
the parent exited; `DrainingMultiprocess` stops them). The connections already open are
served: a request in flight finishes (uvicorn cuts it after timeout_graceful_shutdown,
SHUTDOWN_GRACE), and a keep-alive connection is not closed under a request the client may be
sending: its next request is answered, `Connection: close`, with DRAINING in its scope
(`/health/ready` answers 503), and an idle one closes at its keep-alive timeout.
"""

import asyncio
import contextlib
import os
import signal
import socket
from collections.abc import Callable

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn.supervisors import Multiprocess

# Every request the schema allows fits (a 2048-character `redirect` percent-encoded may take
# 24 KiB); a request past it is answered 400, the code clients and schemathesis expect.
MAX_HEAD_BYTES = 32 * 1024
REQUEST_DEADLINE_SECONDS = 5.0
KEEP_ALIVE_SECONDS = 5  # uvicorn's default, stated so that it stays with the deadline above
LINGER_SECONDS = 1.0  # after a refusal, what still arrives is read and dropped this long
PAUSE_READING = "sesame.pause_reading"  # scope key: seconds not to read this connection after the answer
DRAINING = "sesame.draining"  # scope key: the server is shutting down; this connection closes after the answer


def _error_bytes(status: int, reason: str, message: str) -> bytes:
    body = f'{{"error":"invalid_request","message":"{message}"}}'.encode()
    return (
        f"HTTP/1.1 {status} {reason}\r\ncontent-type: application/json\r\n"
        f"content-length: {len(body)}\r\nconnection: close\r\n\r\n"
    ).encode() + body


HEAD_TOO_LARGE = _error_bytes(400, "Bad Request", "The request line and headers are too large.")
TOO_SLOW = _error_bytes(408, "Request Timeout", "The request did not arrive in time.")


class GuardedHttpToolsProtocol(HttpToolsProtocol):
    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._reading_head = True  # until the parser has every header of the current request
        self._head_bytes = 0
        self._in_message = False  # from a request's first byte to the end of its body
        self._deadline: asyncio.TimerHandle | None = None
        self._refused = False
        self._draining = False
        self._arm_deadline()

    def shutdown(self) -> None:
        """The server is shutting down (uvicorn calls this on every open connection once the
        listening sockets are closed). uvicorn closes an idle connection here and now; but a
        client may have sent its next request already, which that close would reset. So an idle
        connection stays open: its next request is answered (Connection: close), or it closes at
        its keep-alive timeout (or its request deadline, if it never sent anything)."""
        self._draining = True
        if self.cycle is not None and not self.cycle.response_complete:
            self.cycle.keep_alive = False  # in flight: its answer says Connection: close

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm_deadline()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._refused:  # lingering after a refusal: drop it unparsed
            return
        if not self._reading_head or self._head_bytes + len(data) <= MAX_HEAD_BYTES:
            if self._reading_head:
                self._head_bytes += len(data)
            super().data_received(data)
            # Most requests arrive in one read and need no timer: arm it only for one that
            # is still incomplete after its first read.
            if self._in_message and self._deadline is None:
                self._arm_deadline()
            return
        # This read would overflow the budget: feed only what is left of it, and refuse if the
        # headers are still not complete (a read may carry the end of the headers and a body).
        allowed = MAX_HEAD_BYTES - self._head_bytes
        self._head_bytes = MAX_HEAD_BYTES
        super().data_received(data[:allowed])
        if self.transport.is_closing():
            return
        if self._reading_head and self._head_bytes == MAX_HEAD_BYTES:
            self._refuse(HEAD_TOO_LARGE)
            return
        self.data_received(data[allowed:])

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._reading_head = True
        self._in_message = True

    def on_headers_complete(self) -> None:
        self._reading_head = False
        self._head_bytes = 0
        super().on_headers_complete()
        if self._draining and self.cycle is not None:  # the app's task has not started yet
            self.cycle.keep_alive = False
            self.cycle.scope[DRAINING] = True  # type: ignore[typeddict-unknown-key]

    def on_message_complete(self) -> None:
        super().on_message_complete()
        self._in_message = False
        self._disarm_deadline()
        # What follows on this connection is the next request's head. (A pipelined head that
        # starts inside the read that ended this message is counted from its next read on.)
        self._reading_head = True
        self._head_bytes = 0

    def on_response_complete(self) -> None:
        pause = self.cycle.scope.get(PAUSE_READING) if self.cycle is not None else None
        super().on_response_complete()
        if pause and not self.transport.is_closing():
            self.transport.pause_reading()
            self.loop.call_later(pause, self._resume_after_pause)

    def _resume_after_pause(self) -> None:
        if not self.transport.is_closing() and not self.flow.read_paused:  # uvicorn's own pause wins
            self.transport.resume_reading()

    def _arm_deadline(self) -> None:
        if self._deadline is None:
            self._deadline = self.loop.call_later(REQUEST_DEADLINE_SECONDS, self._too_slow)

    def _disarm_deadline(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _too_slow(self) -> None:
        self._deadline = None
        if self.transport.is_closing():
            return
        if self._reading_head and self._head_bytes:
            self._refuse(TOO_SLOW)
        else:  # a connection that never sent a byte, or a request mid-body (the app sees a disconnect)
            self.transport.close()

    def _refuse(self, response: bytes) -> None:
        """Answer, then close without losing the answer: closing a socket with unread input
        makes the kernel reset the connection, which can destroy the answer before the
        client reads it. So half-close, drop what still arrives, and close a moment later."""
        self._refused = True
        self._disarm_deadline()
        self.transport.write(response)
        if self.transport.can_write_eof():
            self.transport.write_eof()
        self.loop.call_later(LINGER_SECONDS, self.transport.close)


class DrainingMultiprocess(Multiprocess):
    """uvicorn's supervisor of several workers, which stops the listening sockets itself on
    SIGTERM (or SIGINT), at once, for every process.

    The workers inherited these sockets, and each closes its copy when it begins shutting
    down; but the parent keeps its own, so the socket still listens: new connections wait in
    its queue with nobody to accept them, and are reset when the parent exits. Closing the
    parent's copy is not enough either: the socket would stop listening only when the last
    worker closes its copy, after the others have begun answering `Connection: close`; a
    client reconnecting in between would land in a queue that is about to be reset. So the
    signal handler shuts the sockets down (shutdown(2) on a listening socket stops it for
    every process holding it: new connections are refused) and forwards the signal to the
    workers; uvicorn's loop then closes the parent's copies and waits for the workers.
    (Between the two, a worker's loop may poll its stopped socket for a tenth of a second:
    uvloop retries the accept silently.)

    `on_worker_gone` is told the pid of each worker that exited or was replaced (the metrics
    stop counting its gauges)."""

    def __init__(
        self, config, sockets: list[socket.socket], on_worker_gone: Callable[[int], None] | None = None
    ) -> None:
        super().__init__(config, sockets)
        self.stopping = False
        self._on_worker_gone = on_worker_gone
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, self._stop_listening_then_queue)

    def _stop_listening_then_queue(self, sig: int, frame: object) -> None:
        if not self.stopping:
            self.stopping = True
            for sock in self.sockets:
                with contextlib.suppress(OSError):  # not listening (yet or any more)
                    sock.shutdown(socket.SHUT_RD)
            for process in list(self.processes):
                if process.pid is not None and process.exitcode is None:
                    with contextlib.suppress(OSError):
                        os.kill(process.pid, signal.SIGTERM)
        self.signal_queue.append(sig)  # uvicorn's loop handles it: closes, terminates, joins

    def handle_term(self) -> None:
        self._close_sockets()
        super().handle_term()

    def handle_int(self) -> None:
        self._close_sockets()
        super().handle_int()

    def _close_sockets(self) -> None:
        for sock in self.sockets:
            sock.close()

    def keep_subprocess_alive(self) -> None:
        if not self.stopping:  # a worker that has finished is not replaced
            self._telling_who_left(super().keep_subprocess_alive)

    def restart_all(self) -> None:
        self._telling_who_left(super().restart_all)

    def handle_hup(self) -> None:
        if not self.stopping:  # no new workers on stopped sockets
            super().handle_hup()

    def handle_ttin(self) -> None:
        if not self.stopping:
            super().handle_ttin()

    def handle_ttou(self) -> None:
        self._telling_who_left(super().handle_ttou)

    def _telling_who_left(self, step: Callable[[], None]) -> None:
        before = {process.pid for process in self.processes}
        step()
        if self._on_worker_gone is not None:
            for pid in before - {process.pid for process in self.processes}:
                if pid is not None:
                    self._on_worker_gone(pid)


# What `python -m web` adds to uvicorn's options (uvicorn's CLI: --http web.serving.server:GuardedHttpToolsProtocol).
# ws="none": the API has no WebSocket route, and uvicorn's "auto" imports the websockets
# library in every worker (~1 MiB); an Upgrade request is then answered as plain HTTP.
PROTOCOL_OPTIONS = {
    "http": GuardedHttpToolsProtocol, "ws": "none", "timeout_keep_alive": KEEP_ALIVE_SECONDS
}
