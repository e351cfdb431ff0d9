"""Production without Twilio: no WhatsApp channel. The routes that would send a code answer
channel_not_configured before any other work; notices that would go by WhatsApp are not sent."""

from dataclasses import replace

import pytest

from application.ports.messages import PASSWORD_CHANGED
from domain.errors import ChannelNotConfigured
from tests.factories import UserFactory
from tests.unit.application.test_email_verification import sign_in
from tests.unit.application.test_forgot_password import NUMBER, forgot, sent, with_verified_phone
from tests.unit.application.test_phone_verification import with_phone
from tests.unit.conftest import CLIENT


@pytest.fixture
def off(world):
    world.phone_policy = replace(world.phone_policy, whatsapp=False)
    return world


async def test_asking_for_a_phone_code_is_refused_before_anything_is_counted_or_sent(off):
    sid, _ = await with_phone(off)
    counted = dict(off.attempts.windows)
    with pytest.raises(ChannelNotConfigured):
        await off.request_phone_code.execute(sid, CLIENT)
    assert [m for m in off.db.outbox if m.channel == "whatsapp"] == []
    assert off.attempts.windows == counted


async def test_even_signed_out_the_answer_is_the_channel(off):
    """Nothing the caller does can change it: the route is off for everyone."""
    with pytest.raises(ChannelNotConfigured):
        await off.request_phone_code.execute(None, CLIENT)


@pytest.mark.parametrize("number", [NUMBER, "+33700000000", "not a number"])
async def test_forgot_password_by_phone_answers_alike_for_every_number(off, number):
    """A verified number, an unknown one and a malformed one: the same refusal, before the
    number is read or any account looked up (it must tell nothing of accounts)."""
    await with_verified_phone(off)
    counted = dict(off.attempts.windows)
    with pytest.raises(ChannelNotConfigured):
        await forgot(off, phone=number)
    assert off.db.outbox == [] and off.attempts.windows == counted


async def test_forgot_password_by_email_still_works(off):
    await with_verified_phone(off, email="ada@example.com")
    await forgot(off, email="ada@example.com")
    assert [m.channel for m in off.db.outbox] == ["email"]


async def test_the_password_changed_notice_is_not_sent_by_whatsapp(off):
    user = UserFactory.build(email=None, phone_number=NUMBER, password_hash=None)
    await sign_in(off, user)
    async with off.new_uow() as uow:
        await uow.users.mark_phone_verified(user.id, NUMBER, off.clock.now())
        await uow.commit()
    fresh = off.db.users[user.id]
    async with off.new_uow() as uow:
        await off.email_links.send_password_changed(uow, fresh, CLIENT, off.clock.now())
        await uow.commit()
    assert sent(off, PASSWORD_CHANGED) == []
