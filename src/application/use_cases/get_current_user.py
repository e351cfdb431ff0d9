from dataclasses import dataclass

from application.ports.persistence import CurrentUserQuery
from application.ports.security import Clock, TokenMinter
from domain.errors import NotAuthenticated
from domain.users import User


@dataclass(frozen=True, slots=True, kw_only=True)
class GetCurrentUser:
    """Who holds this sid? None for a missing, unknown, expired or revoked one."""

    query: CurrentUserQuery
    tokens: TokenMinter
    clock: Clock

    async def execute(self, sid: str | None) -> User | None:
        if not sid:
            return None
        return await self.query.user_by_sid(self.tokens.digests(sid), self.clock.now())

    async def require(self, sid: str | None) -> User:
        """The signed-in user, for routes that need one (401 otherwise)."""
        user = await self.execute(sid)
        if user is None:
            raise NotAuthenticated()
        return user
