"""What the passkey use cases share: the session a ceremony is bound to, and a challenge's
single use that survives a refusal."""

from uuid import UUID

from application.ports.persistence import UnitOfWork
from application.ports.security import TokenMinter
from domain.errors import NotAuthenticated
from domain.users import User


async def session_binding(uow: UnitOfWork, tokens: TokenMinter, sid: str) -> bytes:
    """A registration's challenge is bound to the session that asked for it (its id: the sid
    cookie is renewed every few minutes, the session is not)."""
    session_id: UUID | None = await uow.sessions.session_id_by_sid(tokens.digests(sid))
    if session_id is None:
        raise NotAuthenticated()
    return session_id.bytes


def account_label(user: User) -> tuple[str, str]:
    """What an authenticator shows for the account: a name (email, else username, else phone
    number) and a display name (the same: the profile's names are optional)."""
    name = user.email or user.username or user.phone_number or str(user.id)
    return name, name
