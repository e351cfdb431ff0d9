"""Fake SendGrid and Twilio HTTP servers for tests: real HTTP on 127.0.0.1 (a free port, daemon
thread), so the code under test talks to them as it talks to the real providers. They check
the credentials, record every request, and can be told to fail the next N requests.

    with FakeSendGrid(api_key="SG.test") as mail, FakeTwilio(sid, token) as whatsapp:
        # point the app at mail.base_url (SENDGRID_BASE_URL) and whatsapp.base_url (TWILIO_BASE_URL)
        mail.fail_next(2, 503)                     # 503, 429, 400, 500... or "timeout"
        mail.fail_next(1, 429, retry_after="3")    # with a Retry-After header (seconds or an HTTP date)
        mail.go_down(); ...; mail.come_back()      # a full outage: connections refused meanwhile
        email = await mail.wait_for(to="ada@example.com")
        email.subject, email.html, email.text, email.links, email.token   # token: of the first link
        sms = await whatsapp.wait_for(to="+33612345678")
        sms.code, sms.body, sms.content_sid, sms.content_variables

`wait_for` returns the next delivered message to that recipient that no earlier `wait_for`
returned (so successive calls walk through a recipient's messages in order), or raises
AssertionError after `timeout` seconds. `delivered` lists every accepted message, `requests`
every request received (with the status answered, and when: `at`, time.monotonic()),
failed ones included.
"""

from __future__ import annotations

import asyncio
import base64
import json
import re
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any, Generic, TypeVar
from urllib.parse import parse_qs, parse_qsl, urlsplit

from tests.support.loopback import ServedInBackground

LINK = re.compile(r"https?://[^\s\"'<>]+")
CODE = re.compile(r"\b\d{6}\b")

T = TypeVar("T")


@dataclass(frozen=True)
class ReceivedRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    status: int | None  # what the fake answered (None: it hung up, as on a timeout)
    at: float = field(default_factory=time.monotonic)  # when it arrived


@dataclass(frozen=True)
class Email:
    to: str
    sender: str
    subject: str
    text: str
    html: str
    message_id: str  # the X-Message-Id the fake answered
    payload: dict[str, Any] = field(repr=False)  # the SendGrid JSON body as received

    @property
    def links(self) -> list[str]:
        """Every link in the text part, in order."""
        return LINK.findall(self.text)

    @property
    def token(self) -> str:
        """The `token` query parameter of the first link carrying one."""
        for link in self.links:
            tokens = parse_qs(urlsplit(link).query).get("token")
            if tokens:
                return tokens[0]
        raise AssertionError(f"no link with a token in: {self.text!r}")


@dataclass(frozen=True)
class WhatsApp:
    to: str  # E.164, without the whatsapp: prefix
    sender: str
    body: str | None  # the free-form text, when sent as Body
    content_sid: str | None  # the approved template, when sent as ContentSid
    content_variables: dict[str, str] | None
    sid: str  # the message sid the fake answered
    form: dict[str, str] = field(repr=False)

    @property
    def code(self) -> str:
        """The 6-digit code, in either form."""
        if self.content_variables and "1" in self.content_variables:
            return self.content_variables["1"]
        found = CODE.search(self.body or "")
        if found is None:
            raise AssertionError(f"no 6-digit code in: {self.body!r}")
        return found.group()

    @property
    def links(self) -> list[str]:
        return LINK.findall(self.body or "")


class _FakeProvider(ServedInBackground, Generic[T]):
    """What both fakes share: the server thread (ServedInBackground), the record, the failure knob, wait_for."""

    hang_seconds = 5.0  # a "timeout" answer holds the request this long, then hangs up

    def __init__(self) -> None:
        self.requests: list[ReceivedRequest] = []
        self.delivered: list[T] = []
        self._failures: list[tuple[int | str, dict[str, str]]] = []
        self._returned: set[int] = set()  # indexes in `delivered` already given by wait_for
        self._lock = threading.RLock()
        self.down = False

    # -- knobs and inspection ----------------------------------------------------------------
    def fail_next(self, count: int = 1, answer: int | str = 503, *, retry_after: str | None = None) -> None:
        """The next `count` requests get `answer`: an HTTP status (503, 429, 400...) or
        "timeout" (the request is held `hang_seconds`, then the connection closes); with a
        `Retry-After: <retry_after>` header when given."""
        headers = {"Retry-After": retry_after} if retry_after is not None else {}
        with self._lock:
            self._failures.extend([(answer, headers)] * count)

    def go_down(self) -> None:
        """A full outage, as when the provider's front door is gone: the port refuses new
        connections, and a request on a connection kept alive from before is dropped
        unanswered. `come_back()` listens again on the same port (base_url is unchanged)."""
        with self._lock:
            self.down = True
        self.stop()

    def come_back(self) -> None:
        with self._lock:
            self.down = False
        self.start()

    def reset(self) -> None:
        """Forget pending failures (a test that set some and failed must not spill over)."""
        with self._lock:
            self._failures.clear()

    def received_by(self, to: str) -> list[T]:
        """Every delivered message to `to`, in order."""
        with self._lock:
            return [m for m in self.delivered if self._recipient(m) == to]

    async def wait_for(self, to: str, timeout: float = 20) -> T:
        deadline = time.monotonic() + timeout
        while True:
            with self._lock:
                for index, message in enumerate(self.delivered):
                    if index not in self._returned and self._recipient(message) == to:
                        self._returned.add(index)
                        return message
            if time.monotonic() > deadline:
                raise AssertionError(f"no new message to {to} within {timeout} s")
            await asyncio.sleep(0.05)

    # -- for the handler ---------------------------------------------------------------------
    def _next_failure(self) -> tuple[int | str, dict[str, str]] | tuple[None, dict[str, str]]:
        with self._lock:
            return self._failures.pop(0) if self._failures else (None, {})

    def _record(self, request: ReceivedRequest, message: T | None = None) -> None:
        with self._lock:
            self.requests.append(request)
            if message is not None:
                self.delivered.append(message)

    def _recipient(self, message: T) -> str:
        return message.to  # type: ignore[attr-defined]

    def handle(self, method: str, path: str, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, str], bytes]:
        raise NotImplementedError


def _json(status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    return status, {"Content-Type": "application/json", **(headers or {})}, json.dumps(body).encode()


class FakeSendGrid(_FakeProvider[Email]):
    """POST /v3/mail/send with `Authorization: Bearer <api_key>`: 202 and an X-Message-Id."""

    def __init__(self, api_key: str = "SG.test-key") -> None:
        super().__init__()
        self.api_key = api_key

    def handle(self, method, path, headers, body):
        if (method, path) != ("POST", "/v3/mail/send"):
            return _json(404, {"errors": [{"message": "not found"}]})
        if headers.get("authorization") != f"Bearer {self.api_key}":
            return _json(401, {"errors": [{"message": "The provided authorization grant is invalid"}]})
        payload = json.loads(body)
        content = {part["type"]: part["value"] for part in payload.get("content", [])}
        message_id = secrets.token_urlsafe(16)
        email = Email(
            to=payload["personalizations"][0]["to"][0]["email"],
            sender=payload["from"]["email"],
            subject=payload.get("subject") or payload["personalizations"][0].get("subject", ""),
            text=content.get("text/plain", ""),
            html=content.get("text/html", ""),
            message_id=message_id,
            payload=payload,
        )
        return 202, {"X-Message-Id": message_id}, b"", email


class FakeTwilio(_FakeProvider[WhatsApp]):
    """POST /2010-04-01/Accounts/<sid>/Messages.json, HTTP Basic <sid>:<token>: 201 and a sid."""

    def __init__(self, account_sid: str = "AC" + "0" * 32, auth_token: str = "twilio-test-token") -> None:
        super().__init__()
        self.account_sid = account_sid
        self.auth_token = auth_token

    def handle(self, method, path, headers, body):
        if (method, path) != ("POST", f"/2010-04-01/Accounts/{self.account_sid}/Messages.json"):
            return _json(404, {"code": 20404, "message": "The requested resource was not found"})
        basic = base64.b64encode(f"{self.account_sid}:{self.auth_token}".encode()).decode()
        if headers.get("authorization") != f"Basic {basic}":
            return _json(401, {"code": 20003, "message": "Authenticate", "status": 401})
        form = dict(parse_qsl(body.decode()))
        if "ContentVariables" in form and "ContentSid" not in form:
            return _json(400, {"code": 21654, "message": "ContentSid Required", "status": 400})
        sid = "SM" + secrets.token_hex(16)
        message = WhatsApp(
            to=form.get("To", "").removeprefix("whatsapp:"),
            sender=form.get("From", ""),
            body=form.get("Body"),
            content_sid=form.get("ContentSid"),
            content_variables=json.loads(form["ContentVariables"]) if "ContentVariables" in form else None,
            sid=sid,
            form=form,
        )
        answer = {"sid": sid, "status": "queued", "to": form.get("To"), "from": form.get("From"),
                  "account_sid": self.account_sid, "body": form.get("Body")}
        return 201, {"Content-Type": "application/json"}, json.dumps(answer).encode(), message


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:  # noqa: N802
        fake: _FakeProvider = self.server.fake  # type: ignore[attr-defined]
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        headers = {k.lower(): v for k, v in self.headers.items()}
        path = urlsplit(self.path).path
        if fake.down:  # a keep-alive connection from before the outage: hang up, no answer
            fake._record(ReceivedRequest(self.command, path, headers, body, None))
            self.close_connection = True
            return
        failure, failure_headers = fake._next_failure()
        if failure == "timeout":
            fake._record(ReceivedRequest(self.command, path, headers, body, None))
            time.sleep(fake.hang_seconds)
            self.close_connection = True
            return
        if failure is not None:
            fake._record(ReceivedRequest(self.command, path, headers, body, int(failure)))
            status, extra, payload = _json(
                int(failure), {"errors": [{"message": f"fake failure {failure}"}]}, failure_headers
            )
            self._answer(status, extra, payload)
            return
        status, extra, payload, *message = fake.handle(self.command, path, headers, body)
        fake._record(ReceivedRequest(self.command, path, headers, body, status), *message)
        self._answer(status, extra, payload)

    do_GET = do_POST  # answered 404 by handle()

    def _answer(self, status: int, headers: dict[str, str], payload: bytes) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass


_FakeProvider.handler = _Handler
