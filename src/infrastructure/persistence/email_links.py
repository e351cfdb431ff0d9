"""Email links on `verification_tokens`, by digest (never the token itself)."""

from collections.abc import Collection, Sequence
from datetime import datetime
from uuid import UUID

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from application.ports.persistence import EmailLinkRepository
from domain.email_links import EmailLink
from infrastructure.persistence.tables import VerificationTokenRow as Token


class SqlEmailLinkRepository(EmailLinkRepository):
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, digest: bytes, email_link: EmailLink, now: datetime) -> None:
        await self._session.execute(
            insert(Token).values(
                token_hash=digest, user_id=email_link.user_id, purpose=email_link.purpose,
                new_email=email_link.email, created_at=now, expires_at=email_link.expires_at,
            )
        )

    async def consume(self, digests: Sequence[bytes], purposes: Collection[str], now: datetime) -> EmailLink | None:
        # The conditional UPDATE is the gate: a concurrent consume blocks on the row lock,
        # then finds used_at set and matches nothing. Never read-then-write.
        used = await self._session.execute(
            update(Token)
            .where(*_live(digests, purposes, now))
            .values(used_at=now)
            .returning(*_COLUMNS)
            .execution_options(synchronize_session=False)
        )
        return _email_link(used.one_or_none())

    async def peek(self, digests: Sequence[bytes], purposes: Collection[str], now: datetime) -> EmailLink | None:
        row = (await self._session.execute(select(*_COLUMNS).where(*_live(digests, purposes, now))))
        return _email_link(row.one_or_none())

    async def void(self, user_id: UUID, purpose: str, now: datetime) -> int:
        voided = await self._session.execute(
            update(Token)
            .where(Token.user_id == user_id, Token.purpose == purpose, Token.used_at.is_(None))
            .values(used_at=now)
            .execution_options(synchronize_session=False)
        )
        return voided.rowcount

    async def pending(self, user_id: UUID, purpose: str, now: datetime) -> EmailLink | None:
        row = (await self._session.execute(
            select(*_COLUMNS)
            .where(Token.user_id == user_id, Token.purpose == purpose, Token.used_at.is_(None),
                   Token.expires_at > now)
            .order_by(Token.created_at.desc())
            .limit(1)
        )).one_or_none()
        return _email_link(row)


_COLUMNS = (Token.user_id, Token.purpose, Token.new_email, Token.expires_at, Token.created_at)


def _email_link(row) -> EmailLink | None:
    return EmailLink(row.user_id, row.purpose, row.new_email, row.expires_at, row.created_at) if row else None


def _live(digests: Sequence[bytes], purposes: Collection[str], now: datetime) -> tuple:
    return (
        Token.token_hash.in_(list(digests)),
        Token.purpose.in_(list(purposes)),
        Token.used_at.is_(None),
        Token.expires_at > now,
    )
