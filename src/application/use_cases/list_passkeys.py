from dataclasses import dataclass

from application.ports.persistence import UnitOfWorkFactory
from application.use_cases.get_current_user import GetCurrentUser
from domain.passkeys import Passkey


@dataclass(frozen=True, slots=True, kw_only=True)
class ListPasskeys:
    """The account's passkeys, oldest first (GET /auth/passkeys); a session is needed (401)."""

    current_user: GetCurrentUser
    new_uow: UnitOfWorkFactory

    async def execute(self, sid: str | None) -> list[Passkey]:
        user = await self.current_user.require(sid)
        async with self.new_uow() as uow:
            return await uow.passkeys.for_user(user.id)
