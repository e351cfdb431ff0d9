"""A fake Pwned Passwords range API for tests: real HTTP on 127.0.0.1 (a free port, daemon
thread), answering `GET /range/<prefix>` as the real one does: every breached suffix under
the prefix as `SUFFIX:COUNT` lines, padded with random suffixes of count 0 when asked with
`Add-Padding: true`.

    with FakePwnedPasswords() as pwned:
        pwned.add("P@ssw0rd-2024")         # breached from now on (seen 42 times)
        # point the app at pwned.url (PWNED_PASSWORDS_URL)
        pwned.answer_next(500)             # the next answer is this status (or a body: "garbled")
        pwned.delay = 3                    # every answer comes this many seconds late
        pwned.go_down(); ...; pwned.come_back()   # connections refused meanwhile
        pwned.requests                     # every request received: path, headers

Padding lines come first, mixed with nothing real, so a client that counts a padding line as a
hit or reads only the first line is caught."""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from typing import Any

from tests.support.loopback import ServedInBackground, send

PADDING_LINES = 50


@dataclass(frozen=True)
class RangeRequest:
    path: str
    headers: dict[str, str]


def sha1_hex(password: str) -> str:
    return hashlib.sha1(password.encode()).hexdigest().upper()


class FakePwnedPasswords(ServedInBackground):
    def __init__(self) -> None:
        self.breached: dict[str, int] = {}  # full SHA-1 (uppercase hex) -> times seen
        self.requests: list[RangeRequest] = []
        self.delay = 0.0
        self.down = False
        self._answers: list[int | str] = []
        self._lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"{self.base_url}/range/"

    def add(self, password: str, count: int = 42) -> None:
        with self._lock:
            self.breached[sha1_hex(password)] = count

    def answer_next(self, answer: int | str) -> None:
        """The next request gets `answer`: an HTTP status, or "garbled" (200, not the format)."""
        with self._lock:
            self._answers.append(answer)

    def go_down(self) -> None:
        """Connections refused until come_back(), on the same port; a request on a connection
        kept alive from before is dropped unanswered."""
        self.down = True
        self.stop()

    def come_back(self) -> None:
        self.down = False
        self.start()

    def reset(self) -> None:
        with self._lock:
            self._answers.clear()
            self.delay = 0.0

    def answer(self, path: str, headers: dict[str, str]) -> tuple[int, bytes]:
        with self._lock:
            self.requests.append(RangeRequest(path, headers))
            forced = self._answers.pop(0) if self._answers else None
            breached = dict(self.breached)
        if isinstance(forced, int):
            return forced, b"error"
        if forced == "garbled":
            return 200, b"<html>not a range</html>"
        prefix = path.removeprefix("/range/")
        if not path.startswith("/range/") or len(prefix) != 5:
            return 400, b"The hash prefix was not in a valid format"
        lines = [f"{sha[5:]}:{count}" for sha, count in breached.items() if sha.startswith(prefix)]
        if headers.get("add-padding") == "true":
            lines = [f"{secrets.token_hex(18)[:35].upper()}:0" for _ in range(PADDING_LINES)] + lines
        return 200, "\r\n".join(lines).encode()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:  # noqa: N802
        fake: FakePwnedPasswords = self.server.fake  # type: ignore[attr-defined]
        if fake.down:
            self.close_connection = True
            return
        status, body = fake.answer(self.path, {k.lower(): v for k, v in self.headers.items()})
        if fake.delay:
            time.sleep(fake.delay)
        try:
            send(self, status, {"Content-Type": "text/plain"}, body)
        except OSError:  # a client that gave up waiting
            self.close_connection = True

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass


FakePwnedPasswords.handler = _Handler
