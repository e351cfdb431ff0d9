"""Who owns an account: the rules that make recovery give the whole account back.

- Nothing is added to an unproven address: while the email is unverified, the account gains
  no sign-in method (a linked provider) and no recovery channel (a verified phone).
- Proof of the address wins: the person who proves an unverified address (a provider that
  vouches for it, a reset link) is the owner, and everything else the account holds is
  dropped, its passkeys and second factor too (see `Handover`).
- "Not you?" undoes: every sign-in method and recovery channel added since the event the
  link was mailed for goes (passkeys included), a second factor turned on since is turned off, and the email
  goes back to the address the notice went to (see `undo_since`).
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from domain.errors import AddressNotProven
from domain.identities import LinkedAccount
from domain.email_links import mask_email
from domain.passkeys import Passkey
from domain.second_factor import TotpState
from domain.users import User


def require_proven_address(user: User) -> None:
    """Refuse to add a sign-in method or recovery channel to an unproven address."""
    if user.address_unproven:
        raise AddressNotProven()


@dataclass(frozen=True, slots=True)
class Undo:
    """What a "not you?" click takes back (and, once done, what it says it took back)."""

    providers: tuple[str, ...] = ()  # linked since the event
    phone: bool = False  # the number was set or verified since the event
    restore_email: str | None = None  # the address the notice went to, if the account left it
    email_change_cancelled: bool = False  # a change link was pending (known once it is voided)
    second_factor: bool = False  # TOTP was turned on since the event
    passkeys: tuple[UUID, ...] = ()  # added since the event

    def detail(self) -> dict:
        """For the `account_secured` event and the answer: never a secret, addresses masked
        (the second factor and passkeys are named only when some were removed)."""
        return {
            "providersUnlinked": list(self.providers),
            "phoneRemoved": self.phone,
            "emailChangeCancelled": self.email_change_cancelled,
            "emailRestored": mask_email(self.restore_email) if self.restore_email else None,
            **({"secondFactorRemoved": True} if self.second_factor else {}),
            **({"passkeysRemoved": len(self.passkeys)} if self.passkeys else {}),
        }


def undo_since(
    user: User, accounts: Iterable[LinkedAccount], since: datetime, notice_address: str | None,
    totp: TotpState | None = None, passkeys: Iterable[Passkey] = (),
) -> Undo:
    """What was added since `since` (the event the "not you?" link was mailed for).

    - a provider linked at or after `since`;
    - a passkey added at or after `since` (older ones are the owner's);
    - TOTP, when it was turned on at or after `since` (on from before, it is the owner's);
    - the phone number, when it was set or verified at or after `since` (a number from
      before, verified before, is the owner's);
    - the email, when the account no longer has the address the notice went to (a change
      confirmed since, by whoever held the session).
    """
    providers = tuple(sorted(a.provider for a in accounts if a.linked_at >= since))
    phone = user.phone_number is not None and any(
        when is not None and when >= since for when in (user.phone_changed_at, user.phone_verified_at)
    )
    restore = notice_address if notice_address is not None and notice_address != user.email else None
    second_factor = totp is not None and totp.confirmed_at is not None and totp.confirmed_at >= since
    added = tuple(passkey.id for passkey in passkeys if passkey.created_at >= since)
    return Undo(providers, phone, restore, second_factor=second_factor, passkeys=added)


@dataclass(frozen=True, slots=True)
class Handover:
    """What the owner of a just-proven address takes back from whoever held the account:
    every session ends, and the password (unless the proof just set it), every linked
    provider (but the one that vouched, linked right after), the phone number, every passkey,
    the second factor (pending or on) and any pending email change go."""

    remove_password: bool
    providers: tuple[str, ...]
    phone: bool
    second_factor: bool = False
    passkeys: int = 0  # how many the account has: all go

    def detail(self) -> dict:
        """What was dropped, for the `email_verified` event (only what there was)."""
        dropped = {"passwordRemoved": self.remove_password, "providersUnlinked": list(self.providers),
                   "phoneRemoved": self.phone, "secondFactorRemoved": self.second_factor,
                   "passkeysRemoved": self.passkeys}
        return {name: value for name, value in dropped.items() if value}


def handover(
    user: User, *, password_set_by_proof: bool, totp: TotpState | None = None, passkeys: int = 0
) -> Handover | None:
    """None when the address was already proven: nothing to hand over."""
    if not user.address_unproven:
        return None
    return Handover(
        remove_password=user.has_password and not password_set_by_proof,
        providers=user.providers,
        phone=user.phone_number is not None,
        second_factor=totp is not None,
        passkeys=passkeys,
    )
