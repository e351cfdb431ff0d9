from dataclasses import dataclass, replace

from application.policy import ProfilePolicy
from application.ports.persistence import UnitOfWork, UnitOfWorkFactory
from application.ports.phones import PhoneNumbers
from application.ports.security import Clock
from application.use_cases.get_current_user import GetCurrentUser
from domain.errors import AccountGone, UsernameTaken
from domain.profile import ProfileChanges, ProfileEdit, Sent, Unchanged, normalized_edit, typed_phone
from domain.users import User


@dataclass(frozen=True, slots=True, kw_only=True)
class UpdateProfile:
    """Complete or edit the signed-in user's profile (PATCH /auth/profile).

    - a field absent, "" or blank is left as it is; null clears username, phone number,
      photo and locale; a first or last name can be replaced, never removed;
    - every field goes through its domain rule (visible text, username, https photo,
      fr/en locale); the phone number is parsed for DEFAULT_PHONE_REGION and kept in E.164;
    - a username another account has (case-insensitively) is refused (409 username_taken);
    - a number is saved unverified whoever else typed or verified it: no answer here tells
      whose numbers are taken (that would be an unthrottled lookup of the accounts behind
      phone numbers). Only the right WhatsApp code proves it, and only then does
      POST /auth/phone/verify tell that another account holds it (VerifyPhone);
    - sending one's own number again, in any spelling, changes nothing (it stays verified);
    - only the fields that change are written, in one transaction; a refused request
      changes nothing;
    - they are written under a lock on the user's row, read again: an account deleted since
      the session was read answers as a dead session (AccountGone), rather than a success
      that changed nothing.
    """

    current_user: GetCurrentUser
    new_uow: UnitOfWorkFactory
    phones: PhoneNumbers
    clock: Clock
    policy: ProfilePolicy = ProfilePolicy()

    async def execute(self, sid: str | None, edit: ProfileEdit) -> User:
        user = await self.current_user.require(sid)
        changes = normalized_edit(edit, local_http_photos=self.policy.local_http_photos)
        changes = replace(changes, phone_number=self._phone(edit.phone_number)).against(user)
        if not changes.changed():
            return user
        now = self.clock.now()
        async with self.new_uow() as uow:
            if await uow.users.by_id_for_update(user.id) is None:  # deleted since the session was read
                raise AccountGone()
            await self._refuse_taken(uow, user, changes)
            await uow.users.update_profile(user.id, changes, now)
            await uow.commit()
        return changes.applied_to(user, now)

    def _phone(self, sent: Sent) -> str | None | Unchanged:
        typed = typed_phone(sent)
        if not isinstance(typed, str):
            return typed
        return self.phones.parse(typed, self.policy.phone_region)

    @staticmethod
    async def _refuse_taken(uow: UnitOfWork, user: User, changes: ProfileChanges) -> None:
        if isinstance(changes.username, str):
            holder = await uow.users.by_login(changes.username)
            if holder is not None and holder.id != user.id:
                raise UsernameTaken()

