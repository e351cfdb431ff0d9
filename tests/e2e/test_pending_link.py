"""Link after proof, end to end: a provider email that is not vouched for is never linked by
itself, but kept for the account's owner, who completes it by a password login in the same
browser (the fake Google of test_google_sign_in on loopback)."""

import uuid

from tests.e2e.conftest import FRONTEND
from tests.e2e.test_google_sign_in import count, me, person, sign_in_with_google
from tests.support.http import PASSWORD, fresh_client, login, prove_email, register, set_cookies

PENDING = f"{FRONTEND}/auth/login?error=email_not_verified&provider=google&pending=link"


async def refused_with_a_pending_link(client, idp, email) -> tuple[str, dict]:
    sub, claims = person(verified=False, email=email)
    refused = await sign_in_with_google(client, idp, sub, claims)
    assert (refused.status_code, refused.headers["location"]) == (302, PENDING)
    assert "sid" not in set_cookies(refused)
    return sub, set_cookies(refused)["pending_link"]


async def user_id(db, email) -> uuid.UUID:
    return await db.fetchval("SELECT id FROM users WHERE email = $1", email)


async def test_an_unverified_email_is_refused_then_linked_by_the_password_login_in_that_browser(
    client, idp, db, new_email, mail):
    email = new_email()
    await register(client, email)
    await prove_email(client, mail, email)
    sub, cookie = await refused_with_a_pending_link(client, idp, email)
    assert cookie["httponly"] and (cookie["path"], cookie["max-age"]) == ("/auth", "600")
    assert await count(db, "accounts WHERE provider_account_id = $1", sub) == 0  # no proof yet
    stored = await db.fetchrow("SELECT browser_hash, identity FROM pending_links WHERE user_id = $1",
                               await user_id(db, email))
    assert stored["browser_hash"] != cookie["value"].encode() and len(stored["browser_hash"]) == 32
    assert stored["identity"].startswith("v1:") and sub not in stored["identity"]  # encrypted

    answer = await login(client, email, PASSWORD)
    assert answer.status_code == 200 and answer.json()["linkedProvider"] == "google"
    cleared = set_cookies(answer)["pending_link"]
    assert (cleared["value"], cleared["max-age"], cleared["path"]) == ("", "0", "/auth")
    assert (await me(client))["providers"] == ["google"]
    assert await count(db, "accounts WHERE provider_account_id = $1", sub) == 1
    assert await count(db, "pending_links WHERE user_id = $1", await user_id(db, email)) == 0
    account = await db.fetchrow("SELECT access_token FROM accounts WHERE provider_account_id = $1", sub)
    assert account["access_token"].startswith("v1:")
    kinds = await db.fetch("SELECT kind FROM security_events WHERE user_id = $1", await user_id(db, email))
    assert "provider_linked" in {k["kind"] for k in kinds}


async def test_a_password_login_in_another_browser_links_nothing(client, server, idp, db, new_email, mail):
    email = new_email()
    await register(client, email)
    await prove_email(client, mail, email)
    sub, _ = await refused_with_a_pending_link(client, idp, email)
    async with fresh_client(server) as other_browser:  # the right password, but no cookie
        answer = await login(other_browser, email, PASSWORD)
    assert answer.status_code == 200 and "linkedProvider" not in answer.json()
    assert await count(db, "accounts WHERE provider_account_id = $1", sub) == 0
    assert await count(db, "pending_links WHERE user_id = $1", await user_id(db, email)) == 1


async def test_a_login_to_another_account_drops_the_pending_link(client, server, idp, db, new_email, mail):
    owner, someone_else = new_email(), new_email()
    await register(client, owner)
    await prove_email(client, mail, owner)
    async with fresh_client(server) as elsewhere:
        await register(elsewhere, someone_else)
    sub, _ = await refused_with_a_pending_link(client, idp, owner)
    answer = await login(client, someone_else, PASSWORD)
    assert answer.status_code == 200 and "linkedProvider" not in answer.json()
    assert set_cookies(answer)["pending_link"]["max-age"] == "0"
    assert await count(db, "pending_links WHERE user_id = $1", await user_id(db, owner)) == 0
    assert "linkedProvider" not in (await login(client, owner, PASSWORD)).json()
    assert await count(db, "accounts WHERE provider_account_id = $1", sub) == 0


async def test_a_failed_login_keeps_the_pending_link(client, idp, db, new_email, mail):
    email = new_email()
    await register(client, email)
    await prove_email(client, mail, email)
    sub, _ = await refused_with_a_pending_link(client, idp, email)
    assert (await login(client, email, "not-the-password-1")).status_code == 401
    assert (await login(client, email, PASSWORD)).json()["linkedProvider"] == "google"
    assert await count(db, "accounts WHERE provider_account_id = $1", sub) == 1
