"""Each use case records its security event with the ip and user agent of the client that
caused it (ELSEWHERE: not the client that registered), in its own transaction; on fakes."""

import pytest

from application.ports.messages import EMAIL_CHANGE, PASSWORD_RESET, VERIFY_EMAIL
from domain.clients import ClientInfo
from domain.errors import InvalidCode
from tests.factories import RegistrationFactory
from tests.unit.application.test_email_verification import PASSWORD, register
from tests.unit.application.test_forgot_password import forgot, sent
from tests.unit.application.test_pending_link import collide
from tests.unit.application.test_pending_link import register as register_alice
from tests.unit.application.test_phone_verification import ask, with_phone
from tests.unit.application.test_provider_sign_in import sign_in
from tests.unit.conftest import CLIENT, ELSEWHERE

NEW_PASSWORD = "brand-new-password-7"
FROM_ELSEWHERE = (ELSEWHERE.ip, ELSEWHERE.user_agent)


def recorded(world, user_id, kind) -> list[tuple[dict, str | None, str | None]]:
    return [(e.detail, e.ip, e.user_agent) for who, e in world.db.event_log if who == user_id and e.kind == kind]


async def test_password_changed(world):
    user, sid = await register(world)
    await world.change_password.execute(sid, PASSWORD, NEW_PASSWORD, ELSEWHERE)
    assert recorded(world, user.id, "password_changed") == [({}, *FROM_ELSEWHERE)]


async def test_password_reset_by_a_mailed_link_also_verifies_the_email(world):
    user, _ = await register(world, email="ada@example.com")
    await forgot(world, email="ada@example.com")
    token = sent(world, PASSWORD_RESET)[-1].secrets["token"]
    await world.reset_password.execute(token, NEW_PASSWORD, ELSEWHERE)
    assert recorded(world, user.id, "password_reset") == [({"via": "email"}, *FROM_ELSEWHERE)]
    assert recorded(world, user.id, "email_verified") == [({"via": "reset_link"}, *FROM_ELSEWHERE)]


async def test_email_verified_by_whoever_opens_the_link(world):
    user, _ = await register(world)
    (link,) = sent(world, VERIFY_EMAIL)
    await world.verify_email.execute(link.secrets["token"], ELSEWHERE)
    assert recorded(world, user.id, "email_verified") == [({}, *FROM_ELSEWHERE)]


async def test_email_change_requested_then_changed(world):
    user, sid = await register(world, email="ada@example.com")
    await world.change_email.execute(sid, "new.ada@example.com", PASSWORD, ELSEWHERE)
    assert recorded(world, user.id, "email_change_requested") == [({"newEmail": "n***@example.com"}, *FROM_ELSEWHERE)]
    (link,) = sent(world, EMAIL_CHANGE)
    opener = ClientInfo(ip="192.0.2.44", user_agent="Phone mail app")  # the link opened on another device
    await world.verify_email.execute(link.secrets["token"], opener)
    assert recorded(world, user.id, "email_changed") == [
        ({"newEmail": "n***@example.com"}, opener.ip, opener.user_agent)]


async def test_phone_verified(world):
    sid, user_id = await with_phone(world)
    await ask(world, sid, "123456")
    await world.verify_phone.execute(sid, "123456", ELSEWHERE)
    assert recorded(world, user_id, "phone_verified") == [({"phoneNumber": "+33612345678"}, *FROM_ELSEWHERE)]


async def test_a_wrong_phone_code_records_nothing(world):
    sid, user_id = await with_phone(world)
    await ask(world, sid, "123456")
    with pytest.raises(InvalidCode):
        await world.verify_phone.execute(sid, "654321", ELSEWHERE)
    assert recorded(world, user_id, "phone_verified") == []


async def test_provider_linked_then_unlinked(world):
    registered = await world.register.execute(RegistrationFactory.build(email="me@corp.example"), CLIENT)
    world.prove_address(registered.user.id)
    await sign_in(world, link=True, sid=registered.tokens.sid, client=ELSEWHERE)
    assert recorded(world, registered.user.id, "provider_linked") == [({"provider": "google"}, *FROM_ELSEWHERE)]
    await world.unlink.execute(registered.tokens.sid, "google", ELSEWHERE)
    assert recorded(world, registered.user.id, "provider_unlinked") == [({"provider": "google"}, *FROM_ELSEWHERE)]


async def test_provider_linked_by_the_password_login_of_a_pending_link(world):
    alice = await register_alice(world)
    token = await collide(world)
    await world.login.execute("alice@example.com", "correct-horse-battery-42", ELSEWHERE, token)
    assert recorded(world, alice.user.id, "provider_linked") == [({"provider": "google"}, *FROM_ELSEWHERE)]


async def test_a_kind_outside_the_contract_cannot_be_recorded_and_undoes_its_transaction(world):
    user, _ = await register(world)
    before = list(world.db.event_log)
    with pytest.raises(ValueError):
        async with world.new_uow() as uow:
            await uow.events.record(user.id, "signed_in", {}, world.clock.now(), ClientInfo())
            await uow.events.record(user.id, "email_verified_by_provider", {}, world.clock.now(), ClientInfo())
            await uow.commit()
    assert world.db.event_log == before
