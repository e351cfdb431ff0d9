"""Phone numbers as people type them, read with libphonenumber (the `phonenumbers` package).

The package (about 2 MiB per worker) is imported when a number is first read, not at start:
many deployments never read one. The start-up check of DEFAULT_PHONE_REGION lists the regions
from the package's metadata files instead (a unit test holds that list equal to
`phonenumbers.SUPPORTED_REGIONS`)."""

import re
from functools import cache
from importlib.util import find_spec
from pathlib import Path

from application.ports.phones import PhoneNumbers
from domain.errors import InvalidInput

_REGION_FILE = re.compile(r"region_([A-Z]{2})\.py")


@cache
def supported_regions() -> frozenset[str]:
    spec = find_spec("phonenumbers")  # finds the package without importing it
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("phonenumbers, a dependency of Sésame, is not installed")
    data = Path(next(iter(spec.submodule_search_locations))) / "data"
    return frozenset(m.group(1) for f in data.iterdir() if (m := _REGION_FILE.fullmatch(f.name)))


class LibPhoneNumbers(PhoneNumbers):
    def parse(self, raw: str, region: str) -> str:
        import phonenumbers

        try:
            number = phonenumbers.parse(raw, region)
        except phonenumbers.NumberParseException:
            raise InvalidInput("phoneNumber", "is not a valid phone number") from None
        # is_valid_number checks the number plan of its country, not only its length.
        if not phonenumbers.is_valid_number(number):
            raise InvalidInput("phoneNumber", "is not a valid phone number")
        if number.extension:  # a code cannot reach an extension; dropping it would mislead
            raise InvalidInput("phoneNumber", "must not have an extension")
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
