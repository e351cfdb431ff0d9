import pytest

from application.ports.messages import VERIFY_EMAIL
from domain.clients import ClientInfo
from domain.errors import EmailTaken, InvalidToken, NotAuthenticated, RateLimited
from domain.email_links import CHANGE_EMAIL, SECURE_ACCOUNT, EmailLink
from tests.factories import RegistrationFactory, UserFactory
from tests.unit.conftest import CLIENT


PASSWORD = "secret-password-1"


async def register(world, **changes):
    registration = RegistrationFactory.build(**{"password": PASSWORD, **changes})
    signed_in = await world.register.execute(registration, CLIENT)
    return signed_in.user, signed_in.tokens.sid


async def sign_in(world, user) -> str:
    """A user made outside registration (e.g. by a provider), with a live session."""
    async with world.new_uow() as uow:
        await uow.users.add(user)
        await uow.commit()
    return await new_session(world, user.id)


async def new_session(world, user_id) -> str:
    async with world.new_uow() as uow:
        tokens = await world.issuer.open(uow, user_id, world.clock.now(), CLIENT, "password")
        await uow.commit()
    return tokens.sid


def last_token(world) -> str:
    return world.db.outbox[-1].secrets["token"]


async def test_registration_sends_a_verification_link_to_the_email(world):
    user, _ = await register(world, email="Ada@Example.com")

    [message] = world.db.outbox
    assert (message.template, message.channel, message.recipient) == (VERIFY_EMAIL, "email", "ada@example.com")
    token = message.secrets["token"]
    assert token not in str(message.values)  # the token travels only as a secret
    [record] = world.db.email_links.values()
    assert record.email_link.purpose == "verify_email" and record.email_link.user_id == user.id
    assert record.email_link.expires_at == world.clock.now() + world.email_links.policy.link_ttl
    assert world.tokens.digest(token) in world.db.email_links  # stored as its digest only


async def test_a_registration_that_fails_sends_nothing(world):
    await register(world, email="ada@example.com")
    world.db.outbox.clear()
    with pytest.raises(EmailTaken):  # the insert fails (as the unique constraint would)
        await world.register.execute(RegistrationFactory.build(email="ada@example.com"), CLIENT)
    assert world.db.outbox == [] and len(world.db.email_links) == 1


async def test_a_rolled_back_insert_leaves_no_message(world):
    """The insert itself fails (a concurrent registration won the race): nothing is sent."""
    taken = UserFactory.build(email="ada@example.com")
    registration = RegistrationFactory.build(email="ada@example.com")

    original = world.hasher.hash

    async def hash_then_lose(password):
        world.db.users[taken.id] = taken  # committed by someone else after the pre-check
        return await original(password)

    world.hasher.hash = hash_then_lose
    with pytest.raises(EmailTaken):
        await world.register.execute(registration, CLIENT)
    assert world.db.outbox == [] and world.db.email_links == {}


@pytest.mark.parametrize(("profile", "header", "expected"), [
    (None, "en-GB,en;q=0.9", "en"),
    (None, "de, fr;q=0.5", "fr"),
    (None, None, "fr"),  # DEFAULT_LOCALE
    ("en", "fr", "en"),  # the profile wins
])
async def test_the_message_is_in_the_user_language(world, profile, header, expected):
    user = UserFactory.build()
    user.profile.locale = profile
    sid = await sign_in(world, user)
    await world.request_verification.execute(sid, ClientInfo(accept_language=header))
    assert world.db.outbox[-1].locale == expected


async def test_opening_the_link_verifies_the_email(world):
    user, _ = await register(world)
    verified = await world.verify_email.execute(last_token(world), ClientInfo())

    assert verified.email_verified and "verify_email" not in verified.required_actions()
    assert world.db.users[user.id].email_verified_at == world.clock.now()
    assert (user.id, "email_verified", {}) in world.db.events


async def test_a_link_works_once(world):
    await register(world)
    token = last_token(world)
    await world.verify_email.execute(token, ClientInfo())
    with pytest.raises(InvalidToken):
        await world.verify_email.execute(token, ClientInfo())


async def test_a_link_expires_after_24_hours(world):
    user, _ = await register(world)
    world.clock.advance(hours=24)
    with pytest.raises(InvalidToken):
        await world.verify_email.execute(last_token(world), ClientInfo())
    assert not world.db.users[user.id].email_verified_at


@pytest.mark.parametrize("token", ["", "token-999", "not even close"])
async def test_an_unknown_token_is_refused(world, token):
    await register(world)
    with pytest.raises(InvalidToken):
        await world.verify_email.execute(token, ClientInfo())


async def test_a_token_of_another_purpose_is_refused_and_kept(world):
    user, _ = await register(world)
    async with world.new_uow() as uow:
        await uow.email_links.add(world.tokens.digest("not-you"),
                            EmailLink(user.id, SECURE_ACCOUNT, None, world.clock.now().replace(year=2027)),
                            world.clock.now())
        await uow.commit()
    with pytest.raises(InvalidToken):
        await world.verify_email.execute("not-you", ClientInfo())
    assert world.db.email_links[world.tokens.digest("not-you")].used_at is None  # still usable for its purpose
    assert not world.db.users[user.id].email_verified_at


async def test_a_verification_link_dies_with_its_address(world):
    """A link for the old address must not verify the address that replaced it."""
    user, sid = await register(world)
    old_link = last_token(world)
    await world.change_email.execute(sid, "new@example.com", PASSWORD, CLIENT)
    change_link = world.db.outbox[-2].secrets["token"]
    await world.verify_email.execute(change_link, ClientInfo())
    world.db.users[user.id].email_verified_at = None  # as if never verified
    with pytest.raises(InvalidToken):
        await world.verify_email.execute(old_link, ClientInfo())


async def test_asking_again_sends_a_new_link_to_the_current_address(world):
    user, sid = await register(world)
    await world.request_verification.execute(sid, CLIENT)

    assert [m.template for m in world.db.outbox] == [VERIFY_EMAIL, VERIFY_EMAIL]
    assert world.db.outbox[-1].recipient == user.email
    assert world.db.outbox[0].secrets != world.db.outbox[1].secrets
    await world.verify_email.execute(last_token(world), ClientInfo())
    assert world.db.users[user.id].email_verified_at


async def test_nothing_is_sent_to_a_verified_address(world):
    _, sid = await register(world)
    await world.verify_email.execute(last_token(world), ClientInfo())
    await world.request_verification.execute(sid, CLIENT)
    assert len(world.db.outbox) == 1


async def test_nothing_is_sent_to_an_account_without_email(world):
    sid = await sign_in(world, UserFactory.build(email=None, password_hash=None))
    await world.request_verification.execute(sid, CLIENT)
    assert world.db.outbox == []


async def test_asking_needs_a_session(world):
    with pytest.raises(NotAuthenticated):
        await world.request_verification.execute("not-a-sid", CLIENT)
    with pytest.raises(NotAuthenticated):
        await world.request_verification.execute(None, CLIENT)


async def test_at_most_3_asks_per_account_per_15_minutes(world):
    user, sid = await register(world)
    for _ in range(3):
        await world.request_verification.execute(sid, CLIENT)
    with pytest.raises(RateLimited) as refused:
        await world.request_verification.execute(sid, CLIENT)
    assert 0 < refused.value.retry_after <= 15 * 60
    assert len(world.db.outbox) == 1 + 3

    _, other_sid = await register(world)  # another account has its own quota
    await world.request_verification.execute(other_sid, CLIENT)
    world.clock.advance(minutes=15)  # a new window (and a new sid: the old one expired)
    await world.request_verification.execute(await new_session(world, user.id), CLIENT)
    assert len(world.db.outbox) == 2 + 3 + 2


async def test_a_change_link_is_not_confused_with_a_verification_link(world):
    """Both are opened by the same route: a change link switches the address."""
    user, sid = await register(world)
    await world.change_email.execute(sid, "new@example.com", PASSWORD, CLIENT)
    [change] = [r for r in world.db.email_links.values() if r.email_link.purpose == CHANGE_EMAIL]
    assert change.email_link.email == "new@example.com"
