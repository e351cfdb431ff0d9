"""Phone numbers as people type them, read with libphonenumber (the `phonenumbers` package)."""

import phonenumbers

from application.ports.phones import PhoneNumbers
from domain.errors import InvalidInput

class LibPhoneNumbers(PhoneNumbers):
    def parse(self, raw: str, region: str) -> str:
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
