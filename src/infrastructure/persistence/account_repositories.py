"""Provider accounts, provider flows and security events in PostgreSQL."""

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from application.ports.persistence import FlowRepository, LinkedAccountRepository, SecurityEvents
from domain.activity import EVENT_KINDS, LEGACY_KINDS, EventKind, SecurityEvent, stored_kind
from domain.clients import ClientInfo
from domain.errors import AccountAlreadyLinked
from domain.flows import ProviderFlow
from domain.identities import LinkedAccount, ProviderTokens
from infrastructure.clock import Uuid7Ids
from infrastructure.persistence.repositories import translate_unique_violation
from infrastructure.persistence.tables import AccountRow, OAuthFlowRow, SecurityEventRow
from infrastructure.security.cipher import TokenCipher

_ACCOUNT_TAKEN = {
    "uq_accounts_provider_subject": AccountAlreadyLinked,
    "uq_accounts_user_provider": AccountAlreadyLinked,
}


class SqlLinkedAccountRepository(LinkedAccountRepository):
    def __init__(self, session: AsyncSession, cipher: TokenCipher) -> None:
        self._session = session
        self._cipher = cipher

    async def by_subject(self, provider: str, subject: str) -> LinkedAccount | None:
        row = await self._session.scalar(
            select(AccountRow).where(
                AccountRow.provider == provider, AccountRow.provider_account_id == subject
            )
        )
        return self._account(row) if row else None

    async def for_user(self, user_id: UUID) -> list[LinkedAccount]:
        rows = await self._session.scalars(
            select(AccountRow).where(AccountRow.user_id == user_id).order_by(AccountRow.provider)
        )
        return [self._account(row) for row in rows]

    async def add(self, account: LinkedAccount) -> None:
        try:
            await self._session.execute(
                insert(AccountRow).values(
                    id=account.id,
                    user_id=account.user_id,
                    provider=account.provider,
                    provider_account_id=account.subject,
                    email=account.email,
                    linked_at=account.linked_at,
                    **self._sealed(account.tokens, account.linked_at),
                )
            )
        except IntegrityError as exc:
            translate_unique_violation(exc, _ACCOUNT_TAKEN)
            raise

    async def update_tokens(self, account_id: UUID, tokens: ProviderTokens, now: datetime) -> None:
        await self._session.execute(
            update(AccountRow).where(AccountRow.id == account_id).values(**self._sealed(tokens, now))
        )

    async def remove(self, user_id: UUID, provider: str) -> bool:
        result = await self._session.execute(
            delete(AccountRow).where(AccountRow.user_id == user_id, AccountRow.provider == provider)
        )
        return result.rowcount > 0

    def _sealed(self, tokens: ProviderTokens, now: datetime) -> dict:
        return {
            "access_token": self._cipher.encrypt(tokens.access_token),
            "refresh_token": self._cipher.encrypt(tokens.refresh_token),
            "id_token": self._cipher.encrypt(tokens.id_token),
            "token_expires_at": tokens.expires_at,
            "scope": tokens.scope,
            "updated_at": now,
        }

    def _account(self, row: AccountRow) -> LinkedAccount:
        return LinkedAccount(
            id=row.id,
            user_id=row.user_id,
            provider=row.provider,
            subject=row.provider_account_id,
            linked_at=row.linked_at,
            email=row.email,
            tokens=ProviderTokens(
                # Unreadable (a key since dropped) reads as absent: a sign-in replaces them.
                access_token=self._cipher.readable_or_none(row.access_token, "provider access token"),
                refresh_token=self._cipher.readable_or_none(row.refresh_token, "provider refresh token"),
                id_token=self._cipher.readable_or_none(row.id_token, "provider id token"),
                expires_at=row.token_expires_at,
                scope=row.scope,
            ),
        )


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
        )


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

    async def for_user(self, user_id: UUID, limit: int) -> list[SecurityEvent]:
        # Ids are UUIDv7: they break ties between events of one instant in order of recording.
        rows = await self._session.scalars(
            select(SecurityEventRow)
            .where(SecurityEventRow.user_id == user_id, SecurityEventRow.kind.in_(_READABLE_KINDS))
            .order_by(SecurityEventRow.created_at.desc(), SecurityEventRow.id.desc())
            .limit(limit)
        )
        return [SecurityEvent(stored_kind(r.kind), r.created_at, r.ip, r.user_agent, r.detail) for r in rows]
