"""What a profile's input means when it does not say: the region of a phone number typed without "+"."""

import msgspec

from infrastructure.phone_numbers import supported_regions
from infrastructure.settings.environment import bad, variable


class ProfileSettings(msgspec.Struct, frozen=True, kw_only=True):
    default_phone_region: str = variable("DEFAULT_PHONE_REGION", "FR")


def check_profiles(profiles: ProfileSettings) -> None:
    if profiles.default_phone_region not in supported_regions():
        raise bad("DEFAULT_PHONE_REGION", "a region code such as FR or US", profiles.default_phone_region)
