"""Email verification and email change over HTTP, with the database's view of each step.

A link's token leaves the server only inside the message (the database holds its digest,
the outbox its encrypted copy, erased once sent). To test each answer of the routes apart from
delivery, these tests mint a known token with the server's own HmacTokenMinter and SECRET_KEY
and store its digest, as the service would, then open it through POST /auth/verify-email.
The whole flows, through the emails the fake SendGrid receives, are in test_email_flow.py.
"""

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from infrastructure.security.tokens import HmacTokenMinter
from tests.e2e.conftest import SECRET_KEY
from tests.support.http import PASSWORD, assert_error, fresh_client, register

MINTER = HmacTokenMinter(SECRET_KEY)


async def mint_link(db, user_id: str, purpose: str, email: str | None, ttl=timedelta(hours=24)) -> str:
    token = MINTER.new_token()
    now = datetime.now(UTC)
    await db.execute(
        "INSERT INTO verification_tokens (token_hash, user_id, purpose, new_email, created_at, expires_at)"
        " VALUES ($1, $2, $3, $4, $5, $6)",
        MINTER.digest(token), uuid.UUID(user_id), purpose, email, now, now + ttl,
    )
    return token


async def messages_to(db, recipient: str) -> list[tuple[str, str]]:
    rows = await db.fetch(
        "SELECT template, locale FROM outbox_messages WHERE recipient = $1 ORDER BY created_at, id", recipient
    )
    return [(row["template"], row["locale"]) for row in rows]


async def events_of(db, user_id: str) -> list[str]:
    rows = await db.fetch(
        "SELECT kind FROM security_events WHERE user_id = $1 ORDER BY created_at, id", uuid.UUID(user_id)
    )
    return [row["kind"] for row in rows]


async def signed_up(client, email: str, **headers) -> dict:
    response = await client.post("/auth/register", json={"email": email, "password": PASSWORD}, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()["user"]


@pytest.mark.parametrize(("accept_language", "locale"), [("en-GB,en;q=0.8", "en"), (None, "fr")])
async def test_registration_queues_a_verification_email_in_the_request_language(
    client, db, new_email, accept_language, locale
):
    email = new_email()
    headers = {"Accept-Language": accept_language} if accept_language else {}
    user = await signed_up(client, email, **headers)

    assert user["emailVerified"] is False and "verify_email" in user["requiredActions"]
    assert await messages_to(db, email) == [("verify_email", locale)]
    [stored] = await db.fetch("SELECT purpose, new_email, expires_at - created_at AS ttl "
                              "FROM verification_tokens WHERE user_id = $1", uuid.UUID(user["id"]))
    assert (stored["purpose"], stored["new_email"], stored["ttl"]) == ("verify_email", email, timedelta(hours=24))


async def test_an_opened_link_verifies_the_email_once(client, db, new_email, server):
    email = new_email()
    user = await signed_up(client, email)
    token = await mint_link(db, user["id"], "verify_email", email)

    async with fresh_client(server) as other_device:  # no session needed
        opened = await other_device.post("/auth/verify-email", json={"token": token})
        again = await other_device.post("/auth/verify-email", json={"token": token})

    assert opened.status_code == 200, opened.text
    body = opened.json()
    assert body["ok"] is True and body["user"]["emailVerified"] is True
    assert "verify_email" not in body["user"]["requiredActions"]
    assert_error(again, 400, "invalid_token")
    assert (await client.get("/auth/me")).json()["user"]["emailVerified"] is True
    assert "email_verified" in await events_of(db, user["id"])


@pytest.mark.parametrize("case", ["unknown", "expired", "other_purpose", "empty"])
async def test_a_bad_token_is_invalid_token(client, db, new_email, case):
    email = new_email()
    user = await signed_up(client, email)
    token = {
        "unknown": "never-issued-token",
        "expired": await mint_link(db, user["id"], "verify_email", email, ttl=timedelta(seconds=-1)),
        "other_purpose": await mint_link(db, user["id"], "secure_account", None),
        "empty": "",
    }[case]
    assert_error(await client.post("/auth/verify-email", json={"token": token}), 400, "invalid_token")
    assert (await client.get("/auth/me")).json()["user"]["emailVerified"] is False


async def test_asking_again_sends_a_link_until_the_quota(client, db, new_email):
    email = new_email()
    await signed_up(client, email)
    for _ in range(3):
        response = await client.post("/auth/verify-email/request")
        assert (response.status_code, response.json()) == (202, {"ok": True})
    refused = await client.post("/auth/verify-email/request")
    assert_error(refused, 429, "rate_limited")
    assert 0 < int(refused.headers["Retry-After"]) <= 900
    assert await messages_to(db, email) == [("verify_email", "fr")] * 4


async def test_asking_again_needs_a_session(server):
    async with fresh_client(server) as anonymous:
        assert_error(await anonymous.post("/auth/verify-email/request"), 401, "not_authenticated")


async def test_nothing_is_sent_to_a_verified_address(client, db, new_email):
    email = new_email()
    user = await signed_up(client, email)
    await client.post("/auth/verify-email", json={"token": await mint_link(db, user["id"], "verify_email", email)})
    response = await client.post("/auth/verify-email/request")
    assert response.status_code == 202
    assert await messages_to(db, email) == [("verify_email", "fr")]  # registration's only


async def test_email_change_is_confirmed_by_the_new_address(client, db, new_email):
    old, new = new_email(), new_email()
    user = await signed_up(client, old)

    asked = await client.post("/auth/email/change", json={"email": new.upper(), "password": PASSWORD},
                              headers={"Accept-Language": "en"})
    assert (asked.status_code, asked.json()) == (202, {"ok": True})
    assert await messages_to(db, new) == [("email_change", "en")]
    assert await messages_to(db, old) == [("verify_email", "fr"), ("email_change_notice", "en")]
    assert (await client.get("/auth/me")).json()["user"]["email"] == old  # not yet

    token = await mint_link(db, user["id"], "email_change", new)
    opened = await client.post("/auth/verify-email", json={"token": token})

    assert opened.status_code == 200, opened.text
    assert (opened.json()["user"]["email"], opened.json()["user"]["emailVerified"]) == (new, True)
    assert await messages_to(db, old) == [
        ("verify_email", "fr"), ("email_change_notice", "en"), ("email_change_notice", "fr")]
    events = await events_of(db, user["id"])
    assert [kind for kind in events if kind.startswith("email")] == ["email_change_requested", "email_changed"]
    purposes = await db.fetch("SELECT purpose FROM verification_tokens WHERE user_id = $1", uuid.UUID(user["id"]))
    assert sum(row["purpose"] == "secure_account" for row in purposes) == 2  # a "not you?" link per notice


async def test_email_change_refusals(client, db, new_email):
    taken, email = new_email(), new_email()
    async with fresh_client(client.base_url) as someone:
        await register(someone, taken)
    await signed_up(client, email)

    assert_error(await client.post("/auth/email/change", json={"email": new_email()}), 400, "invalid_request")
    assert_error(await client.post("/auth/email/change", json={"email": new_email(), "password": "wrong-one-42"}),
                 403, "invalid_password")
    assert_error(await client.post("/auth/email/change", json={"email": taken, "password": PASSWORD}),
                 409, "email_taken")
    assert_error(await client.post("/auth/email/change", json={"email": "nope", "password": PASSWORD}),
                 400, "invalid_request")
    assert await messages_to(db, email) == [("verify_email", "fr")]  # nothing more was sent
    async with fresh_client(client.base_url) as anonymous:
        assert_error(await anonymous.post("/auth/email/change", json={"email": new_email()}), 401, "not_authenticated")


async def test_an_address_taken_before_the_link_is_opened_is_409(client, db, new_email):
    new = new_email()
    user = await signed_up(client, new_email())
    await client.post("/auth/email/change", json={"email": new, "password": PASSWORD})
    token = await mint_link(db, user["id"], "email_change", new)
    async with fresh_client(client.base_url) as someone:
        await register(someone, new)

    assert_error(await client.post("/auth/verify-email", json={"token": token}), 409, "email_taken")
    assert (await client.get("/auth/me")).json()["user"]["email"] != new
    [used] = await db.fetch("SELECT used_at FROM verification_tokens WHERE token_hash = $1", MINTER.digest(token))
    assert used["used_at"] is None  # nothing changed
