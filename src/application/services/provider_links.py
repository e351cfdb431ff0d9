"""Attaching a provider identity to a user: the one way it is stored and recorded."""

from datetime import datetime
from uuid import UUID

from application.ports.persistence import UnitOfWork
from domain.clients import ClientInfo
from domain.identities import LinkedAccount, ProviderIdentity


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
