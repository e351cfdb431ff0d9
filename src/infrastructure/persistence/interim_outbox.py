"""INTERIM, until the `pipe` branch's outbox lands (then delete this module and take pipe's
line in unit_of_work.py): writes each message as a pending outbox row, its secrets encrypted,
so use cases that send messages run against PostgreSQL. Nothing delivers them yet."""

import json
from datetime import datetime

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from application.ports.messages import Message, Outbox
from infrastructure.clock import Uuid7Ids
from infrastructure.persistence.tables import OutboxMessageRow
from infrastructure.security.cipher import TokenCipher


class PendingOutboxRows(Outbox):
    def __init__(self, session: AsyncSession, cipher: TokenCipher) -> None:
        self._session = session
        self._cipher = cipher
        self._ids = Uuid7Ids()

    async def enqueue(self, message: Message, now: datetime) -> None:
        secret = self._cipher.encrypt(json.dumps(dict(message.secrets))) if message.secrets else None
        await self._session.execute(
            insert(OutboxMessageRow).values(
                id=self._ids.new_id(), channel=message.channel, recipient=message.recipient,
                template=message.template, locale=message.locale, payload=dict(message.values),
                status="pending", attempts=0, next_attempt_at=now, created_at=now, secret=secret,
            )
        )
