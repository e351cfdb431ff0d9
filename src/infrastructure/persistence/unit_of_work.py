from collections.abc import Callable
from types import TracebackType
from typing import Self

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from application.ports.messages import Outbox
from application.ports.persistence import UnitOfWork
from domain.errors import AccountGone
from infrastructure.persistence.errors import reference_gone
from infrastructure.persistence.linked_accounts import SqlLinkedAccountRepository
from infrastructure.persistence.flows import SqlFlowRepository
from infrastructure.persistence.email_links import SqlEmailLinkRepository
from infrastructure.persistence.mfa_challenges import SqlMfaChallengeRepository
from infrastructure.persistence.passkeys import SqlPasskeyRepository
from infrastructure.persistence.pending_links import SqlPendingLinkRepository
from infrastructure.persistence.phone_codes import SqlPhoneCodeRepository
from infrastructure.persistence.recovery_codes import SqlRecoveryCodeRepository
from infrastructure.persistence.security_events import SqlSecurityEvents
from infrastructure.persistence.sessions import SqlSessionRepository
from infrastructure.persistence.totp_secrets import SqlTotpRepository
from infrastructure.persistence.webauthn_challenges import SqlWebAuthnChallengeRepository
from infrastructure.persistence.users import SqlUserRepository
from infrastructure.security.cipher import TokenCipher


class SqlUnitOfWork(UnitOfWork):
    """`outbox` writes messages in the transaction (infrastructure.outbox.store.SqlOutbox):
    given, since the outbox sits above persistence (it knows the table, not the reverse).

    A write that meets a row deleted meanwhile (reference_gone: the account was deleted by a
    concurrent DELETE /auth/account after this request read it) leaves as AccountGone, the
    transaction rolled back: whichever statement or the commit raised it, nothing is kept.
    Only the unit of work sees every statement, so this is the one place that translates it."""

    def __init__(
        self, session_maker: async_sessionmaker[AsyncSession], cipher: TokenCipher, *,
        outbox: Callable[[AsyncSession, TokenCipher], Outbox],
    ) -> None:
        self._session_maker = session_maker
        self._cipher = cipher
        self._outbox = outbox

    async def __aenter__(self) -> Self:
        self._session = self._session_maker()
        self.users = SqlUserRepository(self._session)
        self.sessions = SqlSessionRepository(self._session)
        self.linked_accounts = SqlLinkedAccountRepository(self._session, self._cipher)
        self.flows = SqlFlowRepository(self._session, self._cipher)
        self.pending_links = SqlPendingLinkRepository(self._session, self._cipher)
        self.phone_codes = SqlPhoneCodeRepository(self._session)
        self.email_links = SqlEmailLinkRepository(self._session)
        self.totp = SqlTotpRepository(self._session, self._cipher)
        self.recovery_codes = SqlRecoveryCodeRepository(self._session)
        self.mfa_challenges = SqlMfaChallengeRepository(self._session)
        self.passkeys = SqlPasskeyRepository(self._session)
        self.webauthn_challenges = SqlWebAuthnChallengeRepository(self._session)
        self.events = SqlSecurityEvents(self._session)
        self.outbox = self._outbox(self._session, self._cipher)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self._session.close()  # rolls back whatever was not committed
        if exc is not None and not isinstance(exc, AccountGone) and reference_gone(exc):
            raise AccountGone() from exc

    async def commit(self) -> None:
        await self._session.commit()
