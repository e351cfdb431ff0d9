"""POST /auth/refresh: one use per token, a grace window for concurrent tabs, and the whole
family revoked when an old token comes back later (a stolen, replayed token)."""

import asyncio

import pytest

from tests.e2e.conftest import GRACE_SECONDS
from tests.support.http import (
    REFRESH_TTL,
    assert_cleared,
    assert_error,
    fresh_client,
    me_with_sid,
    refresh_with,
    register,
    session_cookies,
    set_cookies,
)


async def signed_up(client, new_email) -> tuple[str, str, dict]:
    response = await register(client, new_email())
    assert response.status_code == 201, response.text
    sid, refresh = session_cookies(response)
    return sid, refresh, response.json()["user"]


async def test_refresh_rotates_both_cookies_and_the_new_ones_work(client, server, new_email):
    sid, refresh, user = await signed_up(client, new_email)
    response = await client.post("/auth/refresh")
    assert response.status_code == 200, response.text
    assert response.json() == {"ok": True}
    new_sid, new_refresh = session_cookies(response)
    assert new_sid not in (sid, refresh)
    assert new_refresh not in (sid, refresh, new_sid)
    assert (await me_with_sid(server, new_sid)).json() == {"user": user}
    # the old sid may live on until it expires: the contract allows it, so no assertion here

    again = await client.post("/auth/refresh")  # the browser now holds the successor
    assert again.status_code == 200
    third_sid, third_refresh = session_cookies(again)
    assert len({sid, new_sid, third_sid}) == 3
    assert len({refresh, new_refresh, third_refresh}) == 3


async def test_refresh_never_extends_the_login_lifetime(client, new_email):
    await signed_up(client, new_email)
    await asyncio.sleep(1.1)
    response = await client.post("/auth/refresh")
    assert response.status_code == 200
    session_cookies(response)
    max_age = int(set_cookies(response)["refresh_token"]["max-age"])
    assert REFRESH_TTL - 60 <= max_age < REFRESH_TTL  # counted from login, not from now


async def test_replay_within_grace_succeeds_and_leaves_a_working_token(server, client, new_email):
    _, first, user = await signed_up(client, new_email)
    rotated = await refresh_with(server, first)
    assert rotated.status_code == 200
    rotated_sid, rotated_refresh = session_cookies(rotated)

    replayed = await refresh_with(server, first)  # a second tab, a moment later
    assert replayed.status_code == 200, replayed.text
    assert replayed.json() == {"ok": True}
    replay_sid, replay_refresh = session_cookies(replayed)
    assert replay_refresh != first
    assert (await me_with_sid(server, replay_sid)).json() == {"user": user}
    assert (await me_with_sid(server, rotated_sid)).json() == {"user": user}  # family alive

    onward = await refresh_with(server, replay_refresh)
    assert onward.status_code == 200, onward.text
    onward_sid, _ = session_cookies(onward)
    assert (await me_with_sid(server, onward_sid)).json() == {"user": user}
    if replay_refresh != rotated_refresh:  # a distinct token for the second tab must work too
        assert (await refresh_with(server, rotated_refresh)).status_code == 200


async def test_reuse_after_grace_revokes_the_whole_family(server, client, new_email):
    first_sid, first, user = await signed_up(client, new_email)
    rotated = await refresh_with(server, first)
    assert rotated.status_code == 200
    sid, refresh = session_cookies(rotated)
    assert (await me_with_sid(server, sid)).json() == {"user": user}

    await asyncio.sleep(GRACE_SECONDS + 1)
    stolen = await refresh_with(server, first)
    assert_error(stolen, 401, "invalid_refresh")
    assert_cleared(stolen, "refresh_token")

    for any_sid in (sid, first_sid):
        assert (await me_with_sid(server, any_sid)).json() == {"user": None}
    newest = await refresh_with(server, refresh)
    assert_error(newest, 401, "invalid_refresh")
    assert_cleared(newest, "refresh_token")


async def test_a_used_token_cannot_rotate_twice_into_two_families(server, client, new_email):
    """Sequential replays within grace hand out the family's token, never a fork."""
    _, first, _ = await signed_up(client, new_email)
    answers = [await refresh_with(server, first) for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 200]
    tokens = [session_cookies(a)[1] for a in answers]
    # the last handed-out token must work; the family is one chain
    final = await refresh_with(server, tokens[-1])
    assert final.status_code == 200, final.text


@pytest.mark.parametrize("tabs", [2, 5, 20])
async def test_simultaneous_refreshes_with_one_token_all_succeed(server, client, new_email, tabs):
    _, refresh, user = await signed_up(client, new_email)

    async def one_tab():
        async with fresh_client(server, f"refresh_token={refresh}") as tab:
            return await tab.post("/auth/refresh")

    answers = await asyncio.gather(*(one_tab() for _ in range(tabs)))
    assert [a.status_code for a in answers] == [200] * tabs, [a.text for a in answers]
    assert all(a.json() == {"ok": True} for a in answers)
    issued = [session_cookies(a) for a in answers]
    sids = [sid for sid, _ in issued]
    tokens = {token for _, token in issued}
    assert len(set(sids)) == tabs  # each tab got its own sid...
    assert refresh not in tokens
    mes = await asyncio.gather(*(me_with_sid(server, sid) for sid in sids))
    assert all(m.json() == {"user": user} for m in mes)  # ...and every one of them works

    # every tab holds a token that refreshes once more (identical values: one check suffices)
    for token in tokens:
        onward = await refresh_with(server, token)
        assert onward.status_code == 200, onward.text
        session_cookies(onward)


async def test_no_refresh_cookie_is_401_no_refresh_token(client, server, new_email):
    response = await client.post("/auth/refresh")
    assert_error(response, 401, "no_refresh_token")
    assert_cleared(response, "refresh_token")

    sid, _, _ = await signed_up(client, new_email)
    async with fresh_client(server, f"sid={sid}") as only_sid:  # a sid is not a refresh token
        response = await only_sid.post("/auth/refresh")
    assert_error(response, 401, "no_refresh_token")
    assert_cleared(response, "refresh_token")


@pytest.mark.parametrize("garbage", ["garbage", "attacker-chosen-id", "A" * 43, "x" * 4000])
async def test_an_unknown_refresh_token_is_401_invalid_refresh(server, garbage):
    response = await refresh_with(server, garbage)
    assert_error(response, 401, "invalid_refresh")
    assert_cleared(response, "refresh_token")


async def test_a_sid_presented_as_refresh_token_is_refused(client, server, new_email):
    sid, _, _ = await signed_up(client, new_email)
    response = await refresh_with(server, sid)
    assert_error(response, 401, "invalid_refresh")
    assert_cleared(response, "refresh_token")
