import asyncio
import dataclasses
from dataclasses import replace

import pytest

from application.ports.messages import PHONE_CODE, Message
from domain.clients import ClientInfo
from domain.codes import VERIFY_PHONE
from domain.errors import (
    InvalidCode,
    NoPhone,
    NotAuthenticated,
    PhoneTaken,
    RateLimited,
    TooManyAttempts,
)
from domain.profile import ProfileEdit
from tests.factories import RegistrationFactory
from tests.unit.conftest import CLIENT

NUMBER = "+33612345678"



def whatsapp(world) -> list[Message]:
    """The WhatsApp messages committed (registration also mails a verification link)."""
    return [m for m in world.db.outbox if m.channel == "whatsapp"]

async def with_phone(world, number: str | None = NUMBER, **registration) -> tuple[str, object]:
    signed_in = await world.register.execute(RegistrationFactory.build(**registration), CLIENT)
    sid = signed_in.tokens.sid
    world.prove_address(signed_in.user.id)
    if number:
        await world.update_profile.execute(sid, ProfileEdit(phone_number=number))
    return sid, signed_in.user.id


async def ask(world, sid, code: str = "123456", client: ClientInfo = CLIENT) -> None:
    world.codes.queued.append(code)
    await world.request_phone_code.execute(sid, client)


async def test_a_request_sends_a_whatsapp_code_in_the_profiles_language(world):
    sid, user_id = await with_phone(world)
    await world.update_profile.execute(sid, ProfileEdit(locale="en"))
    await ask(world, sid, "042917", ClientInfo(ip="203.0.113.7", accept_language="fr"))
    assert whatsapp(world) == [Message(PHONE_CODE, "whatsapp", NUMBER, "en", secrets={"code": "042917"})]


async def test_without_a_profile_locale_the_request_language_then_the_default_decide(world):
    sid, _ = await with_phone(world)
    await ask(world, sid, "111111", ClientInfo(ip="203.0.113.7", accept_language="en-GB,en;q=0.8"))
    await ask(world, sid, "222222", ClientInfo(ip="203.0.113.7"))
    assert [m.locale for m in whatsapp(world)] == ["en", "fr"]


async def test_the_code_is_stored_only_as_its_digest(world):
    sid, user_id = await with_phone(world)
    await ask(world, sid, "907153")
    (record,) = world.db.phone_codes.values()
    assert record.code.digest == world.tokens.digest("907153")
    assert "907153" not in repr(record)
    assert (record.code.user_id, record.code.purpose, record.code.phone_number) == (user_id, VERIFY_PHONE, NUMBER)
    assert record.code.expires_at == world.clock.now() + world.phone_policy.code_ttl


async def test_no_phone_no_code(world):
    sid, _ = await with_phone(world, None)
    with pytest.raises(NoPhone):
        await world.request_phone_code.execute(sid, CLIENT)
    with pytest.raises(NotAuthenticated):
        await world.request_phone_code.execute(None, CLIENT)
    assert not whatsapp(world) and not world.db.phone_codes


async def test_a_rolled_back_request_sends_nothing(world):
    sid, _ = await with_phone(world)

    class FailingCommit(type(world.new_uow())):
        async def commit(self) -> None:
            raise ConnectionError("the database went away")

    world.new_uow = lambda: FailingCommit(world.db)
    with pytest.raises(ConnectionError):
        await ask(world, sid)
    assert whatsapp(world) == [] and world.db.phone_codes == {}


async def test_at_most_five_codes_per_number_a_day_whoever_asks(world):
    first, _ = await with_phone(world)
    second, _ = await with_phone(world)  # typed the same number (unverified: allowed)
    for sid in [first, second, first, second, first]:
        await ask(world, sid, client=ClientInfo(ip=f"198.51.100.{len(whatsapp(world))}"))
    with pytest.raises(RateLimited) as refused:
        await ask(world, second, client=ClientInfo(ip="198.51.100.99"))
    assert refused.value.retry_after == 24 * 3600
    assert len(whatsapp(world)) == 5
    world.clock.advance(hours=24)
    third, _ = await with_phone(world)  # the earlier sessions have expired by now
    await ask(world, third)
    assert len(whatsapp(world)) == 6


async def test_at_most_five_codes_per_account_a_day_whatever_the_numbers(world):
    registration = RegistrationFactory.build()
    sid, _ = await with_phone(world, **dataclasses.asdict(registration))
    for n in range(5):  # a new number before each request: the per-number quota never applies
        await world.update_profile.execute(sid, ProfileEdit(phone_number=f"+3361234560{n}"))
        await ask(world, sid, client=ClientInfo(ip=f"198.51.100.{n}"))
    await world.update_profile.execute(sid, ProfileEdit(phone_number="+33612345609"))
    with pytest.raises(RateLimited) as refused:
        await ask(world, sid, client=ClientInfo(ip="198.51.100.99"))
    assert refused.value.retry_after == 24 * 3600
    assert len(whatsapp(world)) == 5
    other, _ = await with_phone(world, "+33612345609")  # another account, the same number: its own quota
    await ask(world, other, client=ClientInfo(ip="198.51.100.98"))
    world.clock.advance(hours=24)
    signed_in = await world.login.execute(registration.email, registration.password, CLIENT)
    await ask(world, signed_in.tokens.sid)
    assert len(whatsapp(world)) == 7


async def test_a_request_refused_for_its_account_does_not_spend_the_numbers_quota(world):
    world.phone_policy = replace(world.phone_policy, codes_per_account=1)
    sid, _ = await with_phone(world)
    await ask(world, sid)
    for _ in range(6):
        with pytest.raises(RateLimited):
            await ask(world, sid, client=ClientInfo(ip="198.51.100.99"))
    other, _ = await with_phone(world)  # the same number, typed by another account
    await ask(world, other)
    assert len(whatsapp(world)) == 2


async def test_one_address_is_limited_across_numbers(world):
    world.phone_policy = replace(world.phone_policy, per_address=replace(world.phone_policy.per_address, requests=2))
    for n in range(2):
        sid, _ = await with_phone(world, f"+3361234567{n}")
        await ask(world, sid)
    sid, _ = await with_phone(world, "+33612345679")
    with pytest.raises(RateLimited):
        await ask(world, sid)
    assert len(whatsapp(world)) == 2


async def test_the_right_code_verifies_the_number_once(world):
    sid, user_id = await with_phone(world)
    await ask(world, sid, "123456")
    user = await world.verify_phone.execute(sid, "123456", CLIENT)
    assert user.phone_verified and world.db.users[user_id].phone_verified
    assert (user_id, "phone_verified", {"phoneNumber": NUMBER}) in world.db.events
    with pytest.raises(InvalidCode):  # single use
        await world.verify_phone.execute(sid, "123456", CLIENT)


async def test_a_wrong_code_is_refused_and_the_right_one_still_works(world):
    sid, user_id = await with_phone(world)
    await ask(world, sid, "123456")
    with pytest.raises(InvalidCode):
        await world.verify_phone.execute(sid, "654321", CLIENT)
    assert not world.db.users[user_id].phone_verified
    assert (await world.verify_phone.execute(sid, "123456", CLIENT)).phone_verified


async def test_the_fifth_wrong_try_burns_the_code(world):
    sid, user_id = await with_phone(world)
    await ask(world, sid, "123456")
    for _ in range(4):
        with pytest.raises(InvalidCode):
            await world.verify_phone.execute(sid, "000000", CLIENT)
    with pytest.raises(TooManyAttempts):
        await world.verify_phone.execute(sid, "000000", CLIENT)
    with pytest.raises(TooManyAttempts):  # even the right code: it is burned
        await world.verify_phone.execute(sid, "123456", CLIENT)
    assert not world.db.users[user_id].phone_verified
    await ask(world, sid, "777777")  # a new code starts over
    assert (await world.verify_phone.execute(sid, "777777", CLIENT)).phone_verified


async def test_two_wrong_tries_at_once_count_two(world):
    sid, _ = await with_phone(world)
    await ask(world, sid, "123456")
    world.phone_policy = replace(world.phone_policy, max_attempts=2)
    results = await asyncio.gather(
        *(world.verify_phone.execute(sid, "000000", CLIENT) for _ in range(2)), return_exceptions=True
    )
    assert sorted(type(r).__name__ for r in results) == ["InvalidCode", "TooManyAttempts"]
    (record,) = world.db.phone_codes.values()
    assert record.attempts == 2


async def test_an_expired_code_is_invalid(world):
    sid, _ = await with_phone(world)
    await ask(world, sid, "123456")
    world.clock.advance(minutes=10)
    with pytest.raises(InvalidCode):
        await world.verify_phone.execute(sid, "123456", CLIENT)


async def test_a_new_code_replaces_the_accounts_previous_one(world):
    sid, _ = await with_phone(world)
    await ask(world, sid, "111111")
    await ask(world, sid, "222222")
    with pytest.raises(InvalidCode):
        await world.verify_phone.execute(sid, "111111", CLIENT)
    assert (await world.verify_phone.execute(sid, "222222", CLIENT)).phone_verified


async def test_asking_a_code_never_voids_another_accounts_code(world):
    first, _ = await with_phone(world)
    second, _ = await with_phone(world)
    await ask(world, first, "111111")
    await ask(world, second, "222222")
    with pytest.raises(InvalidCode):  # nor is another account's code good for this one
        await world.verify_phone.execute(second, "111111", CLIENT)
    assert (await world.verify_phone.execute(first, "111111", CLIENT)).phone_verified


async def test_a_code_sent_to_the_old_number_does_not_verify_a_new_one(world):
    sid, user_id = await with_phone(world)
    await ask(world, sid, "123456")
    await world.update_profile.execute(sid, ProfileEdit(phone_number="+33700000001"))
    with pytest.raises(InvalidCode):
        await world.verify_phone.execute(sid, "123456", CLIENT)
    assert not world.db.users[user_id].phone_verified


async def test_a_number_another_account_verified_meanwhile_is_taken(world):
    first, first_id = await with_phone(world)
    second, second_id = await with_phone(world)
    await ask(world, first, "111111")
    await ask(world, second, "222222")
    await world.verify_phone.execute(second, "222222", CLIENT)
    with pytest.raises(PhoneTaken):
        await world.verify_phone.execute(first, "111111", CLIENT)
    assert not world.db.users[first_id].phone_verified
    assert [e for e in world.db.events if e[1] == "phone_verified"] == [(second_id, "phone_verified", {"phoneNumber": NUMBER})]


async def test_only_the_right_code_tells_that_another_account_verified_the_number(world):
    holder, holder_id = await with_phone(world)
    await ask(world, holder, "111111")
    await world.verify_phone.execute(holder, "111111", CLIENT)
    sid, user_id = await with_phone(world)  # typed after it was verified: saved, nothing said
    await ask(world, sid, "222222")  # the code is sent, as to any number
    with pytest.raises(InvalidCode):  # a wrong code answers as for any number
        await world.verify_phone.execute(sid, "000000", CLIENT)
    with pytest.raises(PhoneTaken):
        await world.verify_phone.execute(sid, "222222", CLIENT)
    assert not world.db.users[user_id].phone_verified and world.db.users[holder_id].phone_verified
    assert [e[0] for e in world.db.events if e[1] == "phone_verified"] == [holder_id]


async def test_no_phone_or_no_session_cannot_verify(world):
    sid, _ = await with_phone(world, None)
    with pytest.raises(InvalidCode):
        await world.verify_phone.execute(sid, "123456", CLIENT)
    with pytest.raises(NotAuthenticated):
        await world.verify_phone.execute(None, "123456", CLIENT)
