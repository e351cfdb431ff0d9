"""The new-device alert: a sign-in from a browser and network never seen on the account
reaches its owner with a "not you?" link (POST /auth/secure-account)."""

from dataclasses import dataclass
from datetime import datetime

from application.ports.persistence import UnitOfWork
from application.services.email_links import EmailLinks
from domain.clients import ClientInfo
from domain.devices import browser_of, is_new_device
from domain.users import User

RECENT_SESSIONS = 200  # enough history to know a returning device; bounded work per sign-in


@dataclass(frozen=True, slots=True)
class NewDeviceAlert:
    """Called in the sign-in's unit of work, before its session is opened.

    - new: no earlier session of the account had this browser family and OS on this network
      (domain.devices); the account's first sign-in is never new;
    - a new device records `signed_in_new_device` and, when the account has an email, sends
      NEW_DEVICE (when, ip, browser) with a "not you?" token, in the same transaction.
    """

    email_links: EmailLinks

    async def check(self, uow: UnitOfWork, user: User, client: ClientInfo, now: datetime) -> None:
        seen = await uow.sessions.clients_seen(user.id, RECENT_SESSIONS)
        if not is_new_device(seen, client.ip, client.user_agent):
            return
        browser = browser_of(client.user_agent)
        await uow.events.record(user.id, "signed_in_new_device", {"browser": browser}, now, client)
        if user.email is not None:
            await self.email_links.send_new_device(uow, user, browser, client, now)
