"""One person, one account, however Unicode lets them type their email (over HTTP, against
the real database): decomposed accents and full-width domains are the same address, and
invisible characters are refused with a clear 400."""

import uuid

import pytest

from tests.support.http import assert_error, login, register, session_cookies, set_cookies


def jose(decomposed: bool) -> str:
    """A fresh josé address: é as one code point, or as e + a combining acute accent."""
    accent = "e\u0301" if decomposed else "\u00e9"
    return f"jos{accent}-{uuid.uuid4().hex[:8]}@example.com"


async def test_register_decomposed_then_login_composed_is_one_account(client, db):
    decomposed = jose(decomposed=True)
    composed = decomposed.replace("e\u0301", "\u00e9")
    created = await register(client, decomposed)
    assert created.status_code == 201, created.text
    assert created.json()["user"]["email"] == composed
    client.cookies.clear()

    signed_in = await login(client, composed)
    assert signed_in.status_code == 200, signed_in.text
    session_cookies(signed_in)
    assert signed_in.json()["user"]["id"] == created.json()["user"]["id"]
    again = await register(client, composed, "another-good-pass-77")
    assert_error(again, 409, "email_taken")
    local = composed.split("@")[0].removeprefix("jos\u00e9")
    assert await db.fetchval("SELECT count(*) FROM users WHERE email LIKE $1", f"%{local}@%") == 1


async def test_a_full_width_domain_is_the_ascii_domain(client, new_email):
    email = new_email()
    assert (await register(client, email)).status_code == 201
    client.cookies.clear()

    local = email.split("@")[0]
    full_width = f"{local}@\uff45\uff58\uff41\uff4d\uff50\uff4c\uff45\uff0e\uff43\uff4f\uff4d"
    response = await register(client, full_width, "another-good-pass-77")
    assert_error(response, 409, "email_taken")
    assert (await login(client, full_width)).status_code == 200


async def test_a_unicode_domain_is_stored_as_punycode(client):
    local = f"ana-{uuid.uuid4().hex[:8]}"
    created = await register(client, f"{local}@b\u00fccher.example")
    assert created.status_code == 201, created.text
    assert created.json()["user"]["email"] == f"{local}@xn--bcher-kva.example"


@pytest.mark.parametrize("char", ["\u200b", "\u202e", "\ufeff", "\u00ad", "\u0085"],
                         ids=["zero_width_space", "rtl_override", "bom", "soft_hyphen", "c1_control"])
@pytest.mark.parametrize("field", ["email", "firstname", "lastname", "username"])
async def test_an_invisible_character_is_400_naming_the_field(client, new_email, char, field):
    email = new_email()
    values = {"email": email.replace("@", f"{char}@"), "firstname": f"Ana{char}",
              "lastname": f"Ma{char}ria", "username": f"ana{char}{uuid.uuid4().hex[:6]}"}
    extra = {} if field == "email" else {field: values[field]}
    response = await register(client, values["email"] if field == "email" else email, **extra)
    error = assert_error(response, 400, "invalid_request")
    assert [item["field"] for item in error["fields"]] == [field]
    assert "invisible" in error["fields"][0]["message"]
    assert set_cookies(response) == {}
    assert (await register(client, email)).status_code == 201  # nothing was created
