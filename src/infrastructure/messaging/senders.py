"""How a rendered message leaves: one sender per channel (email, WhatsApp). The port lives
here, inside infrastructure: only the dispatcher sends, and use cases never do (they enqueue)."""

import logging
from abc import abstractmethod
from typing import Protocol

from application.ports.messages import Message
from infrastructure.messaging.delivery_error import DeliveryError
from infrastructure.messaging.rendering import Rendered

log = logging.getLogger("sesame.messages")


class MessageSender(Protocol):
    @abstractmethod
    async def send(self, message: Message, rendered: Rendered) -> str:
        """Hand the message to the provider, once (no retry of its own: the outbox alone
        decides). Returns the provider's message id; raises DeliveryError."""

    async def close(self) -> None:
        """Release connections (called once, at shutdown)."""


class ConsoleSender(MessageSender):
    """Without credentials: in development (`reveal`), the message is printed whole to the
    process's output (not its log), so a developer running `make dev` reads the links and
    codes there. In production (MESSAGES_TO_LOG=true) no log line holds a message's body,
    recipient, link or code: it is written as one line saying which message was due, and is
    not delivered (a warning says so at start)."""

    def __init__(self, channel: str, reveal: bool = True) -> None:
        self._channel = channel
        self._reveal = reveal
        self._count = 0

    async def send(self, message: Message, rendered: Rendered) -> str:
        self._count += 1
        if not self._reveal:
            log.info("%s message %s (%s) not sent: no %s credentials; MESSAGES_TO_LOG writes no "
                     "recipient, link or code in production", self._channel, message.template,
                     message.locale, self._channel)
            return f"console-{self._count}"
        lines = [f"----- {self._channel} to {message.recipient} ({message.template}, {message.locale})"]
        if rendered.subject is not None:
            lines.append(f"Subject: {rendered.subject}")
        lines += [rendered.text.rstrip(), "-----"]
        print("\n".join(lines), flush=True)
        return f"console-{self._count}"

    async def close(self) -> None:
        pass


class OffSender(MessageSender):
    """A channel this deployment does not send (WhatsApp without Twilio in production): no
    use case enqueues for it, but a message enqueued before (when it was configured) fails
    at once, unsent and unprinted: a code in the log of production is a leak."""

    def __init__(self, channel: str) -> None:
        self._channel = channel

    async def send(self, message: Message, rendered: Rendered) -> str:
        raise DeliveryError(f"no {self._channel} channel is configured", retryable=False)

    async def close(self) -> None:
        pass
