"""Phone verification over HTTP. The codes here are written to the database with the
digest the server computes (its SECRET_KEY, its own HmacTokenMinter), as a code it sent."""

import uuid
from datetime import UTC, datetime, timedelta

from infrastructure.security.tokens import HmacTokenMinter
from tests.e2e.conftest import SECRET_KEY
from tests.support.http import assert_error, fresh_client, register

DIGESTS = HmacTokenMinter(SECRET_KEY)


def a_number() -> str:
    return f"+3361{uuid.uuid4().int % 10**7:07d}"


async def with_phone(client, db, new_email, number: str | None = None) -> tuple[uuid.UUID, str]:
    """A signed-in account with `number` in its profile and its email proven (as if its
    verification link had been opened: nothing is added to an unproven address)."""
    user = (await register(client, new_email())).json()["user"]
    await db.execute("UPDATE users SET email_verified_at = now() WHERE id = $1", uuid.UUID(user["id"]))
    number = number or a_number()
    answer = await client.patch("/auth/profile", json={"phoneNumber": number})
    assert answer.status_code == 200, answer.text
    return uuid.UUID(user["id"]), number


async def sent_code(db, user_id: uuid.UUID, number: str, code: str, *, expires_in=timedelta(minutes=10)) -> None:
    now = datetime.now(UTC)
    await db.execute(
        "INSERT INTO verification_codes (id, user_id, purpose, phone_number, code_hash, attempts,"
        " created_at, expires_at) VALUES ($1, $2, 'verify_phone', $3, $4, 0, $5, $6)",
        uuid.uuid4(), user_id, number, DIGESTS.digest(code), now, now + expires_in,
    )


async def verify(client, code: str):
    return await client.post("/auth/phone/verify", json={"code": code})


async def test_the_right_code_verifies_the_number(client, db, new_email):
    user_id, number = await with_phone(client, db, new_email)
    await sent_code(db, user_id, number, "482913")
    answer = await verify(client, "482913")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["ok"] is True and body["user"]["phoneVerified"] is True and body["user"]["phoneNumber"] == number
    assert (await client.get("/auth/me")).json()["user"]["phoneVerified"] is True
    assert await db.fetchval("SELECT phone_verified_at IS NOT NULL FROM users WHERE id = $1", user_id)
    events = await db.fetch("SELECT kind, detail FROM security_events WHERE user_id = $1", user_id)
    assert [e["kind"] for e in events if e["kind"] == "phone_verified"] == ["phone_verified"]
    assert_error(await verify(client, "482913"), 400, "invalid_code")  # single use


async def test_a_wrong_code_is_400_and_the_fifth_burns_the_code(client, db, new_email):
    user_id, number = await with_phone(client, db, new_email)
    await sent_code(db, user_id, number, "482913")
    for _ in range(4):
        assert_error(await verify(client, "000000"), 400, "invalid_code")
    assert_error(await verify(client, "000000"), 429, "too_many_attempts")
    assert_error(await verify(client, "482913"), 429, "too_many_attempts")  # burned
    assert await db.fetchval("SELECT attempts FROM verification_codes WHERE user_id = $1", user_id) == 5
    assert not await db.fetchval("SELECT phone_verified_at IS NOT NULL FROM users WHERE id = $1", user_id)


async def test_an_expired_code_is_invalid(client, db, new_email):
    user_id, number = await with_phone(client, db, new_email)
    await sent_code(db, user_id, number, "482913", expires_in=timedelta(seconds=-1))
    assert_error(await verify(client, "482913"), 400, "invalid_code")


async def test_a_number_another_account_verified_meanwhile_is_409(client, server, db, new_email):
    number = a_number()
    async with fresh_client(server) as other:
        other_id, _ = await with_phone(other, db, new_email, number)
        await sent_code(db, other_id, number, "111111")
        user_id, _ = await with_phone(client, db, new_email, number)
        await sent_code(db, user_id, number, "222222")
        assert (await verify(other, "111111")).status_code == 200
    assert_error(await verify(client, "222222"), 409, "phone_taken")
    assert not await db.fetchval("SELECT phone_verified_at IS NOT NULL FROM users WHERE id = $1", user_id)


async def test_a_request_without_a_number_is_no_phone(client, db, new_email):
    user = (await register(client, new_email())).json()["user"]
    await db.execute("UPDATE users SET email_verified_at = now() WHERE id = $1", uuid.UUID(user["id"]))
    assert_error(await client.post("/auth/phone/verify/request"), 400, "no_phone")


async def test_both_routes_need_a_session(server):
    async with fresh_client(server) as anonymous:
        assert_error(await anonymous.post("/auth/phone/verify/request"), 401, "not_authenticated")
        assert_error(await verify(anonymous, "123456"), 401, "not_authenticated")


async def test_a_code_must_be_sent_as_text(client, db, new_email):
    await with_phone(client, db, new_email)
    assert_error(await client.post("/auth/phone/verify", json={"code": 123456}), 400, "invalid_request")
    assert_error(await client.post("/auth/phone/verify", json={}), 400, "invalid_request")
