"""Four uvicorn workers behave as one server: the login limits count across processes, a
refresh storm (many sessions, or one cookie in many tabs) never logs anyone out, and four
outbox dispatchers, one per process, send every message exactly once."""

import asyncio
import uuid

from tests.resilience.conftest import an_address, browser
from tests.support.http import PASSWORD, assert_error, me_with_sid, refresh_with, register, session_cookies

# The contract: login and register at most 30 a minute per address; 10 failed password
# checks lock an account (src/application/policy.py: AddressLimit, LoginLimits).
PER_ADDRESS = 30
FAILURES = 10


def unknown_email() -> str:
    return f"nobody-{uuid.uuid4().hex[:12]}@example.com"


async def attempts(fleet: str, identifiers: list[str], address: str | None = None):
    """One login per identifier, all at once, each on its own connection (so the kernel
    spreads them over the workers), from `address` (else each from its own)."""

    async def one(identifier: str):
        async with browser(fleet, address) as http:
            return await http.post("/auth/login", json={"emailOrUsername": identifier, "password": "nope-nope-42"})

    return await asyncio.gather(*(one(identifier) for identifier in identifiers))


async def test_the_31st_login_in_a_minute_from_one_address_is_the_first_429_whichever_worker_answers(fleet):
    address = an_address()
    # Distinct unknown identifiers: no account lock interferes, each is a real password check.
    first = await attempts(fleet, [unknown_email() for _ in range(PER_ADDRESS)], address)
    assert [a.status_code for a in first] == [401] * PER_ADDRESS, [a.text for a in first]

    (thirty_first,) = await attempts(fleet, [unknown_email()], address)
    assert_error(thirty_first, 429, "rate_limited")
    assert 0 < int(thirty_first.headers["retry-after"]) <= 60
    more = await attempts(fleet, [unknown_email() for _ in range(10)], address)
    assert [a.status_code for a in more] == [429] * 10

    (elsewhere,) = await attempts(fleet, [unknown_email()])  # another address is not limited
    assert_error(elsewhere, 401, "invalid_credentials")


async def test_parallel_guesses_on_one_account_from_many_addresses_check_exactly_ten_passwords(fleet):
    email = unknown_email()
    async with browser(fleet) as http:
        assert (await register(http, email)).status_code == 201
    answers = await attempts(fleet, [email] * (FAILURES + 10))
    codes = sorted(a.json()["error"] for a in answers)
    assert codes == ["account_locked"] * 10 + ["invalid_credentials"] * FAILURES
    async with browser(fleet) as http:  # even the right password waits for the lock
        assert_error(await http.post("/auth/login", json={"emailOrUsername": email, "password": PASSWORD}),
                     423, "account_locked")


async def signed_up(fleet: str) -> tuple[str, str, dict]:
    async with browser(fleet) as http:
        answer = await register(http, unknown_email())
    assert answer.status_code == 201, answer.text
    sid, refresh = session_cookies(answer)
    return sid, refresh, answer.json()["user"]


async def test_twenty_sessions_refreshed_in_parallel_all_succeed_and_all_work(fleet):
    sessions = await asyncio.gather(*(signed_up(fleet) for _ in range(20)))
    answers = await asyncio.gather(*(refresh_with(fleet, refresh) for _, refresh, _ in sessions))
    assert [a.status_code for a in answers] == [200] * 20, [a.text for a in answers]
    issued = [session_cookies(a) for a in answers]
    mes = await asyncio.gather(*(me_with_sid(fleet, sid) for sid, _ in issued))
    assert [m.json() for m in mes] == [{"user": user} for _, _, user in sessions]
    onward = await asyncio.gather(*(refresh_with(fleet, refresh) for _, refresh in issued))
    assert [a.status_code for a in onward] == [200] * 20  # each new token is the live one


async def test_one_refresh_cookie_presented_by_twenty_tabs_at_once_all_succeed(fleet):
    _, refresh, user = await signed_up(fleet)
    answers = await asyncio.gather(*(refresh_with(fleet, refresh) for _ in range(20)))
    assert [a.status_code for a in answers] == [200] * 20, [a.text for a in answers]
    issued = [session_cookies(a) for a in answers]
    mes = await asyncio.gather(*(me_with_sid(fleet, sid) for sid, _ in issued))
    assert all(m.json() == {"user": user} for m in mes)  # every tab is signed in...
    tokens = {token for _, token in issued}
    assert refresh not in tokens
    for token in tokens:  # ...and holds a token that refreshes once more (the family lives)
        onward = await refresh_with(fleet, token)
        assert onward.status_code == 200, onward.text


async def test_four_dispatchers_send_every_outbox_message_exactly_once(fleet, fleet_mail, fleet_db):
    """Each commit NOTIFYs all four dispatchers at once, so they race for every row."""
    emails = [unknown_email() for _ in range(25)]

    async def sign_up_then_forget(email: str):
        async with browser(fleet) as http:
            registered = await register(http, email)  # a verification link
        async with browser(fleet) as http:
            forgot = await http.post("/auth/forgot-password", json={"email": email})  # a reset link
        return registered.status_code, forgot.status_code

    assert await asyncio.gather(*(sign_up_then_forget(e) for e in emails)) == [(201, 202)] * len(emails)

    for email in emails:
        await fleet_mail.wait_for(to=email)
        await fleet_mail.wait_for(to=email)
    rows = await fleet_db.fetch(
        "SELECT recipient, status, provider_message_id FROM outbox_messages WHERE recipient = ANY($1::text[])",
        emails,
    )
    assert len(rows) == 2 * len(emails) and {r["status"] for r in rows} == {"sent"}
    # Once sent, a row is never claimed again: what the fake holds now is final.
    received = [m for m in fleet_mail.delivered if m.to in set(emails)]
    assert sorted(m.to for m in received) == sorted(emails * 2)  # each exactly twice: no more
    assert sorted(m.message_id for m in received) == sorted(r["provider_message_id"] for r in rows)
