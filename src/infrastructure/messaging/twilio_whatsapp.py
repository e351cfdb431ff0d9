"""WhatsApp through Twilio's Messages API with the `twilio` package's async client.

Its AsyncTwilioHttpClient retries only when given `max_retries` (then every 5xx, POST
included: a message twice), so it is built without; the outbox decides retries. The base
URL (a local fake in tests) is the `api` domain's `base_url`: `edge`/`region` only rewrite
*.twilio.com host names."""

import asyncio
import contextvars
import json
import logging

import aiohttp
from twilio.base.exceptions import TwilioRestException, TwilioServiceException
from twilio.http.async_http_client import AsyncTwilioHttpClient
from twilio.rest import Client

from application.ports.messages import PHONE_CODE, Message
from infrastructure.messaging.senders import MessageSender
from infrastructure.messaging.delivery_error import DeliveryError, failed_answer
from infrastructure.messaging.rendering import Rendered

# The SDK logs every request's headers at INFO; only its warnings are worth the log.
_sdk_log = logging.getLogger("infrastructure.messaging.twilio_sdk")
_sdk_log.setLevel(logging.WARNING)


# The headers of the last answer Twilio gave in this task: its exceptions carry the status
# but not the headers, and a 429 or 503's Retry-After is read from them. Per task (context),
# so concurrent sends each read their own.
_last_headers: contextvars.ContextVar[dict[str, str]] = contextvars.ContextVar("twilio_last_headers")


class _HeaderKeepingClient(AsyncTwilioHttpClient):
    def log_response(self, status_code: int, response) -> None:  # called by request() with each answer
        super().log_response(status_code, response)
        _last_headers.set({k.lower(): v for k, v in (getattr(response, "headers", None) or {}).items()})


class TwilioWhatsApp(MessageSender):
    def __init__(
        self, account_sid: str, auth_token: str, sender: str, *,
        base_url: str = "https://api.twilio.com", content_sid: str | None = None,
        timeout: float = 10,
    ) -> None:
        self._credentials = (account_sid, auth_token)
        self._sender = "whatsapp:" + sender.removeprefix("whatsapp:")
        self._base_url = base_url.rstrip("/")
        self._content_sid = content_sid
        self._timeout = timeout
        self._client: Client | None = None

    def _twilio(self) -> Client:
        # Built on first use: aiohttp's session belongs to the running event loop.
        if self._client is None:
            http = _HeaderKeepingClient(timeout=self._timeout, logger=_sdk_log)  # no max_retries: no retries
            self._client = Client(*self._credentials, http_client=http)
            self._client.api.base_url = self._base_url
        return self._client

    def fields(self, message: Message, rendered: Rendered) -> dict[str, str]:
        """A code goes in the approved authentication template when one is configured
        (WhatsApp refuses free text outside a 24 h conversation); anything else as Body."""
        fields = {"from_": self._sender, "to": "whatsapp:" + message.recipient.removeprefix("whatsapp:")}
        if self._content_sid and message.template == PHONE_CODE:
            fields["content_sid"] = self._content_sid
            fields["content_variables"] = json.dumps({"1": message.secrets["code"]})
        else:
            fields["body"] = rendered.text
        return fields

    async def send(self, message: Message, rendered: Rendered) -> str:
        _last_headers.set({})
        try:
            async with asyncio.timeout(self._timeout):  # the async client sets none per request
                created = await self._twilio().messages.create_async(**self.fields(message, rendered))
        except TwilioRestException as exc:
            raise failed_answer("Twilio", exc.status, f"{exc.code}: {exc.msg}", self._retry_after()) from exc
        except TwilioServiceException as exc:  # an RFC 9457 problem answer
            raise failed_answer("Twilio", exc.status, f"{exc.code}: {exc.title}", self._retry_after()) from exc
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            raise DeliveryError(f"Twilio unreachable: {exc!r}", retryable=True) from exc
        return created.sid or ""

    @staticmethod
    def _retry_after() -> str | None:
        return _last_headers.get({}).get("retry-after")

    async def close(self) -> None:
        if self._client is not None:
            await self._client.http_client.close()
            self._client = None
