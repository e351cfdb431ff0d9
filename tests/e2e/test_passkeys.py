"""Passkeys over HTTP, with a software authenticator (tests/support/passkey_authenticator.py)
whose answers the service checks: registration, the list, renaming, removal, and the
sign-in that needs neither a password nor a second step. Every spoiled answer is refused and
changes nothing."""

import uuid

from tests.e2e.conftest import FRONTEND
from tests.e2e.test_fresh_authentication import assert_reauth_required, go_stale
from tests.e2e.test_google_sign_in import person, sign_in_with_google
from tests.e2e.test_pending_link import user_id
from tests.e2e.test_second_factor import METHODS, turn_on_totp
from tests.support.http import (
    assert_error, device_cookie, fresh_client, login, prove_email, register, session_cookies, set_cookies,
)
from tests.support.passkey_authenticator import PasskeyAuthenticator

RP_ID = "localhost"  # the host of FRONTEND_ORIGIN: WEBAUTHN_* are unset
PASSKEY_KEYS = {"id", "name", "createdAt", "lastUsedAt", "backedUp"}


def authenticator(**spoil) -> PasskeyAuthenticator:
    return PasskeyAuthenticator(FRONTEND, RP_ID, **spoil)


async def register_passkey(client, key: PasskeyAuthenticator, **body) -> dict:
    """Options, the authenticator's answer, 201: the new passkey."""
    options = await client.post("/auth/passkeys/register/options")
    assert options.status_code == 200, options.text
    added = await client.post("/auth/passkeys/register", json={"credential": key.create(options.json()), **body})
    assert added.status_code == 201, added.text
    assert set(added.json()["passkey"]) == PASSKEY_KEYS
    return added.json()["passkey"]


async def login_options(browser) -> dict:
    options = await browser.post("/auth/passkeys/login/options")
    assert options.status_code == 200, options.text
    cookie = set_cookies(options)["passkey_challenge"]
    assert cookie["httponly"] is True and cookie["path"] == "/auth" and 295 <= int(cookie["max-age"]) <= 300
    assert cookie["samesite"].lower() == "lax"
    return options.json()


async def sign_in(browser, key: PasskeyAuthenticator, **spoil):
    options = await login_options(browser)
    return await browser.post("/auth/passkeys/login", json={"credential": key.get(options, **spoil)})


async def signed_up(client, mail, new_email) -> str:
    """A new account, its email proven (an unproven address gains no passkey)."""
    email = new_email()
    await register(client, email)
    await prove_email(client, mail, email)
    return email


async def account_with_a_passkey(client, mail, new_email) -> tuple[str, PasskeyAuthenticator, dict]:
    email = await signed_up(client, mail, new_email)
    key = authenticator()
    return email, key, await register_passkey(client, key)


async def test_register_list_rename_and_the_options(client, mail, new_email):
    await signed_up(client, mail, new_email)
    options = await client.post("/auth/passkeys/register/options")
    assert options.status_code == 200
    created = options.json()
    assert created["rp"]["id"] == RP_ID
    assert created["authenticatorSelection"]["residentKey"] == "required"
    assert created["authenticatorSelection"]["userVerification"] == "required"
    assert {p["alg"] for p in created["pubKeyCredParams"]} == {-7, -257}
    assert created["excludeCredentials"] == []
    key = authenticator()
    added = await client.post("/auth/passkeys/register", json={"credential": key.create(created)})
    assert added.status_code == 201, added.text
    passkey = added.json()["passkey"]
    assert passkey["name"] == "Passkey" and passkey["lastUsedAt"] is None and passkey["backedUp"] is True

    second = await register_passkey(client, authenticator(), name="  Work   laptop ")
    assert second["name"] == "Work laptop"
    listed = await client.get("/auth/passkeys")
    assert [p["id"] for p in listed.json()["passkeys"]] == [passkey["id"], second["id"]]
    excluded = (await client.post("/auth/passkeys/register/options")).json()["excludeCredentials"]
    assert len(excluded) == 2

    renamed = await client.patch(f"/auth/passkeys/{passkey['id']}", json={"name": "Phone"})
    assert renamed.status_code == 200 and renamed.json()["passkey"]["name"] == "Phone"
    assert_error(await client.patch(f"/auth/passkeys/{passkey['id']}", json={"name": "   "}), 400,
                 "invalid_request")
    assert_error(await client.patch(f"/auth/passkeys/{uuid.uuid4()}", json={"name": "x"}), 404, "not_found")
    assert_error(await client.patch("/auth/passkeys/not-an-id", json={"name": "x"}), 404, "not_found")
    assert (await client.get("/auth/mfa")).json()["passkeys"] == 2


async def test_another_accounts_passkey_is_not_found(client, server, mail, new_email):
    _, _, passkey = await account_with_a_passkey(client, mail, new_email)
    async with fresh_client(server) as other:
        await register(other, new_email())
        assert_error(await other.patch(f"/auth/passkeys/{passkey['id']}", json={"name": "Mine"}), 404, "not_found")
        assert_error(await other.delete(f"/auth/passkeys/{passkey['id']}"), 404, "not_found")
        assert (await other.get("/auth/passkeys")).json() == {"passkeys": []}
    assert (await client.get("/auth/passkeys")).json()["passkeys"][0]["name"] == "Passkey"


async def test_a_credential_registered_already_is_a_conflict(client, mail, new_email):
    _, key, _ = await account_with_a_passkey(client, mail, new_email)
    options = await client.post("/auth/passkeys/register/options")
    again = await client.post("/auth/passkeys/register", json={"credential": key.create(options.json())})
    assert_error(again, 409, "passkey_exists")


async def test_a_passkey_signs_in_without_password_or_second_step(client, server, mail, db, new_email):
    email = new_email()
    await register(client, email)
    await prove_email(client, mail, email)
    await turn_on_totp(client)
    key = authenticator()
    await register_passkey(client, key)
    assert (await client.post("/auth/logout")).status_code == 200
    async with fresh_client(server) as browser:
        answer = await sign_in(browser, key)
        assert answer.status_code == 200, answer.text
        body = answer.json()
        assert body["ok"] is True and body["user"]["email"] == email and set(body) == {"ok", "user", "profileComplete"}
        session_cookies(answer)
        assert device_cookie(answer) is not None
        me = await browser.get("/auth/me")
        assert me.json()["user"]["email"] == email
        listed = (await browser.get("/auth/passkeys")).json()["passkeys"]
        assert listed[0]["lastUsedAt"] is not None
        again = await sign_in(browser, key)  # the browser's device cookie is kept
        assert again.status_code == 200 and device_cookie(again) is None
    detail = await db.fetchval(
        "SELECT detail FROM security_events WHERE user_id = $1 AND kind = 'signed_in' ORDER BY created_at DESC LIMIT 1",
        await user_id(db, email))
    assert '"passkey"' in detail


async def test_registration_refusals(client, mail, new_email):
    await signed_up(client, mail, new_email)
    spoilers = [
        {"origin": "http://evil.example:3000"}, {"rp_id": "evil.example"}, {"kind": "webauthn.get"},
        {"verified": False}, {"challenge": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"},
    ]
    for spoil in spoilers:
        options = await client.post("/auth/passkeys/register/options")
        refused = await client.post("/auth/passkeys/register",
                                    json={"credential": authenticator().create(options.json(), **spoil)})
        assert_error(refused, 400, "invalid_passkey")
    # An answer whose challenge was used up already (by the refusal above) is refused too.
    options = (await client.post("/auth/passkeys/register/options")).json()
    key = authenticator()
    assert (await client.post("/auth/passkeys/register", json={"credential": key.create(options)})).status_code == 201
    replay = await client.post("/auth/passkeys/register", json={"credential": authenticator().create(options)})
    assert_error(replay, 400, "invalid_passkey")
    assert_error(await client.post("/auth/passkeys/register", json={"credential": {"id": "x"}}), 400,
                 "invalid_passkey")
    assert len((await client.get("/auth/passkeys")).json()["passkeys"]) == 1


async def test_sign_in_refusals(client, server, mail, db, new_email):
    email, key, _ = await account_with_a_passkey(client, mail, new_email)
    async with fresh_client(server) as browser:
        for spoil in [
            {"origin": "http://evil.example:3000"}, {"rp_id": "evil.example"}, {"kind": "webauthn.create"},
            {"verified": False}, {"forge": True}, {"challenge": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"},
        ]:
            refused = await sign_in(browser, key, **spoil)
            assert_error(refused, 401, "invalid_passkey")
            assert "sid" not in set_cookies(refused)
        assert_error(await sign_in(browser, authenticator()), 401, "invalid_passkey")  # unknown credential

        # A challenge answers once.
        options = await login_options(browser)
        assert (await browser.post("/auth/passkeys/login", json={"credential": key.get(options)})).status_code == 200
        replay = await browser.post("/auth/passkeys/login", json={"credential": key.get(options)})
        assert_error(replay, 401, "invalid_passkey")
        # A counter that does not go forward is a cloned authenticator.
        assert_error(await sign_in(browser, key, sign_count=1), 401, "invalid_passkey")
        assert (await sign_in(browser, key)).status_code == 200

        # The challenge of another browser (its cookie) is not this one's.
        options = await login_options(browser)
        async with fresh_client(server) as other:
            await login_options(other)
            stolen = await other.post("/auth/passkeys/login", json={"credential": key.get(options)})
            assert_error(stolen, 401, "invalid_passkey")
    async with fresh_client(server) as no_cookie:
        assert_error(await no_cookie.post("/auth/passkeys/login", json={"credential": key.get(options)}), 401,
                     "invalid_passkey")
    clones = await db.fetchval(
        "SELECT count(*) FROM security_events WHERE user_id = $1 AND kind = 'mfa_failed' AND detail->>'reason' = 'sign_count'",
        await user_id(db, email))
    assert clones == 1


async def test_a_stale_session_must_reauthenticate_to_register_or_remove(client, mail, db, new_email):
    email, _, passkey = await account_with_a_passkey(client, mail, new_email)
    await go_stale(db, email)
    assert_reauth_required(await client.post("/auth/passkeys/register/options"), ["password", "passkey"])
    assert_reauth_required(await client.delete(f"/auth/passkeys/{passkey['id']}"), ["password", "passkey"])
    # Listing and renaming need no fresh sign-in.
    assert (await client.get("/auth/passkeys")).status_code == 200
    assert (await client.patch(f"/auth/passkeys/{passkey['id']}", json={"name": "Old"})).status_code == 200


async def test_removal_and_the_last_way_to_sign_in(client, idp, db):
    sub, claims = person()
    signed_in = await sign_in_with_google(client, idp, sub, claims)
    assert signed_in.status_code == 302
    first = await register_passkey(client, authenticator())
    second = await register_passkey(client, authenticator())
    assert (await client.delete("/auth/accounts/google")).status_code == 200  # passkeys sign in still
    assert (await client.delete(f"/auth/passkeys/{first['id']}")).json() == {"ok": True}
    assert_error(await client.delete(f"/auth/passkeys/{second['id']}"), 409, "last_login_method")
    assert_error(await client.delete(f"/auth/passkeys/{first['id']}"), 404, "not_found")
    assert [p["id"] for p in (await client.get("/auth/passkeys")).json()["passkeys"]] == [second["id"]]
    kinds = await db.fetch("SELECT kind FROM security_events WHERE user_id = $1 AND kind LIKE 'passkey_%'",
                           await user_id(db, claims["email"]))
    assert sorted(row["kind"] for row in kinds) == ["passkey_added", "passkey_added", "passkey_removed"]


async def test_the_second_factor_status_counts_passkeys_and_every_step_offers_them(client, server, mail, db,
                                                                                  new_email):
    email = new_email()
    await register(client, email)
    await prove_email(client, mail, email)
    await turn_on_totp(client)
    await register_passkey(client, authenticator())
    assert (await client.get("/auth/mfa")).json() == {"totp": True, "recoveryCodesLeft": 10, "passkeys": 1}
    async with fresh_client(server) as browser:
        assert assert_error(await login(browser, email), 401, "mfa_required")["methods"] == METHODS + ["passkey"]
    await go_stale(db, email)
    assert_reauth_required(await client.post("/auth/passkeys/register/options"), ["password", "totp", "passkey"])


async def test_an_unproven_address_gains_no_passkey(client, new_email):
    await register(client, new_email())  # perhaps somebody else's address, never proven
    assert_error(await client.post("/auth/passkeys/register/options"), 403, "email_not_verified")
    assert_error(await client.post("/auth/passkeys/register", json={"credential": authenticator().create({
        "user": {"id": "AAAA"}, "challenge": "AAAA"})}), 403, "email_not_verified")
    assert (await client.get("/auth/mfa")).json()["passkeys"] == 0


async def test_without_a_session(server):
    async with fresh_client(server) as browser:
        for method, path in [("POST", "/auth/passkeys/register/options"), ("GET", "/auth/passkeys"),
                             ("DELETE", f"/auth/passkeys/{uuid.uuid4()}")]:
            assert_error(await browser.request(method, path), 401, "not_authenticated")


async def test_an_address_flooding_the_sign_in_gets_429(server, mail, client, new_email):
    _, key, _ = await account_with_a_passkey(client, mail, new_email)
    async with fresh_client(server) as browser:
        answers = [await browser.post("/auth/passkeys/login/options") for _ in range(31)]
        assert [a.status_code for a in answers] == [200] * 30 + [429]
        limited = answers[-1]
        assert_error(limited, 429, "rate_limited")
        assert 0 < int(limited.headers["retry-after"]) <= 60 and "passkey_challenge" not in set_cookies(limited)
        # The answer counts on its own: the last open challenge still signs in, then the answers flood.
        options = answers[-2].json()
        signed_in = await browser.post("/auth/passkeys/login", json={"credential": key.get(options)})
        assert signed_in.status_code == 200, signed_in.text
        refused = [await browser.post("/auth/passkeys/login", json={"credential": key.get(options)})
                   for _ in range(30)]
        assert [a.status_code for a in refused] == [401] * 29 + [429]
        assert_error(refused[-1], 429, "rate_limited")


async def test_a_passkeys_path_says_all_its_methods(server):
    async with fresh_client(server) as browser:
        answer = await browser.options(f"/auth/passkeys/{uuid.uuid4()}")
    assert answer.status_code == 204 and answer.headers["allow"] == "DELETE, OPTIONS, PATCH"
