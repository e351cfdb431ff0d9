"""Password recovery and change as an outside client lives them: the reset link arrives at
the fake SendGrid, the reset code at the fake Twilio, and the answers of every route say
nothing about whether an account exists."""

import time
import uuid
from datetime import timedelta

import pytest

from tests.e2e.conftest import FRONTEND, client_address
from tests.e2e.test_email_verification import mint_link
from tests.e2e.test_message_delivery import quiet
from tests.e2e.test_phone_code_flow import a_number
from tests.support.http import (
    PASSWORD,
    assert_error,
    fresh_client,
    login,
    me_with_sid,
    prove_email,
    refresh_with,
    register,
    session_cookies,
)
from tests.support.timing import assert_alike_in_time

NEW_PASSWORD = "a-brand-new-secret-77"
SUBJECTS = {
    "fr": {"reset": "Réinitialisez votre mot de passe", "changed": "Votre mot de passe a été changé"},
    "en": {"reset": "Reset your password", "changed": "Your password was changed"},
}


async def mail_about(mail, to: str, subject: str):
    """The next email to `to` with this subject (registration mails a verification link too)."""
    while (message := await mail.wait_for(to=to)).subject != subject:
        pass
    return message


async def forgot(client, **body):
    answer = await client.post("/auth/forgot-password", json=body)
    assert (answer.status_code, answer.json()) == (202, {"ok": True}), answer.text
    return answer


async def signed_up(client, email: str, **headers) -> tuple[str, str]:
    answer = await client.post("/auth/register", json={"email": email, "password": PASSWORD}, headers=headers)
    assert answer.status_code == 201, answer.text
    return session_cookies(answer)


async def with_verified_phone(client, whatsapp, mail, email: str) -> str:
    number = a_number()
    await signed_up(client, email)
    await prove_email(client, mail, email)  # nothing is added to an unproven address
    assert (await client.patch("/auth/profile", json={"phoneNumber": number})).status_code == 200
    assert (await client.post("/auth/phone/verify/request")).status_code == 202
    code = (await whatsapp.wait_for(to=number)).code
    verified = await client.post("/auth/phone/verify", json={"code": code})
    assert verified.json()["user"]["phoneVerified"] is True, verified.text
    return number


async def reset(server, token: str, password: str = NEW_PASSWORD, **headers):
    async with fresh_client(server) as anywhere:
        return await anywhere.post("/auth/reset-password", json={"token": token, "password": password},
                                   headers=headers)


@pytest.mark.parametrize("locale", ["fr", "en"])
async def test_forgot_by_email_read_the_link_reset_and_every_old_session_is_dead(
    client, server, mail, new_email, locale
):
    email = new_email()
    first_sid, first_refresh = await signed_up(client, email)
    async with fresh_client(server) as laptop:
        second_sid, second_refresh = session_cookies(await login(laptop, email))
    assert (await me_with_sid(server, second_sid)).json()["user"]["emailVerified"] is False

    async with fresh_client(server) as stranger_device:
        await forgot(stranger_device, email=email.upper())  # typed any case
    async with fresh_client(server) as phone_browser:
        phone_browser.headers["Accept-Language"] = locale
        await forgot(phone_browser, email=email)
    message = await mail_about(mail, email, SUBJECTS["fr"]["reset"])  # the first ask, no language
    message = await mail_about(mail, email, SUBJECTS[locale]["reset"])
    assert message.links == [f"{FRONTEND}/reset-password?token={message.token}"]

    done = await reset(server, message.token, **{"Accept-Language": locale})
    assert (done.status_code, done.json()) == (200, {"ok": True}), done.text

    for sid in (first_sid, second_sid):
        assert (await me_with_sid(server, sid)).json() == {"user": None}
    for refresh_token in (first_refresh, second_refresh):
        assert (await refresh_with(server, refresh_token)).status_code == 401
    async with fresh_client(server) as later:
        assert_error(await login(later, email), 401, "invalid_credentials")
        signed_in = await login(later, email, NEW_PASSWORD)
        assert signed_in.status_code == 200, signed_in.text
        assert signed_in.json()["user"]["emailVerified"] is True
    notice = await mail_about(mail, email, SUBJECTS[locale]["changed"])
    assert notice.links[0].startswith(f"{FRONTEND}/secure-account?token=")


async def test_forgot_by_whatsapp_code_reset_token_then_reset(client, server, whatsapp, mail, new_email):
    email = new_email()
    number = await with_verified_phone(client, whatsapp, mail, email)
    sid = client.cookies["sid"]

    async with fresh_client(server) as anonymous:
        await forgot(anonymous, phoneNumber=number.replace("+33", "0"))  # typed the French way
        code = (await whatsapp.wait_for(to=number)).code
        traded = await anonymous.post("/auth/verify-phone", json={"phoneNumber": number, "code": code})
        assert traded.status_code == 200, traded.text
        reset_token = traded.json()["resetToken"]
        assert_error(await anonymous.post("/auth/verify-phone", json={"phoneNumber": number, "code": code}),
                     400, "invalid_code")  # a code that gave a resetToken is used up

    assert (await reset(server, reset_token)).status_code == 200
    assert_error(await reset(server, reset_token, "yet-another-secret-88"), 400, "invalid_token")
    assert (await me_with_sid(server, sid)).json() == {"user": None}
    async with fresh_client(server) as later:
        signed_in = await login(later, email, NEW_PASSWORD)
        assert signed_in.status_code == 200


async def test_unknown_email_unknown_or_unverified_number_get_the_same_answer_and_nothing(
    client, server, mail, whatsapp, db, new_email
):
    unknown_email, unknown_number = new_email(), a_number()
    unverified = a_number()
    await signed_up(client, new_email())
    assert (await client.patch("/auth/profile", json={"phoneNumber": unverified})).status_code == 200
    async with fresh_client(server) as anonymous:
        for body in ({"email": unknown_email}, {"phoneNumber": unknown_number}, {"phoneNumber": unverified}):
            await forgot(anonymous, **body)
    # A known account's link, asked after them, marks the end of their background work.
    known = new_email()
    async with fresh_client(server) as other:
        await signed_up(other, known)
        await forgot(other, email=known)
    await mail_about(mail, known, SUBJECTS["fr"]["reset"])
    await quiet(db)
    assert mail.received_by(unknown_email) == []
    assert whatsapp.received_by(unknown_number) == [] and whatsapp.received_by(unverified) == []
    stored = await db.fetchval("SELECT count(*) FROM verification_codes WHERE phone_number = ANY($1)",
                               [unknown_number, unverified])
    assert stored == 0


async def test_expired_used_unknown_and_other_purpose_tokens_are_refused(client, server, db, new_email):
    await signed_up(client, new_email())
    user_id = (await client.get("/auth/me")).json()["user"]["id"]
    expired = await mint_link(db, user_id, "password_reset", None, ttl=timedelta(seconds=-1))
    verify = await mint_link(db, user_id, "verify_email", None)
    live = await mint_link(db, user_id, "password_reset", None, ttl=timedelta(minutes=15))
    for token in (expired, verify, "never-issued-token"):
        assert_error(await reset(server, token), 400, "invalid_token")
    assert (await reset(server, live)).status_code == 200
    assert_error(await reset(server, live, "yet-another-secret-88"), 400, "invalid_token")


async def test_a_weak_password_keeps_the_token_usable(client, server, db, new_email):
    await signed_up(client, new_email())
    user_id = (await client.get("/auth/me")).json()["user"]["id"]
    token = await mint_link(db, user_id, "password_reset", None, ttl=timedelta(minutes=15))
    assert_error(await reset(server, token, "short"), 400, "weak_password")
    assert_error(await reset(server, token, "password123"), 400, "weak_password")
    assert (await reset(server, token)).status_code == 200


async def test_five_wrong_codes_burn_the_reset_code(client, server, whatsapp, mail, new_email):
    number = await with_verified_phone(client, whatsapp, mail, new_email())
    async with fresh_client(server) as anonymous:
        await forgot(anonymous, phoneNumber=number)
        code = (await whatsapp.wait_for(to=number)).code
        wrong = "000000" if code != "000000" else "111111"

        async def attempt(typed):
            return await anonymous.post("/auth/verify-phone", json={"phoneNumber": number, "code": typed})

        for _ in range(4):
            assert_error(await attempt(wrong), 400, "invalid_code")
        assert_error(await attempt(wrong), 429, "too_many_attempts")
        assert_error(await attempt(code), 429, "too_many_attempts")
        unknown = await anonymous.post("/auth/verify-phone", json={"phoneNumber": a_number(), "code": code})
        assert_error(unknown, 400, "invalid_code")  # an unknown number answers like a wrong code


async def test_at_most_three_reset_emails_per_account_per_quarter_hour_and_the_answer_never_says(
    client, server, mail, db, new_email
):
    email = new_email()
    await signed_up(client, email)
    async with fresh_client(server) as anonymous:
        for _ in range(5):
            await forgot(anonymous, email=email)
    for _ in range(3):
        await mail_about(mail, email, SUBJECTS["fr"]["reset"])
    await quiet(db)
    assert [m.subject for m in mail.received_by(email)].count(SUBJECTS["fr"]["reset"]) == 3


async def test_one_address_may_ask_30_a_minute_then_429(server):
    async with fresh_client(server) as flooding:
        for _ in range(30):
            await forgot(flooding, email=f"nobody-{uuid.uuid4().hex[:8]}@example.com")
        refused = await flooding.post("/auth/forgot-password", json={"email": "nobody@example.com"})
    assert_error(refused, 429, "rate_limited")
    assert 0 < int(refused.headers["Retry-After"]) <= 60


@pytest.mark.parametrize("body", [{}, {"email": "a@example.com", "phoneNumber": "+33612345678"},
                                  {"email": ""}, {"phoneNumber": "12"}, {"email": "not-an-email"}])
async def test_exactly_one_valid_email_or_number(client, body):
    assert_error(await client.post("/auth/forgot-password", json=body), 400, "invalid_request")


async def test_an_unknown_and_a_known_email_answer_in_about_the_same_time(server, new_email):
    """The account's work runs after the answer (use_cases/forgot_password.py). Paired,
    interleaved samples (each known account asked once, so each takes the full path, no
    quota): a known account's work on the answer's path would make the known request the
    slower of nearly every pair and shift the median; noise does neither. Bounds are generous
    (a pair is a coin toss when nothing differs: 17 of 20 happens by chance about once in 800)."""
    pairs = 20
    known = [new_email() for _ in range(pairs)]
    for email in known:
        async with fresh_client(server) as owner:
            await signed_up(owner, email)
    timings: list[tuple[float, float]] = []
    async with fresh_client(server) as anonymous:
        await anonymous.post("/auth/forgot-password", json={"email": new_email()})  # warm the connection
        for pair, email in enumerate(known):
            order = [("known", email), ("unknown", new_email())][:: 1 if pair % 2 else -1]
            took = {}
            for kind, typed in order:
                anonymous.headers["X-Forwarded-For"] = client_address()  # the address limit stays out
                started = time.perf_counter()
                answer = await anonymous.post("/auth/forgot-password", json={"email": typed})
                took[kind] = time.perf_counter() - started
                assert (answer.status_code, answer.json()) == (202, {"ok": True})
            timings.append((took["known"], took["unknown"]))
    assert_alike_in_time(timings)


async def test_change_keeps_this_session_revokes_the_others_and_sends_a_notice(client, server, mail, new_email):
    email = new_email()
    await signed_up(client, email)
    async with fresh_client(server) as laptop:
        other_sid, other_refresh = session_cookies(await login(laptop, email))

    assert_error(await client.post("/auth/password/change", json={"newPassword": NEW_PASSWORD}),
                 400, "invalid_request")
    assert_error(await client.post("/auth/password/change",
                                   json={"currentPassword": "not-the-password", "newPassword": NEW_PASSWORD}),
                 403, "invalid_password")
    assert_error(await client.post("/auth/password/change",
                                   json={"currentPassword": PASSWORD, "newPassword": "short"}), 400, "weak_password")
    changed = await client.post("/auth/password/change",
                                json={"currentPassword": PASSWORD, "newPassword": NEW_PASSWORD})
    assert (changed.status_code, changed.json()) == (200, {"ok": True}), changed.text

    assert (await client.get("/auth/me")).json()["user"]["email"] == email
    assert (await me_with_sid(server, other_sid)).json() == {"user": None}
    assert (await refresh_with(server, other_refresh)).status_code == 401
    async with fresh_client(server) as later:
        assert_error(await login(later, email), 401, "invalid_credentials")
        assert (await login(later, email, NEW_PASSWORD)).status_code == 200
    notice = await mail_about(mail, email, SUBJECTS["fr"]["changed"])
    assert notice.links[0].startswith(f"{FRONTEND}/secure-account?token=")


async def test_change_needs_a_session(server):
    async with fresh_client(server) as anonymous:
        answer = await anonymous.post("/auth/password/change", json={"newPassword": NEW_PASSWORD})
    assert_error(answer, 401, "not_authenticated")


async def test_the_fifth_code_of_the_day_to_a_number_is_the_last_even_for_a_reset(
    client, server, whatsapp, mail, db, new_email
):
    number = await with_verified_phone(client, whatsapp, mail, new_email())  # code 1 of the day
    for _ in range(4):  # codes 2 to 5
        assert (await client.post("/auth/phone/verify/request")).status_code == 202
        await whatsapp.wait_for(to=number)
    async with fresh_client(server) as anonymous:
        await forgot(anonymous, phoneNumber=number)  # a sixth: held back, and the answer never says
    known = new_email()
    async with fresh_client(server) as other:  # its link marks the end of the background work
        await signed_up(other, known)
        await forgot(other, email=known)
    await mail_about(mail, known, SUBJECTS["fr"]["reset"])
    await quiet(db)
    assert len(whatsapp.received_by(number)) == 5
