"""POST /auth/forgot-password on fakes: what is sent, to whom, and what never shows."""

import pytest

from application.ports.messages import PASSWORD_RESET, PHONE_CODE, Message
from domain.clients import ClientInfo
from domain.codes import RESET_PASSWORD
from domain.errors import InvalidInput, RateLimited
from domain.email_links import PASSWORD_RESET as RESET_PURPOSE
from domain.profile import ProfileEdit
from tests.factories import UserFactory
from tests.unit.application.test_email_verification import register, sign_in
from tests.unit.conftest import CLIENT

NUMBER = "+33612345678"


async def forgot(world, email=None, phone=None, client: ClientInfo = CLIENT) -> None:
    """As the controller does: admit (the answer), then deliver (after it)."""
    admitted = await world.forgot_password.admit(email, phone, client)
    await world.forgot_password.deliver(admitted, client)


async def with_verified_phone(world, number=NUMBER, verified=True, **registration):
    user, sid = await register(world, **registration)
    await world.update_profile.execute(sid, ProfileEdit(phone_number=number))
    if verified:
        async with world.new_uow() as uow:
            await uow.users.mark_phone_verified(user.id, number, world.clock.now())
            await uow.commit()
    world.db.outbox.clear()
    return user, sid


def sent(world, template) -> list[Message]:
    return [m for m in world.db.outbox if m.template == template]


async def test_by_email_a_reset_link_valid_15_minutes_goes_to_the_account(world):
    user, _ = await register(world, email="ada@example.com")
    world.db.outbox.clear()

    await forgot(world, email="Ada@Example.com")

    [message] = sent(world, PASSWORD_RESET)
    assert (message.channel, message.recipient, message.values) == ("email", "ada@example.com", {})
    record = world.db.email_links[world.tokens.digest(message.secrets["token"])]
    assert (record.email_link.user_id, record.email_link.purpose) == (user.id, RESET_PURPOSE)
    assert record.email_link.expires_at == world.clock.now() + world.email_links.policy.reset_link_ttl
    assert world.email_links.policy.reset_link_ttl.total_seconds() == 15 * 60


async def test_an_account_without_a_password_gets_a_link_too(world):
    await sign_in(world, UserFactory.build(email="social@example.com", password_hash=None))

    await forgot(world, email="social@example.com")

    assert [m.recipient for m in sent(world, PASSWORD_RESET)] == ["social@example.com"]


async def test_an_unknown_email_sends_nothing_and_answers_alike(world):
    await forgot(world, email="nobody@example.com")
    assert world.db.outbox == [] and world.db.email_links == {}


async def test_by_phone_a_whatsapp_code_goes_to_a_verified_number(world):
    user, _ = await with_verified_phone(world)
    world.codes.queued.append("042917")

    await forgot(world, phone="06 12 34 56 78", client=ClientInfo(ip="203.0.113.7", accept_language="en"))

    assert world.db.outbox == [Message(PHONE_CODE, "whatsapp", NUMBER, "en", secrets={"code": "042917"})]
    [record] = [r for r in world.db.phone_codes.values() if r.code.purpose == RESET_PASSWORD]
    assert (record.code.user_id, record.code.phone_number) == (user.id, NUMBER)
    assert record.code.digest == world.tokens.digest("042917")
    assert record.code.expires_at == world.clock.now() + world.phone_policy.code_ttl


async def test_an_unverified_number_gets_nothing(world):
    await with_verified_phone(world, verified=False)
    await forgot(world, phone=NUMBER)
    assert world.db.outbox == [] and world.db.phone_codes == {}


async def test_an_unknown_number_gets_nothing(world):
    await forgot(world, phone="+33699999999")
    assert world.db.outbox == []


@pytest.mark.parametrize("email, phone", [(None, None), ("", ""), ("ada@example.com", NUMBER)])
async def test_exactly_one_of_email_and_phone_number(world, email, phone):
    with pytest.raises(InvalidInput):
        await world.forgot_password.admit(email, phone, CLIENT)


async def test_a_malformed_email_or_number_is_refused_before_anything(world):
    for email, phone in [("not-an-email", None), (None, "12")]:
        with pytest.raises(InvalidInput):
            await world.forgot_password.admit(email, phone, CLIENT)
    assert world.db.outbox == []


async def test_at_most_three_reset_messages_per_account_per_15_minutes_silently(world):
    await register(world, email="ada@example.com")
    world.db.outbox.clear()
    for _ in range(5):
        await forgot(world, email="ada@example.com")
    assert len(sent(world, PASSWORD_RESET)) == 3

    world.clock.advance(minutes=15)
    await forgot(world, email="ada@example.com")
    assert len(sent(world, PASSWORD_RESET)) == 4


async def test_the_account_quota_counts_links_and_codes_together(world):
    await with_verified_phone(world, email="ada@example.com")
    for _ in range(2):
        await forgot(world, email="ada@example.com")
    await forgot(world, phone=NUMBER)
    await forgot(world, phone=NUMBER)
    assert len(world.db.outbox) == 3


async def test_the_per_number_quota_is_shared_with_phone_verification(world):
    world.recovery_policy = type(world.recovery_policy)(messages_per_account=100)
    user, sid = await with_verified_phone(world)
    world.prove_address(user.id)
    for _ in range(4):
        await world.request_phone_code.execute(sid, CLIENT)
    await forgot(world, phone=NUMBER)
    await forgot(world, phone=NUMBER)  # the sixth code of the day for this number: held back
    assert len(sent(world, PHONE_CODE)) == 5


async def test_the_address_limit_is_the_only_visible_one(world):
    world.recovery_policy = type(world.recovery_policy)(
        per_address=type(world.recovery_policy.per_address)(requests=2)
    )
    await forgot(world, email="nobody@example.com")
    await forgot(world, email="ada@example.com")
    with pytest.raises(RateLimited) as refused:
        await world.forgot_password.admit("other@example.com", None, CLIENT)
    assert refused.value.retry_after > 0
    await world.forgot_password.admit("other@example.com", None, ClientInfo(ip="198.51.100.1"))


async def test_the_answer_does_no_account_work(world):
    """admit, the part the answer waits for, reads no account and writes no token or
    message: whatever the account, it does the same work (module docstring)."""
    await register(world, email="ada@example.com")
    world.db.outbox.clear()
    tokens_before = dict(world.db.email_links)

    class Untouchable(type(world.new_uow())):
        async def __aenter__(self):
            raise AssertionError("the answer's path opened a unit of work")

    world_uow = world.new_uow
    world.new_uow = lambda: Untouchable(world.db)
    await world.forgot_password.admit("ada@example.com", None, CLIENT)
    world.new_uow = world_uow
    assert world.db.outbox == [] and world.db.email_links == tokens_before
