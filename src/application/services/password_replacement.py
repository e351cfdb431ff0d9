"""What every new password brings, by change or by reset."""

from datetime import datetime
from uuid import UUID

from application.ports.persistence import UnitOfWork
from application.services.email_links import EmailLinks
from domain.clients import ClientInfo
from domain.activity import EventKind
from domain.users import User


async def replace_password(
    uow: UnitOfWork, email_links: EmailLinks, user: User, password_hash: str, kind: EventKind,
    client: ClientInfo, now: datetime, keep: UUID | None = None, detail: dict | None = None,
) -> None:
    """Set the hash and revoke every session but `keep` (whoever had the old password may
    hold one), record `kind` with the client's ip and user agent and send the "password changed" notice with its "not you?"
    link, all in the caller's unit of work."""
    await uow.users.set_password_hash(user.id, password_hash)
    await uow.sessions.revoke_all_for_user(user.id, now, kind, keep=keep)
    await uow.events.record(user.id, kind, detail or {}, now, client)
    await email_links.send_password_changed(uow, user, client, now)
