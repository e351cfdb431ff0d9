"""SendGrid and Twilio both down for a whole minute (connections refused), while users
register, ask for reset links and WhatsApp codes on 4 workers: every request answers at
once (the outbox decouples it from delivery), and once the providers are back every
message arrives, exactly once.

Why a real 60 s: "a minute" is the promise, and what makes it a real test is how it meets
the dispatcher's backoff (2 s, doubling: a message's tries during a minute-long outage are
at 0, 2, 6, 14, 30 and 62 s). A shorter outage would only meet the first, short delays.
This is the suite's one long test (about 70 s); messages go out within seconds of the
providers' return, since the first success makes every waiting message due at once
(OutboxDispatcher: hasten)."""

import asyncio
import uuid
from collections import Counter

from tests.resilience.conftest import browser
from tests.support.http import register

OUTAGE_SECONDS = 60
# "At once" is shown by the answers themselves: 201/202 while every connection to the
# providers is refused (a request that sent its message itself would fail). The client
# timeout only bounds a hang; generous, for a machine shared with other suites.
CLIENT_TIMEOUT = 20
SECOND_WAVE_AT = 40  # seconds into the outage: messages on another point of the backoff
DELIVERY_BOUND = 120  # seconds after the return: generous, so only a lost message fails


def a_number() -> str:
    return f"+3361{uuid.uuid4().int % 10**7:07d}"


async def with_phone(fleet: str, email: str) -> tuple[str, dict[str, str]]:
    """An account with a not yet verified number on its profile; its session cookies."""
    number = a_number()
    async with browser(fleet) as http:
        assert (await register(http, email)).status_code == 201
        assert (await http.patch("/auth/profile", json={"phoneNumber": number})).status_code == 200
        return number, dict(http.cookies)


async def wave(fleet: str, phones: list[tuple[str, dict]]) -> tuple[list[int], list[str], list[str]]:
    """What users do meanwhile: 4 sign-ups (a verification link each), 4 reset requests for
    those accounts, a WhatsApp code per phone. Answers their statuses, and who should get what."""
    emails = [f"outage-{uuid.uuid4().hex[:12]}@example.com" for _ in range(4)]

    async def sign_up_then_forget(email: str) -> list[int]:
        async with browser(fleet, timeout=CLIENT_TIMEOUT) as http:
            registered = await register(http, email)
            forgot = await http.post("/auth/forgot-password", json={"email": email})
        return [registered.status_code, forgot.status_code]

    async def ask_code(cookies: dict) -> int:
        async with browser(fleet, timeout=CLIENT_TIMEOUT) as http:
            http.cookies.update(cookies)
            return (await http.post("/auth/phone/verify/request")).status_code

    answers = await asyncio.gather(*(sign_up_then_forget(e) for e in emails), *(ask_code(c) for _, c in phones))
    statuses = [s for a in answers for s in (a if isinstance(a, list) else [a])]
    return statuses, emails * 2, [number for number, _ in phones]


async def test_a_minute_without_sendgrid_and_twilio_delays_messages_but_loses_none(
    fleet, fleet_mail, fleet_whatsapp, fleet_db
):
    emails = [f"phone-{uuid.uuid4().hex[:12]}@example.com" for _ in range(3)]
    phones = await asyncio.gather(*(with_phone(fleet, email) for email in emails))
    # Proven, as if their links had been opened: nothing is added to an unproven address.
    await fleet_db.execute("UPDATE users SET email_verified_at = now() WHERE email = ANY($1::text[])", emails)
    fleet_mail.go_down()
    fleet_whatsapp.go_down()
    try:
        first = await wave(fleet, phones)
        await asyncio.sleep(SECOND_WAVE_AT)
        second = await wave(fleet, phones)
        await asyncio.sleep(OUTAGE_SECONDS - SECOND_WAVE_AT)
    finally:
        fleet_mail.come_back()
        fleet_whatsapp.come_back()

    # Every request answered, at once, as if nothing were wrong.
    assert first[0] == second[0] == [201, 202] * 4 + [202] * len(phones)
    emails = Counter(first[1] + second[1])
    numbers = Counter(first[2] + second[2])

    def arrived() -> tuple[Counter, Counter]:
        return (Counter(m.to for m in fleet_mail.delivered if m.to in emails),
                Counter(m.to for m in fleet_whatsapp.delivered if m.to in numbers))

    for _ in range(DELIVERY_BOUND * 2):
        if arrived() == (emails, numbers):
            break
        await asyncio.sleep(0.5)
    assert arrived() == (emails, numbers)  # every message, once: none lost, none twice

    rows = await fleet_db.fetch(
        "SELECT status, attempts FROM outbox_messages WHERE recipient = ANY($1::text[])",
        [*emails, *numbers],
    )
    assert len(rows) == sum(emails.values()) + sum(numbers.values())
    assert {r["status"] for r in rows} == {"sent"}  # final: nothing will go again
    assert min(r["attempts"] for r in rows) >= 2  # each met the outage (this test can fail)
