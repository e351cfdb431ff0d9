import pytest

from application.ports.messages import EMAIL_CHANGE, EMAIL_CHANGE_NOTICE
from domain.clients import ClientInfo
from domain.errors import (
    AccountLocked,
    EmailTaken,
    InvalidInput,
    InvalidPassword,
    InvalidToken,
    NotAuthenticated,
)
from domain.email_links import SECURE_ACCOUNT
from tests.factories import UserFactory
from tests.unit.application.test_email_verification import PASSWORD, register, sign_in
from tests.unit.conftest import CLIENT

NEW = "new.ada@example.com"


async def ask_change(world, email=NEW, password=PASSWORD):
    user, sid = await register(world, email="ada@example.com")
    world.db.outbox.clear()
    await world.change_email.execute(sid, email, password, CLIENT)
    return user, sid


def sent(world, template):
    [message] = [m for m in world.db.outbox if m.template == template]
    return message


async def test_asking_sends_a_link_to_the_new_address_and_a_notice_to_the_old(world):
    user, _ = await ask_change(world, email="New.Ada@Example.com")

    link = sent(world, EMAIL_CHANGE)
    assert (link.recipient, link.values) == (NEW, {})
    notice = sent(world, EMAIL_CHANGE_NOTICE)
    assert notice.recipient == "ada@example.com"
    assert notice.values == {"new_email": "n***@example.com", "stage": "requested"}
    secure = world.db.email_links[world.tokens.digest(notice.secrets["token"])]
    assert secure.email_link.purpose == SECURE_ACCOUNT and secure.email_link.user_id == user.id
    assert (user.id, "email_change_requested", {"newEmail": "n***@example.com"}) in world.db.events


async def test_the_email_changes_only_when_the_link_is_opened(world):
    user, _ = await ask_change(world)
    assert world.db.users[user.id].email == "ada@example.com"

    changed = await world.verify_email.execute(sent(world, EMAIL_CHANGE).secrets["token"], ClientInfo())

    assert (changed.email, changed.email_verified) == (NEW, True)
    assert world.db.users[user.id].email == NEW
    assert (user.id, "email_changed", {"newEmail": "n***@example.com"}) in world.db.events


async def test_the_old_address_is_told_when_the_change_is_done(world):
    user, _ = await ask_change(world)
    token = sent(world, EMAIL_CHANGE).secrets["token"]
    world.db.outbox.clear()
    await world.verify_email.execute(token, ClientInfo(accept_language="en-US"))

    [notice] = world.db.outbox
    assert (notice.template, notice.recipient, notice.locale) == (EMAIL_CHANGE_NOTICE, "ada@example.com", "en")
    assert notice.values == {"new_email": "n***@example.com", "stage": "confirmed"}
    secure = world.db.email_links[world.tokens.digest(notice.secrets["token"])]
    assert (secure.email_link.purpose, secure.email_link.user_id, secure.used_at) == (SECURE_ACCOUNT, user.id, None)


async def test_a_secure_account_token_does_not_confirm_a_change(world):
    await ask_change(world)
    with pytest.raises(InvalidToken):
        await world.verify_email.execute(sent(world, EMAIL_CHANGE_NOTICE).secrets["token"], ClientInfo())


async def test_the_password_is_asked_again(world):
    user, sid = await register(world)
    with pytest.raises(InvalidPassword):
        await world.change_email.execute(sid, NEW, "wrong-password", CLIENT)
    for missing in (None, ""):
        with pytest.raises(InvalidInput) as refused:
            await world.change_email.execute(sid, NEW, missing, CLIENT)
        assert refused.value.field == "password"
    assert [m.template for m in world.db.outbox] == ["verify_email"]  # only registration's
    assert world.db.users[user.id].email != NEW


async def test_wrong_passwords_count_with_failed_logins(world):
    """A stolen session gets no more guesses than a login would (World: 3 failures lock)."""
    user, sid = await register(world)
    for _ in range(world.limits.failures):
        with pytest.raises(InvalidPassword):
            await world.change_email.execute(sid, NEW, "wrong-password", CLIENT)
    checked = world.hasher.verifications
    with pytest.raises(AccountLocked):
        await world.change_email.execute(sid, NEW, PASSWORD, CLIENT)
    with pytest.raises(AccountLocked):
        await world.login.execute(user.email, PASSWORD, CLIENT)
    assert world.hasher.verifications == checked  # refused before any check


async def test_the_right_password_clears_the_failures(world):
    _, sid = await register(world)
    for _ in range(world.limits.failures - 1):
        with pytest.raises(InvalidPassword):
            await world.change_email.execute(sid, NEW, "wrong-password", CLIENT)
    await world.change_email.execute(sid, NEW, PASSWORD, CLIENT)
    with pytest.raises(InvalidPassword):  # counting starts over: not locked
        await world.change_email.execute(sid, "other@example.com", "wrong-password", CLIENT)


async def test_an_address_another_account_has_is_refused(world):
    await register(world, email="taken@example.com")
    _, sid = await register(world)
    with pytest.raises(EmailTaken):
        await world.change_email.execute(sid, "TAKEN@example.com", PASSWORD, CLIENT)


async def test_the_same_address_is_refused(world):
    user, sid = await register(world)
    with pytest.raises(InvalidInput):
        await world.change_email.execute(sid, user.email.upper(), PASSWORD, CLIENT)


async def test_a_bad_address_is_refused(world):
    _, sid = await register(world)
    with pytest.raises(InvalidInput):
        await world.change_email.execute(sid, "not-an-email", PASSWORD, CLIENT)


async def test_asking_needs_a_session(world):
    with pytest.raises(NotAuthenticated):
        await world.change_email.execute(None, NEW, PASSWORD, CLIENT)


async def test_an_account_without_email_adds_one_without_password_or_notice(world):
    user = UserFactory.build(email=None, password_hash=None)
    sid = await sign_in(world, user)
    await world.change_email.execute(sid, NEW, None, CLIENT)

    [message] = world.db.outbox
    assert (message.template, message.recipient) == (EMAIL_CHANGE, NEW)
    added = await world.verify_email.execute(message.secrets["token"], ClientInfo())
    assert (added.email, added.email_verified) == (NEW, True)
    assert "add_email" not in added.required_actions()
    assert len(world.db.outbox) == 1  # no old address, no notice


async def test_the_newest_request_wins(world):
    user, sid = await ask_change(world, email="first@example.com")
    first = sent(world, EMAIL_CHANGE).secrets["token"]
    await world.change_email.execute(sid, "second@example.com", PASSWORD, CLIENT)
    with pytest.raises(InvalidToken):
        await world.verify_email.execute(first, ClientInfo())
    assert world.db.users[user.id].email == "ada@example.com"


async def test_an_address_taken_meanwhile_is_refused_and_changes_nothing(world):
    """A verified email still cannot be taken by a second account: 409, and nothing moves."""
    user, _ = await ask_change(world)
    token = sent(world, EMAIL_CHANGE).secrets["token"]
    await register(world, email=NEW)  # someone registered it between the ask and the click
    world.db.outbox.clear()
    with pytest.raises(EmailTaken):
        await world.verify_email.execute(token, ClientInfo())
    assert world.db.users[user.id].email == "ada@example.com"
    assert world.db.outbox == []
    assert not [e for e in world.db.events if e[1] == "email_changed"]

