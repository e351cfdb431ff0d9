"""The whole phone verification as a user lives it: set a number, ask a code, read it on
WhatsApp (the fake Twilio), type it back. Codes here are the server's own."""

import uuid

from tests.e2e.conftest import WHATSAPP_CONTENT_SID
from tests.support.http import assert_error, fresh_client, prove_email, register


def a_number() -> str:
    return f"+3361{uuid.uuid4().int % 10**7:07d}"


async def with_phone(client, mail, new_email, number: str, **profile) -> None:
    """A signed-in account with a proven email (nothing is added to an unproven one) and `number`."""
    email = new_email()
    assert (await register(client, email)).status_code == 201
    await prove_email(client, mail, email)
    answer = await client.patch("/auth/profile", json={"phoneNumber": number, **profile})
    assert answer.status_code == 200, answer.text


async def ask(client, **headers):
    return await client.post("/auth/phone/verify/request", headers=headers)


async def test_set_a_number_receive_the_code_on_whatsapp_and_verify(client, whatsapp, db, new_email, mail):
    number = a_number()
    await with_phone(client, mail, new_email, number.replace("+33", "0"))  # typed the French way

    asked = await ask(client)
    assert asked.status_code == 202 and asked.json() == {"ok": True}
    message = await whatsapp.wait_for(to=number)
    assert message.content_sid == WHATSAPP_CONTENT_SID and len(message.code) == 6

    assert_error(await client.post("/auth/phone/verify", json={"code": "x"}), 400, "invalid_code")
    verified = await client.post("/auth/phone/verify", json={"code": message.code})
    assert verified.status_code == 200, verified.text
    assert verified.json()["user"]["phoneVerified"] is True
    stored = await db.fetchrow("SELECT code_hash, used_at FROM verification_codes WHERE phone_number = $1", number)
    assert message.code.encode() not in stored["code_hash"] and stored["used_at"] is not None


async def test_the_fifth_wrong_try_burns_the_code_received(client, whatsapp, new_email, mail):
    number = a_number()
    await with_phone(client, mail, new_email, number)
    await ask(client)
    code = (await whatsapp.wait_for(to=number)).code
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(4):
        assert_error(await client.post("/auth/phone/verify", json={"code": wrong}), 400, "invalid_code")
    assert_error(await client.post("/auth/phone/verify", json={"code": wrong}), 429, "too_many_attempts")
    assert_error(await client.post("/auth/phone/verify", json={"code": code}), 429, "too_many_attempts")


async def test_at_most_five_codes_per_number_a_day_whoever_asks(client, server, whatsapp, new_email, mail):
    number = a_number()
    await with_phone(client, mail, new_email, number)
    for _ in range(5):
        assert (await ask(client)).status_code == 202
    async with fresh_client(server) as other:  # another account, another address, same number
        await with_phone(other, mail, new_email, number)
        refused = await ask(other)
    assert_error(refused, 429, "rate_limited")
    assert int(refused.headers["Retry-After"]) > 23 * 3600
    for _ in range(5):
        await whatsapp.wait_for(to=number)
