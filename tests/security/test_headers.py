"""Every answer, success, error or redirect, forbids caching and MIME sniffing: auth answers
carry personal data and tokens, and a JSON error must never be sniffed into HTML."""

import httpx

from tests.e2e.test_google_sign_in import go_to_google, person
from tests.support.e2e_fixtures import FRONTEND
from tests.support.http import PASSWORD, fresh_client, login, register


async def test_every_answer_carries_no_store_and_nosniff(server, idp, new_email):
    email = new_email()
    answers = {}
    async with fresh_client(server) as browser:
        answers["201 register"] = await register(browser, email)
        answers["200 me"] = await browser.get("/auth/me")
        answers["200 login"] = await login(browser, email)
        answers["200 refresh"] = await browser.post("/auth/refresh")
        answers["200 health"] = await browser.get("/health")
        answers["202 forgot"] = await browser.post("/auth/forgot-password", json={"email": email})
        answers["401 login"] = await login(browser, email, "not-the-password-1")
        answers["400 body"] = await browser.post("/auth/login", content=b"{", headers={"Content-Type": "application/json"})
        answers["403 origin"] = await browser.post("/auth/logout", headers={"Origin": "https://evil.example"})
        answers["404 route"] = await browser.get("/auth/nowhere")
        answers["405 method"] = await browser.put("/auth/me")
        answers["403 preflight"] = await browser.options("/auth/login", headers=preflight("https://evil.example"))
        answers["303 form"] = await browser.post("/auth/login", data={"emailOrUsername": email, "password": PASSWORD},
                                                 headers={"Origin": FRONTEND})
        answers["302 provider"] = await browser.get("/auth/google")
        sub, claims = person()
        answers["302 callback"] = await browser.get(await go_to_google(browser, idp, sub, claims))
        answers["302 callback error"] = await browser.get("/auth/google/callback?state=forged&code=x")
    for name, answer in answers.items():
        assert_no_store_nosniff(name, answer)


async def test_a_granted_preflight_carries_no_store_and_nosniff(client):
    assert_no_store_nosniff("204 preflight", await client.options("/auth/login", headers=preflight(FRONTEND)))


def preflight(origin: str) -> dict:
    return {"Origin": origin, "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type"}


def assert_no_store_nosniff(name: str, answer: httpx.Response) -> None:
    """By their meaning, as a browser reads them (a repeated header joins into one list)."""
    cache = {d.strip() for d in ",".join(answer.headers.get_list("cache-control")).split(",")}
    sniff = {d.strip() for d in ",".join(answer.headers.get_list("x-content-type-options")).split(",")}
    assert "no-store" in cache, (name, answer.status_code, answer.headers)
    assert sniff == {"nosniff"}, (name, answer.status_code, answer.headers)
