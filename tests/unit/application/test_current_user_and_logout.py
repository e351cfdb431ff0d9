import pytest

from domain.errors import InvalidRefresh
from tests.factories import RegistrationFactory
from tests.unit.conftest import CLIENT


@pytest.fixture
async def tokens(world):
    return (await world.register.execute(RegistrationFactory.build(), CLIENT)).tokens


@pytest.mark.parametrize("sid", [None, "", "planted-by-an-attacker"])
async def test_no_user_without_an_issued_sid(world, tokens, sid):
    assert await world.current_user.execute(sid) is None


async def test_sid_expires_after_its_ttl(world, tokens):
    world.clock.advance(minutes=14, seconds=59)
    assert await world.current_user.execute(tokens.sid) is not None
    world.clock.advance(seconds=1)
    assert await world.current_user.execute(tokens.sid) is None


async def test_logout_by_sid_revokes_the_family(world, tokens):
    await world.logout.execute(tokens.sid, None)
    assert await world.current_user.execute(tokens.sid) is None
    with pytest.raises(InvalidRefresh):
        await world.refresh.execute(tokens.refresh_token)


async def test_logout_by_refresh_token_alone(world, tokens):
    await world.logout.execute(None, tokens.refresh_token)
    assert await world.current_user.execute(tokens.sid) is None


async def test_logout_with_an_expired_sid_still_ends_the_session(world, tokens):
    world.clock.advance(hours=1)
    await world.logout.execute(tokens.sid, None)
    with pytest.raises(InvalidRefresh):
        await world.refresh.execute(tokens.refresh_token)


async def test_logout_without_cookies_or_twice_is_harmless(world, tokens):
    await world.logout.execute(None, None)
    await world.logout.execute("unknown", "unknown")
    await world.logout.execute(tokens.sid, None)
    await world.logout.execute(tokens.sid, tokens.refresh_token)
    assert sum(s.revoked_at is not None for s in world.db.sessions.values()) == 1


async def test_logout_touches_only_its_own_session(world, tokens):
    other = (await world.register.execute(RegistrationFactory.build(), CLIENT)).tokens
    await world.logout.execute(tokens.sid, None)
    assert await world.current_user.execute(other.sid) is not None
