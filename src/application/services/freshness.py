"""Fresh authentication: sensitive actions need a recent sign-in of the session asking."""

from dataclasses import dataclass
from datetime import datetime

from domain.clients import ClientInfo

from application.policy import FreshnessPolicy
from application.ports.persistence import UnitOfWork, UnitOfWorkFactory
from application.ports.security import TokenMinter
from domain.errors import ReauthRequired
from domain.second_factor import is_fresh, reauth_methods
from domain.users import User


@dataclass(frozen=True, slots=True, kw_only=True)
class Freshness:
    """- fresh: the sign-in the session descends from (a registration, a login with its
      second step, a provider sign-in, or a re-authentication since; a refresh keeps it) is
      at most `FreshnessPolicy.max_age` old;
    - not fresh (or the sid names no session any more): ReauthRequired, with the methods this
      account can prove itself with (domain.second_factor.reauth_methods)."""

    tokens: TokenMinter
    policy: FreshnessPolicy

    async def require(self, uow: UnitOfWork, user: User, sid: str, now: datetime) -> None:
        session_id = await uow.sessions.session_id_by_sid(self.tokens.digests(sid))
        session = await uow.sessions.by_id(session_id) if session_id is not None else None
        if session is not None and is_fresh(session.signed_in, now, self.policy.max_age):
            return
        raise ReauthRequired(reauth_methods(user, await uow.totp.get(user.id), await uow.passkeys.count(user.id)))

    async def require_without_password(
        self, new_uow: UnitOfWorkFactory, user: User, sid: str, now: datetime
    ) -> None:
        """For an action that an account with a password proves by giving it in the body: an
        account without one needs a fresh session instead."""
        if user.has_password:
            return
        async with new_uow() as uow:
            await self.require(uow, user, sid, now)


async def mark_fresh(
    uow: UnitOfWork, tokens: TokenMinter, user: User, sid: str, methods: list[str], client: ClientInfo,
    now: datetime,
) -> None:
    """A re-authentication that proved `methods`: the session's sign-in time moves to `now`
    (a refresh keeps it), and `reauthenticated` is recorded with them."""
    session_id = await uow.sessions.session_id_by_sid(tokens.digests(sid))
    if session_id is not None:
        await uow.sessions.mark_signed_in(session_id, now)
    await uow.events.record(user.id, "reauthenticated", {"methods": methods}, now, client)
