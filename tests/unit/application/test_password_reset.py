"""POST /auth/verify-phone and /auth/reset-password on fakes."""

import asyncio

import pytest

from application.ports.messages import PASSWORD_CHANGED, PASSWORD_RESET
from application.services.login_guard import LoginGuard
from domain.errors import AccountLocked, InvalidCode, InvalidToken, TooManyAttempts, WeakPassword
from domain.email_links import RESET_TOKEN, SECURE_ACCOUNT, VERIFY_EMAIL, EmailLink
from tests.factories import UserFactory
from tests.unit.application.test_email_verification import PASSWORD, new_session, register, sign_in
from tests.unit.application.test_forgot_password import NUMBER, forgot, sent, with_verified_phone
from tests.unit.conftest import CLIENT

NEW = "brand-new-password-7"


async def mailed_token(world, email="ada@example.com") -> str:
    await forgot(world, email=email)
    return sent(world, PASSWORD_RESET)[-1].secrets["token"]


async def reset_token_by_phone(world, code="314159") -> str:
    world.codes.queued.append(code)
    await forgot(world, phone=NUMBER)
    return await world.verify_reset_code.execute(NUMBER, code, CLIENT)


async def test_a_mailed_link_sets_the_password_and_revokes_every_session(world):
    user, sid = await register(world, email="ada@example.com")
    other = await new_session(world, user.id)

    await world.reset_password.execute(await mailed_token(world), NEW, CLIENT)

    assert world.db.users[user.id].password_hash == f"fake${NEW}"
    assert await world.current_user.execute(sid) is None and await world.current_user.execute(other) is None
    assert (user.id, "password_reset", {"via": "email"}) in world.db.events


async def test_a_mailed_link_proves_the_address(world):
    user, _ = await register(world, email="ada@example.com")
    assert world.db.users[user.id].email_verified_at is None
    await world.reset_password.execute(await mailed_token(world), NEW, CLIENT)
    assert world.db.users[user.id].email_verified_at == world.clock.now()


async def test_a_reset_sends_the_password_changed_notice_with_a_not_you_link(world):
    user, _ = await register(world, email="ada@example.com")
    await world.reset_password.execute(await mailed_token(world), NEW, CLIENT)

    [notice] = sent(world, PASSWORD_CHANGED)
    assert (notice.channel, notice.recipient, notice.values) == ("email", "ada@example.com",
                                                                {"when": "2026-01-01 00:00 UTC"})
    secure = world.db.email_links[world.tokens.digest(notice.secrets["token"])]
    assert (secure.email_link.purpose, secure.email_link.user_id) == (SECURE_ACCOUNT, user.id)


async def test_without_an_email_the_notice_goes_by_whatsapp_to_the_verified_number(world):
    user = UserFactory.build(email=None, phone_number=NUMBER, password_hash=None)
    await sign_in(world, user)
    async with world.new_uow() as uow:
        await uow.users.mark_phone_verified(user.id, NUMBER, world.clock.now())
        await uow.commit()

    await world.reset_password.execute(await reset_token_by_phone(world), NEW, CLIENT)

    [notice] = sent(world, PASSWORD_CHANGED)
    assert (notice.channel, notice.recipient) == ("whatsapp", NUMBER)


async def test_a_weak_password_leaves_the_token_usable(world):
    await register(world, email="ada@example.com")
    token = await mailed_token(world)
    with pytest.raises(WeakPassword):
        await world.reset_password.execute(token, "short", CLIENT)
    await world.reset_password.execute(token, NEW, CLIENT)


async def test_a_token_works_once(world):
    await register(world, email="ada@example.com")
    token = await mailed_token(world)
    await world.reset_password.execute(token, NEW, CLIENT)
    with pytest.raises(InvalidToken):
        await world.reset_password.execute(token, "another-password-8", CLIENT)


async def test_two_resets_with_one_token_one_wins(world):
    user, _ = await register(world, email="ada@example.com")
    token = await mailed_token(world)
    results = await asyncio.gather(
        world.reset_password.execute(token, "first-password-1", CLIENT),
        world.reset_password.execute(token, "second-password-2", CLIENT),
        return_exceptions=True,
    )
    assert sorted(type(r).__name__ for r in results) == ["InvalidToken", "NoneType"]
    assert len(sent(world, PASSWORD_CHANGED)) == 1


async def test_an_expired_unknown_or_other_purpose_token_is_refused_and_costs_no_hashing(world):
    user, _ = await register(world, email="ada@example.com")
    expired = await mailed_token(world)
    world.clock.advance(minutes=15)
    verify = world.tokens.new_token()
    async with world.new_uow() as uow:
        await uow.email_links.add(world.tokens.digest(verify), EmailLink(user.id, VERIFY_EMAIL, user.email,
                                                                   world.clock.now() + world.email_links.policy.link_ttl),
                            world.clock.now())
        await uow.commit()
    hashes = world.hasher.hashes
    for token in (expired, "never-issued", verify, ""):
        with pytest.raises(InvalidToken):
            await world.reset_password.execute(token, NEW, CLIENT)
    assert world.hasher.hashes == hashes


async def test_a_reset_kills_the_accounts_other_reset_links(world):
    await register(world, email="ada@example.com")
    first = await mailed_token(world)
    second = await mailed_token(world)
    await world.reset_password.execute(second, NEW, CLIENT)
    with pytest.raises(InvalidToken):
        await world.reset_password.execute(first, "another-password-8", CLIENT)


async def test_a_reset_lifts_the_login_lock(world):
    user, _ = await register(world, email="ada@example.com")
    guard = LoginGuard(world.attempts, world.limits)
    for _ in range(world.limits.failures):
        await guard.admit_attempt(user, "", world.clock.now())
    with pytest.raises(AccountLocked):
        await guard.admit_attempt(user, "", world.clock.now())

    await world.reset_password.execute(await mailed_token(world), NEW, CLIENT)

    signed_in = await world.login.execute("ada@example.com", NEW, CLIENT)
    assert signed_in.user.id == user.id


async def test_the_old_password_no_longer_works_and_the_new_one_does(world):
    await register(world, email="ada@example.com")
    await world.reset_password.execute(await mailed_token(world), NEW, CLIENT)
    with pytest.raises(Exception) as refused:
        await world.login.execute("ada@example.com", PASSWORD, CLIENT)
    assert type(refused.value).__name__ == "InvalidCredentials"
    await world.login.execute("ada@example.com", NEW, CLIENT)


# --- the WhatsApp way


async def test_a_right_code_gives_a_single_use_reset_token_of_10_minutes(world):
    user, _ = await with_verified_phone(world)
    token = await reset_token_by_phone(world)

    record = world.db.email_links[world.tokens.digest(token)]
    assert (record.email_link.user_id, record.email_link.purpose) == (user.id, RESET_TOKEN)
    assert record.email_link.expires_at == world.clock.now() + world.recovery_policy.reset_token_ttl
    assert world.recovery_policy.reset_token_ttl.total_seconds() == 600

    await world.reset_password.execute(token, NEW, CLIENT)
    assert (user.id, "password_reset", {"via": "phone"}) in world.db.events
    assert world.db.users[user.id].email_verified_at is None  # a phone proves no email
    with pytest.raises(InvalidToken):
        await world.reset_password.execute(token, "another-password-8", CLIENT)


async def test_a_code_that_gave_a_reset_token_is_used_up(world):
    await with_verified_phone(world)
    await reset_token_by_phone(world, "271828")
    with pytest.raises(InvalidCode):
        await world.verify_reset_code.execute(NUMBER, "271828", CLIENT)


async def test_a_wrong_code_then_the_fifth_burns_it(world):
    await with_verified_phone(world)
    world.codes.queued.append("111111")
    await forgot(world, phone=NUMBER)
    for _ in range(4):
        with pytest.raises(InvalidCode):
            await world.verify_reset_code.execute(NUMBER, "999999", CLIENT)
    with pytest.raises(TooManyAttempts):
        await world.verify_reset_code.execute(NUMBER, "999999", CLIENT)
    with pytest.raises(TooManyAttempts):  # even the right one, now
        await world.verify_reset_code.execute(NUMBER, "111111", CLIENT)


async def test_concurrent_wrong_tries_each_count(world):
    await with_verified_phone(world)
    world.codes.queued.append("111111")
    await forgot(world, phone=NUMBER)
    results = await asyncio.gather(
        *(world.verify_reset_code.execute(NUMBER, "999999", CLIENT) for _ in range(7)), return_exceptions=True
    )
    assert sorted(type(r).__name__ for r in results).count("TooManyAttempts") == 3


async def test_an_unknown_or_unverified_number_answers_like_a_wrong_code(world):
    await with_verified_phone(world, verified=False)
    for number in (NUMBER, "+33699999999"):
        with pytest.raises(InvalidCode):
            await world.verify_reset_code.execute(number, "000001", CLIENT)


async def test_a_verification_code_is_no_reset_code(world):
    user, sid = await with_verified_phone(world)
    world.prove_address(user.id)
    world.codes.queued.append("123123")
    await world.request_phone_code.execute(sid, CLIENT)
    with pytest.raises(InvalidCode):
        await world.verify_reset_code.execute(NUMBER, "123123", CLIENT)


async def test_a_reset_token_opens_no_email_verification(world):
    await with_verified_phone(world)
    token = await reset_token_by_phone(world)
    with pytest.raises(InvalidToken):
        await world.verify_email.execute(token, CLIENT)
