import uuid

import pytest

from domain.clients import ClientInfo
from domain.errors import InvalidRefresh, NotAuthenticated, NotFound
from tests.factories import RegistrationFactory
from tests.unit.conftest import CLIENT

PHONE = ClientInfo(ip="198.51.100.4", user_agent="phone")


@pytest.fixture
async def alice(world):
    registration = RegistrationFactory.build()
    laptop = (await world.register.execute(registration, CLIENT)).tokens
    world.clock.advance(minutes=1)
    phone = (await world.login.execute(registration.email, registration.password, PHONE)).tokens
    return laptop, phone


async def ids(world, sid):
    return [view.session.id for view in await world.sessions.list(sid)]


async def test_lists_live_sessions_newest_first_with_the_current_one_marked(world, alice):
    laptop, phone = alice
    views = await world.sessions.list(laptop.sid)
    assert [(v.session.user_agent, v.current) for v in views] == [("phone", False), ("pytest", True)]
    assert [v.current for v in await world.sessions.list(phone.sid)] == [True, False]


async def test_an_ended_session_is_no_longer_listed_nor_usable(world, alice):
    laptop, phone = alice
    phone_id, laptop_id = await ids(world, laptop.sid)
    await world.sessions.end(laptop.sid, str(phone_id), CLIENT)
    assert await ids(world, laptop.sid) == [laptop_id]
    assert await world.current_user.execute(phone.sid) is None
    with pytest.raises(InvalidRefresh):
        await world.refresh.execute(phone.refresh_token)


async def test_ending_a_session_records_session_revoked_with_the_callers_origin(world, alice):
    laptop, _ = alice
    phone_id, _ = await ids(world, laptop.sid)
    await world.sessions.end(laptop.sid, str(phone_id), CLIENT)
    (event, *_) = await world.security_events.execute(laptop.sid, None)
    assert (event.kind, event.detail, event.ip, event.user_agent) == (
        "session_revoked", {"sessionId": str(phone_id)}, CLIENT.ip, CLIENT.user_agent)


@pytest.mark.parametrize("session_id", ["not-an-id", str(uuid.UUID(int=7))])
async def test_an_unknown_session_id_is_not_found(world, alice, session_id):
    with pytest.raises(NotFound):
        await world.sessions.end(alice[0].sid, session_id, CLIENT)


async def test_another_users_session_is_not_found_and_stays_alive(world, alice):
    bob = (await world.register.execute(RegistrationFactory.build(), CLIENT)).tokens
    (bob_session,) = await ids(world, bob.sid)
    with pytest.raises(NotFound):
        await world.sessions.end(alice[0].sid, str(bob_session), CLIENT)
    assert await world.current_user.execute(bob.sid) is not None


async def test_an_already_ended_session_is_not_found(world, alice):
    laptop, _ = alice
    phone_id, _ = await ids(world, laptop.sid)
    await world.sessions.end(laptop.sid, str(phone_id), CLIENT)
    with pytest.raises(NotFound):
        await world.sessions.end(laptop.sid, str(phone_id), CLIENT)


async def test_revoke_others_keeps_the_current_session_and_counts_the_rest(world, alice):
    laptop, phone = alice
    assert await world.sessions.end_others(laptop.sid, CLIENT) == 1
    assert await world.current_user.execute(laptop.sid) is not None
    assert await world.current_user.execute(phone.sid) is None
    assert await world.sessions.end_others(laptop.sid, CLIENT) == 0


async def test_revoke_others_leaves_other_users_alone(world, alice):
    bob = (await world.register.execute(RegistrationFactory.build(), CLIENT)).tokens
    await world.sessions.end_others(alice[0].sid, CLIENT)
    assert await world.current_user.execute(bob.sid) is not None


@pytest.mark.parametrize("sid", [None, "planted"])
async def test_every_session_route_needs_a_signed_in_user(world, alice, sid):
    with pytest.raises(NotAuthenticated):
        await world.sessions.list(sid)
    with pytest.raises(NotAuthenticated):
        await world.sessions.end(sid, "x", CLIENT)
    with pytest.raises(NotAuthenticated):
        await world.sessions.end_others(sid, CLIENT)
