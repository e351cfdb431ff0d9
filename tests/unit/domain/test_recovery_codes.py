import re
import secrets

import pytest

from domain.recovery_codes import CODE_BITS, format_recovery_code, normalize_recovery_code


def test_a_code_carries_50_bits_in_ten_characters_and_a_dash():
    assert CODE_BITS >= 50
    assert format_recovery_code(0) == "00000-00000"
    assert format_recovery_code((1 << 50) - 1) == "zzzzz-zzzzz"
    assert re.fullmatch(r"[0-9a-hjkmnp-tv-z]{5}-[0-9a-hjkmnp-tv-z]{5}", format_recovery_code(secrets.randbits(50)))


def test_distinct_numbers_make_distinct_codes():
    assert len({format_recovery_code(n) for n in range(0, 1 << 50, (1 << 50) // 997)}) == 998


def test_more_than_50_bits_is_refused():
    with pytest.raises(ValueError):
        format_recovery_code(1 << 50)


@pytest.mark.parametrize("typed", ["k3v9q-7hx2m", "K3V9Q-7HX2M", "k3v9q7hx2m", " k3v9q 7hx2m "])
def test_any_case_with_or_without_the_dash(typed):
    assert normalize_recovery_code(typed) == "k3v9q7hx2m"


def test_look_alikes_read_as_what_they_look_like():
    assert normalize_recovery_code("OIL00-11111") == "01100" + "11111"


@pytest.mark.parametrize("typed", ["", "k3v9q-7hx2", "k3v9q-7hx2mm", "k3v9q-7hx2u", "k3v9q_7hx2m", "123456"])
def test_what_cannot_be_a_code_is_none(typed):
    assert normalize_recovery_code(typed) is None


def test_a_formatted_code_normalises_to_itself_without_its_dash():
    code = format_recovery_code(secrets.randbits(50))
    assert normalize_recovery_code(code) == code.replace("-", "")


def test_the_random_adapter_makes_160_bit_secrets_and_readable_codes():
    from infrastructure.security.second_factor import RandomSecondFactorSecrets

    random = RandomSecondFactorSecrets()
    secrets_made = {random.new_totp_secret() for _ in range(20)}
    assert len(secrets_made) == 20 and all(len(secret) == 20 for secret in secrets_made)
    codes = {random.new_recovery_code() for _ in range(20)}
    assert len(codes) == 20 and all(normalize_recovery_code(code) == code.replace("-", "") for code in codes)
