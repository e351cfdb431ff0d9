"""Security events (a user's activity) in PostgreSQL."""

from datetime import datetime
from uuid import UUID

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from application.ports.persistence import SecurityEvents
from domain.activity import EVENT_KINDS, LEGACY_KINDS, EventKind, SecurityEvent, stored_kind
from domain.clients import ClientInfo
from infrastructure.clock import Uuid7Ids
from infrastructure.persistence.tables import SecurityEventRow

# Rows of an older version's kind are served as the contract kind it became.
_READABLE_KINDS = sorted(EVENT_KINDS | LEGACY_KINDS.keys())


class SqlSecurityEvents(SecurityEvents):
    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        self._ids = Uuid7Ids()

    async def record(
        self, user_id: UUID | None, kind: EventKind, detail: dict, now: datetime, client: ClientInfo
    ) -> None:
        event = SecurityEvent(kind, now, client.ip, client.user_agent, detail)  # refuses a non-contract kind
        await self._session.execute(
            insert(SecurityEventRow).values(
                id=self._ids.new_id(), user_id=user_id, kind=event.kind, detail=event.detail,
                created_at=now, ip=event.ip, user_agent=event.user_agent,
            )
        )

    async def for_user(self, user_id: UUID, limit: int | None) -> list[SecurityEvent]:
        # Ids are UUIDv7: they break ties between events of one instant in order of recording.
        rows = await self._session.scalars(
            select(SecurityEventRow)
            .where(SecurityEventRow.user_id == user_id, SecurityEventRow.kind.in_(_READABLE_KINDS))
            .order_by(SecurityEventRow.created_at.desc(), SecurityEventRow.id.desc())
            .limit(limit)
        )
        return [SecurityEvent(stored_kind(r.kind), r.created_at, r.ip, r.user_agent, r.detail) for r in rows]
