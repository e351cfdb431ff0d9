"""The published OpenAPI schema says what the API does (the frontend's client is generated
from it), and its docs page works offline."""

import re

import httpx
import jsonschema_rs
import pytest

from domain.activity import EVENT_KINDS

UNSAFE = {"post", "put", "patch", "delete"}


@pytest.fixture(scope="module")
async def schema(server):
    async with httpx.AsyncClient(base_url=server) as http:
        response = await http.get("/schema/openapi.json")
    assert response.status_code == 200
    return response.json()


def operations(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            yield path, method, operation


def resolve(schema, node):
    while "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]]
    return node


FORM = "application/x-www-form-urlencoded"


def body_schema(schema, path, method="post"):
    content = schema["paths"][path][method]["requestBody"]["content"]["application/json"]
    return resolve(schema, content["schema"])


def validator(schema, node):
    """A validator of `node` able to follow the document's $refs."""
    return jsonschema_rs.validator_for({**node, "components": schema["components"]})


def test_every_request_body_refuses_unknown_fields(schema):
    bodies = [(path, method, operation["requestBody"]) for path, method, operation in operations(schema)
              if "requestBody" in operation]
    assert bodies
    for path, method, body in bodies:
        form_login = (path, method) == ("/auth/login", "post")  # the HTML-form login
        assert set(body["content"]) == {"application/json", *(FORM,) * form_login}, path
        for media in body["content"].values():
            assert resolve(schema, media["schema"])["additionalProperties"] is False, (method, path)


def test_login_documents_the_html_form_and_its_303(schema):
    login = schema["paths"]["/auth/login"]["post"]
    content = login["requestBody"]["content"]
    assert content[FORM]["schema"] == content["application/json"]["schema"]
    see_other = login["responses"]["303"]
    assert see_other["headers"]["Location"]["required"] is True and "content" not in see_other
    assert login["responses"]["403"]["content"]["application/json"]["schema"]["properties"]["error"]["enum"] == [
        "forbidden_origin"]


def test_login_documents_linked_provider_as_an_optional_string(schema):
    ok = resolve(schema, schema["paths"]["/auth/login"]["post"]["responses"]["200"]["content"][
        "application/json"]["schema"])
    linked = validator(schema, ok["properties"]["linkedProvider"])
    assert linked.is_valid("google") and not linked.is_valid(None)
    assert "linkedProvider" not in ok["required"]


def test_login_documents_its_lock_and_its_rate_limit_with_retry_after(schema):
    responses = schema["paths"]["/auth/login"]["post"]["responses"]
    for status, code in [("423", "account_locked"), ("429", "rate_limited")]:
        assert responses[status]["headers"]["Retry-After"]["required"] is True
        assert responses[status]["headers"]["Retry-After"]["schema"]["type"] == "integer"
        assert responses[status]["content"]["application/json"]["schema"]["properties"]["error"]["enum"] == [code]
    assert responses["401"]["content"]["application/json"]["schema"]["properties"]["error"]["enum"] == [
        "invalid_credentials", "social_only", "mfa_required"]
    assert {"providers", "methods"} <= set(responses["401"]["content"]["application/json"]["schema"]["properties"])
    # The second step's challenge, instead of the session cookies.
    assert "mfa_challenge" in responses["401"]["headers"]["Set-Cookie"]["description"]


def test_register_documents_its_rate_limit_with_retry_after(schema):
    limited = schema["paths"]["/auth/register"]["post"]["responses"]["429"]
    assert limited["headers"]["Retry-After"]["required"] is True
    assert limited["content"]["application/json"]["schema"]["properties"]["error"]["enum"] == ["rate_limited"]


def test_register_documents_the_real_constraints(schema):
    body = body_schema(schema, "/auth/register")
    fields = body["properties"]
    username = validator(schema, fields["username"])
    for accepted in ["ada", "Ada.Lovelace_1815", "a" * 30, "", None]:  # "" and null: not given
        assert username.is_valid(accepted), accepted
    for refused in ["ab", "a" * 31, ".ada", "ada lovelace", "adà"]:
        assert not username.is_valid(refused), refused
    assert [b.get("minLength") for b in fields["username"]["oneOf"]] == [3, None, None]
    password = fields["password"]
    assert password["maxLength"] == 256 and "bytes" in password["description"]
    # Stated, not enforced by the schema's decoder: a short password is 400 weak_password.
    assert password["minLength"] == 8 and "weak_password" in password["description"]
    assert fields["email"]["maxLength"] == 254
    assert fields["firstname"]["maxLength"] == fields["lastname"]["maxLength"] == 100
    valid = validator(schema, body)
    assert valid.is_valid({"email": "ada@example.com", "password": "x" * 8})
    for invalid in [{"email": "not-an-email", "password": "x" * 8}, {"email": "ada@example.com"},
                    {"email": "ada@example.com", "password": "x" * 7},
                    {"email": "ada@example.com", "password": "x" * 8, "isAdmin": True}]:
        assert not valid.is_valid(invalid), invalid


def test_login_needs_email_or_username_or_email(schema):
    body = body_schema(schema, "/auth/login")
    valid = validator(schema, body)
    assert valid.is_valid({"emailOrUsername": "ada", "password": "x"})
    assert valid.is_valid({"email": "ada@example.com", "password": "x"})
    assert valid.is_valid({"emailOrUsername": "ada", "email": "ada@example.com", "password": "x"})
    assert valid.is_valid({"emailOrUsername": "", "email": "ada@example.com", "password": "x"})
    for invalid in [{"password": "x"}, {"emailOrUsername": "", "password": "x"},
                    {"emailOrUsername": None, "email": None, "password": "x"},
                    {"emailOrUsername": "ada"}, {"emailOrUsername": "ada", "password": "x", "remember": True}]:
        assert not valid.is_valid(invalid), invalid
    assert body["additionalProperties"] is False and "anyOf" not in body


def test_forgot_password_takes_exactly_one_of_email_and_phone_number(schema):
    body = body_schema(schema, "/auth/forgot-password")
    valid = validator(schema, body)
    for accepted in [{"email": "ada@example.com"}, {"phoneNumber": "06 12 34 56 78"},
                     {"email": "ada@example.com", "phoneNumber": ""}, {"email": None, "phoneNumber": "0612"}]:
        assert valid.is_valid(accepted), accepted
    for refused in [{}, {"email": "", "phoneNumber": None},
                    {"email": "ada@example.com", "phoneNumber": "06 12 34 56 78"},
                    {"email": "ada@example.com", "isAdmin": True}]:
        assert not valid.is_valid(refused), refused
    assert body["additionalProperties"] is False


def test_every_error_is_the_contract_shape_with_real_examples(schema):
    for path, method, operation in operations(schema):
        for status, response in operation["responses"].items():
            if not status.startswith(("4", "5")):
                continue
            media = response["content"]["application/json"]
            codes = media["schema"]["properties"]["error"]["enum"]
            assert {"error", "message"} <= set(media["schema"]["required"])
            assert sorted(media["examples"]) == sorted(codes), (method, path, status)
            check = validator(schema, media["schema"])
            for code, example in media["examples"].items():
                assert example["value"]["error"] == code
                assert check.is_valid(example["value"]), (method, path, example)
    text = str(schema)
    # The default 400 shape ({status_code, detail, extra}), never served; `detail` alone is
    # also a field of the contract's security events, so its two companions tell.
    for litestar_default in ["status_code", "'extra'"]:
        assert litestar_default not in text


def test_events_list_the_contracts_kinds_and_no_other(schema):
    content = schema["paths"]["/auth/events"]["get"]["responses"]["200"]["content"]["application/json"]
    events = resolve(schema, resolve(schema, content["schema"])["properties"]["events"]["items"])
    assert set(events["properties"]["kind"]["enum"]) == EVENT_KINDS
    assert "kind" in events["required"]


def test_every_unsafe_method_documents_the_request_guard(schema):
    for path, method, operation in operations(schema):
        if method in UNSAFE:
            responses = operation["responses"]
            assert "forbidden_origin" in responses["403"]["content"]["application/json"]["schema"]["properties"][
                "error"]["enum"], (method, path)
            assert "invalid_request" in responses["400"]["content"]["application/json"]["schema"]["properties"][
                "error"]["enum"], (method, path)


def test_database_routes_document_not_ready(schema):
    for path, method in [("/auth/register", "post"), ("/auth/login", "post"), ("/auth/me", "get"),
                         ("/auth/refresh", "post"), ("/auth/logout", "post"), ("/health/ready", "get"),
                         ("/auth/accounts", "get")]:
        response = schema["paths"][path][method]["responses"]["503"]
        assert "not_ready" in response["content"]["application/json"]["schema"]["properties"]["error"]["enum"]


def test_cookies_set_and_read_are_documented(schema):
    paths = schema["paths"]
    for path, status in [("/auth/register", "201"), ("/auth/login", "200"), ("/auth/refresh", "200"),
                         ("/auth/logout", "200")]:
        header = paths[path]["post"]["responses"][status]["headers"]["Set-Cookie"]
        assert "sid" in header["description"] and "refresh_token" in header["description"]
    assert "refresh_token" in paths["/auth/refresh"]["post"]["responses"]["401"]["headers"]["Set-Cookie"][
        "description"]

    def cookies(path, method="get"):
        return {p["name"] for p in paths[path][method].get("parameters", []) if p["in"] == "cookie"}

    assert cookies("/auth/me") == {"sid"}
    assert cookies("/auth/refresh", "post") == {"refresh_token"}
    assert cookies("/auth/logout", "post") == {"sid", "refresh_token"}
    assert "google_flow" in cookies("/auth/google/callback")
    # Every sign-in reads and sets the device cookie; nothing else does.
    assert {"device", "pending_link"} <= cookies("/auth/login", "post")
    assert "device" in cookies("/auth/google/callback")
    for path, method, status in [("/auth/register", "post", "201"), ("/auth/login", "post", "200"),
                                 ("/auth/login", "post", "303"), ("/auth/google/callback", "get", "302")]:
        description = paths[path][method]["responses"][status]["headers"]["Set-Cookie"]["description"]
        assert "`device` (HttpOnly, Path=/auth, Max-Age=31536000)" in description, (path, status)
    refresh = paths["/auth/refresh"]["post"]["responses"]["200"]["headers"]["Set-Cookie"]["description"]
    assert "device" not in refresh


def test_redirects_are_302_with_a_location_and_no_body(schema):
    for path in ["/auth/google", "/auth/google/callback"]:
        response = schema["paths"][path]["get"]["responses"]["302"]
        assert "content" not in response
        assert response["headers"]["Location"]["required"] is True
        assert "Set-Cookie" in response["headers"]


async def test_the_docs_page_loads_nothing_from_outside(client):
    page = await client.get("/schema")
    assert page.status_code == 200
    assert "text/html" in page.headers["content-type"]
    assets = re.findall(r"""(?:src|href)=["']([^"']+)["']""", page.text)
    assert assets and all(url.startswith("/") for url in assets), assets
    assert not re.search(r"https?://(?!127\.0\.0\.1|localhost)", page.text)
    for url in assets:
        asset = await client.get(url)
        assert asset.status_code == 200, url
        assert len(asset.content) > 100, url
