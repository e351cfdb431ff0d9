"""Two-step verification over HTTP, as the frontend drives it: TOTP turned on with a code this
test computes from the secret the API answered, the second step after a password (JSON and
HTML form) and after a provider sign-in, recovery codes, the limits, and what the database
keeps of the secrets."""

import base64
import re
from urllib.parse import parse_qs, unquote, urlsplit

import httpx

from tests.e2e.conftest import FRONTEND
from tests.e2e.test_form_login import post_form, see_other
from tests.e2e.test_google_sign_in import count, go_to_google, me, person, sign_in_with_google
from tests.e2e.test_oauth2_sign_in import github_person
from tests.e2e.test_oauth2_sign_in import sign_in as oauth2_sign_in
from tests.e2e.test_password_recovery import mail_about, reset
from tests.e2e.test_pending_link import refused_with_a_pending_link, user_id
from tests.support.authenticator import Authenticator
from tests.support.http import (
    PASSWORD, assert_cleared, assert_error, fresh_client, login, prove_email, register, session_cookies,
    set_cookies,
)

METHODS = ["totp", "recovery_code"]
RECOVERY_CODE = re.compile(r"[a-z0-9]{5}-[a-z0-9]{5}")
FAILED_SECOND_STEP = "Une connexion à votre compte a échoué à la deuxième étape"


async def turn_on_totp(client) -> tuple[Authenticator, list[str]]:
    """From a fresh session of an account whose address is proven: setup, then confirm with the
    app's first code."""
    setup = await client.post("/auth/mfa/totp/setup")
    assert setup.status_code == 200, setup.text
    app = Authenticator(setup.json()["secret"])
    confirmed = await client.post("/auth/mfa/totp/confirm", json={"code": app.code()})
    assert confirmed.status_code == 200, confirmed.text
    return app, confirmed.json()["recoveryCodes"]


async def account_with_totp(client, mail, email) -> tuple[Authenticator, list[str]]:
    await register(client, email)
    await prove_email(client, mail, email)
    return await turn_on_totp(client)


def challenge_of(response: httpx.Response) -> dict:
    """The mfa_challenge cookie a right first factor set, with the contract's attributes, and
    no session cookie beside it."""
    cookies = set_cookies(response)
    assert set(cookies) == {"mfa_challenge"}, response.headers.get_list("set-cookie")
    cookie = cookies["mfa_challenge"]
    assert cookie["httponly"] is True and cookie["samesite"].lower() == "lax"
    assert cookie["path"] == "/auth" and 295 <= int(cookie["max-age"]) <= 300
    assert re.fullmatch(r"[A-Za-z0-9_-]{43,}", cookie["value"])
    return cookie


async def challenged(client, email) -> str:
    """A right password for an account with TOTP on: 401 mfa_required and a challenge."""
    answer = await login(client, email)
    assert assert_error(answer, 401, "mfa_required")["methods"] == METHODS
    return challenge_of(answer)["value"]


async def verify(client, **answer) -> httpx.Response:
    return await client.post("/auth/mfa/verify", json=answer)


def signed_in_and_challenge_cleared(answer: httpx.Response) -> None:
    """Both session cookies (and the device cookie) as a login sets them, the challenge cleared."""
    cookies = set_cookies(answer)
    assert (cookies["mfa_challenge"]["value"], cookies["mfa_challenge"]["max-age"]) == ("", "0")
    assert cookies["mfa_challenge"]["path"] == "/auth"
    cleared = set(cookies) - {"sid", "refresh_token", "device"}
    assert cleared <= {"mfa_challenge", "pending_link"}, cookies
    assert {"sid", "refresh_token"} <= set(cookies)


async def kinds(db, email) -> list[str]:
    rows = await db.fetch("SELECT kind FROM security_events WHERE user_id = $1 ORDER BY created_at",
                          await user_id(db, email))
    return [row["kind"] for row in rows]


async def test_setup_confirm_and_the_status(client, mail, db, new_email):
    email = new_email()
    await register(client, email)
    await prove_email(client, mail, email)
    assert (await client.get("/auth/mfa")).json() == {"totp": False, "recoveryCodesLeft": 0, "passkeys": 0}
    assert_error(await client.post("/auth/mfa/totp/confirm", json={"code": "123456"}), 409, "mfa_setup_not_started")

    setup = (await client.post("/auth/mfa/totp/setup")).json()
    assert set(setup) == {"secret", "otpauthUri"} and re.fullmatch(r"[A-Z2-7]{32}", setup["secret"])
    uri = urlsplit(setup["otpauthUri"])
    assert (uri.scheme, uri.netloc, unquote(uri.path)) == ("otpauth", "totp", f"/Sésame:{email}")
    assert parse_qs(uri.query) == {"secret": [setup["secret"]], "issuer": ["Sésame"]}
    assert (await client.get("/auth/mfa")).json()["totp"] is False  # pending: nothing is on yet
    app = Authenticator(setup["secret"])
    assert_error(await client.post("/auth/mfa/totp/confirm", json={"code": app.wrong_code()}), 400, "invalid_code")
    assert_error(await client.post("/auth/mfa/totp/confirm", json={"code": "12345"}), 400, "invalid_request")

    confirmed = await client.post("/auth/mfa/totp/confirm", json={"code": app.code()})
    assert confirmed.status_code == 200 and set(confirmed.json()) == {"ok", "recoveryCodes"}
    codes = confirmed.json()["recoveryCodes"]
    assert len(set(codes)) == 10 and all(RECOVERY_CODE.fullmatch(code) for code in codes)
    assert (await client.get("/auth/mfa")).json() == {"totp": True, "recoveryCodesLeft": 10, "passkeys": 0}
    assert (await me(client))["mfaEnabled"] is True
    assert "mfa_enabled" in await kinds(db, email)
    assert (await mail.wait_for(to=email)).links  # the notice, with its "not you?" link
    assert_error(await client.post("/auth/mfa/totp/setup"), 409, "mfa_already_enabled")
    assert_error(await client.post("/auth/mfa/totp/confirm", json={"code": app.code()}), 409, "mfa_setup_not_started")


async def test_without_a_session_or_with_totp_off(client, server, new_email):
    async with fresh_client(server) as nobody:
        for method, path in [("GET", "/auth/mfa"), ("POST", "/auth/mfa/totp/setup"),
                             ("DELETE", "/auth/mfa/totp"), ("POST", "/auth/mfa/recovery-codes")]:
            assert_error(await nobody.request(method, path), 401, "not_authenticated")
        assert_error(await nobody.post("/auth/mfa/totp/confirm", json={"code": "123456"}), 401, "not_authenticated")
        assert_error(await nobody.post("/auth/reauth", json={"password": PASSWORD}), 401, "not_authenticated")
    await register(client, new_email())
    assert_error(await client.delete("/auth/mfa/totp"), 404, "mfa_not_enabled")
    assert_error(await client.post("/auth/mfa/recovery-codes"), 404, "mfa_not_enabled")
    # Nothing is added to an address nobody has proven.
    assert_error(await client.post("/auth/mfa/totp/setup"), 403, "email_not_verified")


async def test_a_password_alone_does_not_sign_in_and_a_code_does_once(client, server, mail, db, new_email):
    email = new_email()
    app, _ = await account_with_totp(client, mail, email)
    async with fresh_client(server) as browser:
        await challenged(browser, email)
        assert (await browser.get("/auth/me")).json() == {"user": None}
        code = app.code()
        answer = await verify(browser, code=code)
        assert answer.status_code == 200, answer.text
        assert set(answer.json()) == {"ok", "user", "profileComplete"} and answer.json()["user"]["mfaEnabled"]
        signed_in_and_challenge_cleared(answer)
        assert (await me(browser))["email"] == email
    row = await db.fetchrow("SELECT detail FROM security_events WHERE user_id = $1 AND kind = 'signed_in' "
                            "ORDER BY created_at DESC LIMIT 1", await user_id(db, email))
    assert '"mfa": true' in row["detail"] and '"method": "password"' in row["detail"]

    async with fresh_client(server) as replaying:  # the same code again: refused
        await challenged(replaying, email)
        assert_error(await verify(replaying, code=code), 400, "invalid_code")


async def test_a_challenge_is_single_use(client, server, mail, new_email):
    email = new_email()
    _, codes = await account_with_totp(client, mail, email)
    async with fresh_client(server) as browser:
        challenge = await challenged(browser, email)
        assert (await verify(browser, recoveryCode=codes[0])).status_code == 200
    async with fresh_client(server, f"mfa_challenge={challenge}") as again:
        answer = await verify(again, recoveryCode=codes[1])
        assert_error(answer, 401, "mfa_challenge_expired")
        assert_cleared(answer, "mfa_challenge")
    async with fresh_client(server) as without:
        assert_error(await verify(without, code="123456"), 401, "mfa_challenge_expired")


async def test_an_expired_challenge_says_to_sign_in_again(client, server, mail, db, new_email):
    email = new_email()
    app, _ = await account_with_totp(client, mail, email)
    async with fresh_client(server) as browser:
        await challenged(browser, email)
        # Five minutes pass, as the database sees them.
        await db.execute("UPDATE mfa_challenges SET expires_at = now() - interval '1 second' WHERE user_id = $1",
                         await user_id(db, email))
        answer = await verify(browser, code=app.code())
        assert_error(answer, 401, "mfa_challenge_expired")
        assert_cleared(answer, "mfa_challenge")
        assert (await browser.get("/auth/me")).json() == {"user": None}


async def test_a_recovery_code_signs_in_once_in_any_case_and_says_how_many_remain(client, server, mail, db, new_email):
    email = new_email()
    _, codes = await account_with_totp(client, mail, email)
    async with fresh_client(server) as browser:
        await challenged(browser, email)
        answer = await verify(browser, recoveryCode=codes[3].upper().replace("-", ""))
        assert answer.status_code == 200, answer.text
        signed_in_and_challenge_cleared(answer)
        assert (await browser.get("/auth/mfa")).json()["recoveryCodesLeft"] == 9
    assert "recovery_code_used" in await kinds(db, email)
    notice = await mail_about(mail, email, "Un code de secours a été utilisé")
    assert "Codes de secours restants : 9." in notice.text
    async with fresh_client(server) as again:
        await challenged(again, email)
        assert_error(await verify(again, recoveryCode=codes[3]), 400, "invalid_code")
        assert_error(await verify(again, code="123456", recoveryCode=codes[4]), 400, "invalid_request")


async def test_five_wrong_answers_burn_the_challenge_and_tell_the_owner(client, server, mail, db, new_email):
    email = new_email()
    app, _ = await account_with_totp(client, mail, email)
    async with fresh_client(server) as attacker:
        await challenged(attacker, email)
        for _ in range(4):
            assert_error(await verify(attacker, code=app.wrong_code()), 400, "invalid_code")
        assert_error(await verify(attacker, code=app.wrong_code()), 429, "too_many_attempts")
        assert_error(await verify(attacker, code=app.code()), 401, "mfa_challenge_expired")  # even the right one
    notice = await mail_about(mail, email, FAILED_SECOND_STEP)
    assert any("/secure-account?token=" in link for link in notice.links)
    assert "mfa_failed" in await kinds(db, email)


async def test_wrong_answers_count_toward_the_account_lock(client, server, mail, new_email):
    email = new_email()
    app, _ = await account_with_totp(client, mail, email)
    async with fresh_client(server) as attacker:
        for _ in range(6):
            assert_error(await login(attacker, email, "not-the-password-1"), 401, "invalid_credentials")
        await challenged(attacker, email)  # the 7th attempt
        for _ in range(3):  # the 8th to the 10th
            assert_error(await verify(attacker, code=app.wrong_code()), 400, "invalid_code")
        locked = await verify(attacker, code=app.code())
        assert_error(locked, 423, "account_locked")
        assert int(locked.headers["retry-after"]) > 0
        assert_error(await login(attacker, email), 423, "account_locked")


async def test_new_recovery_codes_replace_the_old_and_turning_off_signs_in_with_the_password(
    client, server, mail, db, new_email
):
    email = new_email()
    _, old = await account_with_totp(client, mail, email)
    renewed = await client.post("/auth/mfa/recovery-codes")
    assert renewed.status_code == 200 and set(renewed.json()) == {"recoveryCodes"}
    new = renewed.json()["recoveryCodes"]
    assert len(new) == 10 and not set(new) & set(old)
    async with fresh_client(server) as browser:
        await challenged(browser, email)
        assert_error(await verify(browser, recoveryCode=old[0]), 400, "invalid_code")
        assert (await verify(browser, recoveryCode=new[0])).status_code == 200

    assert (await client.delete("/auth/mfa/totp")).json() == {"ok": True}
    assert (await client.get("/auth/mfa")).json() == {"totp": False, "recoveryCodesLeft": 0, "passkeys": 0}
    assert (await me(client))["mfaEnabled"] is False
    async with fresh_client(server) as browser:
        session_cookies(await login(browser, email))
    assert {"recovery_codes_regenerated", "mfa_disabled"} <= set(await kinds(db, email))


async def test_the_html_form_login_goes_to_the_second_step_page(client, server, mail, new_email):
    email = new_email()
    await account_with_totp(client, mail, email)
    async with fresh_client(server) as browser:
        answer = await post_form(browser, emailOrUsername=email, password=PASSWORD)
        assert see_other(answer) == f"{FRONTEND}/auth/mfa?methods=totp,recovery_code"
        challenge_of(answer)
        assert (await browser.get("/auth/me")).json() == {"user": None}


async def test_a_provider_sign_in_is_no_way_around_the_second_factor(client, server, idp, db):
    sub, claims = person()
    first = await sign_in_with_google(client, idp, sub, claims)  # a Google account, its email vouched for
    assert first.status_code == 302 and "sid" in set_cookies(first)
    app, _ = await turn_on_totp(client)
    async with httpx.AsyncClient(base_url=server, timeout=30) as browser:
        answer = await browser.get(await go_to_google(browser, idp, sub, claims))
        assert answer.status_code == 302
        assert answer.headers["location"] == (
            f"{FRONTEND}/auth/mfa?from=social&provider=google&methods=totp,recovery_code")
        cookies = set_cookies(answer)
        assert "sid" not in cookies and "refresh_token" not in cookies
        assert cookies["mfa_challenge"]["path"] == "/auth" and cookies["mfa_challenge"]["httponly"]
        signed_in = await verify(browser, code=app.code())
        assert signed_in.status_code == 200, signed_in.text
        assert (await me(browser))["providers"] == ["google"]
    row = await db.fetchrow("SELECT detail FROM security_events WHERE user_id = $1 AND kind = 'signed_in' "
                            "ORDER BY created_at DESC LIMIT 1", await user_id(db, claims["email"]))
    assert '"mfa": true' in row["detail"] and '"method": "google"' in row["detail"]


async def test_an_oauth2_provider_is_no_way_around_it_either(client, server, github):
    subject, profile = github_person()
    assert "sid" in set_cookies(await oauth2_sign_in(client, github, "github", subject, profile))
    app, _ = await turn_on_totp(client)
    async with httpx.AsyncClient(base_url=server, timeout=30) as browser:
        answer = await oauth2_sign_in(browser, github, "github", subject, profile)
        assert answer.headers["location"] == (
            f"{FRONTEND}/auth/mfa?from=social&provider=github&methods=totp,recovery_code")
        assert set(set_cookies(answer)) == {"github_flow", "mfa_challenge"}
        assert (await verify(browser, code=app.code())).status_code == 200
        assert (await me(browser))["providers"] == ["github"]


async def test_a_pending_link_attaches_only_after_the_second_step(client, idp, db, mail, new_email):
    email = new_email()
    app, _ = await account_with_totp(client, mail, email)
    await client.post("/auth/logout")
    sub, _ = await refused_with_a_pending_link(client, idp, email)
    await challenged(client, email)
    assert await count(db, "accounts WHERE provider_account_id = $1", sub) == 0  # not before the second step
    answer = await verify(client, code=app.code())
    assert answer.status_code == 200 and answer.json()["linkedProvider"] == "google"
    assert set_cookies(answer)["pending_link"]["max-age"] == "0"
    assert await count(db, "accounts WHERE provider_account_id = $1", sub) == 1


async def test_a_password_reset_leaves_the_second_factor_on(client, server, mail, new_email):
    email = new_email()
    await account_with_totp(client, mail, email)
    assert (await client.post("/auth/forgot-password", json={"email": email})).status_code == 202
    token = (await mail_about(mail, email, "Réinitialisez votre mot de passe")).token
    assert (await reset(server, token, "a-brand-new-password-9")).status_code == 200
    async with fresh_client(server) as browser:
        answer = await login(browser, email, "a-brand-new-password-9")
        assert assert_error(answer, 401, "mfa_required")["methods"] == METHODS


async def test_neither_the_secret_nor_the_recovery_codes_are_stored_in_clear(client, mail, db, new_email):
    email = new_email()
    app, codes = await account_with_totp(client, mail, email)
    secret = (await db.fetchval("SELECT secret FROM totp_secrets WHERE user_id = $1", await user_id(db, email)))
    assert secret.startswith("v1:")
    plain = base64.b32encode(app.key).decode().rstrip("=")
    assert plain not in secret and plain.lower() not in secret.lower()
    stored = await db.fetch("SELECT code_hash FROM recovery_codes WHERE user_id = $1", await user_id(db, email))
    assert len(stored) == 10 and all(len(row["code_hash"]) == 32 for row in stored)
    dump = " ".join(str(row["code_hash"]) for row in stored)
    for code in codes:
        assert code.encode() not in b"".join(row["code_hash"] for row in stored)
        assert code not in dump and code.replace("-", "") not in dump
