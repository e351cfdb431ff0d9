from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from domain.totp import (
    encode_secret,
    hotp,
    match_totp,
    normalize_totp_code,
    otpauth_uri,
    time_step,
    totp,
)

RFC_SECRET = b"12345678901234567890"  # RFC 6238 appendix B, SHA-1
NOW = datetime(2026, 1, 1, 12, 0, 10, tzinfo=UTC)
SECRET = bytes(range(20))


def at(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


@pytest.mark.parametrize("seconds, code", [
    (59, "94287082"), (1111111109, "07081804"), (1111111111, "14050471"),
    (1234567890, "89005924"), (2000000000, "69279037"), (20000000000, "65353130"),
])
def test_the_rfc_6238_sha1_vectors(seconds, code):
    assert totp(RFC_SECRET, at(seconds), digits=8) == code
    # Six digits are the same truncation, modulo 10**6: the last six of the eight.
    assert totp(RFC_SECRET, at(seconds)) == code[-6:]


def test_the_rfc_4226_hotp_vectors():
    expected = ["755224", "287082", "359152", "969429", "338314",
                "254676", "287922", "162583", "399871", "520489"]
    assert [hotp(RFC_SECRET, counter) for counter in range(10)] == expected


def test_steps_are_30_seconds_from_the_epoch():
    assert time_step(at(59)) == 1 and time_step(at(60)) == 2 and time_step(at(29)) == 0


def test_a_code_of_now_or_one_step_either_side_matches_its_step():
    step = time_step(NOW)
    for drift in (-1, 0, 1):
        code = hotp(SECRET, step + drift)
        assert match_totp(SECRET, code, NOW, None) == step + drift


def test_two_steps_away_is_refused():
    step = time_step(NOW)
    assert match_totp(SECRET, hotp(SECRET, step - 2), NOW, None) is None
    assert match_totp(SECRET, hotp(SECRET, step + 2), NOW, None) is None


def test_a_code_of_the_last_accepted_step_or_an_earlier_one_is_a_replay():
    step = time_step(NOW)
    assert match_totp(SECRET, hotp(SECRET, step), NOW, last_step=step) is None
    assert match_totp(SECRET, hotp(SECRET, step - 1), NOW, last_step=step) is None
    assert match_totp(SECRET, hotp(SECRET, step - 1), NOW, last_step=step - 1) is None
    assert match_totp(SECRET, hotp(SECRET, step + 1), NOW, last_step=step) == step + 1


def test_the_same_code_a_step_later_is_still_a_replay():
    step = time_step(NOW)
    code = hotp(SECRET, step)
    assert match_totp(SECRET, code, NOW + timedelta(seconds=30), last_step=step) is None


def test_a_wrong_code_matches_nothing():
    window = {hotp(SECRET, time_step(NOW) + drift) for drift in (-1, 0, 1)}
    wrong = next(code for code in ("000000", "111111", "222222", "333333") if code not in window)
    assert match_totp(SECRET, wrong, NOW, None) is None


@pytest.mark.parametrize("typed, code", [
    ("123456", "123456"), (" 123 456 ", "123456"), ("012345", "012345"),
    ("12345", None), ("1234567", None), ("12345a", None), ("", None), ("١٢٣٤٥٦", None),
])
def test_codes_are_six_ascii_digits_spaces_aside(typed, code):
    assert normalize_totp_code(typed) == code


def test_the_secret_is_base32_without_padding():
    assert encode_secret(RFC_SECRET) == "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
    assert len(encode_secret(bytes(20))) == 32


def test_the_otpauth_uri_names_issuer_and_account():
    uri = otpauth_uri(RFC_SECRET, "Sésame", "ada@example.com")
    parts = urlsplit(uri)
    assert (parts.scheme, parts.netloc) == ("otpauth", "totp")
    assert parts.path == "/S%C3%A9same:ada@example.com"
    assert parse_qs(parts.query) == {"secret": ["GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"], "issuer": ["Sésame"]}


def test_an_issuer_or_account_with_a_colon_or_spaces_cannot_break_the_label():
    uri = otpauth_uri(SECRET, "My App: prod", "ada lovelace")
    assert urlsplit(uri).path == "/My%20App%3A%20prod:ada%20lovelace"
