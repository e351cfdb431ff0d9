"""A passkey answering the second step of a sign-in, over HTTP with the software authenticator
(tests/support/passkey_authenticator.py): the methods offered, the options bound to the
second-step challenge, the session it opens, and every spoiled, foreign or replayed answer
counted as a wrong one."""

import httpx

from tests.e2e.conftest import FRONTEND
from tests.e2e.test_form_login import post_form, see_other
from tests.e2e.test_google_sign_in import go_to_google, person, sign_in_with_google
from tests.e2e.test_passkeys import authenticator, register_passkey, sign_in
from tests.e2e.test_pending_link import user_id
from tests.e2e.test_second_factor import (
    FAILED_SECOND_STEP, METHODS, account_with_totp, challenge_of, signed_in_and_challenge_cleared, turn_on_totp,
    verify,
)
from tests.e2e.test_password_recovery import mail_about
from tests.support.http import (
    PASSWORD, assert_cleared, assert_error, fresh_client, login, prove_email, register, set_cookies,
)
from tests.support.passkey_authenticator import PasskeyAuthenticator, b64url

WITH_PASSKEY = METHODS + ["passkey"]


async def account_with_totp_and_a_passkey(client, mail, email) -> PasskeyAuthenticator:
    await account_with_totp(client, mail, email)
    key = authenticator()
    await register_passkey(client, key)
    return key


async def challenged(browser, email) -> str:
    """A right password: 401 mfa_required offering the passkey, and the challenge."""
    answer = await login(browser, email)
    assert assert_error(answer, 401, "mfa_required")["methods"] == WITH_PASSKEY
    return challenge_of(answer)["value"]


async def step_options(browser) -> dict:
    options = await browser.post("/auth/mfa/passkey/options")
    assert options.status_code == 200, options.text
    assert "set-cookie" not in options.headers  # bound to the mfa_challenge cookie the browser holds
    return options.json()


async def answer_with(browser, key: PasskeyAuthenticator, **spoil) -> httpx.Response:
    return await verify(browser, credential=key.get(await step_options(browser), **spoil))


async def test_a_passkey_answers_the_second_step_as_a_login(client, server, mail, db, new_email):
    email = new_email()
    key = await account_with_totp_and_a_passkey(client, mail, email)
    second = authenticator()
    await register_passkey(client, second)
    async with fresh_client(server) as browser:
        await challenged(browser, email)
        options = await step_options(browser)
        allowed = {credential["id"] for credential in options["allowCredentials"]}
        assert allowed == {b64url(key.credential_id), b64url(second.credential_id)}
        assert options["userVerification"] == "required" and options["rpId"] == "localhost"
        answer = await verify(browser, credential=key.get(options))
        assert answer.status_code == 200, answer.text
        assert set(answer.json()) == {"ok", "user", "profileComplete"} and answer.json()["user"]["email"] == email
        signed_in_and_challenge_cleared(answer)
        assert (await browser.get("/auth/me")).json()["user"]["email"] == email
    row = await db.fetchrow("SELECT detail FROM security_events WHERE user_id = $1 AND kind = 'signed_in' "
                            "ORDER BY created_at DESC LIMIT 1", await user_id(db, email))
    assert '"mfa": true' in row["detail"] and '"method": "password"' in row["detail"]
    listed = (await client.get("/auth/passkeys")).json()["passkeys"]
    assert listed[0]["lastUsedAt"] is not None and listed[1]["lastUsedAt"] is None


async def test_the_html_form_offers_the_passkey_too(client, server, mail, new_email):
    email = new_email()
    await account_with_totp_and_a_passkey(client, mail, email)
    async with fresh_client(server) as browser:
        answer = await post_form(browser, emailOrUsername=email, password=PASSWORD)
        assert see_other(answer) == f"{FRONTEND}/auth/mfa?methods=totp,recovery_code,passkey"
        challenge_of(answer)


async def test_a_provider_sign_in_offers_the_passkey_and_it_completes_it(client, server, idp, db):
    sub, claims = person()
    assert (await sign_in_with_google(client, idp, sub, claims)).status_code == 302
    await turn_on_totp(client)
    key = authenticator()
    await register_passkey(client, key)
    async with httpx.AsyncClient(base_url=server, timeout=30) as browser:
        answer = await browser.get(await go_to_google(browser, idp, sub, claims))
        assert answer.headers["location"] == (
            f"{FRONTEND}/auth/mfa?from=social&provider=google&methods=totp,recovery_code,passkey")
        assert "sid" not in set_cookies(answer) and "mfa_challenge" in set_cookies(answer)
        signed_in = await answer_with(browser, key)
        assert signed_in.status_code == 200, signed_in.text
    row = await db.fetchrow("SELECT detail FROM security_events WHERE user_id = $1 AND kind = 'signed_in' "
                            "ORDER BY created_at DESC LIMIT 1", await user_id(db, claims["email"]))
    assert '"mfa": true' in row["detail"] and '"method": "google"' in row["detail"]


async def test_passkeys_without_totp_open_no_second_step(client, server, mail, new_email):
    email = new_email()
    await register(client, email)
    await prove_email(client, mail, email)
    await register_passkey(client, authenticator())
    async with fresh_client(server) as browser:
        answer = await login(browser, email)
        assert answer.status_code == 200 and "mfa_challenge" not in answer.headers.get("set-cookie", "")


async def test_spoiled_foreign_and_replayed_answers_are_wrong_answers(client, server, mail, db, new_email):
    email = new_email()
    key = await account_with_totp_and_a_passkey(client, mail, email)
    async with fresh_client(server) as other:  # another account, with its own passkey
        others_key = await account_with_totp_and_a_passkey(other, mail, new_email())
    async with fresh_client(server) as browser:
        await challenged(browser, email)
        assert_error(await answer_with(browser, key, forge=True), 400, "invalid_code")
        assert_error(await answer_with(browser, key, origin="http://evil.example:3000"), 400, "invalid_code")
        assert_error(await answer_with(browser, others_key), 400, "invalid_code")
        stale = key.get(await step_options(browser))
        await step_options(browser)  # new options replace the ones `stale` answers
        assert_error(await verify(browser, credential=stale), 400, "invalid_code")
        await step_options(browser)
        # the fifth wrong answer (the same stale one, replayed) burns the challenge
        assert_error(await verify(browser, credential=stale), 429, "too_many_attempts")
        burned = await browser.post("/auth/mfa/passkey/options")
        assert_error(burned, 401, "mfa_challenge_expired")
        assert_cleared(burned, "mfa_challenge")
    notice = await mail_about(mail, email, FAILED_SECOND_STEP)
    assert any("/secure-account?token=" in link for link in notice.links)
    async with fresh_client(server) as browser:  # the right passkey still answers a new challenge
        await challenged(browser, email)
        assert (await answer_with(browser, key)).status_code == 200


async def test_a_used_assertion_does_not_answer_again(client, server, mail, new_email):
    email = new_email()
    key = await account_with_totp_and_a_passkey(client, mail, email)
    async with fresh_client(server) as browser:
        await challenged(browser, email)
        credential = key.get(await step_options(browser))
        assert (await verify(browser, credential=credential)).status_code == 200
    async with fresh_client(server) as attacker:  # a new challenge: the old assertion is not for it
        await challenged(attacker, email)
        await step_options(attacker)
        assert_error(await verify(attacker, credential=credential), 400, "invalid_code")


async def test_a_counter_that_went_back_is_refused_and_on_record(client, server, mail, db, new_email):
    email = new_email()
    key = await account_with_totp_and_a_passkey(client, mail, email)
    assert (await sign_in(client, key)).status_code == 200  # the stored counter is 1 now
    async with fresh_client(server) as browser:
        await challenged(browser, email)
        assert_error(await answer_with(browser, key, sign_count=1), 400, "invalid_code")
        assert (await answer_with(browser, key)).status_code == 200
    events = (await client.get("/auth/events")).json()["events"]
    assert [e["detail"] for e in events if e["kind"] == "mfa_failed"] == [{"method": "passkey", "reason": "sign_count"}]


async def test_options_need_a_live_challenge(client, server, mail, db, new_email):
    email = new_email()
    await account_with_totp_and_a_passkey(client, mail, email)
    async with fresh_client(server) as browser:
        assert_error(await browser.post("/auth/mfa/passkey/options"), 401, "mfa_challenge_expired")
    async with fresh_client(server, "mfa_challenge=not-a-challenge") as browser:
        assert_error(await browser.post("/auth/mfa/passkey/options"), 401, "mfa_challenge_expired")
    async with fresh_client(server) as browser:
        await challenged(browser, email)
        await db.execute("UPDATE mfa_challenges SET expires_at = now() - interval '1 second' WHERE user_id = $1",
                         await user_id(db, email))
        assert_error(await browser.post("/auth/mfa/passkey/options"), 401, "mfa_challenge_expired")


async def test_an_account_with_totp_but_no_passkey_has_no_options(client, server, mail, new_email):
    email = new_email()
    await account_with_totp(client, mail, email)
    async with fresh_client(server) as browser:
        assert assert_error(await login(browser, email), 401, "mfa_required")["methods"] == METHODS
        assert_error(await browser.post("/auth/mfa/passkey/options"), 404, "not_found")


async def test_an_answer_is_one_of_three(client, server, mail, db, new_email):
    email = new_email()
    key = await account_with_totp_and_a_passkey(client, mail, email)
    async with fresh_client(server) as browser:
        await challenged(browser, email)
        credential = key.get(await step_options(browser))
        assert_error(await verify(browser, credential=credential, code="123456"), 400, "invalid_request")
        assert_error(await verify(browser, credential="not-an-object"), 400, "invalid_request")
        # neither counted, nor used the options up
        assert (await verify(browser, credential=credential)).status_code == 200
    async with fresh_client(server) as browser:
        await challenged(browser, email)
        await step_options(browser)
        # an object that is no assertion is a refused answer, as at the passkey sign-in: counted
        assert_error(await verify(browser, credential={"id": "x"}), 400, "invalid_code")
        row = await db.fetchrow("SELECT wrong_answers FROM mfa_challenges WHERE user_id = $1 AND used_at IS NULL",
                                await user_id(db, email))
        assert row["wrong_answers"] == 1
