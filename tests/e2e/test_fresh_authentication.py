"""Fresh authentication over HTTP: sensitive actions need a recent sign-in of the session
(REAUTH_MAX_AGE, 600 s here); POST /auth/reauth and a provider round trip with reauth=true
make a session fresh again, a refresh does not. A session is made stale by moving its
sign-in time back in the database, as the passing of time would."""

from datetime import UTC, datetime, timedelta

from tests.e2e.conftest import FRONTEND
from tests.e2e.test_google_sign_in import go_to_google, me, person, sign_in_with_google
from tests.e2e.test_pending_link import user_id
from tests.e2e.test_second_factor import turn_on_totp
from tests.support.http import PASSWORD, assert_error, prove_email, register, set_cookies

REAUTH_MAX_AGE = timedelta(seconds=600)


async def go_stale(db, email: str) -> None:
    """Every session of the account signed in longer ago than REAUTH_MAX_AGE."""
    await db.execute("UPDATE sessions SET signed_in_at = now() - interval '1 hour' WHERE user_id = $1",
                     await user_id(db, email))


def assert_reauth_required(answer, methods: list[str]) -> None:
    assert assert_error(answer, 403, "reauth_required")["methods"] == methods


async def reauth(client, **body):
    return await client.post("/auth/reauth", json=body)


async def test_a_stale_session_with_a_password_re_authenticates_with_it(client, mail, db, new_email):
    email = new_email()
    await register(client, email)
    await prove_email(client, mail, email)
    await go_stale(db, email)
    assert_reauth_required(await client.post("/auth/mfa/totp/setup"), ["password"])
    # Changing the email gives the password: proof enough, however old the session.
    assert (await client.post("/auth/email/change", json={"email": f"new-{email}", "password": PASSWORD})
            ).status_code == 202

    assert_error(await reauth(client, password="not-the-password-1"), 403, "invalid_password")
    assert_error(await reauth(client), 400, "invalid_request")
    assert_error(await reauth(client, password=PASSWORD, code="123456"), 400, "invalid_request")  # TOTP is off
    before = datetime.now(UTC)
    answer = await reauth(client, password=PASSWORD)
    assert answer.status_code == 200 and set(answer.json()) == {"ok", "freshUntil"}
    fresh_until = datetime.fromisoformat(answer.json()["freshUntil"])
    assert before + REAUTH_MAX_AGE - timedelta(seconds=5) <= fresh_until <= datetime.now(UTC) + REAUTH_MAX_AGE
    assert (await client.post("/auth/mfa/totp/setup")).status_code == 200
    kinds = await db.fetch("SELECT kind, detail FROM security_events WHERE user_id = $1 AND kind = 'reauthenticated'",
                           await user_id(db, email))
    assert len(kinds) == 1 and '"password"' in kinds[0]["detail"]


async def test_with_totp_on_the_password_and_a_code(client, mail, db, new_email):
    email = new_email()
    await register(client, email)
    await prove_email(client, mail, email)
    app, _ = await turn_on_totp(client)
    await go_stale(db, email)
    assert_reauth_required(await client.delete("/auth/mfa/totp"), ["password", "totp"])
    assert_reauth_required(await client.post("/auth/mfa/recovery-codes"), ["password", "totp"])
    assert_error(await reauth(client, password=PASSWORD), 400, "invalid_request")  # the code is required too
    assert_error(await reauth(client, password=PASSWORD, code=app.wrong_code()), 400, "invalid_code")
    assert (await reauth(client, password=PASSWORD, code=app.code())).status_code == 200
    assert (await client.post("/auth/mfa/recovery-codes")).status_code == 200
    assert (await client.delete("/auth/mfa/totp")).status_code == 200


async def test_a_refresh_does_not_make_a_session_fresh(client, mail, db, new_email):
    email = new_email()
    await register(client, email)
    await prove_email(client, mail, email)
    await go_stale(db, email)
    refreshed = await client.post("/auth/refresh")
    assert refreshed.status_code == 200 and "sid" in set_cookies(refreshed)
    assert_reauth_required(await client.post("/auth/mfa/totp/setup"), ["password"])


async def test_wrong_re_authentications_count_toward_the_account_lock(client, db, new_email):
    email = new_email()
    await register(client, email)
    await go_stale(db, email)
    for _ in range(10):
        assert_error(await reauth(client, password="not-the-password-1"), 403, "invalid_password")
    assert_error(await reauth(client, password=PASSWORD), 423, "account_locked")


async def signed_in_with_google(client, idp, db):
    """A Google account (no password, its email vouched for), its session stale: (sub, claims)."""
    sub, claims = person()
    assert "sid" in set_cookies(await sign_in_with_google(client, idp, sub, claims))
    await go_stale(db, claims["email"])
    return sub, claims


async def test_an_account_without_a_password_re_authenticates_through_its_provider(client, idp, db):
    sub, claims = await signed_in_with_google(client, idp, db)
    assert_reauth_required(await client.delete("/auth/accounts/google"), ["google"])
    assert_reauth_required(await client.post("/auth/email/change", json={"email": "other@example.com"}), ["google"])
    assert_reauth_required(await client.post("/auth/password/change", json={"newPassword": "a-first-password-9"}),
                           ["google"])
    assert_error(await reauth(client, password=PASSWORD), 400, "invalid_request")  # it proves itself elsewhere

    back = await client.get(await go_to_google(client, idp, sub, claims, reauth="true"))
    assert back.status_code == 302
    assert back.headers["location"] == f"{FRONTEND}/auth/finish?from=social&provider=google&reauth=true"
    assert "sid" not in set_cookies(back)  # the same session, fresh again
    assert (await client.post("/auth/password/change", json={"newPassword": "a-first-password-9"})).status_code == 200
    assert (await me(client))["hasPassword"] is True


async def test_another_identity_or_no_session_fails_the_provider_round_trip(client, server, idp, db):
    sub, claims = await signed_in_with_google(client, idp, db)
    other_sub, other_claims = person()
    back = await client.get(await go_to_google(client, idp, other_sub, other_claims, reauth="true"))
    assert back.headers["location"] == (
        f"{FRONTEND}/auth/finish?from=social&provider=google&reauth=true&error=reauth_failed")
    assert set_cookies(back).keys() == {"google_flow"}  # nobody signed in, nothing linked
    assert (await me(client))["providers"] == ["google"]
    assert_reauth_required(await client.post("/auth/mfa/totp/setup"), ["google"])
    assert await db.fetchval("SELECT count(*) FROM users WHERE email = $1", other_claims["email"]) == 0

    await client.post("/auth/logout")
    start = await client.get("/auth/google", params={"reauth": "true"})
    assert (start.status_code, start.headers["location"]) == (
        302, f"{FRONTEND}/auth/finish?from=social&provider=google&reauth=true&error=reauth_failed")


async def test_a_social_only_account_with_totp_gives_the_code_alone(client, idp, db):
    sub, claims = await signed_in_with_google(client, idp, db)
    assert (await reauth(client, password=PASSWORD)).status_code == 400
    back = await client.get(await go_to_google(client, idp, sub, claims, reauth="true"))
    assert back.headers["location"].endswith("reauth=true")
    app, _ = await turn_on_totp(client)
    await go_stale(db, claims["email"])
    assert_reauth_required(await client.post("/auth/mfa/recovery-codes"), ["totp", "google"])
    assert (await reauth(client, code=app.code())).status_code == 200
    assert (await client.post("/auth/mfa/recovery-codes")).status_code == 200


async def test_each_body_is_strict(client, new_email):
    await register(client, new_email())
    assert_error(await reauth(client, password=PASSWORD, remember=True), 400, "invalid_request")
    assert_error(await client.post("/auth/mfa/verify", json={"code": "123456", "extra": 1}), 400, "invalid_request")
    assert_error(await client.post("/auth/mfa/totp/confirm", json={"code": 123456}), 400, "invalid_request")
