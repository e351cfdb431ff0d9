"""PATCH /auth/profile over HTTP: every field, "" / null / absent, errors, what is stored."""

import uuid

import pytest

from tests.e2e.conftest import FRONTEND
from tests.support.http import USER_FIELDS, assert_error, fresh_client, register


async def signed_up(client, new_email, **extra) -> dict:
    registered = await register(client, new_email(), **extra)
    assert registered.status_code == 201, registered.text
    return registered.json()["user"]


async def patch(client, **body):
    return await client.patch("/auth/profile", json=body)


async def stored(db, user_id: str):
    return await db.fetchrow(
        "SELECT u.username, u.phone_number, u.phone_verified_at, p.firstname, p.lastname, p.photo, p.locale"
        " FROM users u JOIN profiles p ON p.user_id = u.id WHERE u.id = $1", uuid.UUID(user_id))


def a_username() -> str:
    return f"Ada.{uuid.uuid4().hex[:10]}"


async def test_completing_the_profile_sets_every_field(client, db, new_email):
    user = await signed_up(client, new_email, firstname="", lastname="")
    assert "complete_profile" in user["requiredActions"]
    username = a_username()

    answer = await patch(client, firstname="Zoe\u0301", lastname="Ng", username=username,
                         phoneNumber="06 12 34 56 78", photo="https://cdn.example.com/z.png", locale="en")

    assert answer.status_code == 200, answer.text
    assert set(answer.json()) == {"user"}
    updated = answer.json()["user"]
    assert set(updated) == USER_FIELDS
    assert updated["profile"] == {"firstname": "Zoé", "lastname": "Ng",
                                  "photo": "https://cdn.example.com/z.png", "locale": "en"}
    assert (updated["username"], updated["phoneNumber"], updated["phoneVerified"]) == (username, "+33612345678", False)
    assert updated["requiredActions"] == ["verify_email"]
    assert (await client.get("/auth/me")).json() == {"user": updated}
    row = await stored(db, user["id"])
    assert tuple(row) == (username, "+33612345678", None, "Zoé", "Ng", "https://cdn.example.com/z.png", "en")


async def test_absent_and_empty_fields_are_kept_and_null_clears(client, db, new_email):
    user = await signed_up(client, new_email, firstname="Ada", lastname="Lovelace", username=a_username())
    full = {"phoneNumber": "+33 6 12 34 56 78", "photo": "https://e.example/a.png", "locale": "fr"}
    assert (await patch(client, **full)).status_code == 200
    before = tuple(await stored(db, user["id"]))

    kept = await patch(client, firstname="", lastname="", username="", phoneNumber="", photo="", locale="")
    assert kept.status_code == 200, kept.text
    assert (await patch(client)).status_code == 200
    assert tuple(await stored(db, user["id"])) == before

    cleared = await patch(client, username=None, phoneNumber=None, photo=None, locale=None)
    assert cleared.status_code == 200, cleared.text
    body = cleared.json()["user"]
    assert (body["username"], body["phoneNumber"]) == (None, None)
    assert body["profile"] == {"firstname": "Ada", "lastname": "Lovelace", "photo": None, "locale": None}
    assert tuple(await stored(db, user["id"])) == (None, None, None, "Ada", "Lovelace", None, None)


@pytest.mark.parametrize(("body", "field"), [
    ({"firstname": None}, "firstname"),
    ({"lastname": None}, "lastname"),
    ({"firstname": "x" * 101}, "firstname"),
    ({"firstname": "Ada\u202e"}, "firstname"),
    ({"username": "ab"}, "username"),
    ({"username": "ada@example.com"}, "username"),
    ({"phoneNumber": "12"}, "phoneNumber"),
    ({"phoneNumber": "06 12 34 56 78 ext 9"}, "phoneNumber"),
    ({"phoneNumber": 612345678}, "phoneNumber"),
    ({"photo": "http://cdn.example.com/a.png"}, "photo"),
    ({"photo": "javascript:alert(1)"}, "photo"),
    ({"locale": "de"}, "locale"),
    ({"email": "new@example.com"}, "email"),
])
async def test_a_bad_field_is_a_400_that_changes_nothing(client, db, new_email, body, field):
    user = await signed_up(client, new_email, firstname="Ada", lastname="Lovelace")
    before = tuple(await stored(db, user["id"]))
    answer = await patch(client, **{"lastname": "Byron", **body})  # one bad field refuses them all
    error = assert_error(answer, 400, "invalid_request")
    assert [f["field"] for f in error["fields"]] == [field]
    assert tuple(await stored(db, user["id"])) == before


async def test_without_a_session_it_is_401(server):
    async with fresh_client(server) as anonymous:
        assert_error(await patch(anonymous, firstname="Eve"), 401, "not_authenticated")


async def test_a_username_another_account_has_is_409(client, server, new_email):
    username = a_username()
    async with fresh_client(server) as other:
        await signed_up(other, new_email, username=username)
    await signed_up(client, new_email)
    assert_error(await patch(client, username=username.upper()), 409, "username_taken")


async def test_a_number_is_saved_unverified_whoever_else_typed_or_verified_it(client, server, db, new_email):
    number = f"+3361{uuid.uuid4().int % 10**7:07d}"
    async with fresh_client(server) as holder:
        holder_user = await signed_up(holder, new_email)
        assert (await patch(holder, phoneNumber=number)).status_code == 200
    me = await signed_up(client, new_email)
    shared = await patch(client, phoneNumber=number)  # typed by two accounts: allowed
    assert shared.status_code == 200 and shared.json()["user"]["phoneNumber"] == number

    await db.execute("UPDATE users SET phone_verified_at = now() WHERE id = $1", uuid.UUID(holder_user["id"]))
    assert (await patch(client, phoneNumber=None)).status_code == 200
    again = await patch(client, phoneNumber=number)  # verified by another: saved all the same
    assert again.status_code == 200, again.text
    assert (again.json()["user"]["phoneNumber"], again.json()["user"]["phoneVerified"]) == (number, False)
    assert (await stored(db, me["id"]))["phone_number"] == number


async def test_a_new_number_is_unverified_and_resending_the_same_one_keeps_it(client, db, new_email):
    user = await signed_up(client, new_email)
    number = f"+3361{uuid.uuid4().int % 10**7:07d}"
    assert (await patch(client, phoneNumber=number)).status_code == 200
    await db.execute("UPDATE users SET phone_verified_at = now() WHERE id = $1", uuid.UUID(user["id"]))
    same = await patch(client, phoneNumber=number.replace("+33", "0"))
    assert same.json()["user"]["phoneVerified"] is True
    changed = await patch(client, phoneNumber=f"+3362{uuid.uuid4().int % 10**7:07d}")
    assert changed.json()["user"]["phoneVerified"] is False
    assert (await stored(db, user["id"]))["phone_verified_at"] is None


async def test_http_photos_on_localhost_are_accepted_in_development(client, new_email):
    await signed_up(client, new_email)
    answer = await patch(client, photo="http://localhost:3000/me.png")
    assert answer.status_code == 200 and answer.json()["user"]["profile"]["photo"] == "http://localhost:3000/me.png"


async def test_the_frontend_may_patch_and_another_origin_may_not(client, db, new_email):
    user = await signed_up(client, new_email, firstname="Ada")
    allowed = await client.options("/auth/profile", headers={
        "Origin": FRONTEND, "Access-Control-Request-Method": "PATCH",
        "Access-Control-Request-Headers": "content-type"})
    assert 200 <= allowed.status_code < 300 and "PATCH" in allowed.headers["access-control-allow-methods"]
    forged = await client.patch("/auth/profile", json={"firstname": "Eve"}, headers={"Origin": "https://evil.example"})
    assert_error(forged, 403, "forbidden_origin")
    assert (await stored(db, user["id"]))["firstname"] == "Ada"
