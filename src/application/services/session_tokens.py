"""Opening a session and granting its cookies: shared by every way of signing in."""

from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

from application.policy import SessionPolicy
from application.ports.persistence import UnitOfWork
from application.ports.security import IdGenerator, TokenMinter
from domain.clients import ClientInfo
from domain.sessions import Session
from domain.users import User


@dataclass(frozen=True, slots=True)
class IssuedTokens:
    issued_at: datetime
    sid: str
    sid_expires_at: datetime
    refresh_token: str
    refresh_expires_at: datetime

    @property
    def sid_max_age(self) -> int:
        return _seconds_between(self.issued_at, self.sid_expires_at)

    @property
    def refresh_max_age(self) -> int:
        return _seconds_between(self.issued_at, self.refresh_expires_at)


@dataclass(frozen=True, slots=True)
class SignedIn:
    user: User
    tokens: IssuedTokens
    linked_provider: str | None = None  # a pending link this login completed
    # A new device cookie to set; None: the browser keeps its own. Kept out of any repr (and log).
    device_cookie: str | None = field(default=None, repr=False)


def _seconds_between(start: datetime, end: datetime) -> int:
    return max(0, int((end - start).total_seconds()))


@dataclass(frozen=True, slots=True, kw_only=True)
class SessionIssuer:
    tokens: TokenMinter
    ids: IdGenerator
    policy: SessionPolicy

    async def open(
        self, uow: UnitOfWork, user_id: UUID, now: datetime, client: ClientInfo, method: str,
        mfa: bool = False,
    ) -> IssuedTokens:
        """Start a new session family: always fresh values, so no fixation. Recorded as
        `signed_in` with how (`method`: password, register or the provider), whether a second
        step was passed (`"mfa": true`), and from where. The session is fresh from `now`."""
        session = Session(
            id=self.ids.new_id(),
            user_id=user_id,
            created_at=now,
            expires_at=now + self.policy.refresh_ttl,
            last_seen_at=now,
            ip=client.ip,
            user_agent=client.user_agent,
            signed_in_at=now,
        )
        await uow.sessions.add(session)
        detail: dict[str, object] = {"method": method, **({"mfa": True} if mfa else {})}
        await uow.events.record(user_id, "signed_in", detail, now, client)
        refresh_token = self.tokens.new_token()
        await uow.sessions.add_refresh_token(session.id, self.tokens.digest(refresh_token), 0, now)
        return await self.grant_sid(uow, session, now, refresh_token)

    async def grant_sid(
        self, uow: UnitOfWork, session: Session, now: datetime, refresh_token: str
    ) -> IssuedTokens:
        sid = self.tokens.new_token()
        sid_expires_at = session.sid_expiry(now, self.policy.session_ttl)
        await uow.sessions.add_sid(session.id, self.tokens.digest(sid), sid_expires_at)
        return IssuedTokens(now, sid, sid_expires_at, refresh_token, session.expires_at)
