from dataclasses import dataclass

from application.ports.persistence import UnitOfWorkFactory
from application.ports.security import Clock, TokenMinter
from domain.clients import ClientInfo


@dataclass(frozen=True, slots=True, kw_only=True)
class Logout:
    """Revoke the session behind the sid or the refresh token, whichever is known.
    Logging out without cookies, or twice, is not an error; ending a live session is
    recorded as `signed_out` with the ip and user agent, in the same transaction."""

    new_uow: UnitOfWorkFactory
    tokens: TokenMinter
    clock: Clock

    async def execute(
        self, sid: str | None, refresh_token: str | None, client: ClientInfo = ClientInfo()
    ) -> None:
        async with self.new_uow() as uow:
            session_id = None
            if sid:
                session_id = await uow.sessions.session_id_by_sid(self.tokens.digests(sid))
            if session_id is None and refresh_token:
                session_id = await uow.sessions.session_id_by_refresh_token(self.tokens.digests(refresh_token))
            if session_id is None:
                return
            now = self.clock.now()
            user_id = await uow.sessions.revoke(session_id, now, "logout")
            if user_id is not None:
                await uow.events.record(user_id, "signed_out", {}, now, client)
            await uow.commit()
