"""Pending links in PostgreSQL: the whole provider identity is one encrypted JSON value."""

import dataclasses
import json
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, insert
from sqlalchemy.ext.asyncio import AsyncSession

from application.ports.persistence import PendingLinkRepository
from domain.flows import PendingLink
from domain.identities import ProviderIdentity, ProviderTokens
from infrastructure.persistence.tables import PendingLinkRow
from infrastructure.security.cipher import TokenCipher


class SqlPendingLinkRepository(PendingLinkRepository):
    def __init__(self, session: AsyncSession, cipher: TokenCipher) -> None:
        self._session = session
        self._cipher = cipher

    async def add(self, pending_link: PendingLink) -> None:
        await self._session.execute(
            insert(PendingLinkRow).values(
                browser_hash=pending_link.browser_digest,
                user_id=pending_link.user_id,
                provider=pending_link.identity.provider,
                identity=self._cipher.encrypt(_to_json(pending_link.identity)),
                created_at=pending_link.created_at,
                expires_at=pending_link.expires_at,
            )
        )

    async def take(self, browser_digests: Sequence[bytes], now: datetime) -> PendingLink | None:
        row = (
            await self._session.execute(
                delete(PendingLinkRow)
                .where(PendingLinkRow.browser_hash.in_(list(browser_digests)))
                .returning(PendingLinkRow)
                .execution_options(synchronize_session=False)
            )
        ).scalar_one_or_none()
        if row is None or row.expires_at <= now:
            return None
        text = self._cipher.readable_or_none(row.identity, "pending link's identity")
        if text is None:  # sealed under a key no longer configured: as if it had expired
            return None
        identity = _from_json(text)
        return PendingLink(row.browser_hash, row.user_id, identity, row.created_at, row.expires_at)


def _to_json(identity: ProviderIdentity) -> str:
    values = dataclasses.asdict(identity)
    expires_at = identity.tokens.expires_at
    values["tokens"]["expires_at"] = expires_at.isoformat() if expires_at else None
    return json.dumps(values)


def _from_json(text: str) -> ProviderIdentity:
    values = json.loads(text)
    tokens = values.pop("tokens")
    if tokens["expires_at"]:
        tokens["expires_at"] = datetime.fromisoformat(tokens["expires_at"])
    return ProviderIdentity(**values, tokens=ProviderTokens(**tokens))
