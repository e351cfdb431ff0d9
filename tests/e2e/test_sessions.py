"""Where a user is signed in, ending sessions, and the account's activity, over real HTTP."""

import uuid

import pytest

from tests.support.http import (
    assert_error,
    fresh_client,
    login,
    me_with_sid,
    refresh_with,
    register,
    session_cookies,
)


@pytest.fixture
async def two_browsers(server, client, new_email):
    """One user signed in twice: `client` (registered, a laptop) and a phone (logged in)."""
    email = new_email()
    client.headers["User-Agent"] = "laptop"
    assert (await register(client, email)).status_code == 201
    async with fresh_client(server) as phone:
        phone.headers["User-Agent"] = "phone"
        logged_in = await login(phone, email)
        assert logged_in.status_code == 200, logged_in.text
        yield client, phone, session_cookies(logged_in)


async def listed(http):
    response = await http.get("/auth/sessions")
    assert response.status_code == 200, response.text
    return response.json()["sessions"]


async def test_lists_both_sessions_newest_first_with_one_current(two_browsers):
    laptop, phone, _ = two_browsers
    sessions = await listed(laptop)
    assert [(s["userAgent"], s["current"]) for s in sessions] == [("phone", False), ("laptop", True)]
    assert set(sessions[0]) == {"id", "createdAt", "lastSeenAt", "ip", "userAgent", "current"}
    assert [s["current"] for s in await listed(phone)] == [True, False]


async def test_an_ended_session_is_dead_at_once_in_every_worker(server, two_browsers):
    laptop, _, (phone_sid, phone_refresh) = two_browsers
    phone_id = (await listed(laptop))[0]["id"]
    ended = await laptop.delete(f"/auth/sessions/{phone_id}")
    assert ended.status_code == 200 and ended.json() == {"ok": True}
    for _ in range(4):  # two workers: whichever answers
        assert (await me_with_sid(server, phone_sid)).json() == {"user": None}
    assert_error(await refresh_with(server, phone_refresh), 401, "invalid_refresh")
    assert [s["current"] for s in await listed(laptop)] == [True]


async def test_another_users_session_is_not_found(server, two_browsers, new_email):
    laptop, _, _ = two_browsers
    async with fresh_client(server) as bob:
        registered = await register(bob, new_email())
        bob_id = (await listed(bob))[0]["id"]
        for session_id in (bob_id, str(uuid.uuid4()), "not-an-id"):
            refused = assert_error(await laptop.delete(f"/auth/sessions/{session_id}"), 404, "not_found")
            # In the words of an unknown path: one "not found" for the whole API.
            assert refused == assert_error(await laptop.delete("/auth/nothing-here"), 404, "not_found")
        assert (await me_with_sid(server, session_cookies(registered)[0])).json()["user"] is not None


async def test_revoke_others_ends_all_but_this_one(server, two_browsers):
    laptop, _, (phone_sid, _) = two_browsers
    revoked = await laptop.post("/auth/sessions/revoke-others")
    assert revoked.status_code == 200 and revoked.json() == {"ok": True, "revoked": 1}
    assert (await me_with_sid(server, phone_sid)).json() == {"user": None}
    assert (await laptop.get("/auth/me")).json()["user"] is not None


async def test_events_newest_first_with_sign_ins_and_revocations(two_browsers):
    laptop, _, _ = two_browsers
    await laptop.post("/auth/sessions/revoke-others")
    response = await laptop.get("/auth/events")
    assert response.status_code == 200, response.text
    events = response.json()["events"]
    assert [(e["kind"], e["userAgent"]) for e in events[:4]] == [  # "phone" is a browser never seen
        ("session_revoked", "laptop"), ("signed_in", "phone"), ("signed_in_new_device", "phone"),
        ("signed_in", "laptop")]
    assert [e["detail"] for e in events if e["kind"] == "signed_in"] == [
        {"method": "password"}, {"method": "register"}]
    assert all(e["ip"] for e in events)
    assert [e["createdAt"] for e in events] == sorted((e["createdAt"] for e in events), reverse=True)
    (newest,) = (await laptop.get("/auth/events", params={"limit": 1})).json()["events"]
    assert newest == events[0]


@pytest.mark.parametrize(("limit", "says"), [("0", "must be between 1 and 200"), ("201", "must be between 1 and 200"),
                                           ("many", "must be of type int")])
async def test_an_events_limit_out_of_range_is_refused_saying_the_range(two_browsers, limit, says):
    refused = assert_error(await two_browsers[0].get("/auth/events", params={"limit": limit}), 400, "invalid_request")
    assert refused["fields"] == [{"field": "limit", "message": says}]


async def test_logout_is_recorded_as_signed_out(two_browsers):
    laptop, phone, _ = two_browsers
    assert (await phone.post("/auth/logout")).status_code == 200
    kinds = [e["kind"] for e in (await laptop.get("/auth/events")).json()["events"]]
    assert kinds[0] == "signed_out"


@pytest.mark.parametrize("method, path", [
    ("GET", "/auth/sessions"), ("DELETE", f"/auth/sessions/{uuid.uuid4()}"),
    ("POST", "/auth/sessions/revoke-others"), ("GET", "/auth/events"),
])
async def test_every_route_needs_a_session(client, method, path):
    assert_error(await client.request(method, path), 401, "not_authenticated")
