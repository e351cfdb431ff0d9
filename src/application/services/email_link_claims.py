"""Claiming an email link's token for the account it was minted for."""

from collections.abc import Collection
from datetime import datetime

from application.ports.persistence import UnitOfWork
from application.ports.security import TokenMinter
from domain.errors import InvalidToken
from domain.email_links import EmailLink
from domain.users import User


async def claim_email_link(
    uow: UnitOfWork, tokens: TokenMinter, token: str, purposes: Collection[str], now: datetime
) -> tuple[EmailLink, User]:
    """Use up an unused, unexpired token of one of `purposes` (atomically: of two claims of
    one token, one wins) and answer it with its account; else 400 invalid_token."""
    if not token:
        raise InvalidToken()
    email_link = await uow.email_links.consume(tokens.digests(token), purposes, now)
    user = await uow.users.by_id(email_link.user_id) if email_link else None
    if user is None:
        raise InvalidToken()
    return email_link, user
