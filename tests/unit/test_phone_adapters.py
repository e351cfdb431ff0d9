"""The adapters behind PhoneNumbers and CodeGenerator, and the DEFAULT_PHONE_REGION setting."""

import re

import pytest

from domain.errors import InvalidInput
from infrastructure.phone_numbers import LibPhoneNumbers, supported_regions
from infrastructure.security import codes
from infrastructure.settings import ConfigError, load_settings


@pytest.mark.parametrize(("typed", "region", "e164"), [
    ("06 12 34 56 78", "FR", "+33612345678"),
    ("+33 (0)6 12 34 56 78", "US", "+33612345678"),
    ("0033612345678", "FR", "+33612345678"),
    ("(650) 253-0000", "US", "+16502530000"),
    ("+44 7911 123456", "FR", "+447911123456"),
])
def test_numbers_are_read_for_the_region_and_kept_in_e164(typed, region, e164):
    assert LibPhoneNumbers().parse(typed, region) == e164


@pytest.mark.parametrize("typed", ["123", "+999 1234", "06 12", "+33 6 12 34 56 78 90 12", "--"])
def test_invalid_numbers_are_refused(typed):
    with pytest.raises(InvalidInput) as refused:
        LibPhoneNumbers().parse(typed, "FR")
    assert refused.value.field == "phoneNumber"


def test_a_number_with_an_extension_is_refused():
    with pytest.raises(InvalidInput):
        LibPhoneNumbers().parse("+1 650 253 0000 ext. 12", "US")


def test_codes_are_six_digits_with_leading_zeros(monkeypatch):
    assert re.fullmatch(r"\d{6}", codes.RandomCodes().new_code())
    bounds = []
    monkeypatch.setattr(codes.secrets, "randbelow", lambda n: bounds.append(n) or 42)
    assert codes.RandomCodes().new_code() == "000042"
    assert bounds == [1_000_000]  # uniform over every 6-digit code


def test_the_phone_region_defaults_to_fr_and_must_be_known():
    assert load_settings({}, env_file="/nonexistent").profiles.default_phone_region == "FR"
    assert load_settings({"DEFAULT_PHONE_REGION": "US"}, env_file="/nonexistent").profiles.default_phone_region == "US"
    with pytest.raises(ConfigError, match="DEFAULT_PHONE_REGION"):
        load_settings({"DEFAULT_PHONE_REGION": "France"}, env_file="/nonexistent")


def test_the_regions_checked_at_start_are_libphonenumbers_own():
    # read from the package's files so that starting does not import it (docs/performance.md)
    import phonenumbers

    assert supported_regions() == frozenset(phonenumbers.SUPPORTED_REGIONS)
