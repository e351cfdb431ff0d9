"""The signed-in user's sessions: list them, end one, end all the others."""

from dataclasses import dataclass
from uuid import UUID

from application.ports.persistence import UnitOfWork, UnitOfWorkFactory
from application.ports.security import Clock, TokenMinter
from application.use_cases.get_current_user import GetCurrentUser
from domain.clients import ClientInfo
from domain.errors import NotAuthenticated, NotFound
from domain.sessions import Session


@dataclass(frozen=True, slots=True)
class SessionView:
    session: Session
    current: bool  # the session whose sid asked


@dataclass(frozen=True, slots=True, kw_only=True)
class SessionManagement:
    """- only live sessions are listed, newest first, the caller's own marked current;
    - ending a session kills its sid and refresh token at once (the revoke is the
      session row, which /auth/me and refresh read on every request);
    - a session id that is not one of the caller's live sessions, another user's
      included, is not_found: nobody learns that another account's session exists;
    - "end the others" keeps the caller's own session and says how many it ended;
    - every ended session is recorded as `session_revoked`, with the caller's ip and
      user agent, in the same transaction.
    """

    current_user: GetCurrentUser
    new_uow: UnitOfWorkFactory
    tokens: TokenMinter
    clock: Clock

    async def list(self, sid: str | None) -> list[SessionView]:
        user_id = await self._user_id(sid)
        async with self.new_uow() as uow:
            current = await self._current_session(uow, sid)
            sessions = await uow.sessions.live_for_user(user_id, self.clock.now())
        return [SessionView(s, s.id == current) for s in sessions]

    async def end(self, sid: str | None, session_id: str, client: ClientInfo) -> None:
        """`session_id` as the client sent it: text that is no id names no session."""
        user_id = await self._user_id(sid)
        now = self.clock.now()
        async with self.new_uow() as uow:
            live = {str(s.id) for s in await uow.sessions.live_for_user(user_id, now)}
            if session_id.lower() not in live or await uow.sessions.revoke(UUID(session_id), now, "user") is None:
                raise NotFound()
            await uow.events.record(
                user_id, "session_revoked", {"sessionId": session_id.lower()}, now, client
            )
            await uow.commit()

    async def end_others(self, sid: str | None, client: ClientInfo) -> int:
        user_id = await self._user_id(sid)
        now = self.clock.now()
        async with self.new_uow() as uow:
            current = await self._current_session(uow, sid)
            revoked = await uow.sessions.revoke_all_for_user(user_id, now, "user", keep=current)
            if revoked:
                await uow.events.record(user_id, "session_revoked", {"others": revoked}, now, client)
            await uow.commit()
        return revoked

    async def _user_id(self, sid: str | None) -> UUID:
        return (await self.current_user.require(sid)).id

    async def _current_session(self, uow: UnitOfWork, sid: str | None) -> UUID:
        session_id = await uow.sessions.session_id_by_sid(self.tokens.digests(sid or ""))
        if session_id is None:  # the sid vanished between the two reads
            raise NotAuthenticated()
        return session_id
