"""The outbox on `outbox_messages`: written inside the use case's transaction (SqlOutbox, in
the unit of work), delivered later by the dispatcher, which uses OutboxStore.

A row's life: pending -> sending (claimed: attempts + 1, a lease in next_attempt_at) -> sent,
or back to pending (retry later), or failed (refused for good), or abandoned (still not sent
at its deadline, `deliver_until`: what it carries is of no use any more). A claim whose lease
runs out (the process died mid-send) is claimed again: a message is never lost while it is
useful. The secret (link token, code) is encrypted, and erased once sent, failed or abandoned."""

import json
from collections.abc import Collection
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal
from uuid import UUID

import uuid_utils
from sqlalchemy import delete, func, select, text, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from application.ports.messages import Message, Outbox
from infrastructure.observability.reports import MessageOutcome, OutboxObserver
from infrastructure.outbox.retry_policy import deliver_until, expired, next_attempt
from infrastructure.persistence.tables import OUTBOX_WAITING, OutboxMessageRow
from infrastructure.security.cipher import TokenCipher, Unreadable

log = logging.getLogger(__name__)

NOTIFY_CHANNEL = "sesame_outbox"
# Longer than a provider call may take (its timeout), so a live claim never runs out.
LEASE = timedelta(seconds=60)


class SqlOutbox(Outbox):
    def __init__(self, session: AsyncSession, cipher: TokenCipher) -> None:
        self._session = session
        self._cipher = cipher

    async def enqueue(self, message: Message, now: datetime) -> None:
        self._session.add(OutboxMessageRow(
            id=UUID(bytes=uuid_utils.uuid7().bytes),
            channel=message.channel,
            recipient=message.recipient,
            template=message.template,
            locale=message.locale,
            payload=dict(message.values),
            secret=self._cipher.encrypt(json.dumps(dict(message.secrets))) if message.secrets else None,
            status="pending",
            attempts=0,
            next_attempt_at=now,
            created_at=now,
            deliver_until=deliver_until(message.template, now),
        ))
        # Delivered to listeners when (and only if) this transaction commits.
        await self._session.execute(text("SELECT pg_notify(:channel, '')"), {"channel": NOTIFY_CHANNEL})

    async def discard_to(self, recipients: Collection[str]) -> int:
        # A claimed one being sent goes too: the dispatcher's outcome then updates no row.
        discarded = await self._session.execute(
            delete(OutboxMessageRow)
            .where(OutboxMessageRow.recipient.in_(list(recipients)))
            .execution_options(synchronize_session=False)
        )
        return discarded.rowcount


def abandoned(id: UUID, template: str, deadline: datetime) -> None:
    """The one line an abandoned message gets: its id and template, never its recipient."""
    log.warning("message %s (%s) abandoned: not delivered by its deadline %s; its secret is erased",
                id, template, deadline.isoformat(timespec="seconds"))


@dataclass(frozen=True, slots=True)
class Claimed:
    id: UUID
    attempt: int  # this try's number, 1 for the first; fences the outcome against a re-claim
    created_at: datetime
    message: Message | None  # None: its secret cannot be read (SECRET_KEY changed)
    deliver_until: datetime  # past it, the message is abandoned
    template: str  # for the log: the message itself may be unreadable
    channel: str  # for the metrics, likewise


Outcome = Literal["sent", "retry", "failed"]
# A row's status after a try, as the metrics name it.
_REPORTED: dict[str, MessageOutcome] = {
    "sent": "sent", "pending": "retried", "failed": "failed", "abandoned": "abandoned",
}


class OutboxStore:
    """The dispatcher's side of the table. Each call is its own short transaction: no row
    lock is held while a provider is called."""

    def __init__(self, engine: AsyncEngine, cipher: TokenCipher, observer: OutboxObserver | None = None) -> None:
        self._engine = engine
        self._cipher = cipher
        self._observer = observer  # told each try's outcome (the metrics)

    async def claim(self, now: datetime, limit: int) -> list[Claimed]:
        """Due messages, each claimed by one caller only (SKIP LOCKED: concurrent dispatchers
        take different rows instead of waiting), marked sending with a lease."""
        table = OutboxMessageRow.__table__
        async with self._engine.begin() as connection:
            rows = (await connection.execute(
                select(table).where(table.c.status.in_(OUTBOX_WAITING), table.c.next_attempt_at <= now)
                .order_by(table.c.next_attempt_at).limit(limit)
                .with_for_update(skip_locked=True)
            )).all()
            claimed, late = [], []
            for row in rows:
                deadline = self._deadline(row)
                if expired(deadline, now):  # no dispatcher ran in time, or a crash cost the last chance
                    await connection.execute(self._finish(row.id, "abandoned", "past its deadline before sending"))
                    late.append((row.id, row.template, deadline, row.channel))
                    continue
                await connection.execute(
                    update(table).where(table.c.id == row.id)
                    .values(status="sending", attempts=row.attempts + 1, next_attempt_at=now + LEASE)
                )
                claimed.append(Claimed(
                    row.id, row.attempts + 1, row.created_at, self._message(row), deadline, row.template,
                    row.channel,
                ))
        for id, template, deadline, channel in late:  # told once committed
            abandoned(id, template, deadline)
            self._report(channel, "abandoned")
        return claimed

    async def record(
        self, claimed: Claimed, outcome: Outcome, now: datetime, *,
        provider_id: str | None = None, error: str | None = None, not_before: datetime | None = None,
    ) -> str:
        """Store how the try went; returns the row's new status. A retry comes after the
        backoff and not before `not_before` (the provider's Retry-After); one that would come
        past the message's deadline is not made: the message is abandoned."""
        table = OutboxMessageRow.__table__
        due = None if outcome != "retry" else next_attempt(claimed.attempt, now, claimed.deliver_until, not_before)
        if outcome == "sent":
            # Whatever happened to the claim meanwhile, the provider has it now.
            statement = self._finish(claimed.id, "sent", None).values(
                sent_at=now, provider_message_id=provider_id
            )
            status = "sent"
        elif outcome == "failed" or due is None:
            status = "failed" if outcome == "failed" else "abandoned"
            statement = self._finish(claimed.id, status, error).where(*self._fence(claimed))
        else:
            status = "pending"
            statement = (
                update(table).where(*self._fence(claimed))
                .values(status="pending", next_attempt_at=due, last_error=error)
            )
        async with self._engine.begin() as connection:
            updated = (await connection.execute(statement)).rowcount
        if status == "abandoned" and updated:
            abandoned(claimed.id, claimed.template, claimed.deliver_until)
        if updated:
            self._report(claimed.channel, _REPORTED[status])
        return status

    def _report(self, channel: str, outcome: MessageOutcome) -> None:
        if self._observer is not None:
            self._observer.message(channel, outcome)

    async def hasten(self, channel: str, now: datetime, not_before: datetime | None = None) -> int:
        """The provider of `channel` takes messages again: those waiting out a retry delay
        for it (they failed in the same outage) are due now, or at `not_before` (a Retry-After
        it asked for still runs), and every dispatcher is woken. Returns how many."""
        table = OutboxMessageRow.__table__
        due = max(now, not_before) if not_before is not None else now
        async with self._engine.begin() as connection:
            hastened = (await connection.execute(
                update(table)
                .where(table.c.channel == channel, table.c.status == "pending", table.c.next_attempt_at > due)
                .values(next_attempt_at=due)
            )).rowcount
            if hastened:
                await connection.execute(text("SELECT pg_notify(:channel, '')"), {"channel": NOTIFY_CHANNEL})
        return hastened

    async def next_due(self) -> datetime | None:
        table = OutboxMessageRow.__table__
        async with self._engine.connect() as connection:
            return await connection.scalar(
                select(func.min(table.c.next_attempt_at)).where(table.c.status.in_(OUTBOX_WAITING))
            )

    @staticmethod
    def _deadline(row) -> datetime:
        # Rows enqueued before the column existed: the same table, from their creation.
        return row.deliver_until or deliver_until(row.template, row.created_at)

    def _message(self, row) -> Message | None:
        try:
            secrets = json.loads(self._cipher.decrypt(row.secret)) if row.secret else {}
        except (Unreadable, ValueError):  # tampered, or sealed under a key no longer configured
            return None
        return Message(row.template, row.channel, row.recipient, row.locale, dict(row.payload), secrets)

    @staticmethod
    def _fence(claimed: Claimed):
        table = OutboxMessageRow.__table__
        return table.c.id == claimed.id, table.c.status == "sending", table.c.attempts == claimed.attempt

    @staticmethod
    def _finish(id: UUID, status: str, error: str | None):
        """A final status, with the secret erased: the database keeps no usable link or code."""
        table = OutboxMessageRow.__table__
        return update(table).where(table.c.id == id).values(status=status, secret=None, last_error=error)
