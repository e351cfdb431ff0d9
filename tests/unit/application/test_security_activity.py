import pytest

from domain.errors import InvalidInput, NotAuthenticated
from tests.factories import RegistrationFactory
from tests.unit.application.test_provider_sign_in import sign_in
from tests.unit.conftest import CLIENT


@pytest.fixture
async def registration(world):
    return RegistrationFactory.build()


@pytest.fixture
async def sid(world, registration):
    tokens = (await world.register.execute(registration, CLIENT)).tokens
    for _ in range(3):
        world.clock.advance(minutes=1)
        await world.login.execute(registration.email, registration.password, CLIENT)
    return tokens.sid


async def test_events_are_newest_first_with_their_origin(world, sid):
    events = await world.security_events.execute(sid, None)
    assert [e.detail.get("method") for e in events if e.kind == "signed_in"] == [
        "password", "password", "password", "register"]
    assert [e.created_at for e in events] == sorted((e.created_at for e in events), reverse=True)
    assert {(e.ip, e.user_agent) for e in events if e.kind == "signed_in"} == {(CLIENT.ip, CLIENT.user_agent)}


async def test_limit_keeps_the_newest(world, sid):
    (newest,) = await world.security_events.execute(sid, 1)
    assert (newest.kind, newest.created_at) == ("signed_in", world.clock.now())


@pytest.mark.parametrize("limit", [0, -1, 201])
async def test_a_limit_out_of_range_is_refused(world, sid, limit):
    with pytest.raises(InvalidInput):
        await world.security_events.execute(sid, limit)


async def test_another_users_events_are_not_served(world, sid):
    bob = (await world.register.execute(RegistrationFactory.build(), CLIENT)).tokens
    assert len(await world.security_events.execute(bob.sid, None)) == 1


async def test_logout_records_signed_out_once(world, registration, sid):
    await world.logout.execute(sid, None, CLIENT)
    await world.logout.execute(sid, None, CLIENT)
    other = (await world.login.execute(registration.email, registration.password, CLIENT)).tokens
    kinds = [e.kind for e in await world.security_events.execute(other.sid, None)]
    assert kinds[:2] == ["signed_in", "signed_out"] and kinds.count("signed_out") == 1


async def test_events_need_a_signed_in_user(world):
    with pytest.raises(NotAuthenticated):
        await world.security_events.execute(None, None)


async def test_a_provider_sign_in_is_recorded_with_its_provider(world):
    result = await sign_in(world)
    events = await world.security_events.execute(result.tokens.sid, None)
    assert [(e.detail, e.ip) for e in events if e.kind == "signed_in"] == [({"method": "google"}, CLIENT.ip)]
