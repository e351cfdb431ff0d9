"""Lockout per device (device cookies), on fakes: failures typed in unknown browsers lock
only unknown browsers; a browser that signed in to the account keeps signing in, and its
own failures lock only itself. (The fakes' World locks after 3 failures.)"""

import itertools
import uuid

import pytest

from application.ports.messages import IDENTIFIER_LOCKED
from application.services.device_cookies import DeviceCookies
from application.services.login_guard import account_key
from domain.clients import ClientInfo
from domain.errors import AccountLocked, InvalidCredentials, InvalidPassword
from tests.factories import RegistrationFactory
from tests.unit.application.test_forgot_password import sent
from tests.unit.application.test_password_reset import mailed_token
from tests.unit.application.test_provider_sign_in import ALICE, sign_in as provider_sign_in
from tests.unit.conftest import CLIENT

WRONG = "wrong-password-9"
_addresses = itertools.count(1)


def anywhere() -> ClientInfo:
    """A new address each time, so that only the locks apply, never the address limit."""
    return ClientInfo(ip=f"2001:db8:{next(_addresses):x}::1")  # a /64 of its own


@pytest.fixture
async def ada(world):
    """Ada registered in her browser: (registration, her browser's device cookie)."""
    registration = RegistrationFactory.build(email="ada@example.com", username="ada")
    signed_in = await world.register.execute(registration, CLIENT)
    return registration, signed_in.device_cookie


async def login(world, identifier: str, password: str, cookie: str | None = None):
    return await world.login.execute(identifier, password, anywhere(), device_cookie=cookie)


async def fail(world, identifier: str, cookie: str | None = None, times: int = 3) -> None:
    for _ in range(times):
        with pytest.raises(InvalidCredentials):
            await login(world, identifier, WRONG, cookie)


async def refusal(world, identifier: str, password: str, cookie: str | None = None):
    """What the attempt got: None when it signed in."""
    try:
        await login(world, identifier, password, cookie)
    except (InvalidCredentials, AccountLocked) as refused:
        return refused
    return None


def user_of(world, email: str):
    return next(user for user in world.db.users.values() if user.email == email)


def forged(cookie: str) -> str:
    """The same value with another mac: what a browser could make without the secret."""
    body, _, mac = cookie.rpartition(".")
    return f"{body}.{('A' if mac[0] != 'A' else 'B')}{mac[1:]}"


async def test_an_unknown_browser_is_locked_while_the_known_device_signs_in(world, ada):
    registration, device = ada
    await fail(world, registration.email)  # an attacker, with no cookie

    locked = await refusal(world, registration.email, registration.password)
    assert isinstance(locked, AccountLocked) and locked.retry_after == 15 * 60
    signed_in = await login(world, registration.email, registration.password, device)
    assert signed_in.user.email == "ada@example.com"
    # The device's success clears its own count only: the attacker stays locked.
    assert isinstance(await refusal(world, registration.username, registration.password), AccountLocked)


async def test_the_devices_own_failures_lock_only_that_device(world, ada):
    registration, device = ada
    other_device = (await login(world, registration.email, registration.password)).device_cookie
    await fail(world, registration.email, device)

    locked = await refusal(world, registration.email, registration.password, device)
    assert isinstance(locked, AccountLocked) and locked.retry_after == 15 * 60
    assert await refusal(world, registration.email, registration.password) is None  # unknown browsers
    assert await refusal(world, registration.email, registration.password, other_device) is None
    world.clock.advance(minutes=15)
    assert await refusal(world, registration.email, registration.password, device) is None


async def test_a_device_and_unknown_browsers_are_counted_apart(world, ada):
    registration, device = ada
    await fail(world, registration.email, times=2)
    await fail(world, registration.email, device, times=2)
    # Neither reached 3 on its own: both still sign in.
    assert await refusal(world, registration.email, registration.password) is None
    assert await refusal(world, registration.email, registration.password, device) is None


async def test_a_devices_success_clears_its_count(world, ada):
    registration, device = ada
    await fail(world, registration.email, device, times=2)
    await login(world, registration.email, registration.password, device)
    await fail(world, registration.email, device, times=2)
    assert await refusal(world, registration.email, registration.password, device) is None


@pytest.mark.parametrize("kind", ["forged", "malformed", "another account's", "empty"])
async def test_a_forged_malformed_or_foreign_cookie_counts_as_none(world, ada, kind):
    registration, device = ada
    bob = await world.register.execute(RegistrationFactory.build(email="bob@example.com"), CLIENT)
    cookie = {
        "forged": forged(device),
        "malformed": device + ".extra",
        "another account's": bob.device_cookie,
        "empty": "",
    }[kind]
    await fail(world, registration.email)

    assert isinstance(await refusal(world, registration.email, registration.password, cookie), AccountLocked)


async def test_a_forged_cookie_is_counted_with_unknown_browsers(world, ada):
    registration, device = ada
    await fail(world, registration.email, forged(device))
    assert isinstance(await refusal(world, registration.email, registration.password), AccountLocked)
    assert await refusal(world, registration.email, registration.password, device) is None


async def test_a_cookie_naming_the_account_with_another_accounts_mac_is_refused(world, ada):
    registration, device = ada
    bob = await world.register.execute(RegistrationFactory.build(email="bob@example.com"), CLIENT)
    ada_id, _, _ = device.split(".")
    _, nonce, mac = bob.device_cookie.split(".")
    await fail(world, registration.email)
    spliced = f"{ada_id}.{nonce}.{mac}"
    assert isinstance(await refusal(world, registration.email, registration.password, spliced), AccountLocked)


async def test_the_unlock_link_lifts_the_device_locks_too(world, ada):
    registration, device = ada
    await fail(world, registration.email, device)  # the device's own lock: one email
    for _ in range(3):  # refused during it: no new email
        with pytest.raises(AccountLocked):
            await login(world, registration.email, WRONG, device)
    await fail(world, registration.email)  # the lock on unknown browsers: another email
    emails = sent(world, IDENTIFIER_LOCKED)
    assert len(emails) == 2
    user = user_of(world, "ada@example.com")
    assert [e for e in world.db.events if e[1] == "account_locked"] == [(user.id, "account_locked", {})] * 2

    await world.unlock.execute(emails[0].secrets["token"], CLIENT)

    assert await refusal(world, registration.email, registration.password, device) is None
    assert await refusal(world, registration.email, registration.password) is None


async def test_the_unlock_link_lifts_only_its_own_accounts_devices(world, ada):
    registration, device = ada
    bob_registration = RegistrationFactory.build(email="bob@example.com")
    bob = await world.register.execute(bob_registration, CLIENT)
    await fail(world, registration.email, device)
    await fail(world, bob_registration.email, bob.device_cookie)

    await world.unlock.execute(sent(world, IDENTIFIER_LOCKED)[0].secrets["token"], CLIENT)

    assert await refusal(world, registration.email, registration.password, device) is None
    locked = await refusal(world, bob_registration.email, bob_registration.password, bob.device_cookie)
    assert isinstance(locked, AccountLocked)


async def test_a_password_reset_lifts_the_device_locks_too(world, ada):
    registration, device = ada
    await fail(world, registration.email, device)
    await world.reset_password.execute(await mailed_token(world), "a-new-password-8", CLIENT)
    assert await refusal(world, registration.email, "a-new-password-8", device) is None


async def test_a_browser_keeps_its_valid_cookie_for_the_same_account(world, ada):
    registration, device = ada
    signed_in = await login(world, registration.email, registration.password, device)
    assert signed_in.device_cookie is None  # nothing to set: the browser keeps its own


@pytest.mark.parametrize("kind", ["none", "forged", "another account's"])
async def test_a_browser_without_a_valid_cookie_for_the_account_gets_one(world, ada, kind):
    registration, device = ada
    bob = await world.register.execute(RegistrationFactory.build(email="bob@example.com"), CLIENT)
    held = {"none": None, "forged": forged(device), "another account's": bob.device_cookie}[kind]

    signed_in = await login(world, registration.email, registration.password, held)

    assert signed_in.device_cookie not in (None, device, held)
    assert world.devices.recognise(signed_in.device_cookie, signed_in.user.id) is not None


async def test_registration_gives_a_cookie_for_the_new_account(world, ada):
    registration, device = ada
    user = user_of(world, "ada@example.com")
    assert world.devices.recognise(device, user.id) is not None


async def test_a_provider_sign_in_gives_a_cookie_unless_the_browser_has_one(world):
    first = await provider_sign_in(world, ALICE)
    user = user_of(world, "alice@example.com")
    assert world.devices.recognise(first.device_cookie, user.id) is not None

    again = await provider_sign_in(world, ALICE, device_cookie=first.device_cookie)
    assert again.device_cookie is None
    other = await provider_sign_in(world, ALICE, device_cookie=forged(first.device_cookie))
    assert world.devices.recognise(other.device_cookie, user.id) is not None


async def test_a_provider_link_sets_no_device_cookie(world, ada):
    registration, _ = ada
    signed_in = await login(world, registration.email, registration.password)
    world.prove_address(signed_in.user.id)
    linked = await provider_sign_in(world, ALICE, link=True, sid=signed_in.tokens.sid)
    assert linked.linked and linked.tokens is None and linked.device_cookie is None


async def test_device_keys_are_short_digests_under_the_accounts_prefix(world, ada):
    registration, device = ada
    await fail(world, registration.email, device, times=1)
    user = user_of(world, "ada@example.com")
    (key,) = [k for k in world.attempts.windows if k.startswith("login-device:")]
    scope, owner, digest = key.split(":")
    assert (owner, len(digest), len(key)) == (user.id.hex, 64, 110)
    assert device.split(".")[1] not in key and device.split(".")[2] not in key


async def test_unknown_identifiers_are_still_counted_under_their_typed_digest(world, ada):
    _, device = ada
    await fail(world, "ghost@example.com", device)
    assert isinstance(await refusal(world, "ghost@example.com", "whatever-pass", device), AccountLocked)
    assert account_key(None, "ghost@example.com") in world.attempts.windows


async def test_the_password_confirmation_counts_under_the_accounts_key(world, ada):
    """A signed-in session's re-confirmation shares the lock of unknown browsers: during a
    lock set from elsewhere it is refused, and the unlock link lets it through again."""
    registration, device = ada
    signed_in = await login(world, registration.email, registration.password, device)
    await fail(world, registration.email)
    with pytest.raises(AccountLocked):
        await world.change_password.execute(signed_in.tokens.sid, registration.password, "new-pass-word-8", CLIENT)

    await world.unlock.execute(sent(world, IDENTIFIER_LOCKED)[0].secrets["token"], CLIENT)

    with pytest.raises(InvalidPassword):
        await world.change_password.execute(signed_in.tokens.sid, WRONG, "new-pass-word-8", CLIENT)
    await world.change_password.execute(signed_in.tokens.sid, registration.password, "new-pass-word-8", CLIENT)


class TestTheCookieValue:
    """DeviceCookies on its own: the value's shape and what makes it valid."""

    def test_it_names_the_account_and_carries_a_nonce_and_a_mac(self, world):
        user_id = uuid.uuid4()
        value = world.devices.issue(user_id)
        owner, nonce, mac = value.split(".")
        assert (owner, len(mac)) == (user_id.hex, 43)
        assert world.devices.recognise(value, user_id).nonce == nonce
        assert world.devices.issue(user_id) != value  # a fresh nonce each time

    def test_a_value_made_with_another_secret_is_refused(self, world):
        user_id = uuid.uuid4()

        class OtherSecret(type(world.tokens)):
            def digest(self, token: str) -> bytes:
                return super().digest("another secret:" + token)

        elsewhere = DeviceCookies(OtherSecret()).issue(user_id)
        assert world.devices.recognise(elsewhere, user_id) is None

    @pytest.mark.parametrize("value", [
        None, "", "...", "not-a-cookie", "é" * 200, "x" * 100_000,
    ])
    def test_junk_is_refused_without_error(self, world, value):
        user_id = uuid.uuid4()
        assert world.devices.recognise(value, user_id) is None
