"""Nobody learns from Sésame's answers whether an account exists: the bodies of login, lock
and forgot-password are the same for a known and an unknown account, and so is login's time.
(Register's 409 email_taken is the contract's one admitted exception.)"""

import time
import uuid

from tests.support.e2e_fixtures import client_address
from tests.support.http import PASSWORD, fresh_client, login, register
from tests.support.timing import assert_alike_in_time

WRONG = "not-the-password-1"


def unknown_email() -> str:
    return f"nobody-{uuid.uuid4().hex[:12]}@example.com"


async def signed_up_elsewhere(server, email: str) -> None:
    async with fresh_client(server) as owner:
        assert (await register(owner, email)).status_code == 201


async def test_login_answers_alike_for_known_and_unknown_accounts(server, new_email):
    email = new_email()
    await signed_up_elsewhere(server, email)
    async with fresh_client(server) as guesser:
        known = await login(guesser, email, WRONG)
        unknown = await login(guesser, unknown_email(), WRONG)
    assert known.status_code == unknown.status_code == 401
    assert known.json() == unknown.json()
    assert known.json()["error"] == "invalid_credentials"


async def test_forgot_password_answers_alike_for_known_and_unknown_accounts(server, new_email):
    email = new_email()
    await signed_up_elsewhere(server, email)
    async with fresh_client(server) as anyone:
        known = await anyone.post("/auth/forgot-password", json={"email": email})
        unknown = await anyone.post("/auth/forgot-password", json={"email": unknown_email()})
    assert (known.status_code, known.json()) == (unknown.status_code, unknown.json()) == (202, {"ok": True})


async def test_a_lock_answers_alike_for_known_and_unknown_accounts(server, new_email):
    """Ten failures lock an identifier whether or not it names an account."""
    email = new_email()
    await signed_up_elsewhere(server, email)
    locked = {}
    for kind, identifier in (("known", email), ("unknown", unknown_email())):
        async with fresh_client(server) as guesser:
            for _ in range(10):
                await login(guesser, identifier, WRONG)
            locked[kind] = await login(guesser, identifier, PASSWORD)
    assert locked["known"].status_code == locked["unknown"].status_code == 423
    assert locked["known"].json() == locked["unknown"].json()
    assert "retry-after" in locked["known"].headers and "retry-after" in locked["unknown"].headers


async def test_login_answers_in_about_the_same_time_for_known_and_unknown_accounts(server, new_email):
    """An unknown account must cost a password hash too. Paired, interleaved samples (see
    tests/e2e/test_password_recovery.py): skipping the hash for unknown accounts makes the known
    request the slower of nearly every pair; noise does neither. Each known account is guessed
    twice (far from its lock)."""
    pairs = 20
    known = [new_email() for _ in range(pairs // 2)]
    for email in known:
        await signed_up_elsewhere(server, email)
    timings: list[tuple[float, float]] = []
    async with fresh_client(server) as guesser:
        await login(guesser, unknown_email(), WRONG)  # warm the connection
        for pair in range(pairs):
            order = [("known", known[pair // 2]), ("unknown", unknown_email())][:: 1 if pair % 2 else -1]
            took = {}
            for kind, identifier in order:
                guesser.headers["X-Forwarded-For"] = client_address()  # the address limit stays out
                started = time.perf_counter()
                answer = await login(guesser, identifier, WRONG)
                took[kind] = time.perf_counter() - started
                assert answer.status_code == 401, answer.text
            timings.append((took["known"], took["unknown"]))
    assert_alike_in_time(timings)
    assert sum(u > k for k, u in timings) <= 16  # the unknown one slower nearly always leaks too
