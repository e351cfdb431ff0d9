"""A sender for tests of the dispatcher: records what it sends, answers as it is told."""

import asyncio

from application.ports.messages import Message
from infrastructure.messaging.senders import MessageSender
from infrastructure.messaging.delivery_error import DeliveryError
from infrastructure.messaging.rendering import Rendered


class ScriptedSender(MessageSender):
    def __init__(self, delay: float = 0) -> None:
        self.sent: list[tuple[Message, Rendered]] = []
        self.tries = 0
        self.delay = delay  # seconds each send takes (to overlap concurrent dispatchers)
        self._answers: list[DeliveryError] = []
        self._arrived = asyncio.Condition()

    def fail_next(self, count: int, *, retryable: bool = True, retry_after: str | None = None) -> None:
        """The next `count` tries fail; `retry_after`: the Retry-After the provider gave."""
        self._answers += [DeliveryError("scripted failure", retryable=retryable, retry_after=retry_after)] * count

    def reset(self) -> None:
        """The provider answers again: the failures not yet given are forgotten."""
        self._answers.clear()

    async def send(self, message: Message, rendered: Rendered) -> str:
        self.tries += 1
        if self.delay:
            await asyncio.sleep(self.delay)
        if self._answers:
            raise self._answers.pop(0)
        self.sent.append((message, rendered))
        async with self._arrived:
            self._arrived.notify_all()
        return f"provider-{len(self.sent)}"

    async def wait_sent(self, count: int = 1, timeout: float = 10) -> None:
        async with self._arrived:
            await asyncio.wait_for(self._arrived.wait_for(lambda: len(self.sent) >= count), timeout)

    async def close(self) -> None:
        pass
