from types import TracebackType
from typing import Self

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from application.ports.persistence import UnitOfWork
from infrastructure.persistence.account_repositories import (
    SqlLinkedAccountRepository,
    SqlFlowRepository,
    SqlSecurityEvents,
)
from infrastructure.persistence.link_tokens import SqlEmailLinkRepository
from infrastructure.persistence.outbox import SqlOutbox
from infrastructure.persistence.pending_links import SqlPendingLinkRepository
from infrastructure.persistence.phone_codes import SqlPhoneCodeRepository
from infrastructure.persistence.repositories import SqlSessionRepository, SqlUserRepository
from infrastructure.security.cipher import TokenCipher


class SqlUnitOfWork(UnitOfWork):
    def __init__(self, session_maker: async_sessionmaker[AsyncSession], cipher: TokenCipher) -> None:
        self._session_maker = session_maker
        self._cipher = cipher

    async def __aenter__(self) -> Self:
        self._session = self._session_maker()
        self.users = SqlUserRepository(self._session)
        self.sessions = SqlSessionRepository(self._session)
        self.linked_accounts = SqlLinkedAccountRepository(self._session, self._cipher)
        self.flows = SqlFlowRepository(self._session, self._cipher)
        self.pending_links = SqlPendingLinkRepository(self._session, self._cipher)
        self.phone_codes = SqlPhoneCodeRepository(self._session)
        self.email_links = SqlEmailLinkRepository(self._session)
        self.events = SqlSecurityEvents(self._session)
        self.outbox = SqlOutbox(self._session, self._cipher)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self._session.close()  # rolls back whatever was not committed

    async def commit(self) -> None:
        await self._session.commit()
