"""The login from a plain HTML form: the same POST /auth/login, form-encoded, from the
frontend's origin only, answered by 303 redirects to the frontend (cookies as for JSON)."""

from urllib.parse import urlencode

import pytest

from tests.e2e.conftest import FRONTEND
from tests.e2e.test_google_sign_in import person, sign_in_with_google
from tests.support.http import PASSWORD, assert_error, fresh_client, me_with_sid, register, session_cookies, set_cookies


async def post_form(client, origin: str | None = FRONTEND, **fields):
    headers = {"Origin": origin} if origin else {}
    return await client.post("/auth/login", data=fields, headers=headers)


def see_other(response) -> str:
    assert response.status_code == 303, (response.status_code, response.text)
    return response.headers["location"]


@pytest.mark.parametrize(("names", "page"), [
    ({"firstname": "Ada", "lastname": "Lovelace"}, "/dashboard"),
    ({}, "/auth/finish?from=local&complete=false"),
], ids=["complete_profile_to_the_dashboard", "incomplete_profile_to_the_finish_page"])
async def test_a_signed_in_form_goes_to_the_page_its_profile_calls_for(client, server, new_email, names, page):
    email = new_email()
    await register(client, email, **names)
    async with fresh_client(server) as browser:
        answer = await post_form(browser, emailOrUsername=email, password=PASSWORD)
    assert see_other(answer) == f"{FRONTEND}{page}"
    sid, _ = session_cookies(answer)
    assert (await me_with_sid(server, sid)).json()["user"]["email"] == email


async def test_a_social_only_account_goes_to_the_finish_page_with_its_providers(client, server, idp):
    sub, claims = person()
    await sign_in_with_google(client, idp, sub, claims)
    async with fresh_client(server) as browser:
        answer = await post_form(browser, emailOrUsername=claims["email"], password=PASSWORD)
    assert see_other(answer) == f"{FRONTEND}/auth/finish?from=social&providers=google"
    assert "sid" not in set_cookies(answer)


async def test_a_failure_goes_back_to_the_login_page_with_its_code(client, new_email):
    email = new_email()
    await register(client, email)
    async with fresh_client(client.base_url) as browser:
        wrong = await post_form(browser, emailOrUsername=email, password="not-the-password-1")
        missing = await post_form(browser, emailOrUsername=email)
    assert see_other(wrong) == f"{FRONTEND}/auth/login?{urlencode({'error': 'invalid_credentials'})}"
    assert see_other(missing) == f"{FRONTEND}/auth/login?error=invalid_request"
    for refused in (wrong, missing):
        assert "sid" not in set_cookies(refused)
        assert refused.headers["cache-control"] == "no-store"


async def test_a_form_from_a_foreign_or_missing_origin_is_refused(client, new_email):
    email = new_email()
    await register(client, email)
    async with fresh_client(client.base_url) as browser:
        foreign = await post_form(browser, "https://evil.example", emailOrUsername=email, password=PASSWORD)
        missing = await post_form(browser, None, emailOrUsername=email, password=PASSWORD)
        empty = await browser.post("/auth/login", headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert_error(foreign, 403, "forbidden_origin")
    # No browser posts a form without Origin: refused as any body that is not JSON.
    for not_json in (missing, empty):
        assert assert_error(not_json, 400, "invalid_request")["message"] == "The body must be JSON."
    for refused in (foreign, missing, empty):
        assert "sid" not in set_cookies(refused)


async def test_json_sent_as_a_form_without_origin_gets_the_answer_register_gives(client):
    """`curl -d '{...}'` sends JSON as a form: login says what register says."""
    body = '{"emailOrUsername": "ada@example.com", "password": "correct-horse-battery-42"}'
    answers = [await client.post(path, content=body, headers={"Content-Type": "application/x-www-form-urlencoded"})
               for path in ("/auth/login", "/auth/register")]
    login, register_ = (assert_error(answer, 400, "invalid_request") for answer in answers)
    assert login == register_ == {"error": "invalid_request", "message": "The body must be JSON.",
                                  "fields": [{"field": "body", "message": "must be sent as application/json"}]}


async def test_a_form_body_elsewhere_is_still_refused(client):
    answer = await client.post("/auth/register", data={"email": "a@example.com"}, headers={"Origin": FRONTEND})
    assert_error(answer, 400, "invalid_request")
