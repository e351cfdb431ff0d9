"""Attaching a provider identity to a user: the one way it is stored and recorded."""

from datetime import datetime
from uuid import UUID

from application.ports.persistence import UnitOfWork, UnitOfWorkFactory
from application.ports.security import Clock, IdGenerator
from domain.clients import ClientInfo
from domain.errors import AccountAlreadyLinked
from domain.flows import PendingLink
from domain.identities import LinkedAccount, ProviderIdentity
from domain.users import User


def linked_account(
    account_id: UUID, user_id: UUID, identity: ProviderIdentity, now: datetime
) -> LinkedAccount:
    return LinkedAccount(
        id=account_id,
        user_id=user_id,
        provider=identity.provider,
        subject=identity.subject,
        linked_at=now,
        email=identity.email,
        tokens=identity.tokens,
    )


async def link_provider(
    uow: UnitOfWork, account_id: UUID, user_id: UUID, identity: ProviderIdentity, client: ClientInfo,
    now: datetime,
) -> None:
    """Attach it and record `provider_linked` with the ip and user agent of the client that
    linked it. Raises AccountAlreadyLinked (see LinkedAccountRepository.add)."""
    await uow.linked_accounts.add(linked_account(account_id, user_id, identity, now))
    await uow.events.record(user_id, "provider_linked", {"provider": identity.provider}, now, client)


def pending_link_attaches(pending: PendingLink | None, user: User) -> bool:
    """A pending link is for this very account, whose address is proven (nothing is added
    to an unproven one)."""
    return pending is not None and pending.user_id == user.id and not user.address_unproven


async def attach_pending_link(
    new_uow: UnitOfWorkFactory, ids: IdGenerator, clock: Clock, user: User, pending: PendingLink,
    client: ClientInfo,
) -> str | None:
    """Attach a pending link once its sign-in is done, in its own transaction: a link lost
    to a concurrent one must not undo the sign-in. The provider's name, or None if lost."""
    try:
        async with new_uow() as uow:
            await link_provider(uow, ids.new_id(), user.id, pending.identity, client, clock.now())
            await uow.commit()
    except AccountAlreadyLinked:
        return None
    user.providers = tuple(sorted({*user.providers, pending.identity.provider}))
    return pending.identity.provider
