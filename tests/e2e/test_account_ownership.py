"""Who owns an account, as attacker and owner live it over HTTP: a squatter of an unverified
address can add nothing and keeps nothing once the owner proves the address; a thief's
additions are undone by the owner's "not you?" click; an email change voids the old
address's links. Providers, SendGrid and Twilio are the loopback fakes."""

import uuid
from contextlib import asynccontextmanager
from datetime import UTC, datetime

import cbor2

from tests.e2e.test_message_delivery import quiet
from tests.e2e.test_google_sign_in import login_error, me, person, sign_in_with_google
from tests.e2e.test_oauth2_sign_in import github_person, sign_in
from tests.e2e.test_passkeys import authenticator, register_passkey
from tests.e2e.test_passkeys import sign_in as passkey_sign_in
from tests.e2e.test_password_recovery import NEW_PASSWORD, SUBJECTS, forgot, mail_about, reset
from tests.e2e.test_phone_code_flow import a_number
from tests.support.http import (
    PASSWORD,
    assert_error,
    fresh_client,
    login,
    me_with_sid,
    prove_email,
    register,
    session_cookies,
)
from tests.support.passkey_authenticator import PasskeyAuthenticator

NEW_DEVICE = "Nouvelle connexion à votre compte Sésame"
CHANGE_NOTICE = "Changement d'adresse e-mail demandé"
THIEFS_BROWSER = {"X-Forwarded-For": "198.51.100.23",
                  "User-Agent": "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"}


async def squatter_added(db, email: str, github_subject: str, number: str) -> uuid.UUID:
    """What a squatter of `email` may hold from before these rules: his GitHub, his verified phone."""
    user_id = await db.fetchval("SELECT id FROM users WHERE email = $1", email)
    now = datetime.now(UTC)
    await db.execute(
        "INSERT INTO accounts (id, user_id, provider, provider_account_id, linked_at, updated_at)"
        " VALUES ($1, $2, 'github', $3, $4, $4)", uuid.uuid4(), user_id, github_subject, now)
    await db.execute("UPDATE users SET phone_number = $2, phone_verified_at = $3, phone_changed_at = $3"
                     " WHERE id = $1", user_id, number, now)
    return user_id


async def squatters_passkey(db, user_id: uuid.UUID) -> PasskeyAuthenticator:
    """A passkey a squatter may hold from before these rules, stored as a registration would."""
    key = authenticator()
    key.user_handle = uuid.uuid4().bytes * 4
    await db.execute("INSERT INTO passkey_user_handles (user_id, handle, created_at) VALUES ($1, $2, now())",
                     user_id, key.user_handle)
    await db.execute(
        "INSERT INTO passkeys (id, user_id, credential_id, public_key, sign_count, transports, backup_eligible,"
        " backed_up, aaguid, name, created_at) VALUES ($1, $2, $3, $4, 0, '[]'::jsonb, true, true,"
        " '00000000-0000-0000-0000-000000000000', 'Passkey', now())",
        uuid.uuid4(), user_id, key.credential_id, cbor2.dumps(key._cose_key()))
    return key


async def no_passkey_left(server, db, user_id: uuid.UUID, key: PasskeyAuthenticator) -> None:
    assert await db.fetchval("SELECT count(*) FROM passkeys WHERE user_id = $1", user_id) == 0
    async with fresh_client(server) as squatter:
        assert_error(await passkey_sign_in(squatter, key), 401, "invalid_passkey")


async def whatsapp_reset_is_refused(server, whatsapp, mail, db, new_email, number: str) -> None:
    """A reset code to `number` is neither sent nor accepted."""
    before = len(whatsapp.received_by(number))
    known = new_email()
    async with fresh_client(server) as anyone:
        await forgot(anyone, phoneNumber=number)
        answer = await anyone.post("/auth/verify-phone", json={"phoneNumber": number, "code": "123456"})
        await register(anyone, known)  # its reset link marks the end of the background work
        await forgot(anyone, email=known)
    assert_error(answer, 400, "invalid_code")
    await mail_about(mail, known, SUBJECTS["fr"]["reset"])
    await quiet(db)
    assert len(whatsapp.received_by(number)) == before


async def test_a_squatter_of_an_unverified_address_can_add_no_provider_and_no_phone(
    client, server, github, db, new_email
):
    email = new_email()
    await register(client, email)  # somebody else's address, never proven
    subject, profile = github_person()
    refused = await sign_in(client, github, "github", subject, profile, link="true")
    assert login_error(refused) == "email_not_verified"
    assert await db.fetchval("SELECT count(*) FROM accounts WHERE provider_account_id = $1", subject) == 0
    assert (await client.patch("/auth/profile", json={"phoneNumber": a_number()})).status_code == 200
    assert_error(await client.post("/auth/phone/verify/request"), 403, "email_not_verified")
    assert_error(await client.post("/auth/phone/verify", json={"code": "123456"}), 403, "email_not_verified")
    assert (await me(client))["phoneVerified"] is False


async def test_a_provider_that_vouches_takes_back_what_a_squatter_held(
    client, server, idp, github, whatsapp, mail, db, new_email
):
    email, number = new_email(), a_number()
    async with fresh_client(server) as squatter:
        squatter_sid, _ = session_cookies(await register(squatter, email))
    gh_subject, gh_profile = github_person()
    owner_id = await squatter_added(db, email, gh_subject, number)
    squatters_key = await squatters_passkey(db, owner_id)
    async with fresh_client(server) as squatter:  # it signs in, until the owner proves the address
        assert (await passkey_sign_in(squatter, squatters_key)).status_code == 200

    sub, claims = person(email=email)
    assert (await sign_in_with_google(client, idp, sub, claims)).status_code == 302
    owner = await me(client)
    assert (owner["id"], owner["providers"], owner["emailVerified"]) == (str(owner_id), ["google"], True)
    assert (owner["phoneNumber"], owner["hasPassword"]) == (None, False)
    assert (await me_with_sid(server, squatter_sid)).json() == {"user": None}

    async with fresh_client(server) as squatter:  # his GitHub no longer opens the owner's account
        await sign_in(squatter, github, "github", gh_subject, gh_profile)
        assert (await me(squatter))["id"] != str(owner_id)
        assert_error(await login(squatter, email, PASSWORD), 401, "social_only")
    await no_passkey_left(server, db, owner_id, squatters_key)
    [verified] = await db.fetch("SELECT detail->>'passkeysRemoved' AS n FROM security_events WHERE user_id = $1"
                                " AND kind = 'email_verified'", owner_id)
    assert verified["n"] == "1"
    await whatsapp_reset_is_refused(server, whatsapp, mail, db, new_email, number)


async def test_a_reset_link_takes_back_what_a_squatter_held(client, server, github, whatsapp, mail, db, new_email):
    email, number = new_email(), a_number()
    async with fresh_client(server) as squatter:
        squatter_sid, _ = session_cookies(await register(squatter, email))
    gh_subject, gh_profile = github_person()
    owner_id = await squatter_added(db, email, gh_subject, number)
    squatters_key = await squatters_passkey(db, owner_id)

    await forgot(client, email=email)
    link = await mail_about(mail, email, SUBJECTS["fr"]["reset"])
    assert (await reset(server, link.token)).status_code == 200
    owner = (await login(client, email, NEW_PASSWORD)).json()["user"]
    assert (owner["providers"], owner["phoneNumber"], owner["emailVerified"]) == ([], None, True)
    assert (await me_with_sid(server, squatter_sid)).json() == {"user": None}
    async with fresh_client(server) as squatter:
        await sign_in(squatter, github, "github", gh_subject, gh_profile)
        assert (await me(squatter))["id"] != str(owner_id)
    await no_passkey_left(server, db, owner_id, squatters_key)
    await whatsapp_reset_is_refused(server, whatsapp, mail, db, new_email, number)


@asynccontextmanager
async def owner_and_thief(client, server, mail, email):
    """The owner's verified account; a thief signs in with the password from elsewhere and the
    owner is mailed a "not you?" link. Yields the thief's browser."""
    await register(client, email)
    await prove_email(client, mail, email)
    async with fresh_client(server) as thief:
        thief.headers.update(THIEFS_BROWSER)
        assert (await login(thief, email)).status_code == 200
        yield thief


async def test_not_you_undoes_the_thiefs_provider_and_phone(client, server, github, whatsapp, mail, db, new_email):
    email, number = new_email(), a_number()
    async with owner_and_thief(client, server, mail, email) as thief:
        alert = await mail_about(mail, email, NEW_DEVICE)
        gh_subject, gh_profile = github_person()
        linked = await sign_in(thief, github, "github", gh_subject, gh_profile, link="true")
        assert "linked=true" in linked.headers["location"]
        assert (await thief.patch("/auth/profile", json={"phoneNumber": number})).status_code == 200
        assert (await thief.post("/auth/phone/verify/request")).status_code == 202
        code = (await whatsapp.wait_for(to=number)).code
        assert (await thief.post("/auth/phone/verify", json={"code": code})).status_code == 200

        async with fresh_client(server) as owners_phone:
            secured = await owners_phone.post("/auth/secure-account", json={"token": alert.token})
        assert secured.status_code == 200, secured.text
        assert secured.json() == {"ok": True, "undone": {
            "providersUnlinked": ["github"], "phoneRemoved": True, "emailChangeCancelled": False,
            "emailRestored": None, "secondFactorRemoved": False, "passkeysRemoved": 0}}
        assert (await me(thief)) is None

    async with fresh_client(server) as thief_again:
        await sign_in(thief_again, github, "github", gh_subject, gh_profile)
        assert (await me(thief_again))["email"] != email
    await whatsapp_reset_is_refused(server, whatsapp, mail, db, new_email, number)
    await forgot(client, email=email)  # the owner's way back in
    link = await mail_about(mail, email, SUBJECTS["fr"]["reset"])
    assert (await reset(server, link.token)).status_code == 200
    signed_in = await login(client, email, NEW_PASSWORD)
    events = (await client.get("/auth/events")).json()["events"]
    [secured_event] = [e for e in events if e["kind"] == "account_secured"]
    assert secured_event["detail"]["providersUnlinked"] == ["github"] and secured_event["detail"]["phoneRemoved"]
    assert signed_in.json()["user"]["providers"] == []


async def test_not_you_before_the_change_link_is_opened_cancels_the_change(client, server, mail, new_email):
    email, thiefs = new_email(), f"thief-{uuid.uuid4().hex[:8]}@evil.example"
    async with owner_and_thief(client, server, mail, email) as thief:
        asked = await thief.post("/auth/email/change", json={"email": thiefs, "password": PASSWORD})
        assert asked.status_code == 202, asked.text
        notice = await mail_about(mail, email, CHANGE_NOTICE)
        change_link = await mail.wait_for(to=thiefs)

        secured = await client.post("/auth/secure-account", json={"token": notice.token})
        assert secured.json()["undone"]["emailChangeCancelled"] is True
        assert_error(await thief.post("/auth/verify-email", json={"token": change_link.token}), 400, "invalid_token")
    async with fresh_client(server) as anyone:
        await forgot(anyone, email=email)
    assert await mail_about(mail, email, SUBJECTS["fr"]["reset"])  # still the owner's address


async def test_not_you_after_the_change_reverts_it_and_the_thiefs_address_opens_nothing(
    client, server, mail, db, new_email
):
    email, thiefs = new_email(), f"thief-{uuid.uuid4().hex[:8]}@evil.example"
    async with owner_and_thief(client, server, mail, email) as thief:
        await thief.post("/auth/email/change", json={"email": thiefs, "password": PASSWORD})
        notice = await mail_about(mail, email, CHANGE_NOTICE)
        change_link = await mail.wait_for(to=thiefs)
        assert (await thief.post("/auth/verify-email", json={"token": change_link.token})).status_code == 200
        await forgot(thief, email=thiefs)
        thiefs_reset = await mail_about(mail, thiefs, SUBJECTS["fr"]["reset"])

    secured = await client.post("/auth/secure-account", json={"token": notice.token})
    masked = f"{email[0]}***@{email.split('@')[1]}"
    assert secured.json()["undone"]["emailRestored"] == masked
    assert_error(await reset(server, thiefs_reset.token), 400, "invalid_token")
    await forgot(client, email=email)
    link = await mail_about(mail, email, SUBJECTS["fr"]["reset"])
    assert (await reset(server, link.token)).status_code == 200
    user = (await login(client, email, NEW_PASSWORD)).json()["user"]
    assert (user["email"], user["emailVerified"]) == (email, True)
    assert await db.fetchval("SELECT count(*) FROM users WHERE email = $1", thiefs) == 0


async def test_an_email_change_voids_the_reset_link_mailed_to_the_old_address(client, server, mail, new_email):
    email, new_address = new_email(), new_email()
    await register(client, email)
    await forgot(client, email=email)
    old_link = await mail_about(mail, email, SUBJECTS["fr"]["reset"])
    assert (await client.post("/auth/email/change", json={"email": new_address, "password": PASSWORD})).status_code == 202
    change_link = await mail.wait_for(to=new_address)
    assert (await client.post("/auth/verify-email", json={"token": change_link.token})).status_code == 200
    assert_error(await reset(server, old_link.token), 400, "invalid_token")


async def test_not_you_removes_the_passkeys_added_since_and_keeps_the_older_ones(client, server, mail, db, new_email):
    email = new_email()
    await register(client, email)
    await prove_email(client, mail, email)
    owners_key = authenticator()
    await register_passkey(client, owners_key)
    async with fresh_client(server) as thief:
        thief.headers.update(THIEFS_BROWSER)
        assert (await login(thief, email)).status_code == 200
        alert = await mail_about(mail, email, NEW_DEVICE)
        thiefs_key = authenticator()
        await register_passkey(thief, thiefs_key)
        async with fresh_client(server) as owners_phone:
            secured = await owners_phone.post("/auth/secure-account", json={"token": alert.token})
        assert secured.status_code == 200, secured.text
        assert secured.json()["undone"]["passkeysRemoved"] == 1
        assert (await me(thief)) is None
    async with fresh_client(server) as browser:
        assert_error(await passkey_sign_in(browser, thiefs_key), 401, "invalid_passkey")
        assert (await passkey_sign_in(browser, owners_key)).status_code == 200  # the owner's, from before
        [left] = (await browser.get("/auth/passkeys")).json()["passkeys"]
        events = (await browser.get("/auth/events")).json()["events"]
    [secured_event] = [e for e in events if e["kind"] == "account_secured"]
    assert secured_event["detail"]["passkeysRemoved"] == 1 and left["lastUsedAt"] is not None
