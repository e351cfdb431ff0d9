"""Provider accounts linked to users in PostgreSQL (their tokens encrypted)."""

from datetime import datetime
from uuid import UUID

from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from application.ports.persistence import LinkedAccountRepository
from domain.errors import AccountAlreadyLinked
from domain.identities import LinkedAccount, ProviderTokens
from infrastructure.persistence.errors import translate_unique_violation
from infrastructure.persistence.tables import AccountRow
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
