"""The links that reach an owner whose account may be in other hands, as an outside client
lives them: the unlock email of a locked account, and the "not you?" link of a notice."""

from tests.e2e.conftest import FRONTEND
from tests.e2e.test_message_delivery import quiet
from tests.e2e.test_password_recovery import NEW_PASSWORD, SUBJECTS, forgot, mail_about, reset, signed_up
from tests.support.http import (
    PASSWORD,
    assert_error,
    fresh_client,
    login,
    me_with_sid,
    refresh_with,
    session_cookies,
)

LOCKED = "Connexions bloquées sur votre compte Sésame"
NOTHING_UNDONE = {"providersUnlinked": [], "phoneRemoved": False, "emailChangeCancelled": False,
                  "emailRestored": None, "secondFactorRemoved": False, "passkeysRemoved": 0}


async def test_a_lock_mails_one_unlock_link_that_lets_the_owner_back_in(client, server, mail, db, new_email):
    email = new_email()
    await signed_up(client, email)
    for _ in range(10):
        assert_error(await login(client, email, "not-the-password"), 401, "invalid_credentials")
    for _ in range(5):  # refused during the lock: no new email
        assert_error(await login(client, email, "not-the-password"), 423, "account_locked")

    unlock = await mail_about(mail, email, LOCKED)
    assert unlock.links == [f"{FRONTEND}/unlock?token={unlock.token}"]
    await quiet(db)
    assert [m.subject for m in mail.received_by(email)].count(LOCKED) == 1

    async with fresh_client(server) as anywhere:
        answer = await anywhere.post("/auth/unlock", json={"token": unlock.token})
        assert (answer.status_code, answer.json()) == (200, {"ok": True}), answer.text
        assert_error(await anywhere.post("/auth/unlock", json={"token": unlock.token}), 400, "invalid_token")
    assert (await login(client, email)).status_code == 200


async def test_an_unknown_unlock_token_is_invalid(client):
    assert_error(await client.post("/auth/unlock", json={"token": "no-such-token"}), 400, "invalid_token")


async def test_a_not_you_link_ends_every_session_and_removes_the_password(client, server, mail, new_email):
    email = new_email()
    await signed_up(client, email)
    async with fresh_client(server) as thief:
        thief_sid, thief_refresh = session_cookies(await login(thief, email))
        changed = await thief.post("/auth/password/change",
                                   json={"currentPassword": PASSWORD, "newPassword": NEW_PASSWORD})
        assert changed.status_code == 200, changed.text
    notice = await mail_about(mail, email, SUBJECTS["fr"]["changed"])

    async with fresh_client(server) as owner:
        secured = await owner.post("/auth/secure-account", json={"token": notice.token})
        assert (secured.status_code, secured.json()) == (200, {"ok": True, "undone": NOTHING_UNDONE}), secured.text
        assert_error(await owner.post("/auth/secure-account", json={"token": notice.token}), 400, "invalid_token")
        assert (await me_with_sid(server, thief_sid)).json() == {"user": None}
        assert (await refresh_with(server, thief_refresh)).status_code == 401
        assert_error(await login(owner, email, NEW_PASSWORD), 401, "invalid_credentials")

        await forgot(owner, email=email)  # the mailbox owner's way back in
        reset_link = await mail_about(mail, email, SUBJECTS["fr"]["reset"])
        assert (await reset(server, reset_link.token, "the-owners-new-secret-5")).status_code == 200
        assert (await login(owner, email, "the-owners-new-secret-5")).status_code == 200


async def test_an_unknown_not_you_token_is_invalid(client):
    assert_error(await client.post("/auth/secure-account", json={"token": "no-such-token"}),
                 400, "invalid_token")


NEW_DEVICE = "Nouvelle connexion à votre compte Sésame"
WINDOWS_FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"


async def test_a_sign_in_from_a_new_device_mails_a_not_you_link_that_works(client, server, mail, db, new_email):
    email = new_email()
    await signed_up(client, email)
    assert (await login(client, email)).status_code == 200  # the same browser: no alert
    elsewhere = {"X-Forwarded-For": "198.51.100.23", "User-Agent": WINDOWS_FIREFOX}
    async with fresh_client(server) as stranger:
        stranger.headers.update(elsewhere)
        stranger_sid, _ = session_cookies(await login(stranger, email))
        assert (await login(stranger, email)).status_code == 200  # seen now: no second alert

    alert = await mail_about(mail, email, NEW_DEVICE)
    assert alert.links == [f"{FRONTEND}/secure-account?token={alert.token}"]
    assert "198.51.100.23" in alert.text and "Firefox on Windows" in alert.text
    await quiet(db)
    assert [m.subject for m in mail.received_by(email)].count(NEW_DEVICE) == 1

    async with fresh_client(server) as owner:
        assert (await owner.post("/auth/secure-account", json={"token": alert.token})).status_code == 200
    assert (await me_with_sid(server, stranger_sid)).json() == {"user": None}
