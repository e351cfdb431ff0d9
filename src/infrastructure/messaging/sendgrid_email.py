"""Email through SendGrid's v3 /mail/send. The `sendgrid` package builds the request body;
it is sent with our httpx.AsyncClient, since the SDK's own client blocks the event loop
(urllib) and we decide retries ourselves."""

import httpx
from sendgrid.helpers.mail import Mail

from application.ports.messages import Message
from infrastructure.messaging.senders import MessageSender
from infrastructure.messaging.delivery_error import DeliveryError, failed_answer
from infrastructure.messaging.rendering import Rendered


class SendGridEmail(MessageSender):
    def __init__(
        self, http: httpx.AsyncClient, api_key: str, sender: str,
        base_url: str = "https://api.sendgrid.com", timeout: float = 10,
    ) -> None:
        self._http = http
        self._url = base_url.rstrip("/") + "/v3/mail/send"
        self._headers = {"Authorization": f"Bearer {api_key}", "Accept": "application/json"}
        self._sender = sender
        self._timeout = timeout

    def body(self, message: Message, rendered: Rendered) -> dict:
        mail = Mail(
            from_email=self._sender,
            to_emails=message.recipient,
            subject=rendered.subject,
            plain_text_content=rendered.text,
            html_content=rendered.html,
        )
        return mail.get()

    async def send(self, message: Message, rendered: Rendered) -> str:
        try:
            answer = await self._http.post(
                self._url, json=self.body(message, rendered), headers=self._headers,
                timeout=self._timeout,
            )
        except httpx.HTTPError as exc:  # refused, reset, timed out: it may work later
            raise DeliveryError(f"SendGrid unreachable: {exc!r}", retryable=True) from exc
        if answer.status_code >= 300:
            raise failed_answer("SendGrid", answer.status_code, answer.text, answer.headers.get("Retry-After"))
        return answer.headers.get("X-Message-Id", "")

    async def close(self) -> None:
        pass  # the http client is shared; its owner closes it
