"""Shortcuts for what a browser test is not about (an account to start from, a session
already open), and the screenshots of docs/frontend.md."""

import re
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import httpx
from playwright.async_api import BrowserContext, Page, expect

from tests.support.e2e_fixtures import client_address
from tests.support.http import PASSWORD, prove_email
from tests.support.server import ROOT

SCREENSHOTS = ROOT / "docs" / "screenshots"


def api_client(api: str) -> httpx.AsyncClient:
    """An HTTP client of its own address (the per-address limits stay apart from the browser's)."""
    return httpx.AsyncClient(base_url=api, timeout=30, headers={"X-Forwarded-For": client_address()})


async def add_session_cookies(context: BrowserContext, response: httpx.Response) -> None:
    """Give the browser the session cookies an API answer set (Path kept: refresh_token is /auth)."""
    cookies = []
    for header in response.headers.get_list("set-cookie"):
        name_value, *attributes = (part.strip() for part in header.split(";"))
        name, _, value = name_value.partition("=")
        path = next((a.split("=", 1)[1] for a in attributes if a.lower().startswith("path=")), "/")
        cookies.append({"name": name, "value": value, "domain": "localhost", "path": path,
                        "httpOnly": True, "sameSite": "Lax"})
    await context.add_cookies(cookies)


async def registered(api: str, email: str, password: str = PASSWORD, **fields) -> httpx.Response:
    """An account made over the API (the register page has its own test)."""
    async with api_client(api) as http:
        answer = await http.post("/auth/register", json={"email": email, "password": password, **fields})
    assert answer.status_code == 201, answer.text
    return answer


async def signed_in(context: BrowserContext, api: str, email: str, **fields) -> dict:
    """A new account, signed in in this browser; returns the API's User."""
    answer = await registered(api, email, **fields)
    await add_session_cookies(context, answer)
    return answer.json()["user"]


async def proven(api: str, mail, email: str) -> None:
    """Open the verification link mailed to `email` at sign-up, as its owner would (over the
    API): an account may gain a linked provider or a verified phone only once its email is proven."""
    async with api_client(api) as http:
        await prove_email(http, mail, email)


async def signed_in_proven(context: BrowserContext, api: str, mail, email: str, **fields) -> None:
    """A new account whose email is proven, signed in in this browser."""
    await signed_in(context, api, email, **fields)
    await proven(api, mail, email)


async def screenshot(page: Page, name: str, mask=()) -> Path:
    """The docs' picture of a page: the 1280x800 viewport, to docs/screenshots/<name>.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    await page.screenshot(path=str(path), mask=list(mask), animations="disabled", caret="hide")
    return path


# --- what a person does on the pages (labels and button texts: examples/nextjs/TESTING.md) ----

async def sign_in_with_password(page: Page, identifier: str, password: str = PASSWORD) -> None:
    await page.goto("/login")
    await page.get_by_label("Email or username", exact=True).fill(identifier)
    await page.get_by_label("Password", exact=True).fill(password)
    await page.get_by_role("button", name="Sign in", exact=True).click()


async def signed_in_with_google(page: Page, idp, email: str) -> None:
    """A new account made by signing in through the fake Google (which proves `email`)."""
    idp.login_as(f"g-{uuid.uuid4().hex}", email=email, email_verified=True, given_name="Ada",
                 family_name="Lovelace", name="Ada Lovelace")
    await page.goto("/login")
    await page.get_by_role("link", name="Sign in with Google").click()
    await expect(page).to_have_url(re.compile(r"/dashboard$"))


async def open_mailed_link(page: Page, mail, to: str, path: str) -> str:
    """Wait for the next email to `to` with a link to `path` on the app (earlier emails to
    `to` without one, a registration's verification link say, are passed over), and open
    that link in `page`, as a person clicking it would; returns the link."""
    while True:
        email = await mail.wait_for(to=to)
        links = [link for link in email.links if urlsplit(link).path == path]
        if links:
            await page.goto(links[0])
            return links[0]


def alert(page: Page, text: str):
    """The page's alert saying `text` (Next.js has an empty role=alert of its own: the route announcer)."""
    return page.get_by_role("alert").filter(has_text=text)


def status(page: Page, text: str):
    return page.get_by_role("status").filter(has_text=text)


def a_number() -> str:
    """A French mobile number no other test uses."""
    return f"+3361{uuid.uuid4().int % 10**7:07d}"


async def with_verified_phone(api: str, whatsapp, mail, email: str, number: str) -> None:
    """An account whose phone number is verified (over the API: not what the test is about).
    Its email is proven first: no phone is verified on an unproven address."""
    async with api_client(api) as http:
        assert (await http.post("/auth/register", json={"email": email, "password": PASSWORD,
                                                        "firstname": "Ada", "lastname": "Lovelace"})).status_code == 201
        await prove_email(http, mail, email)
        assert (await http.patch("/auth/profile", json={"phoneNumber": number})).status_code == 200
        assert (await http.post("/auth/phone/verify/request")).status_code == 202
        code = (await whatsapp.wait_for(to=number)).code
        assert (await http.post("/auth/phone/verify", json={"code": code})).status_code == 200
