"""Proving a phone number: the WhatsApp code RequestPhoneCode sent, typed back while signed in."""

from dataclasses import dataclass
from datetime import datetime

from application.policy import PhoneCodePolicy
from application.ports.persistence import UnitOfWork, UnitOfWorkFactory
from application.ports.security import Clock, TokenMinter
from application.use_cases.get_current_user import GetCurrentUser
from domain.clients import ClientInfo
from domain.codes import VERIFY_PHONE, CodeCheck
from domain.errors import InvalidCode, TooManyAttempts
from domain.ownership import require_proven_address
from domain.users import User


@dataclass(frozen=True, slots=True, kw_only=True)
class VerifyPhone:
    """Check the code typed back (POST /auth/phone/verify).

    - the account's email must be proven (403 email_not_verified), checked first;
    - the code must be the account's live one for its current number and this purpose,
      unexpired and unused (else 400 invalid_code); a right code is used up;
    - every try counts, atomically (two wrong tries at once count two); the try that
      spends the last of `max_attempts` burns the code, and so does every try after it
      (429 too_many_attempts: ask for a new code);
    - a number another account has verified (before this one typed it, or since) is refused
      with 409 phone_taken, and only after the right code: the code proved the number, and
      nothing earlier (PATCH /auth/profile, the code request, a wrong code) tells whose
      numbers are taken. The unique index uq_users_phone_verified is the arbiter, so two
      accounts verifying one number at once cannot both win; the refused try changes
      nothing (its code stays usable);
    - otherwise the number is verified and `phone_verified` recorded with the client's ip
      and user agent, in the same transaction.
    """

    current_user: GetCurrentUser
    new_uow: UnitOfWorkFactory
    tokens: TokenMinter
    clock: Clock
    policy: PhoneCodePolicy = PhoneCodePolicy()

    async def execute(self, sid: str | None, code: str, client: ClientInfo) -> User:
        user = await self.current_user.require(sid)
        require_proven_address(user)
        if user.phone_number is None:
            raise InvalidCode()
        now = self.clock.now()
        async with self.new_uow() as uow:
            check = await uow.phone_codes.check(
                user.id, VERIFY_PHONE, user.phone_number, self.tokens.digests(code.strip()),
                now, self.policy.max_attempts,
            )
            if check is CodeCheck.MATCHED:
                await self._verify(uow, user, client, now)
            await uow.commit()  # a wrong try stays counted
        if check is CodeCheck.BURNED:
            raise TooManyAttempts()
        if check is not CodeCheck.MATCHED:
            raise InvalidCode()
        user.phone_verified_at = now
        return user

    async def _verify(self, uow: UnitOfWork, user: User, client: ClientInfo, now: datetime) -> None:
        if not await uow.users.mark_phone_verified(user.id, user.phone_number, now):
            raise InvalidCode()  # the number changed since the code was sent
        await uow.events.record(user.id, "phone_verified", {"phoneNumber": user.phone_number}, now, client)
