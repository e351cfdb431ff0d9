"""Lockout per device, over HTTP: a browser that signed in to an account holds its `device`
cookie; failed passwords from other browsers lock only browsers without it (423), while the
owner's browser still signs in, and its own failures lock only itself."""

import uuid

from tests.e2e.test_account_alerts import LOCKED
from tests.e2e.test_form_login import post_form
from tests.e2e.test_google_sign_in import me, person, sign_in_with_google
from tests.e2e.test_password_recovery import mail_about
from tests.support.http import (
    PASSWORD,
    assert_error,
    device_cookie,
    fresh_client,
    login,
    register,
    session_cookies,
    set_cookies,
)

WRONG = "not-the-password-1"


async def guessed_ten_times(server, email: str) -> None:
    """An attacker's browser, with no cookie: ten wrong passwords, then locked even for the right one."""
    async with fresh_client(server) as attacker:
        for _ in range(10):
            assert_error(await login(attacker, email, WRONG), 401, "invalid_credentials")
        answer = await login(attacker, email)
        assert_error(answer, 423, "account_locked")
        assert 0 < int(answer.headers["retry-after"]) <= 900
        assert "sid" not in set_cookies(answer) and "device" not in set_cookies(answer)


def forged(value: str) -> str:
    owner, nonce, mac = value.split(".")
    return f"{owner}.{nonce}.{'A' if mac[0] != 'A' else 'B'}{mac[1:]}"


async def signed_up(client, email: str) -> str:
    """Registers in `client`'s browser: the answer sets its device cookie, which it keeps."""
    answer = await register(client, email)
    assert answer.status_code == 201, answer.text
    session_cookies(answer)
    value = device_cookie(answer)
    assert value is not None and client.cookies.get("device", path="/auth") == value
    return value


async def test_the_owners_browser_still_signs_in_while_an_attacker_is_locked_out(client, server, new_email):
    email = new_email()
    await register(client, email)
    async with fresh_client(server) as owner:  # the owner signs in from her own browser
        signed_in = await login(owner, email)
        assert signed_in.status_code == 200, signed_in.text
        session_cookies(signed_in)
        device = device_cookie(signed_in)  # HttpOnly, Path=/auth, Max-Age=31536000, HMAC-bound
        assert device is not None and device != client.cookies.get("device", path="/auth")

        await guessed_ten_times(server, email)

        again = await login(owner, email)
        assert again.status_code == 200, again.text
        session_cookies(again)
        assert device_cookie(again) is None  # she keeps the one she has
        assert (await owner.get("/auth/me")).json()["user"]["email"] == email


async def test_the_devices_own_failures_lock_only_that_device(client, server, new_email):
    email = new_email()
    await signed_up(client, email)
    for _ in range(10):
        assert_error(await login(client, email, WRONG), 401, "invalid_credentials")
    assert_error(await login(client, email), 423, "account_locked")
    async with fresh_client(server) as elsewhere:
        answer = await login(elsewhere, email)
        assert answer.status_code == 200, answer.text


async def test_a_forged_or_another_accounts_cookie_counts_as_none(client, server, new_email):
    email, other_email = new_email(), new_email()
    device = await signed_up(client, email)
    async with fresh_client(server) as other:
        others_device = await signed_up(other, other_email)
    await guessed_ten_times(server, email)

    for cookie in (forged(device), others_device, device.replace(".", "", 1), "junk"):
        async with fresh_client(server, f"device={cookie}") as browser:
            assert_error(await login(browser, email), 423, "account_locked")
    async with fresh_client(server, f"device={device}") as copy:  # the genuine value still works
        assert (await login(copy, email)).status_code == 200


async def test_signing_in_to_another_account_replaces_the_cookie(client, server, new_email):
    first, second = new_email(), new_email()
    device = await signed_up(client, first)
    async with fresh_client(server) as elsewhere:
        await signed_up(elsewhere, second)
    answer = await login(client, second)
    assert answer.status_code == 200, answer.text
    replaced = device_cookie(answer)
    assert replaced is not None and replaced != device
    assert replaced.split(".")[0] != device.split(".")[0]  # it names the other account


async def test_the_unlock_link_lifts_every_lock(client, server, mail, new_email):
    email = new_email()
    await signed_up(client, email)
    for _ in range(10):  # the device's own lock
        assert_error(await login(client, email, WRONG), 401, "invalid_credentials")
    device_lock = await mail_about(mail, email, LOCKED)
    await guessed_ten_times(server, email)  # and the lock on unknown browsers: a second email
    await mail_about(mail, email, LOCKED)
    assert_error(await login(client, email), 423, "account_locked")

    async with fresh_client(server) as anywhere:
        unlocked = await anywhere.post("/auth/unlock", json={"token": device_lock.token})
        assert (unlocked.status_code, unlocked.json()) == (200, {"ok": True}), unlocked.text
        assert (await login(anywhere, email)).status_code == 200
    assert (await login(client, email)).status_code == 200


async def test_the_html_form_login_sets_the_cookie_too(client, server, new_email):
    email = new_email()
    await register(client, email)
    async with fresh_client(server) as browser:
        answer = await post_form(browser, emailOrUsername=email, password=PASSWORD)
        assert answer.status_code == 303, answer.text
        assert device_cookie(answer) is not None


async def test_a_provider_sign_in_sets_the_cookie_unless_the_browser_has_one(client, idp):
    sub, claims = person()
    first = await sign_in_with_google(client, idp, sub, claims)
    assert first.status_code == 302
    device = device_cookie(first)
    assert device is not None and device.split(".")[0] == uuid.UUID((await me(client))["id"]).hex
    again = await sign_in_with_google(client, idp, sub, claims)
    assert "sid" in set_cookies(again) and device_cookie(again) is None
