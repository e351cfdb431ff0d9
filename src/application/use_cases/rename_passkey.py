from dataclasses import dataclass
from uuid import UUID

from application.ports.persistence import UnitOfWorkFactory
from application.use_cases.get_current_user import GetCurrentUser
from domain.errors import InvalidInput, NotFound
from domain.passkeys import Passkey, normalize_passkey_name


@dataclass(frozen=True, slots=True, kw_only=True)
class RenamePasskey:
    """Rename one of the account's passkeys (PATCH /auth/passkeys/{id}).

    - a session is needed (401); the name is 1 to 64 characters once trimmed (400);
    - a passkey the account does not have, another account's included: 404 not_found.
    """

    current_user: GetCurrentUser
    new_uow: UnitOfWorkFactory

    async def execute(self, sid: str | None, passkey_id: UUID, name: str) -> Passkey:
        user = await self.current_user.require(sid)
        given = normalize_passkey_name(name)
        if given is None:
            raise InvalidInput("name", "is 1 to 64 characters")
        async with self.new_uow() as uow:
            renamed = await uow.passkeys.rename(user.id, passkey_id, given)
            if renamed is None:
                raise NotFound()
            await uow.commit()
        return renamed
