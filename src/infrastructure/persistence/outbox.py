"""The outbox on `outbox_messages`: written inside the use case's transaction, delivered later
by the dispatcher (infrastructure/messaging/dispatcher.py), which uses OutboxStore.

A row's life: pending -> sending (claimed: attempts + 1, a lease in next_attempt_at) -> sent,
or back to pending (retry later), or failed (refused for good), or abandoned (8 tries or a
day). A claim whose lease runs out (the process died mid-send) is claimed again: a message is
never lost. The secret (link token, code) is encrypted, and erased once sent, failed or abandoned."""

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal
from uuid import UUID

import uuid_utils
from sqlalchemy import func, select, text, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from application.ports.messages import Message, Outbox
from infrastructure.messaging.delivery import give_up, retry_delay
from infrastructure.persistence.tables import OutboxMessageRow
from infrastructure.security.cipher import TokenCipher, Unreadable

NOTIFY_CHANNEL = "sesame_outbox"
# Longer than a provider call may take (its timeout), so a live claim never runs out.
LEASE = timedelta(seconds=60)
WAITING = ("pending", "sending")  # sending: claimed; due again only if its lease ran out
FINISHED = ("sent", "failed", "abandoned")


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
        ))
        # Delivered to listeners when (and only if) this transaction commits.
        await self._session.execute(text("SELECT pg_notify(:channel, '')"), {"channel": NOTIFY_CHANNEL})


@dataclass(frozen=True, slots=True)
class Claimed:
    id: UUID
    attempt: int  # this try's number, 1 for the first; fences the outcome against a re-claim
    created_at: datetime
    message: Message | None  # None: its secret cannot be read (SECRET_KEY changed)


Outcome = Literal["sent", "retry", "failed"]


class OutboxStore:
    """The dispatcher's side of the table. Each call is its own short transaction: no row
    lock is held while a provider is called."""

    def __init__(self, engine: AsyncEngine, cipher: TokenCipher) -> None:
        self._engine = engine
        self._cipher = cipher

    async def claim(self, now: datetime, limit: int) -> list[Claimed]:
        """Due messages, each claimed by one caller only (SKIP LOCKED: concurrent dispatchers
        take different rows instead of waiting), marked sending with a lease."""
        table = OutboxMessageRow.__table__
        async with self._engine.begin() as connection:
            rows = (await connection.execute(
                select(table).where(table.c.status.in_(WAITING), table.c.next_attempt_at <= now)
                .order_by(table.c.next_attempt_at).limit(limit)
                .with_for_update(skip_locked=True)
            )).all()
            claimed = []
            for row in rows:
                if give_up(row.attempts, row.created_at, now):  # a run that crashed or came too late
                    await connection.execute(self._finish(row.id, "abandoned", "gave up before sending"))
                    continue
                await connection.execute(
                    update(table).where(table.c.id == row.id)
                    .values(status="sending", attempts=row.attempts + 1, next_attempt_at=now + LEASE)
                )
                claimed.append(Claimed(row.id, row.attempts + 1, row.created_at, self._message(row)))
        return claimed

    async def record(
        self, claimed: Claimed, outcome: Outcome, now: datetime, *,
        provider_id: str | None = None, error: str | None = None,
    ) -> str:
        """Store how the try went; returns the row's new status."""
        table = OutboxMessageRow.__table__
        if outcome == "sent":
            # Whatever happened to the claim meanwhile, the provider has it now.
            statement = self._finish(claimed.id, "sent", None).values(
                sent_at=now, provider_message_id=provider_id
            )
            status = "sent"
        elif outcome == "failed" or give_up(claimed.attempt, claimed.created_at, now):
            status = "failed" if outcome == "failed" else "abandoned"
            statement = self._finish(claimed.id, status, error).where(*self._fence(claimed))
        else:
            status = "pending"
            statement = (
                update(table).where(*self._fence(claimed))
                .values(
                    status="pending", next_attempt_at=now + retry_delay(claimed.attempt), last_error=error
                )
            )
        async with self._engine.begin() as connection:
            await connection.execute(statement)
        return status

    async def hasten(self, channel: str, now: datetime) -> int:
        """The provider of `channel` takes messages again: those waiting out a retry delay
        for it (they failed in the same outage) are due now, and every dispatcher is woken.
        Returns how many."""
        table = OutboxMessageRow.__table__
        async with self._engine.begin() as connection:
            hastened = (await connection.execute(
                update(table)
                .where(table.c.channel == channel, table.c.status == "pending", table.c.next_attempt_at > now)
                .values(next_attempt_at=now)
            )).rowcount
            if hastened:
                await connection.execute(text("SELECT pg_notify(:channel, '')"), {"channel": NOTIFY_CHANNEL})
        return hastened

    async def next_due(self) -> datetime | None:
        table = OutboxMessageRow.__table__
        async with self._engine.connect() as connection:
            return await connection.scalar(
                select(func.min(table.c.next_attempt_at)).where(table.c.status.in_(WAITING))
            )

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
