"""The Pwned Passwords adapter against a fake range API on loopback: k-anonymity (only the
prefix leaves), padding, and failing open (a warning, never an error) when the answer does
not come."""

import logging
import time

import httpx
import pytest

from infrastructure.security.pwned_passwords import TIMEOUT, PwnedPasswords
from infrastructure.security.breach_check import NoBreachCheck
from infrastructure.settings import load_settings
from tests.support.fake_pwned_passwords import FakePwnedPasswords, sha1_hex
from web.composition.adapters import breached_passwords, outside_http

BREACHED = "P@ssw0rd-2024"
FINE = "correct horse battery staple 7"
SHORT_TIMEOUT = 0.3  # the tests' own, to stay fast: the default is tested below


@pytest.fixture(scope="module")
def pwned():
    with FakePwnedPasswords() as fake:
        fake.add(BREACHED)
        yield fake


@pytest.fixture
async def check(pwned):
    pwned.reset()
    async with httpx.AsyncClient() as http:
        yield PwnedPasswords(http, pwned.url, timeout=SHORT_TIMEOUT)


def warnings(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "sesame.passwords" and r.levelno == logging.WARNING]


async def test_a_breached_password_is_found_and_a_fine_one_is_not(check, caplog):
    assert await check.is_breached(BREACHED) is True
    assert await check.is_breached(FINE) is False
    assert warnings(caplog) == []


async def test_only_the_prefix_leaves_with_the_padding_header(check, pwned):
    before = len(pwned.requests)
    await check.is_breached(BREACHED)
    [request] = pwned.requests[before:]
    digest = sha1_hex(BREACHED)
    assert request.path == f"/range/{digest[:5]}"
    assert request.headers["add-padding"] == "true"
    sent = request.path + repr(request.headers)
    assert digest[5:] not in sent and digest.lower()[5:] not in sent and BREACHED not in sent


async def test_padding_lines_of_count_0_are_not_breaches(check, pwned):
    pwned.add(FINE, count=0)  # listed, as padding is, but seen in no breach
    try:
        assert await check.is_breached(FINE) is False
    finally:
        del pwned.breached[sha1_hex(FINE)]


@pytest.mark.parametrize("answer", [500, 429, "garbled"])
async def test_a_refusal_or_a_garbled_answer_fails_open_with_a_warning(check, pwned, caplog, answer):
    pwned.answer_next(answer)
    assert await check.is_breached(BREACHED) is False
    [warning] = warnings(caplog)
    assert BREACHED not in warning and sha1_hex(BREACHED)[:5] not in warning


async def test_a_slow_answer_fails_open_in_time(check, pwned, caplog):
    pwned.delay = SHORT_TIMEOUT + 1
    started = time.monotonic()
    assert await check.is_breached(BREACHED) is False
    assert time.monotonic() - started < SHORT_TIMEOUT + 0.5
    assert len(warnings(caplog)) == 1


async def test_a_service_down_fails_open_with_a_warning(check, pwned, caplog):
    pwned.go_down()
    try:
        assert await check.is_breached(BREACHED) is False
    finally:
        pwned.come_back()
    [warning] = warnings(caplog)
    assert "ConnectError" in warning


def test_the_answer_is_awaited_2_seconds_at_most_by_default():
    assert TIMEOUT == 2
    assert PwnedPasswords(httpx.AsyncClient(), "https://example.test/range/").timeout == 2


async def test_the_check_is_pwned_passwords_when_on_and_none_when_off():
    on = load_settings({"PASSWORD_BREACH_CHECK": "true", "PWNED_PASSWORDS_URL": "http://127.0.0.1:9/range/"},
                       env_file="/nonexistent")
    async with outside_http(on) as http:
        assert isinstance(breached_passwords(on, http), PwnedPasswords)
    off = load_settings({}, env_file="/nonexistent")
    assert outside_http(off) is None
    assert isinstance(breached_passwords(off, None), NoBreachCheck)
    assert await breached_passwords(off, None).is_breached(BREACHED) is False
