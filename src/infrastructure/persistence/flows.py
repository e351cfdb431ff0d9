"""Provider sign-in flows in PostgreSQL (their PKCE verifier encrypted), each used once."""

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import insert, update
from sqlalchemy.ext.asyncio import AsyncSession

from application.ports.persistence import FlowRepository
from domain.flows import ProviderFlow
from infrastructure.persistence.tables import OAuthFlowRow
from infrastructure.security.cipher import TokenCipher


class SqlFlowRepository(FlowRepository):
    def __init__(self, session: AsyncSession, cipher: TokenCipher) -> None:
        self._session = session
        self._cipher = cipher

    async def add(self, flow: ProviderFlow) -> None:
        await self._session.execute(
            insert(OAuthFlowRow).values(
                state_hash=flow.state_digest,
                browser_hash=flow.browser_digest,
                provider=flow.provider,
                nonce=flow.nonce,
                code_verifier=self._cipher.encrypt(flow.code_verifier),
                redirect_path=flow.redirect_path,
                link_user_id=flow.link_user_id,
                reauth=flow.reauth,
                created_at=flow.created_at,
                expires_at=flow.expires_at,
            )
        )

    async def consume(self, state_digests: Sequence[bytes], now: datetime) -> ProviderFlow | None:
        row = (
            await self._session.execute(
                update(OAuthFlowRow)
                .where(
                    OAuthFlowRow.state_hash.in_(list(state_digests)),
                    OAuthFlowRow.used_at.is_(None),
                    OAuthFlowRow.expires_at > now,
                )
                .values(used_at=now)
                .returning(OAuthFlowRow)
                .execution_options(synchronize_session=False)
            )
        ).scalar_one_or_none()
        if row is None:
            return None
        verifier = self._cipher.readable_or_none(row.code_verifier, "sign-in flow's verifier")
        if verifier is None and row.code_verifier is not None:
            return None  # started under a key no longer configured: as if it had expired
        return ProviderFlow(
            state_digest=row.state_hash,
            browser_digest=row.browser_hash,
            provider=row.provider,
            nonce=row.nonce,
            code_verifier=verifier,
            created_at=row.created_at,
            expires_at=row.expires_at,
            redirect_path=row.redirect_path,
            link_user_id=row.link_user_id,
            reauth=row.reauth,
        )
