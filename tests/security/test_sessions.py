"""Sessions an attacker cannot plant, steal for long or keep: fixation, refresh reuse and
grace, single-use reset tokens, and revocation on reset and on password change."""

import asyncio
import secrets

from tests.e2e.test_password_recovery import NEW_PASSWORD, SUBJECTS, mail_about
from tests.support.e2e_fixtures import GRACE_SECONDS
from tests.support.http import (
    PASSWORD,
    assert_error,
    fresh_client,
    login,
    me_with_sid,
    refresh_with,
    register,
    session_cookies,
)


def planted() -> tuple[str, str, str]:
    """Values an attacker chose, in the shape of real ones, and the Cookie header carrying them."""
    sid, refresh = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    return sid, refresh, f"sid={sid}; refresh_token={refresh}"


async def signed_up(server, email: str) -> tuple[str, str]:
    async with fresh_client(server) as browser:
        answer = await register(browser, email)
        assert answer.status_code == 201, answer.text
        return session_cookies(answer)


async def test_a_planted_sid_or_refresh_cookie_is_never_adopted(server, new_email):
    email = new_email()
    sid, refresh, cookie = planted()
    async with fresh_client(server, cookie) as victim:
        assert (await victim.get("/auth/me")).json() == {"user": None}
        assert_error(await victim.post("/auth/refresh"), 401, "invalid_refresh")
    for sign_in in (lambda b: register(b, email), lambda b: login(b, email)):
        sid, refresh, cookie = planted()
        async with fresh_client(server, cookie) as victim:
            answer = await sign_in(victim)
            assert answer.status_code in (200, 201), answer.text
            issued_sid, issued_refresh = session_cookies(answer)
        assert (issued_sid, issued_refresh) != (sid, refresh) and sid != issued_sid and refresh != issued_refresh
        assert (await me_with_sid(server, sid)).json() == {"user": None}  # the planted value stays dead
        assert (await me_with_sid(server, issued_sid)).json()["user"]["email"] == email
        rotated = await refresh_with(server, issued_refresh)
        assert rotated.status_code == 200
        assert session_cookies(rotated)[0] not in (sid, issued_sid)


async def test_refresh_reuse_after_the_grace_window_revokes_the_family(server, new_email):
    first_sid, first = await signed_up(server, new_email())
    sid, refresh = session_cookies(await refresh_with(server, first))
    await asyncio.sleep(GRACE_SECONDS + 1)
    assert_error(await refresh_with(server, first), 401, "invalid_refresh")  # the thief's replay
    for any_sid in (first_sid, sid):
        assert (await me_with_sid(server, any_sid)).json() == {"user": None}
    assert_error(await refresh_with(server, refresh), 401, "invalid_refresh")  # the family is dead


async def test_five_concurrent_refreshes_with_one_token_all_succeed(server, new_email):
    email = new_email()
    _, refresh = await signed_up(server, email)
    answers = await asyncio.gather(*(refresh_with(server, refresh) for _ in range(5)))
    assert [a.status_code for a in answers] == [200] * 5, [a.text for a in answers]
    for answer in answers:
        sid, _ = session_cookies(answer)
        assert (await me_with_sid(server, sid)).json()["user"]["email"] == email


async def reset_token(server, mail, email: str) -> str:
    async with fresh_client(server) as anyone:
        assert (await anyone.post("/auth/forgot-password", json={"email": email})).status_code == 202
    return (await mail_about(mail, email, SUBJECTS["fr"]["reset"])).token


async def reset(server, token: str, password: str):
    async with fresh_client(server) as anywhere:
        return await anywhere.post("/auth/reset-password", json={"token": token, "password": password})


async def test_a_reset_token_works_only_once(server, mail, new_email):
    email = new_email()
    await signed_up(server, email)
    token = await reset_token(server, mail, email)
    assert (await reset(server, token, NEW_PASSWORD)).status_code == 200
    assert_error(await reset(server, token, "yet-another-secret-88"), 400, "invalid_token")
    async with fresh_client(server) as later:
        assert (await login(later, email, NEW_PASSWORD)).status_code == 200


async def test_a_password_reset_revokes_every_session(server, mail, new_email):
    email = new_email()
    sid, refresh = await signed_up(server, email)
    token = await reset_token(server, mail, email)
    assert (await reset(server, token, NEW_PASSWORD)).status_code == 200
    assert (await me_with_sid(server, sid)).json() == {"user": None}
    assert (await refresh_with(server, refresh)).status_code == 401


async def test_a_password_change_revokes_every_other_session(server, new_email):
    email = new_email()
    other_sid, other_refresh = await signed_up(server, email)
    async with fresh_client(server) as this_browser:
        assert (await login(this_browser, email)).status_code == 200
        changed = await this_browser.post("/auth/password/change",
                                          json={"currentPassword": PASSWORD, "newPassword": NEW_PASSWORD})
        assert changed.status_code == 200, changed.text
        assert (await this_browser.get("/auth/me")).json()["user"]["email"] == email
    assert (await me_with_sid(server, other_sid)).json() == {"user": None}
    assert (await refresh_with(server, other_refresh)).status_code == 401
