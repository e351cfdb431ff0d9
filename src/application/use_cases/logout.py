from application.ports.persistence import UnitOfWorkFactory
from application.ports.security import Clock, TokenMinter


class Logout:
    """Revoke the session behind the sid or the refresh token, whichever is known.
    Logging out without cookies, or twice, is not an error."""

    def __init__(self, new_uow: UnitOfWorkFactory, tokens: TokenMinter, clock: Clock) -> None:
        self._new_uow = new_uow
        self._tokens = tokens
        self._clock = clock

    async def execute(self, sid: str | None, refresh_token: str | None) -> None:
        async with self._new_uow() as uow:
            session_id = None
            if sid:
                session_id = await uow.sessions.session_id_by_sid(self._tokens.digest(sid))
            if session_id is None and refresh_token:
                digest = self._tokens.digest(refresh_token)
                session_id = await uow.sessions.session_id_by_refresh_token(digest)
            if session_id is None:
                return
            await uow.sessions.revoke(session_id, self._clock.now(), "logout")
            await uow.commit()
