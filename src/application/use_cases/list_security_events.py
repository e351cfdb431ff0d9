from dataclasses import dataclass

from application.ports.persistence import UnitOfWorkFactory
from application.use_cases.get_current_user import GetCurrentUser
from domain.activity import DEFAULT_EVENTS, MAX_EVENTS, SecurityEvent
from domain.errors import InvalidInput


@dataclass(frozen=True, slots=True, kw_only=True)
class ListSecurityEvents:
    """The signed-in user's security activity, newest first: `limit` events (default 50,
    1 to 200; anything else is refused, not clamped, so a client learns its mistake)."""

    current_user: GetCurrentUser
    new_uow: UnitOfWorkFactory

    async def execute(self, sid: str | None, limit: int | None) -> list[SecurityEvent]:
        user = await self.current_user.require(sid)
        limit = DEFAULT_EVENTS if limit is None else limit
        if not 1 <= limit <= MAX_EVENTS:
            raise InvalidInput("limit", f"must be between 1 and {MAX_EVENTS}.")
        async with self.new_uow() as uow:
            return await uow.events.for_user(user.id, limit)
