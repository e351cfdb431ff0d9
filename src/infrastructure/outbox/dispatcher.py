"""Delivers the outbox: claims due messages, renders and sends them, records the outcome.

Retries back off (retry_policy.next_attempt: doubling up to a ceiling, never before a provider's
Retry-After), each message on its own schedule until its deadline; but once a channel that
failed here takes a message again, the messages waiting out a delay for it go at once
(OutboxStore.hasten; not before a Retry-After it gave here): after an outage, delivery
resumes with the first success, not with each message's next turn.

A try's outcome is stored even when the database drops out just after the provider took
the message: it is retried within the claim's lease, so the message is not sent again.

Woken at once by NOTIFY (SqlOutbox notifies on commit) on a dedicated asyncpg connection,
re-opened if it drops; otherwise it sleeps until the next retry comes due, and at most
`poll_every` seconds (a NOTIFY missed while reconnecting waits that long at worst). Several
processes may run it: each message is claimed by one (store.OutboxStore.claim)."""

import asyncio
import contextlib
import logging
import time
from collections.abc import Mapping
from datetime import datetime

import asyncpg

from application.ports.security import Clock
from infrastructure.messaging.senders import MessageSender
from infrastructure.messaging.delivery_error import DeliveryError
from infrastructure.messaging.rendering import Renderer, RenderError
from infrastructure.observability.reports import OutboxObserver
from infrastructure.outbox.retry_policy import retry_after
from infrastructure.outbox.store import LEASE, NOTIFY_CHANNEL, Claimed, Outcome, OutboxStore
from infrastructure.persistence.engine import CONNECT_TIMEOUT
from infrastructure.persistence.errors import database_unavailable
from infrastructure.supervisor import Job

log = logging.getLogger(__name__)


class OutboxDispatcher:
    def __init__(
        self, store: OutboxStore, renderer: Renderer, senders: Mapping[str, MessageSender], clock: Clock,
        *, listen_dsn: str | None = None, poll_every: float = 30, batch: int = 10,
        reconnect_after: float = 2, stop_grace: float = 15, record_patience: float | None = None,
        observer: OutboxObserver | None = None,
    ) -> None:
        self._store = store
        self._observer = observer  # told when the delivery loop runs (sesame_dispatcher_up)
        self._renderer = renderer
        self._senders = senders
        self._clock = clock
        self._listen_dsn = listen_dsn
        self._poll_every = poll_every
        self._batch = batch
        self._reconnect_after = reconnect_after
        self._stop_grace = stop_grace
        # Well inside the lease: past it, another dispatcher may claim and send the message again.
        self._record_patience = LEASE.total_seconds() * 0.75 if record_patience is None else record_patience
        self._wake = asyncio.Event()
        self._failing: set[str] = set()  # channels whose last try here was a retryable failure
        self._held: dict[str, datetime] = {}  # the latest Retry-After each failing channel gave here
        self._stopping = False
        self._tasks: list[asyncio.Task] = []
        self.listening = asyncio.Event()  # set while LISTEN is active (tests wait on it)

    # -- one pass ----------------------------------------------------------------------------
    async def deliver_due(self) -> int:
        """Deliver every message due now; returns how many were tried."""
        tried = 0
        while not self._stopping and (claimed := await self._store.claim(self._clock.now(), self._batch)):
            # Each try records its own outcome; wait for all before telling of a failure.
            outcomes = await asyncio.gather(*(self._deliver(c) for c in claimed), return_exceptions=True)
            for outcome in outcomes:
                if isinstance(outcome, BaseException):
                    raise outcome
            tried += len(claimed)
        return tried

    async def _deliver(self, claimed: Claimed) -> None:
        message = claimed.message
        if message is None:  # sealed under a key no longer configured, or tampered with
            await self._record(claimed, "failed", error="secret unreadable")
            log.error("message %s failed: its secret cannot be decrypted with SECRET_KEY or "
                      "SECRET_KEY_FALLBACKS", claimed.id)
            return
        try:
            rendered = self._renderer.render(message)
            sender = self._senders[message.channel]
            provider_id = await sender.send(message, rendered)
        except DeliveryError as exc:
            outcome = "retry" if exc.retryable else "failed"
            not_before = retry_after(exc.retry_after, self._clock.now()) if exc.retryable else None
            if exc.retryable:
                self._failing.add(message.channel)
                if not_before is not None:
                    self._held[message.channel] = max(not_before, self._held.get(message.channel, not_before))
            status = await self._record(claimed, outcome, error=str(exc), not_before=not_before)
            if status != "abandoned":  # an abandoned message gets its own line (store.abandoned)
                log.warning("%s message %s not sent: %s (now %s)", message.template, claimed.id, exc, status)
        except RenderError as exc:
            await self._record(claimed, "failed", error=str(exc))
            log.error("message %s cannot be rendered: %s", claimed.id, exc)
        except Exception as exc:  # a bug in a sender: retried like an outage, and told loudly
            log.exception("sending message %s failed", claimed.id)
            await self._record(claimed, "retry", error=repr(exc))
        else:
            await self._record(claimed, "sent", provider_id=provider_id)
            if message.channel in self._failing:
                await self._provider_back(message.channel)

    async def _provider_back(self, channel: str) -> None:
        hastened = await self._store.hasten(channel, self._clock.now(), self._held.get(channel))
        self._failing.discard(channel)  # only once done: else the next success tries again
        self._held.pop(channel, None)
        if hastened:
            log.info("%s delivers again: %d waiting message(s) due now", channel, hastened)

    async def _record(self, claimed: Claimed, outcome: Outcome, **details: str | datetime | None) -> str:
        """Store the outcome; while the database does not answer, try again (each second,
        for `record_patience`): a "sent" lost here would send the message twice."""
        deadline = time.monotonic() + self._record_patience
        while True:
            try:
                return await self._store.record(claimed, outcome, self._clock.now(), **details)
            except Exception as exc:
                if not database_unavailable(exc) or time.monotonic() > deadline:
                    raise
                log.warning("message %s %s, not yet recorded: the database does not answer (%s)",
                            claimed.id, outcome, exc)
            await asyncio.sleep(1)

    # -- running in the background -----------------------------------------------------------
    def jobs(self) -> list[Job]:
        """Its loops, for the supervisor (which starts them once the schema is usable and
        restarts one that stops); senders are closed by `close` after."""
        jobs = [Job("outbox delivery", self.deliver_forever, wind_down=self.wind_down)]
        if self._listen_dsn is not None:
            jobs.append(Job("outbox listener", self.listen_forever))
        return jobs

    async def start(self) -> None:
        """Unsupervised (tests, tools): the loops as tasks of their own."""
        self._tasks = [asyncio.create_task(self.deliver_forever(), name="sesame-outbox")]
        if self._listen_dsn is not None:
            self._tasks.append(asyncio.create_task(self.listen_forever(), name="sesame-outbox-listen"))

    async def stop(self) -> None:
        """Let the message being sent finish (a cancelled send may have reached the provider,
        and would go again once its lease runs out), then close everything."""
        self.wind_down()
        run, *listeners = self._tasks or [None]
        for task in listeners:
            task.cancel()
        if run is not None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.shield(run), self._stop_grace)
            run.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await self.close()

    def wind_down(self) -> None:
        """Finish the pass under way, then let deliver_forever return."""
        self._stopping = True
        self._wake.set()

    async def close(self) -> None:
        for sender in self._senders.values():
            await sender.close()

    def wake(self) -> None:
        self._wake.set()

    async def deliver_forever(self) -> None:
        """Passes until wound down; a failed pass is told and the next one tried."""
        if self._observer is not None:
            self._observer.dispatcher_running(True)
        try:
            await self._deliver_passes()
        finally:
            if self._observer is not None:
                self._observer.dispatcher_running(False)

    async def _deliver_passes(self) -> None:
        while not self._stopping:
            self._wake.clear()  # a NOTIFY during the pass below wakes the next one
            try:
                await self.deliver_due()
                delay = await self._until_next_due()
            except Exception as exc:  # never die: the next pass may work
                if database_unavailable(exc):  # messages wait in the database; so do we
                    log.warning("outbox delivery paused, the database does not answer (%s)", exc)
                    delay = self._reconnect_after  # resume within seconds of its return
                else:
                    log.exception("outbox delivery failed")
                    delay = self._poll_every
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), delay)

    async def _until_next_due(self) -> float:
        due = await self._store.next_due()
        if due is None:
            return self._poll_every
        # At least a moment: a due row may be another dispatcher's, being claimed right now.
        return min(max((due - self._clock.now()).total_seconds(), 0.2), self._poll_every)

    async def listen_forever(self) -> None:
        """LISTEN on a connection of its own, re-opened whenever it drops (until cancelled)."""
        while True:
            connection = None
            try:
                connection = await asyncpg.connect(self._listen_dsn, timeout=CONNECT_TIMEOUT)
                dropped = asyncio.Event()
                connection.add_termination_listener(lambda _: dropped.set())
                await connection.add_listener(NOTIFY_CHANNEL, lambda *_: self._wake.set())
                self.listening.set()
                self._wake.set()  # what was enqueued while we were not listening
                await dropped.wait()
                log.warning("outbox listener connection lost; reconnecting")
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("outbox listener cannot connect (%s); retrying", exc)
            finally:
                self.listening.clear()
                if connection is not None and not connection.is_closed():
                    with contextlib.suppress(Exception):
                        await asyncio.shield(connection.close(timeout=2))
            await asyncio.sleep(self._reconnect_after)
