"""With PASSWORD_BREACH_CHECK=true (the e2e server asks the fake range API, tests/support):
registration, reset (mailed link or WhatsApp code) and change refuse a password found in
known data breaches with 400 breached_password, and change nothing; a fine password passes;
when the range API is down or failing, the password is judged on the other rules alone."""

import pytest

from tests.e2e.test_email_verification import events_of
from tests.e2e.test_password_recovery import SUBJECTS, forgot, mail_about, reset, signed_up, with_verified_phone
from tests.support.fake_pwned_passwords import sha1_hex
from tests.support.http import PASSWORD, assert_error, fresh_client, login, me_with_sid, register, session_cookies
from tests.support.raw_http import ServerLog

BREACHED = "Tr0ub4dor&3-breached"
FINE = "a-brand-new-secret-77"


@pytest.fixture(autouse=True)
def breached(pwned):
    pwned.add(BREACHED)


def refused(answer) -> None:
    body = assert_error(answer, 400, "breached_password")
    assert "breach" in body["message"], body


async def still_signs_in_with_the_old_password(server, email: str) -> None:
    async with fresh_client(server) as later:
        assert (await login(later, email)).status_code == 200
        assert_error(await login(later, email, BREACHED), 401, "invalid_credentials")


async def test_registration_refuses_a_breached_password_and_creates_nothing(client, db, pwned, new_email):
    email = new_email()
    asked = len(pwned.requests)
    refused(await register(client, email, BREACHED))
    assert await db.fetchval("SELECT count(*) FROM users WHERE email = $1", email) == 0
    assert "sid" not in client.cookies
    [request] = pwned.requests[asked:]  # only the prefix left the service, with padding asked
    assert request.path == f"/range/{sha1_hex(BREACHED)[:5]}" and request.headers["add-padding"] == "true"

    assert (await register(client, email, FINE)).status_code == 201


async def test_a_reset_by_mailed_link_refuses_a_breached_password_and_keeps_the_link(
    client, server, db, mail, new_email
):
    email = new_email()
    sid, _ = await signed_up(client, email)
    user_id = (await client.get("/auth/me")).json()["user"]["id"]
    async with fresh_client(server) as anonymous:
        await forgot(anonymous, email=email)
    token = (await mail_about(mail, email, SUBJECTS["fr"]["reset"])).token

    refused(await reset(server, token, BREACHED))

    assert "password_reset" not in await events_of(db, user_id)
    assert (await me_with_sid(server, sid)).json()["user"]["email"] == email
    await still_signs_in_with_the_old_password(server, email)
    assert (await reset(server, token, FINE)).status_code == 200  # the link still works


async def test_a_reset_by_whatsapp_code_refuses_a_breached_password_and_keeps_the_token(
    client, server, db, whatsapp, mail, new_email
):
    email = new_email()
    number = await with_verified_phone(client, whatsapp, mail, email)
    user_id = (await client.get("/auth/me")).json()["user"]["id"]
    async with fresh_client(server) as anonymous:
        await forgot(anonymous, phoneNumber=number)
        code = (await whatsapp.wait_for(to=number)).code
        traded = await anonymous.post("/auth/verify-phone", json={"phoneNumber": number, "code": code})
    reset_token = traded.json()["resetToken"]

    refused(await reset(server, reset_token, BREACHED))

    assert "password_reset" not in await events_of(db, user_id)
    await still_signs_in_with_the_old_password(server, email)
    assert (await reset(server, reset_token, FINE)).status_code == 200


async def test_a_change_refuses_a_breached_password_and_changes_nothing(client, server, db, new_email):
    email = new_email()
    await signed_up(client, email)
    user_id = (await client.get("/auth/me")).json()["user"]["id"]
    async with fresh_client(server) as laptop:
        other_sid, _ = session_cookies(await login(laptop, email))

    refused(await client.post("/auth/password/change", json={"currentPassword": PASSWORD, "newPassword": BREACHED}))

    assert "password_changed" not in await events_of(db, user_id)
    assert (await me_with_sid(server, other_sid)).json()["user"]["email"] == email
    await still_signs_in_with_the_old_password(server, email)
    changed = await client.post("/auth/password/change", json={"currentPassword": PASSWORD, "newPassword": FINE})
    assert changed.status_code == 200, changed.text


async def test_with_the_range_api_down_a_password_is_judged_on_the_other_rules(
    client, pwned, server_log, new_email
):
    log = ServerLog(server_log)
    pwned.go_down()
    try:
        assert (await register(client, new_email(), BREACHED)).status_code == 201
        assert_error(await register(client, new_email(), "short"), 400, "weak_password")
    finally:
        pwned.come_back()
    text = await log.wait_for("Pwned Passwords did not answer")
    assert "Pwned Passwords did not answer" in text, text
    assert BREACHED not in text and sha1_hex(BREACHED)[:5] not in text


async def test_a_failing_range_api_lets_the_password_through(client, pwned, new_email):
    pwned.answer_next(500)
    assert (await register(client, new_email(), BREACHED)).status_code == 201
