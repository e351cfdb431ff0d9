"""The signed-in user's own profile: PATCH /auth/profile."""

from litestar import Controller, patch
from litestar.di import NamedDependency
from litestar.params import JSONBody
from msgspec import UNSET

from application.use_cases.update_profile import UpdateProfile
from domain.profile import UNCHANGED, ProfileEdit
from web.dto import ProfileBody, UserEnvelopeOut, UserOut
from web.edge.cookies import SidCookie
from web.openapi import failures


def profile_edit(data: ProfileBody) -> ProfileEdit:
    """An absent field (msgspec's UNSET) is the domain's UNCHANGED; null and text pass as they are."""
    sent = {name: getattr(data, name) for name in ProfileBody.__struct_fields__}
    return ProfileEdit(**{name: UNCHANGED if value is UNSET else value for name, value in sent.items()})


class ProfileController(Controller):
    path = "/auth/profile"
    tags = ["profile"]

    @patch(
        "/",
        summary="Complete or edit the signed-in user's profile",
        description='A field absent or `""` is left as it is; `null` removes `username`, `phoneNumber`, '
        "`photo` or `locale` (a first or last name can be replaced, not removed). A new phone "
        "number is saved unverified, whoever else typed or verified it, until a WhatsApp code "
        "proves it (`/auth/phone/verify/request`); only then may `phone_taken` be answered.",
        responses=failures("invalid_request", "not_authenticated", "username_taken", "not_ready"),
    )
    async def update(
        self, data: JSONBody[ProfileBody], update_profile: NamedDependency[UpdateProfile], sid: SidCookie
    ) -> UserEnvelopeOut:
        return UserEnvelopeOut(UserOut.of(await update_profile.execute(sid, profile_edit(data))))
