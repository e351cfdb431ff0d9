from dataclasses import dataclass

from application.ports.persistence import UnitOfWorkFactory
from application.use_cases.get_current_user import GetCurrentUser
from domain.identities import LinkedAccount


@dataclass(frozen=True, slots=True)
class LinkedAccounts:
    accounts: list[LinkedAccount]
    has_password: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class ListLinkedAccounts:
    """The providers linked to the signed-in user (GET /auth/accounts), and whether it has a
    password (401 without a session)."""

    current_user: GetCurrentUser
    new_uow: UnitOfWorkFactory

    async def execute(self, sid: str | None) -> LinkedAccounts:
        user = await self.current_user.require(sid)
        async with self.new_uow() as uow:
            accounts = await uow.linked_accounts.for_user(user.id)
        return LinkedAccounts(accounts, user.has_password)
