"""POST /auth/secure-account on fakes: the "not you?" link of a change notice."""

import pytest

from application.ports.messages import PASSWORD_CHANGED
from domain.errors import InvalidToken
from tests.unit.application.test_email_verification import PASSWORD, new_session, register
from tests.unit.application.test_forgot_password import sent
from tests.unit.conftest import CLIENT

NEW = "brand-new-password-7"


async def not_you_token(world) -> tuple:
    """An account whose password was changed: its notice carries the "not you?" token."""
    user, sid = await register(world, email="ada@example.com")
    await world.change_password.execute(sid, PASSWORD, NEW, CLIENT)
    return user, sid, sent(world, PASSWORD_CHANGED)[-1].secrets["token"]


async def test_a_not_you_token_revokes_every_session_and_removes_the_password(world):
    user, sid, token = await not_you_token(world)
    other = await new_session(world, user.id)

    await world.secure_account.execute(token, CLIENT)

    assert world.db.users[user.id].password_hash is None
    assert await world.current_user.execute(sid) is None and await world.current_user.execute(other) is None
    kinds = [kind for who, kind, _ in world.db.events if who == user.id]
    assert kinds[-2:] == ["account_secured", "password_removed"]


async def test_a_not_you_token_works_once(world):
    _, _, token = await not_you_token(world)
    await world.secure_account.execute(token, CLIENT)
    with pytest.raises(InvalidToken):
        await world.secure_account.execute(token, CLIENT)


async def test_a_not_you_token_expires_after_7_days(world):
    user, _, token = await not_you_token(world)
    world.clock.advance(days=7, seconds=1)
    with pytest.raises(InvalidToken):
        await world.secure_account.execute(token, CLIENT)
    assert world.db.users[user.id].password_hash == f"fake${NEW}"


@pytest.mark.parametrize("token", ["", "unknown-token"])
async def test_an_unknown_token_is_invalid_and_changes_nothing(world, token):
    user, sid, _ = await not_you_token(world)
    with pytest.raises(InvalidToken):
        await world.secure_account.execute(token, CLIENT)
    assert world.db.users[user.id].password_hash == f"fake${NEW}"
    assert await world.current_user.execute(sid) is not None


async def test_a_token_of_another_purpose_is_invalid(world):
    await register(world, email="ada@example.com")
    verification = world.db.outbox[-1]  # registration's verification link
    with pytest.raises(InvalidToken):
        await world.secure_account.execute(verification.secrets["token"], CLIENT)
