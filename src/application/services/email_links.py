"""The messages that carry email links: minted, stored as digests and enqueued inside
the caller's unit of work, so a link exists (and is sent) only if the change commits.

What each template receives (values are shown as they are; secrets are the link tokens),
as the renderer's NEEDS table expects:
- VERIFY_EMAIL to the address: secrets {"token"} (purpose verify_email);
- EMAIL_CHANGE to the new address: secrets {"token"} (purpose email_change);
- EMAIL_CHANGE_NOTICE to the old address: values {"new_email": masked, "stage": "requested"
  or "confirmed"}, secrets {"token"} (purpose secure_account: the "not you?" link);
- PASSWORD_RESET to the address: secrets {"token"} (purpose password_reset);
- PASSWORD_CHANGED by email, else by WhatsApp to a verified number (when this deployment
  has WhatsApp): values {"when"}, secrets {"token"} (purpose secure_account);
- NEW_DEVICE to the address: values {"when", "ip", "browser"}, secrets {"token"} (purpose
  secure_account);
- IDENTIFIER_LOCKED to the address: secrets {"token"} (purpose unlock);
- SECOND_FACTOR_CHANGED, as PASSWORD_CHANGED: values {"when", "change": a
  SecondFactorChange}, secrets {"token"} (purpose secure_account);
- RECOVERY_CODE_USED, as PASSWORD_CHANGED: values {"when", "remaining"}, secrets {"token"};
- SECOND_STEP_FAILED, as PASSWORD_CHANGED: values {"when", "ip", "browser", "method": the
  first factor that was right, "password" or the provider's name}, secrets {"token"}.
The renderer adds to each: `link` (built from the token), `app_name` and `logo_url` (whose
messages these are), and `subject` to the HTML part.
"""

from dataclasses import dataclass
from datetime import datetime

from application.policy import EmailLinkPolicy
from application.ports.messages import (
    EMAIL_CHANGE,
    EMAIL_CHANGE_NOTICE,
    IDENTIFIER_LOCKED,
    NEW_DEVICE,
    PASSWORD_CHANGED,
    PASSWORD_RESET,
    RECOVERY_CODE_USED,
    SECOND_FACTOR_CHANGED,
    SECOND_FACTOR_CHANGES,
    SECOND_STEP_FAILED,
    VERIFY_EMAIL,
    Channel,
    SecondFactorChange,
    Message,
)
from application.ports.persistence import UnitOfWork
from application.ports.security import TokenMinter
from domain import email_links
from domain.clients import ClientInfo
from domain.email_links import EmailLink, mask_email
from domain.locales import choose_locale
from domain.users import User

REQUESTED = "requested"
CONFIRMED = "confirmed"


@dataclass(frozen=True, slots=True, kw_only=True)
class EmailLinks:
    tokens: TokenMinter
    policy: EmailLinkPolicy = EmailLinkPolicy()
    default_locale: str = "fr"  # DEFAULT_LOCALE
    whatsapp: bool = True  # False: no WhatsApp channel (PhoneCodePolicy.whatsapp)

    async def send_verification(self, uow: UnitOfWork, user: User, client: ClientInfo, now: datetime) -> None:
        """A link proving the user's current address."""
        assert user.email is not None
        token = await self._mint(uow, user, email_links.VERIFY_EMAIL, user.email, self.policy.link_ttl, now)
        await self._send(uow, VERIFY_EMAIL, user.email, user, client, {}, token, now)

    async def send_change(
        self, uow: UnitOfWork, user: User, new_email: str, client: ClientInfo, now: datetime
    ) -> None:
        """A link to the new address that switches the account to it when opened."""
        token = await self._mint(uow, user, email_links.CHANGE_EMAIL, new_email, self.policy.link_ttl, now)
        await self._send(uow, EMAIL_CHANGE, new_email, user, client, {}, token, now)

    async def send_change_notice(
        self, uow: UnitOfWork, user: User, new_email: str, stage: str, client: ClientInfo, now: datetime
    ) -> None:
        """Tell the old address (if any) of a change asked or done, with a "not you?" link."""
        if user.email is None:
            return
        token = await self._mint_not_you(uow, user, user.email, now)
        values = {"new_email": mask_email(new_email), "stage": stage}
        await self._send(uow, EMAIL_CHANGE_NOTICE, user.email, user, client, values, token, now)

    async def send_password_reset(
        self, uow: UnitOfWork, user: User, client: ClientInfo, now: datetime
    ) -> None:
        """A link to choose a new password; it also proves the address it was sent to."""
        assert user.email is not None
        ttl = self.policy.reset_link_ttl
        token = await self._mint(uow, user, email_links.PASSWORD_RESET, user.email, ttl, now)
        await self._send(uow, PASSWORD_RESET, user.email, user, client, {}, token, now)

    async def send_password_changed(
        self, uow: UnitOfWork, user: User, client: ClientInfo, now: datetime
    ) -> None:
        """Tell the owner the password changed, with a "not you?" link (`_send_notice`)."""
        await self._send_notice(uow, PASSWORD_CHANGED, user, {"when": _when(now)}, client, now)

    async def send_second_factor_changed(
        self, uow: UnitOfWork, user: User, change: SecondFactorChange, client: ClientInfo, now: datetime
    ) -> None:
        """Tell the owner TOTP went on or off, or the recovery codes were renewed."""
        assert change in SECOND_FACTOR_CHANGES
        values = {"when": _when(now), "change": change}
        await self._send_notice(uow, SECOND_FACTOR_CHANGED, user, values, client, now)

    async def send_recovery_code_used(
        self, uow: UnitOfWork, user: User, remaining: int, client: ClientInfo, now: datetime
    ) -> None:
        """Tell the owner a recovery code signed in, and how many are left."""
        values = {"when": _when(now), "remaining": str(remaining)}
        await self._send_notice(uow, RECOVERY_CODE_USED, user, values, client, now)

    async def send_second_step_failed(
        self, uow: UnitOfWork, user: User, method: str, browser: str, client: ClientInfo, now: datetime
    ) -> None:
        """Tell the owner the first factor (`method`) was right but the second step failed
        until burned."""
        values = {"when": _when(now), "ip": client.ip or "?", "browser": browser, "method": method}
        await self._send_notice(uow, SECOND_STEP_FAILED, user, values, client, now)

    async def _send_notice(
        self, uow: UnitOfWork, template: str, user: User, values: dict[str, str], client: ClientInfo,
        now: datetime,
    ) -> None:
        """A notice with a "not you?" link: by email, else by WhatsApp to a verified number
        (an unverified one may be somebody else's), else not at all (without a WhatsApp
        channel too: the change itself must not fail for want of a notice)."""
        channel: Channel = "email"
        recipient = user.email
        if recipient is None and user.phone_verified and self.whatsapp:
            channel, recipient = "whatsapp", user.phone_number
        if recipient is None:
            return
        token = await self._mint_not_you(uow, user, user.email, now)
        await self._send(uow, template, recipient, user, client, values, token, now, channel)

    async def send_unlock(self, uow: UnitOfWork, user: User, client: ClientInfo, now: datetime) -> None:
        """A link that lifts the login lock failed attempts just set on the account."""
        assert user.email is not None
        token = await self._mint(uow, user, email_links.UNLOCK, None, self.policy.unlock_ttl, now)
        await self._send(uow, IDENTIFIER_LOCKED, user.email, user, client, {}, token, now)

    async def send_new_device(
        self, uow: UnitOfWork, user: User, browser: str, client: ClientInfo, now: datetime
    ) -> None:
        """Tell the owner of a sign-in from a new device, with a "not you?" link."""
        assert user.email is not None
        token = await self._mint_not_you(uow, user, user.email, now)
        values = {"when": _when(now), "ip": client.ip or "?", "browser": browser}
        await self._send(uow, NEW_DEVICE, user.email, user, client, values, token, now)

    async def _mint_not_you(self, uow: UnitOfWork, user: User, address: str | None, now: datetime) -> str:
        """A "not you?" token remembers the address its notice went to (None for WhatsApp): a
        click puts the account back on it, and undoes what was added since `now`."""
        ttl = self.policy.secure_account_ttl
        return await self._mint(uow, user, email_links.SECURE_ACCOUNT, address, ttl, now)

    async def _mint(
        self, uow: UnitOfWork, user: User, purpose: str, email: str | None, ttl, now: datetime
    ) -> str:
        token = self.tokens.new_token()
        email_link = EmailLink(user.id, purpose, email, now + ttl, issued_at=now)
        await uow.email_links.add(self.tokens.digest(token), email_link, now)
        return token

    async def _send(
        self, uow: UnitOfWork, template: str, recipient: str, user: User, client: ClientInfo,
        values: dict[str, str], token: str, now: datetime, channel: Channel = "email",
    ) -> None:
        locale = choose_locale(user.profile.locale, client.accept_language, self.default_locale)
        message = Message(template, channel, recipient, locale, values, {"token": token})
        await uow.outbox.enqueue(message, now)


def _when(now: datetime) -> str:
    return now.strftime("%Y-%m-%d %H:%M UTC")
