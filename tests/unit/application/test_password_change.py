"""POST /auth/password/change on fakes."""

import pytest

from application.ports.messages import PASSWORD_CHANGED
from domain.errors import AccountLocked, InvalidInput, InvalidPassword, NotAuthenticated, WeakPassword
from tests.factories import UserFactory
from tests.unit.application.test_email_verification import PASSWORD, new_session, register, sign_in
from tests.unit.application.test_forgot_password import sent
from tests.unit.conftest import CLIENT

NEW = "brand-new-password-7"


async def test_a_change_keeps_this_session_and_revokes_every_other(world):
    user, sid = await register(world, email="ada@example.com")
    others = [await new_session(world, user.id) for _ in range(2)]

    await world.change_password.execute(sid, PASSWORD, NEW, CLIENT)

    assert world.db.users[user.id].password_hash == f"fake${NEW}"
    assert (await world.current_user.execute(sid)).id == user.id
    assert [await world.current_user.execute(other) for other in others] == [None, None]
    assert (user.id, "password_changed", {}) in world.db.events
    [notice] = sent(world, PASSWORD_CHANGED)
    assert (notice.recipient, notice.values) == ("ada@example.com", {"when": "2026-01-01 00:00 UTC"})


async def test_the_current_password_is_required_when_the_account_has_one(world):
    _, sid = await register(world)
    for missing in (None, ""):
        with pytest.raises(InvalidInput) as refused:
            await world.change_password.execute(sid, missing, NEW, CLIENT)
        assert refused.value.field == "currentPassword"


async def test_a_wrong_current_password_is_refused_and_counted_toward_the_lock(world):
    user, sid = await register(world)
    for _ in range(world.limits.failures):
        with pytest.raises(InvalidPassword):
            await world.change_password.execute(sid, "wrong-password-9", NEW, CLIENT)
    with pytest.raises(AccountLocked):
        await world.change_password.execute(sid, PASSWORD, NEW, CLIENT)
    assert world.db.users[user.id].password_hash == f"fake${PASSWORD}"


async def test_an_account_without_a_password_sets_its_first(world):
    user = UserFactory.build(email="social@example.com", password_hash=None)
    sid = await sign_in(world, user)
    await world.change_password.execute(sid, None, NEW, CLIENT)
    assert world.db.users[user.id].password_hash == f"fake${NEW}"


async def test_a_weak_new_password_changes_nothing_and_costs_no_check(world):
    user, sid = await register(world)
    verifications = world.hasher.verifications
    with pytest.raises(WeakPassword):
        await world.change_password.execute(sid, PASSWORD, "password", CLIENT)
    assert world.hasher.verifications == verifications
    assert world.db.users[user.id].password_hash == f"fake${PASSWORD}"


async def test_a_session_is_needed(world):
    with pytest.raises(NotAuthenticated):
        await world.change_password.execute(None, PASSWORD, NEW, CLIENT)
