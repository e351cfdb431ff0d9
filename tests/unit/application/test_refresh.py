import asyncio

import pytest

from domain.clients import ClientInfo
from domain.errors import InvalidRefresh, NoRefreshToken
from tests.factories import RegistrationFactory
from tests.unit.conftest import CLIENT


@pytest.fixture
async def tokens(world):
    return (await world.register.execute(RegistrationFactory.build(), CLIENT)).tokens


async def test_rotation_issues_a_new_sid_and_the_successor(world, tokens):
    world.clock.advance(minutes=14)
    issued = await world.refresh.execute(tokens.refresh_token)
    assert issued.refresh_token == world.tokens.successor(tokens.refresh_token)
    assert issued.sid != tokens.sid
    assert await world.current_user.execute(issued.sid) is not None
    assert (await world.refresh.execute(issued.refresh_token)).sid  # the successor works


async def test_refresh_never_extends_the_absolute_lifetime(world, tokens):
    world.clock.advance(days=29, hours=23, minutes=55)
    issued = await world.refresh.execute(tokens.refresh_token)
    assert issued.refresh_expires_at == tokens.refresh_expires_at
    assert issued.sid_max_age == 5 * 60  # the sid ends with the session
    world.clock.advance(minutes=5)
    with pytest.raises(InvalidRefresh):
        await world.refresh.execute(issued.refresh_token)


async def test_replay_within_grace_hands_out_the_same_successor(world, tokens):
    first = await world.refresh.execute(tokens.refresh_token)
    world.clock.advance(seconds=10)
    replay = await world.refresh.execute(tokens.refresh_token)
    assert replay.refresh_token == first.refresh_token
    assert await world.current_user.execute(replay.sid) is not None
    assert await world.refresh.execute(replay.refresh_token)


async def test_replay_after_the_chain_moved_on_yields_the_current_head(world, tokens):
    first = await world.refresh.execute(tokens.refresh_token)
    second = await world.refresh.execute(first.refresh_token)
    replay = await world.refresh.execute(tokens.refresh_token)
    assert replay.refresh_token == second.refresh_token


async def test_reuse_after_grace_revokes_the_whole_family(world, tokens):
    issued = await world.refresh.execute(tokens.refresh_token)
    world.clock.advance(seconds=11)
    with pytest.raises(InvalidRefresh):
        await world.refresh.execute(tokens.refresh_token)
    assert await world.current_user.execute(issued.sid) is None
    assert await world.current_user.execute(tokens.sid) is None
    with pytest.raises(InvalidRefresh):
        await world.refresh.execute(issued.refresh_token)


async def test_reuse_is_recorded_once_with_the_presenters_origin(world, tokens):
    await world.refresh.execute(tokens.refresh_token)
    world.clock.advance(seconds=11)
    thief = ClientInfo(ip="192.0.2.66", user_agent="thief")
    for _ in range(2):
        with pytest.raises(InvalidRefresh):
            await world.refresh.execute(tokens.refresh_token, thief)
    reuses = [e for _, e in world.db.event_log if e.kind == "refresh_reuse_detected"]
    assert [(e.ip, e.user_agent) for e in reuses] == [("192.0.2.66", "thief")]


async def test_twenty_concurrent_refreshes_all_succeed_with_one_successor(world, tokens):
    results = await asyncio.gather(*(world.refresh.execute(tokens.refresh_token) for _ in range(20)))
    assert {r.refresh_token for r in results} == {world.tokens.successor(tokens.refresh_token)}
    assert len({r.sid for r in results}) == 20
    assert await world.refresh.execute(results[0].refresh_token)


async def test_missing_and_unknown_tokens(world):
    with pytest.raises(NoRefreshToken):
        await world.refresh.execute(None)
    with pytest.raises(NoRefreshToken):
        await world.refresh.execute("")
    with pytest.raises(InvalidRefresh):
        await world.refresh.execute("never-issued")


async def test_a_refused_refresh_leaves_the_token_unused(world, tokens):
    session_id = next(iter(world.db.sessions))
    await world.logout.execute(tokens.sid, None)
    with pytest.raises(InvalidRefresh):
        await world.refresh.execute(tokens.refresh_token)
    assert world.db.sessions[session_id].revoked_at is not None
    assert all(r.rotated_at is None for r in world.db.refresh_tokens.values())
