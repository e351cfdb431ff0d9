from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from application.ports.persistence import UnitOfWorkFactory
from application.ports.security import Clock, TokenMinter
from application.services.freshness import Freshness
from application.use_cases.get_current_user import GetCurrentUser
from domain import email_links
from domain.activity import SecurityEvent
from domain.email_links import EmailLink
from domain.errors import NotAuthenticated
from domain.identities import LinkedAccount
from domain.passkeys import Passkey
from domain.sessions import Session
from domain.users import User


@dataclass(frozen=True, slots=True, kw_only=True)
class AccountData:
    """Everything the service holds about one account, as read at `exported_at`. The
    secrets among it (password hash, provider tokens, TOTP secret, passkeys' keys, digests)
    are here only because the entities carry them: the web layer shows none of them."""

    user: User
    accounts: list[LinkedAccount]
    sessions: list[Session]  # ended ones included, newest first
    current_session: UUID | None  # the session whose sid asked
    events: list[SecurityEvent]  # all of them, newest first
    passkeys: list[Passkey]
    totp: bool  # on (a pending setup is not)
    recovery_codes_left: int
    pending_email_change: EmailLink | None  # its `email` is the address asked for
    exported_at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class ExportAccountData:
    """The account's data, for its owner to download (GET /auth/account/export).

    - a session is needed (401), and a fresh one (403 reauth_required, Freshness): the file
      says who the owner is, where and when it signs in;
    - each repository is asked for what it holds of the account, all in one transaction
      (one consistent picture): the user and profile, linked accounts, every session still
      stored (ended ones too), every security event, passkeys, whether TOTP is on and how
      many recovery codes are left, and a pending email change;
    - rows that hold only digests of the account's tokens and codes (sids, refresh tokens,
      email links but a pending change, phone codes, challenges) say nothing more of the
      person: they are not part of it;
    - nothing is written: exporting is not a security event of the account.
    """

    current_user: GetCurrentUser
    new_uow: UnitOfWorkFactory
    tokens: TokenMinter
    clock: Clock
    freshness: Freshness

    async def execute(self, sid: str | None) -> AccountData:
        signed_in = await self.current_user.require(sid)
        now = self.clock.now()
        async with self.new_uow() as uow:
            user = await uow.users.by_id(signed_in.id)
            if user is None:  # deleted since the session was read
                raise NotAuthenticated()
            await self.freshness.require(uow, user, sid or "", now)
            totp = await uow.totp.get(user.id)
            current = await uow.sessions.session_id_by_sid(self.tokens.digests(sid or ""))
            return AccountData(
                user=user,
                accounts=await uow.linked_accounts.for_user(user.id),
                sessions=await uow.sessions.for_user(user.id),
                current_session=current,
                events=await uow.events.for_user(user.id, None),
                passkeys=await uow.passkeys.for_user(user.id),
                totp=totp is not None and totp.enabled,
                recovery_codes_left=await uow.recovery_codes.left(user.id),
                pending_email_change=await uow.email_links.pending(user.id, email_links.CHANGE_EMAIL, now),
                exported_at=now,
            )
