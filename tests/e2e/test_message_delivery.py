"""The running server's dispatcher delivers what is enqueued, through the fake SendGrid and
Twilio. No route enqueues yet on this branch, so the tests write to the outbox directly,
as a use case does (SqlUnitOfWork, the server's SECRET_KEY): a test-only path, not a route."""

import asyncio
import json
import uuid
from datetime import UTC, datetime

import pytest

from application.ports.messages import PHONE_CODE, VERIFY_EMAIL, Message
from infrastructure.persistence.engine import database_config
from infrastructure.outbox.store import SqlOutbox
from infrastructure.persistence.unit_of_work import SqlUnitOfWork
from infrastructure.security.cipher import TokenCipher
from tests.e2e.conftest import FRONTEND, SECRET_KEY, WHATSAPP_CONTENT_SID, WHATSAPP_FROM


@pytest.fixture
async def enqueue(database_url, server):
    config = database_config(database_url, pool_size=1)
    maker = config.create_session_maker()

    async def enqueue(message: Message) -> None:
        async with SqlUnitOfWork(maker, TokenCipher(SECRET_KEY), outbox=SqlOutbox) as uow:
            await uow.outbox.enqueue(message, datetime.now(UTC))
            await uow.commit()

    yield enqueue
    await config.get_engine().dispose()


def new_phone() -> str:
    return "+336" + str(uuid.uuid4().int)[:8]


def mail_requests_to(mail, address: str) -> list:
    return [r for r in mail.requests
            if json.loads(r.body)["personalizations"][0]["to"][0]["email"] == address]


async def stored(db, recipient: str):
    return await db.fetchrow(
        "SELECT status, attempts, secret, provider_message_id FROM outbox_messages WHERE recipient = $1",
        recipient,
    )


async def quiet(db, timeout: float = 20) -> None:
    """Wait until the server has no message in flight: routes (registration...) send emails
    too, and one delivered after `fail_next` would take a failure meant for the test's own
    message. (Integration tests' messages, dated 2100, are never due here.)"""
    deadline = asyncio.get_running_loop().time() + timeout
    in_flight = ("SELECT count(*) FROM outbox_messages WHERE status IN ('pending', 'sending')"
                 " AND created_at < now() + interval '1 day'")
    while await db.fetchval(in_flight):
        assert asyncio.get_running_loop().time() < deadline, "messages still in flight"
        await asyncio.sleep(0.05)


async def finished(db, recipient: str, timeout: float = 20):
    """The row once the dispatcher is done with it (sent, failed or abandoned)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while (row := await stored(db, recipient)) is None or row["status"] in ("pending", "sending"):
        assert asyncio.get_running_loop().time() < deadline, f"still {row and row['status']}"
        await asyncio.sleep(0.05)
    return row


async def test_an_enqueued_email_is_delivered_in_its_language_with_its_link(enqueue, mail, new_email, db):
    address = new_email()
    await enqueue(Message(VERIFY_EMAIL, "email", address, "en", {}, {"token": "e2e-token-1"}))
    email = await mail.wait_for(to=address)
    assert email.subject == "Confirm your email address"
    assert email.links == [f"{FRONTEND}/verify-email?token=e2e-token-1"] and email.token == "e2e-token-1"
    assert f'href="{FRONTEND}/verify-email?token=e2e-token-1"' in email.html
    assert email.sender == "no-reply@sesame.test"
    row = await finished(db, address)  # the provider answers before the row is marked sent
    assert (row["status"], row["secret"], row["provider_message_id"]) == ("sent", None, email.message_id)


async def test_a_french_email_is_in_french(enqueue, mail, new_email):
    address = new_email()
    await enqueue(Message(VERIFY_EMAIL, "email", address, "fr", {}, {"token": "e2e-token-2"}))
    assert (await mail.wait_for(to=address)).subject == "Confirmez votre adresse e-mail"


async def test_a_sendgrid_outage_delays_the_message_which_is_then_delivered_once(enqueue, mail, new_email, db):
    address = new_email()
    await quiet(db)
    mail.fail_next(2, 503)
    await enqueue(Message(VERIFY_EMAIL, "email", address, "fr", {}, {"token": "e2e-token-3"}))
    email = await mail.wait_for(to=address)  # after the retries: about 2 s, then 4 s
    assert email.token == "e2e-token-3"
    assert [r.status for r in mail_requests_to(mail, address)] == [503, 503, 202]
    assert len(mail.received_by(address)) == 1
    row = await finished(db, address)
    assert (row["status"], row["attempts"], row["secret"]) == ("sent", 3, None)


async def test_a_refused_email_fails_at_once_and_its_secret_is_erased(enqueue, mail, new_email, db):
    address = new_email()
    await quiet(db)
    mail.fail_next(1, 400)
    await enqueue(Message(VERIFY_EMAIL, "email", address, "fr", {}, {"token": "e2e-token-4"}))
    row = await finished(db, address)
    assert (row["status"], row["attempts"], row["secret"]) == ("failed", 1, None)
    assert mail.received_by(address) == []


async def test_a_whatsapp_code_goes_in_the_approved_template(enqueue, whatsapp, db):
    phone = new_phone()
    await enqueue(Message(PHONE_CODE, "whatsapp", phone, "en", {}, {"code": "493817"}))
    message = await whatsapp.wait_for(to=phone)
    assert (message.content_sid, message.code, message.body) == (WHATSAPP_CONTENT_SID, "493817", None)
    assert message.sender == f"whatsapp:{WHATSAPP_FROM}"
    row = await finished(db, phone)
    assert (row["status"], row["secret"], row["provider_message_id"]) == ("sent", None, message.sid)


async def test_a_429_with_retry_after_delays_the_next_try_that_long(enqueue, mail, new_email, db):
    address = new_email()
    await quiet(db)
    mail.fail_next(1, 429, retry_after="3")  # longer than the 2 s the backoff would wait
    await enqueue(Message(VERIFY_EMAIL, "email", address, "fr", {}, {"token": "e2e-token-5"}))
    assert (await mail.wait_for(to=address)).token == "e2e-token-5"
    refused, accepted = mail_requests_to(mail, address)
    assert (refused.status, accepted.status) == (429, 202)
    assert accepted.at - refused.at >= 3
    row = await finished(db, address)
    assert (row["status"], row["attempts"]) == ("sent", 2)
