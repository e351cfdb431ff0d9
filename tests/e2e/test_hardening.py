"""Abuse an attacker would try against the running server, replayed: each answer must be the
rule's (per-address limits by IPv6 /64, the per-account cap on codes, no phone oracle, atomic
unlink, no callback secret in the log, strict photo URLs)."""

import asyncio
import uuid
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import httpx

from tests.e2e.test_google_sign_in import go_to_google, person
from tests.support.http import assert_error, fresh_client, login, prove_email, register, session_cookies
from tests.support.raw_http import ServerLog


def a_64() -> str:
    """A documentation-range IPv6 /64 of its own (the shared fixtures use others)."""
    return f"2001:db8:{uuid.uuid4().hex[:4]}:{uuid.uuid4().hex[:4]}"


async def test_registrations_from_one_ipv6_64_share_one_limit(server, new_email):
    """An attacker registers many accounts from one /64, each from another address of it."""
    prefix = a_64()
    async with httpx.AsyncClient(base_url=server, timeout=30) as http:
        answers = []
        for n in range(1, 32):
            http.headers["X-Forwarded-For"] = f"{prefix}:{n:x}::1"
            http.cookies.clear()
            answers.append(await register(http, new_email()))
        assert [a.status_code for a in answers[:30]] == [201] * 30
        assert_error(answers[30], 429, "rate_limited")
        assert int(answers[30].headers["Retry-After"]) > 0
        http.headers["X-Forwarded-For"] = f"{a_64()}::1"  # another /64: another client
        assert (await register(http, new_email())).status_code == 201


async def test_an_ipv4_mapped_address_counts_as_its_ipv4_address(server, new_email):
    ipv4 = f"198.18.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250 + 1}"  # benchmarking range: ours alone
    async with httpx.AsyncClient(base_url=server, timeout=30) as http:
        for n in range(30):
            http.headers["X-Forwarded-For"] = ipv4 if n % 2 else f"::ffff:{ipv4}"
            assert (await http.post("/auth/forgot-password", json={"email": new_email()})).status_code == 202
        assert_error(await http.post("/auth/forgot-password", json={"email": new_email()}), 429, "rate_limited")


def a_number() -> str:
    return f"+3361{uuid.uuid4().int % 10**7:07d}"


async def test_one_account_gets_at_most_five_verification_codes_a_day_whatever_the_numbers(
    client, whatsapp, mail, new_email
):
    """One account asks codes for many numbers, changing its number each time."""
    email = new_email()
    assert (await register(client, email)).status_code == 201
    await prove_email(client, mail, email)
    numbers = [a_number() for _ in range(6)]
    for number in numbers[:5]:
        assert (await client.patch("/auth/profile", json={"phoneNumber": number})).status_code == 200
        assert (await client.post("/auth/phone/verify/request")).status_code == 202
        await whatsapp.wait_for(to=number)
    assert (await client.patch("/auth/profile", json={"phoneNumber": numbers[5]})).status_code == 200
    refused = await client.post("/auth/phone/verify/request")
    assert_error(refused, 429, "rate_limited")
    assert 23 * 3600 < int(refused.headers["Retry-After"]) <= 24 * 3600


async def test_profile_answers_tell_nobody_whose_number_is_verified(client, server, whatsapp, mail, new_email):
    """An attacker would read 409 phone_taken from PATCH /auth/profile for another account's verified
    number, in any spelling. Now PATCH saves it unverified, a wrong code answers as for any
    number, and only the right code tells (409 phone_taken)."""
    number = a_number()
    async with fresh_client(server) as holder:
        holders = new_email()
        assert (await register(holder, holders)).status_code == 201
        await prove_email(holder, mail, holders)
        assert (await holder.patch("/auth/profile", json={"phoneNumber": number})).status_code == 200
        assert (await holder.post("/auth/phone/verify/request")).status_code == 202
        code = (await whatsapp.wait_for(to=number)).code
        assert (await holder.post("/auth/phone/verify", json={"code": code})).status_code == 200

    email = new_email()
    assert (await register(client, email)).status_code == 201
    await prove_email(client, mail, email)
    for spelling in [number, number.replace("+33", "0"), "+33 " + number[3:], number.replace("+33", "0033")]:
        answer = await client.patch("/auth/profile", json={"phoneNumber": spelling})
        assert answer.status_code == 200, answer.text
        assert (answer.json()["user"]["phoneNumber"], answer.json()["user"]["phoneVerified"]) == (number, False)
    assert (await client.post("/auth/phone/verify/request")).status_code == 202
    code = (await whatsapp.wait_for(to=number)).code
    wrong = "000000" if code != "000000" else "111111"
    assert_error(await client.post("/auth/phone/verify", json={"code": wrong}), 400, "invalid_code")
    assert_error(await client.post("/auth/phone/verify", json={"code": code}), 409, "phone_taken")
    assert (await client.get("/auth/me")).json()["user"]["phoneVerified"] is False


async def test_two_unlinks_at_once_never_leave_an_account_without_a_way_in(client, db, new_email):
    """Firing DELETE /auth/accounts/{provider} for both providers of a password-less
    account at once: in half the runs, both answered 200. Two workers, many rounds."""
    user_id = uuid.UUID((await register(client, new_email())).json()["user"]["id"])
    await db.execute("UPDATE users SET password_hash = NULL WHERE id = $1", user_id)
    for _ in range(12):
        await db.execute("DELETE FROM accounts WHERE user_id = $1", user_id)
        for provider in ("github", "google"):
            await db.execute(
                "INSERT INTO accounts (id, user_id, provider, provider_account_id, linked_at, updated_at)"
                " VALUES ($1, $2, $3, $4, $5, $5)", uuid.uuid4(), user_id, provider, uuid.uuid4().hex,
                datetime.now(UTC))
        answers = await asyncio.gather(client.delete("/auth/accounts/github"), client.delete("/auth/accounts/google"))
        assert sorted(a.status_code for a in answers) == [200, 409], [a.text for a in answers]
        assert_error(next(a for a in answers if a.status_code == 409), 409, "last_login_method")
        assert await db.fetchval("SELECT count(*) FROM accounts WHERE user_id = $1", user_id) == 1


async def test_the_server_log_holds_no_callback_code_or_state_password_or_cookie(server, idp, server_log, new_email):
    """A provider callback's `code` and `state` must not reach the access log."""
    log = ServerLog(server_log)
    email, password = new_email(), f"pw-{uuid.uuid4().hex}"
    async with fresh_client(server) as browser:
        sid, refresh = session_cookies(await register(browser, email, password))
        assert (await login(browser, email, password)).status_code == 200
        assert (await browser.post("/auth/refresh")).status_code == 200
    async with fresh_client(server) as browser:
        sub, claims = person()
        callback = await go_to_google(browser, idp, sub, claims)
        sent = parse_qs(urlsplit(callback).query)
        code, state = sent["code"][0], sent["state"][0]
        assert (await browser.get(callback)).status_code == 302
        forged = await browser.get("/auth/github/callback", params={"code": "forged-code-1f2e", "state": "forged-state-3d4c"})
        assert forged.status_code == 302

    text = await log.wait_for('"GET /auth/github/callback HTTP/1.1" 302')
    assert '"GET /auth/google/callback HTTP/1.1" 302' in text, text
    assert '"GET /auth/github/callback HTTP/1.1" 302' in text, text
    for secret in [code, state, "forged-code-1f2e", "forged-state-3d4c", password, sid, refresh, "callback?"]:
        assert secret not in text, f"{secret!r} is in the server log"


PROBED_PHOTOS = [
    "https://%00/", "https://0*", 'https://img.example/a.png"onerror="alert(1)', "https://img.example/a'.png",
    "https://img.example/a\x01.png", "https://a_b.example/a.png", "https://" + "a" * 64 + ".example/a.png",
    "https://img.example/" + "a" * 2048,
]


async def test_a_photo_must_be_an_https_url_with_a_valid_host(client, db, new_email):
    """`https://%00/`, `https://0*` and raw quotes are no photo URLs."""
    user_id = uuid.UUID((await register(client, new_email())).json()["user"]["id"])
    for photo in PROBED_PHOTOS:
        error = assert_error(await client.patch("/auth/profile", json={"photo": photo}), 400, "invalid_request")
        assert [f["field"] for f in error["fields"]] == ["photo"], (photo, error)
    assert await db.fetchval("SELECT photo FROM profiles WHERE user_id = $1", user_id) is None
    for photo in ["https://bücher.example/ada.png", "https://[2001:db8::7]/ada.png", "https://192.0.2.7/ada.png"]:
        answer = await client.patch("/auth/profile", json={"photo": photo})
        assert answer.status_code == 200 and answer.json()["user"]["profile"]["photo"] == photo, answer.text


async def test_a_providers_bad_picture_is_dropped_and_the_sign_in_goes_on(server, idp, db):
    async with fresh_client(server) as browser:
        sub, claims = person(picture='https://0*"><script>alert(1)</script>')
        finish = await browser.get(await go_to_google(browser, idp, sub, claims))
        assert finish.status_code == 302 and "/auth/finish" in finish.headers["location"], finish.headers
        user = (await browser.get("/auth/me")).json()["user"]
    assert user["profile"]["photo"] is None and user["profile"]["firstname"] == "Ada"
    assert await db.fetchval("SELECT photo FROM profiles WHERE user_id = $1", uuid.UUID(user["id"])) is None
