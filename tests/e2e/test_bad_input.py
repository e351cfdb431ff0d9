"""Whatever a client sends, a bad request is a clean 400 (or 409), never a 500, and never
creates an account."""

import asyncio
import json
import uuid

import pytest

from tests.support.http import (
    PASSWORD,
    assert_error,
    fresh_client,
    login,
    register,
    session_cookies,
    set_cookies,
)
from tests.support.raw_http import TRACEBACK_MARKS, ServerLog, connect

EMAIL = "{email}"  # placeholder, replaced by a fresh address in each test


def email_of_length(length: int) -> str:
    """A syntactically valid address of exactly `length` characters, unique per call."""
    local = f"u{uuid.uuid4().hex}"  # 33 characters
    domain_length = length - len(local) - 1 - len(".com")
    labels, remaining = [], domain_length
    while remaining > 0:
        label = min(remaining, 60)
        if remaining - label == 1:  # never leave a lone dot and an empty label
            label -= 1
        labels.append("d" * label)
        remaining -= label + 1
    email = f"{local}@{'.'.join(labels)}.com"
    assert len(email) == length, len(email)
    return email


def with_email(value, email: str):
    return json.loads(json.dumps(value).replace(EMAIL, email))



# (request body as raw bytes or a JSON value, the field the error must name)
GOOD = {"email": EMAIL, "password": PASSWORD}
BAD_REGISTER_BODIES = [
    pytest.param(b'{"email": "{email}", "password": ', None, id="malformed_json"),
    pytest.param([EMAIL, PASSWORD], None, id="json_array"),
    pytest.param("hello", None, id="json_string"),
    pytest.param(None, None, id="json_null"),
    pytest.param({**GOOD, "password": 123}, "password", id="password_not_a_string"),
    pytest.param({**GOOD, "email": ["a@b.co"]}, "email", id="email_not_a_string"),
    pytest.param({**GOOD, "firstname": 5}, "firstname", id="firstname_not_a_string"),
    pytest.param({**GOOD, "isAdmin": True}, "isAdmin", id="unknown_field"),
    pytest.param({**GOOD, "first_name": "Ana"}, "first_name", id="snake_case_field"),
    pytest.param({"email": EMAIL}, "password", id="missing_password"),
    pytest.param({"password": PASSWORD}, "email", id="missing_email"),
    pytest.param({**GOOD, "password": "é" * 200}, "password", id="password_400_bytes_200_chars"),
    pytest.param({**GOOD, "password": "p4ss" * 65}, "password", id="password_260_chars"),
    pytest.param({**GOOD, "firstname": "A" * 101}, "firstname", id="firstname_over_100"),
    pytest.param({**GOOD, "lastname": "B" * 101}, "lastname", id="lastname_over_100"),
    pytest.param({**GOOD, "username": "c" * 101}, "username", id="username_over_100"),
    pytest.param({**GOOD, "username": "a b c"}, "username", id="username_with_spaces"),
]


@pytest.mark.parametrize(("body", "field"), BAD_REGISTER_BODIES)
async def test_a_bad_register_body_is_400_and_creates_nobody(client, new_email, body, field):
    email = new_email()
    if isinstance(body, bytes):
        content = body.replace(b"{email}", email.encode())
    else:
        content = json.dumps(with_email(body, email)).encode()
    response = await client.post(
        "/auth/register", content=content, headers={"Content-Type": "application/json"}
    )
    error = assert_error(response, 400, "invalid_request")
    assert set_cookies(response) == {}

    created = await register(client, email)  # the address is still free
    assert created.status_code == 201, created.text
    session_cookies(created)

    assert_fields(error, field)


@pytest.mark.parametrize(("body", "missing"), [({}, ["email", "password"]), ({"firstname": "Ada"}, ["email", "password"]),
                                               ({"password": PASSWORD}, ["email"])])
async def test_a_register_body_names_every_required_field_it_lacks(client, body, missing):
    error = assert_error(await client.post("/auth/register", json=body), 400, "invalid_request")
    assert error["fields"] == [{"field": name, "message": "is required"} for name in missing]


async def test_a_login_body_names_every_required_field_it_lacks(client):
    error = assert_error(await client.post("/auth/login", json={"email": ""}), 400, "invalid_request")
    assert error["fields"] == [{"field": "password", "message": "is required"},
                               {"field": "emailOrUsername", "message": "is required"}]


def assert_fields(error: dict, field: str | None) -> None:
    """The contract's validation shape: "fields": [{"field", "message"}], naming the culprit."""
    assert isinstance(error.get("fields"), list), error
    for item in error["fields"]:
        assert set(item) == {"field", "message"}
        assert isinstance(item["message"], str) and item["message"].strip()
    if field is not None:
        assert field in [item["field"] for item in error["fields"]], error


@pytest.mark.parametrize(
    "email", ["not-an-email", "a@b", "two@@example.com", "sp ace@example.com", "", "   "]
)
async def test_an_invalid_email_is_400_naming_the_email(client, email):
    response = await register(client, email)
    error = assert_error(response, 400, "invalid_request")
    assert [item["field"] for item in error["fields"]] == ["email"]
    assert set_cookies(response) == {}


async def test_email_length_limit_is_254(client):
    too_long = await register(client, email_of_length(255))
    error = assert_error(too_long, 400, "invalid_request")
    assert [item["field"] for item in error["fields"]] == ["email"]

    longest = email_of_length(254)
    created = await register(client, longest)
    assert created.status_code == 201, created.text
    assert created.json()["user"]["email"] == longest


async def test_password_limit_is_256_bytes_not_characters(client, new_email):
    email = new_email()
    too_long = await register(client, email, "é" * 129)  # 129 characters, 258 bytes
    error = assert_error(too_long, 400, "invalid_request")
    assert [item["field"] for item in error["fields"]] == ["password"]

    longest = "é" * 128  # 256 bytes
    created = await register(client, email, longest)
    assert created.status_code == 201, created.text
    client.cookies.clear()
    assert (await login(client, email, longest)).status_code == 200


async def test_names_of_exactly_100_characters_are_accepted(client, new_email):
    response = await register(client, new_email(), firstname="A" * 100, lastname="B" * 100)
    assert response.status_code == 201, response.text
    assert response.json()["user"]["profile"]["firstname"] == "A" * 100


async def test_a_body_over_64_kib_is_400(client, new_email):
    email = new_email()
    body = json.dumps({"email": email, "password": PASSWORD, "firstname": "x" * (65 * 1024)})
    response = await client.post(
        "/auth/register", content=body.encode(), headers={"Content-Type": "application/json"}
    )
    assert_error(response, 400, "invalid_request")
    assert set_cookies(response) == {}
    assert (await register(client, email)).status_code == 201


async def test_a_chunked_body_over_64_kib_is_400(client, new_email):
    email = new_email()
    head = json.dumps({"email": email, "password": PASSWORD})[:-1].encode() + b', "firstname": "'

    async def chunks():  # no Content-Length: the limit must hold while streaming too
        yield head
        for _ in range(70):
            yield b"x" * 1024
        yield b'"}'

    response = await client.post(
        "/auth/register", content=chunks(), headers={"Content-Type": "application/json"}
    )
    assert_error(response, 400, "invalid_request")
    assert (await register(client, email)).status_code == 201


async def test_json_with_a_charset_parameter_is_accepted(client, new_email):
    body = json.dumps({"email": new_email(), "password": PASSWORD}).encode()
    response = await client.post(
        "/auth/register", content=body, headers={"Content-Type": "application/json; charset=utf-8"}
    )
    assert response.status_code == 201, response.text


@pytest.mark.parametrize(
    "password",
    ["password1", "PASSWORD1", "12345678", "qwertyuiop", "short1", "é" * 3, ""],
)
async def test_a_weak_password_is_400_weak_password(client, new_email, password):
    email = new_email()
    response = await register(client, email, password)
    assert_error(response, 400, "weak_password")
    assert set_cookies(response) == {}
    assert (await register(client, email)).status_code == 201


async def test_duplicate_email_in_another_case_is_409_email_taken(client, server, new_email):
    email = new_email()
    assert (await register(client, email)).status_code == 201
    client.cookies.clear()

    for same in (email.upper(), f"  {email.title()} "):
        response = await register(client, same, "another-good-pass-77")
        body = assert_error(response, 409, "email_taken")
        assert "fields" not in body
        assert set_cookies(response) == {}
    # the first account keeps its password
    assert (await login(client, email, "another-good-pass-77")).status_code == 401
    assert (await login(client, email)).status_code == 200


async def test_duplicate_username_in_another_case_is_409_username_taken(client, new_email):
    username = f"Zoe_{uuid.uuid4().hex[:8]}"
    assert (await register(client, new_email(), username=username)).status_code == 201
    client.cookies.clear()

    email = new_email()
    response = await register(client, email, username=username.swapcase())
    assert_error(response, 409, "username_taken")
    assert set_cookies(response) == {}
    created = await register(client, email)  # nothing half-created under that email
    assert created.status_code == 201, created.text


LOGIN = {"emailOrUsername": "someone@example.com", "password": PASSWORD}
BAD_LOGIN_BODIES = [
    pytest.param(b'{"emailOrUsername": ', None, id="malformed_json"),
    pytest.param(b'["a@b.co", "pw"]', None, id="json_array"),
    pytest.param({**LOGIN, "password": 123}, "password", id="password_not_a_string"),
    pytest.param({**LOGIN, "remember": True}, "remember", id="unknown_field"),
    pytest.param({"emailOrUsername": "a@example.com"}, "password", id="missing_password"),
    pytest.param({"password": PASSWORD}, "emailOrUsername", id="missing_identifier"),
    pytest.param({**LOGIN, "emailOrUsername": ""}, "emailOrUsername", id="empty_identifier"),
    pytest.param({**LOGIN, "password": "é" * 200}, "password", id="password_400_bytes"),
    pytest.param({**LOGIN, "emailOrUsername": "a" * 300}, "emailOrUsername", id="identifier_300"),
    # The schema's pattern holds for `email` even when emailOrUsername is the one used.
    pytest.param({**LOGIN, "email": "a\u000fb@example.com"}, "email", id="control_char_in_unused_email"),
]


@pytest.mark.parametrize(("body", "field"), BAD_LOGIN_BODIES)
async def test_a_bad_login_body_is_400(client, body, field):
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    response = await client.post(
        "/auth/login", content=content, headers={"Content-Type": "application/json"}
    )
    error = assert_error(response, 400, "invalid_request")
    assert set_cookies(response) == {}
    assert_fields(error, field)


async def test_simultaneous_registrations_of_one_email_give_one_account(server, new_email):
    email = new_email()

    async def one_browser(i: int):
        async with fresh_client(server) as http:
            return await register(http, email if i % 2 else email.upper())

    answers = await asyncio.gather(*(one_browser(i) for i in range(6)))
    statuses = sorted(a.status_code for a in answers)
    assert statuses == [201] + [409] * 5, [a.text for a in answers]
    for answer in answers:
        if answer.status_code == 409:
            assert_error(answer, 409, "email_taken")


async def test_simultaneous_registrations_of_one_username_give_one_owner(server, new_email):
    username = f"race_{uuid.uuid4().hex[:8]}"

    async def one_browser(i: int):
        async with fresh_client(server) as http:
            name = username if i % 2 else username.upper()
            return await register(http, new_email(), username=name)

    answers = await asyncio.gather(*(one_browser(i) for i in range(6)))
    assert sorted(a.status_code for a in answers) == [201] + [409] * 5, [a.text for a in answers]
    for answer in answers:
        if answer.status_code == 409:
            assert_error(answer, 409, "username_taken")


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        pytest.param("/auth/register", {**GOOD, "email": "a\u0000{email}"}, "email",
                     id="register_email"),
        pytest.param("/auth/register", {**GOOD, "firstname": "A\u0000B"}, "firstname",
                     id="register_firstname"),
        pytest.param("/auth/register", {**GOOD, "lastname": "A\u0000B"}, "lastname",
                     id="register_lastname"),
        pytest.param("/auth/login", {**LOGIN, "emailOrUsername": "a\u0000b@example.com"},
                     "emailOrUsername", id="login_email"),
        pytest.param("/auth/login", {**LOGIN, "emailOrUsername": "a\u0000b"}, "emailOrUsername",
                     id="login_username"),
    ],
)
async def test_a_nul_character_is_400_not_500(client, new_email, path, body, field):
    response = await client.post(path, json=with_email(body, new_email()))
    error = assert_error(response, 400, "invalid_request")
    assert_fields(error, field)


@pytest.mark.parametrize("path", ["/auth/register", "/auth/login"])
async def test_a_body_that_is_not_utf8_is_400_not_500(client, new_email, path):
    body = b'{"email": "%s", "password": "correct-horse-42", "firstname": "\xff"}'
    response = await client.post(
        path, content=body % new_email().encode(), headers={"Content-Type": "application/json"}
    )
    assert_error(response, 400, "invalid_request")


async def test_a_lone_surrogate_escape_is_400(client, new_email):
    email = new_email()
    body = f'{{"email": "{email}", "password": "correct-horse-42", "firstname": "\\ud800"}}'
    response = await client.post(
        "/auth/register", content=body.encode(), headers={"Content-Type": "application/json"}
    )
    assert_error(response, 400, "invalid_request")
    assert (await register(client, email)).status_code == 201


@pytest.mark.parametrize("path", ["/auth/register", "/auth/login"])
async def test_deeply_nested_json_is_400_and_logs_no_traceback(client, server_log, path):
    """Past the decoder's recursion limit (about 1000 levels, here 20 000 in 40 KB)."""
    log = ServerLog(server_log)
    for body in (b"[" * 20_000 + b"]" * 20_000, b'{"password": ' + b"[" * 20_000 + b"]" * 20_000 + b"}"):
        response = await client.post(path, content=body, headers={"Content-Type": "application/json"})
        assert_error(response, 400, "invalid_request")
    text = log.new_text()
    assert not any(mark in text for mark in TRACEBACK_MARKS), text


async def test_a_client_gone_mid_body_is_logged_in_one_line_without_traceback(server, server_log):
    log = ServerLog(server_log)
    reader, writer = await connect(server)
    writer.write(b"POST /auth/register HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
                 b"Content-Length: 1000\r\n\r\n{\"email\": ")
    await writer.drain()
    await asyncio.sleep(0.2)  # the handler is now waiting for the rest of the body
    writer.close()

    text = await log.wait_for("client disconnected", *TRACEBACK_MARKS)
    assert "client disconnected before its body arrived" in text, text
    assert not any(mark in text for mark in TRACEBACK_MARKS), text
    assert " 500" not in text, text
