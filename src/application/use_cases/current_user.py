from application.ports.persistence import CurrentUserQuery
from application.ports.security import Clock, TokenMinter
from domain.users import User


class GetCurrentUser:
    """Who holds this sid? None for a missing, unknown, expired or revoked one."""

    def __init__(self, query: CurrentUserQuery, tokens: TokenMinter, clock: Clock) -> None:
        self._query = query
        self._tokens = tokens
        self._clock = clock

    async def execute(self, sid: str | None) -> User | None:
        if not sid:
            return None
        return await self._query.user_by_sid(self._tokens.digest(sid), self._clock.now())
