from dataclasses import dataclass

from application.policy import SecondFactorPolicy
from application.ports.persistence import UnitOfWorkFactory
from application.ports.security import Clock, SecondFactorSecrets
from application.services.freshness import Freshness
from application.use_cases.get_current_user import GetCurrentUser
from domain.errors import AddressNotProven, MfaAlreadyEnabled
from domain.totp import encode_secret, otpauth_uri
from domain.users import User


@dataclass(frozen=True, slots=True)
class TotpSetup:
    secret: str  # base32, for typing into an app
    otpauth_uri: str  # for a QR code


@dataclass(frozen=True, slots=True, kw_only=True)
class SetUpTotp:
    """Start turning TOTP on (POST /auth/mfa/totp/setup).

    - a session is needed (401), and a fresh one (403 reauth_required, Freshness);
    - TOTP already on: 409 mfa_already_enabled;
    - an account whose email nobody has proven gets no second factor (AddressNotProven):
      whoever typed the address may not own it, and a second factor survives the password
      reset by which the mailbox's owner would take the account back;
    - a new secret of 160 random bits is stored pending (encrypted at rest), replacing a
      pending one: nothing is on until a code confirms it (ConfirmTotp);
    - answers the secret in base32 and the otpauth URI, labelled with SecondFactorPolicy.issuer
      and the account's email, else its username, else its phone number.
    """

    current_user: GetCurrentUser
    new_uow: UnitOfWorkFactory
    clock: Clock
    secrets: SecondFactorSecrets
    freshness: Freshness
    policy: SecondFactorPolicy

    async def execute(self, sid: str | None) -> TotpSetup:
        user = await self.current_user.require(sid)
        now = self.clock.now()
        async with self.new_uow() as uow:
            await self.freshness.require(uow, user, sid or "", now)
            if user.address_unproven:
                raise AddressNotProven()
            secret = self.secrets.new_totp_secret()
            if not await uow.totp.set_pending(user.id, secret, now):
                raise MfaAlreadyEnabled()
            await uow.commit()
        return TotpSetup(encode_secret(secret), otpauth_uri(secret, self.policy.issuer, _account_name(user)))


def _account_name(user: User) -> str:
    return user.email or user.username or user.phone_number or str(user.id)
