"""Who owns an account, on the pages: nothing is added to an unconfirmed address (a phone's
WhatsApp code, a provider link: the page says to confirm the email first, and sends the link
again), and "not you?" says what it undid of what a thief added (a provider, a phone, an email
address, passkeys, two-step verification)."""

import re
import uuid
from urllib.parse import urlsplit

import httpx
import pytest
from playwright.async_api import expect

from tests.browser.conftest import VIEWPORT
from tests.browser.steps import (
    a_number,
    alert,
    api_client,
    open_mailed_link,
    proven,
    registered,
    screenshot,
    sign_in_with_password,
    signed_in,
    status,
)
from tests.browser.test_passkeys import add_a_passkey, with_authenticator
from tests.browser.test_two_step import turn_on_from_the_account
from tests.support.authenticator import Authenticator
from tests.support.http import PASSWORD
from tests.support.passkey_authenticator import PasskeyAuthenticator

THIEFS_BROWSER = {"User-Agent": "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"}


def region(page, name: str):
    return page.get_by_role("region", name=name)


def github_person() -> tuple[str, dict]:
    subject = str(uuid.uuid4().int % 10**9)
    return subject, {"name": "Grace Hopper", "emails": [
        {"email": f"gh-{subject}@example.com", "primary": True, "verified": True, "visibility": None}]}


async def not_you_link(mail, email: str) -> str:
    """The "not you?" link of the next email to `email` (the notice of a sign-in from a new device)."""
    message = await mail.wait_for(to=email)
    links = [link for link in message.links if urlsplit(link).path == "/secure-account"]
    assert links, f"{message.subject}: no /secure-account link in {message.links}"
    return links[0]


async def signs_in_from_elsewhere(http: httpx.AsyncClient, email: str) -> None:
    """A sign-in with the password from a browser and network the account never used."""
    http.headers.update(THIEFS_BROWSER)
    answer = await http.post("/auth/login", json={"emailOrUsername": email, "password": PASSWORD})
    assert answer.status_code == 200, answer.text


async def link_over_http(http: httpx.AsyncClient, fake, provider: str, subject: str, profile: dict) -> None:
    """Link a provider to the session of `http`: the start, the fake's approval, the callback."""
    fake.login_as(subject, **profile)
    start = await http.get(f"/auth/{provider}", params={"link": "true"})
    assert start.status_code == 302, start.text
    async with httpx.AsyncClient() as at_provider:
        approved = await at_provider.get(start.headers["location"])
    assert approved.status_code == 302, approved.text
    back = await http.get(approved.headers["location"])
    assert "linked=true" in back.headers["location"], back.headers.get("location")


async def passkey_over_http(http: httpx.AsyncClient, key: PasskeyAuthenticator) -> None:
    """A passkey of `key` added to the account of `http`'s session: the options, the answer."""
    options = await http.post("/auth/passkeys/register/options")
    assert options.status_code == 200, options.text
    added = await http.post("/auth/passkeys/register", json={"credential": key.create(options.json())})
    assert added.status_code == 201, added.text


async def two_step_over_http(http: httpx.AsyncClient) -> None:
    """Two-step verification turned on from `http`'s session: the key, then its app's code."""
    setup = await http.post("/auth/mfa/totp/setup")
    assert setup.status_code == 200, setup.text
    confirmed = await http.post("/auth/mfa/totp/confirm", json={"code": Authenticator(setup.json()["secret"]).code()})
    assert confirmed.status_code == 200, confirmed.text


async def test_a_phone_is_verified_only_once_the_email_is_confirmed(page, context, site, mail, whatsapp, new_email):
    email, number = new_email(), a_number()
    await signed_in(context, site.api, email, firstname="Ada", lastname="Lovelace")
    await page.goto("/account")
    phone = region(page, "Phone")
    await phone.get_by_label("Phone number").fill(number)
    await phone.get_by_role("button", name="Save the phone number").click()
    await expect(phone.get_by_text(f"Current number: {number} (not verified)")).to_be_visible()
    await phone.get_by_role("button", name="Send a WhatsApp code").click()
    await expect(alert(page, "Confirm your email address first: the phone number can be verified once you "
                             f"open the confirmation link sent to {email}.")).to_be_visible()
    assert whatsapp.received_by(number) == []
    await phone.scroll_into_view_if_needed()
    await screenshot(page, "account-confirm-email-first")

    signed_up = await mail.wait_for(to=email)  # the sign-up's link: the next one is the button's
    await phone.get_by_role("button", name="Send the link again").click()
    await expect(phone.get_by_role("status").filter(has_text="A new confirmation link was sent.")).to_be_visible()
    link = await open_mailed_link(page, mail, email, "/verify-email")
    assert signed_up.token not in link
    await expect(status(page, f"Your email address {email} is confirmed.")).to_be_visible()

    await page.goto("/account")
    phone = region(page, "Phone")
    await phone.get_by_role("button", name="Send a WhatsApp code").click()
    await expect(status(page, "A 6-digit code was sent by WhatsApp.")).to_be_visible()
    await phone.get_by_label("WhatsApp code").fill((await whatsapp.wait_for(to=number)).code)
    await phone.get_by_role("button", name="Verify the phone number").click()
    await expect(phone.get_by_text(f"Current number: {number} (verified)")).to_be_visible()


async def test_a_provider_is_linked_only_once_the_email_is_confirmed(page, context, site, github, mail, new_email):
    email = new_email()
    await signed_in(context, site.api, email, firstname="Ada", lastname="Lovelace")
    subject, profile = github_person()
    github.login_as(subject, **profile)
    await page.goto("/account")
    await region(page, "Linked accounts").get_by_role("link", name="Link GitHub").click()
    await expect(page).to_have_url(re.compile(r"/account\?error=email_not_verified$"))
    first = region(page, "Before linking an account")
    await expect(first.get_by_role("alert").filter(
        has_text="Confirm your email address first: an account can be linked once you open the confirmation "
                 f"link sent to {email}.")).to_be_visible()
    await expect(region(page, "Linked accounts").get_by_text("No linked account.")).to_be_visible()

    await first.get_by_role("button", name="Send the link again").click()
    await expect(first.get_by_role("status").filter(has_text="A new confirmation link was sent.")).to_be_visible()
    await screenshot(page, "account-link-refused")
    for _ in range(2):  # three links in 15 minutes at most; the button waits for each answer
        await first.get_by_role("button", name="Send the link again").click()
        await expect(first.get_by_role("status")).to_be_visible()
    await first.get_by_role("button", name="Send the link again").click()
    await expect(first.get_by_role("alert").filter(
        has_text="Several links were sent in the last few minutes")).to_be_visible()
    for _ in range(4):  # the sign-up's link and the three the button sent
        await mail.wait_for(to=email)

    await proven_by_a_new_link(site, mail, email)
    await page.goto("/account")
    await region(page, "Linked accounts").get_by_role("link", name="Link GitHub").click()
    await expect(page).to_have_url(re.compile(r"/account$"))
    await expect(region(page, "Linked accounts").get_by_text(re.compile(r"^GitHub, linked on"))).to_be_visible()


async def proven_by_a_new_link(site, mail, email: str) -> None:
    """The owner opens the last link the button sent (the others work too, once)."""
    async with api_client(site.api) as http:  # no session needed to open a mailed link
        sent = mail.received_by(email)
        answer = await http.post("/auth/verify-email", json={"token": sent[-1].token})
    assert answer.status_code == 200, answer.text


async def test_not_you_says_the_thiefs_provider_phone_passkey_and_two_step_were_undone(
        page, browser, site, github, mail, whatsapp, new_email):
    email, number = new_email(), a_number()
    await registered(site.api, email, firstname="Ada", lastname="Lovelace")
    await proven(site.api, mail, email)
    thief = await browser.new_context(viewport=VIEWPORT, locale="en-US", base_url=site.app)
    try:
        thiefs_page = await thief.new_page()
        await sign_in_with_password(thiefs_page, email)  # from a device the account never used
        await expect(thiefs_page).to_have_url(re.compile(r"/dashboard$"))
        notice = await not_you_link(mail, email)
        subject, profile = github_person()
        github.login_as(subject, **profile)
        await thiefs_page.goto("/account")
        await region(thiefs_page, "Linked accounts").get_by_role("link", name="Link GitHub").click()
        linked = region(thiefs_page, "Linked accounts")
        await expect(linked.get_by_text(re.compile(r"^GitHub, linked on"))).to_be_visible()
        phone = region(thiefs_page, "Phone")
        await phone.get_by_label("Phone number").fill(number)
        await phone.get_by_role("button", name="Save the phone number").click()
        await phone.get_by_role("button", name="Send a WhatsApp code").click()
        await phone.get_by_label("WhatsApp code").fill((await whatsapp.wait_for(to=number)).code)
        await phone.get_by_role("button", name="Verify the phone number").click()
        await expect(phone.get_by_text(f"Current number: {number} (verified)")).to_be_visible()
        await with_authenticator(thief, thiefs_page)  # the thief's device: Chromium's virtual one
        await add_a_passkey(thiefs_page, "Thief's laptop")
        await turn_on_from_the_account(thiefs_page)

        await page.goto(notice)
        await page.get_by_role("button", name="Secure my account").click()
        done = status(page, "Done: every session was ended and the password removed.")
        await expect(done).to_be_visible()
        await expect(done.get_by_role("listitem")).to_have_text([
            "GitHub was unlinked.", "The phone number was removed.", "The passkey added since was removed.",
            "Two-step verification, turned on since, was turned off.",
        ])
        await expect(done).to_contain_text("Undone on your account:")
        await screenshot(page, "secure-account")

        await thiefs_page.goto("/account")  # the thief's session is over
        await expect(thiefs_page).to_have_url(re.compile(r"/login$"))
    finally:
        await thief.close()


@pytest.mark.parametrize("context", ["fr-FR"], indirect=True)
async def test_not_you_says_in_french_what_was_undone(page, site, github, mail, whatsapp, new_email):
    email, number = new_email(), a_number()
    thiefs = f"thief-{uuid.uuid4().hex[:8]}@example.net"
    await registered(site.api, email, firstname="Ada", lastname="Lovelace")
    await proven(site.api, mail, email)
    async with api_client(site.api) as thief:  # another browser, over HTTP
        await signs_in_from_elsewhere(thief, email)
        notice = await not_you_link(mail, email)
        await link_over_http(thief, github, "github", *github_person())
        assert (await thief.patch("/auth/profile", json={"phoneNumber": number})).status_code == 200
        assert (await thief.post("/auth/phone/verify/request")).status_code == 202
        code = (await whatsapp.wait_for(to=number)).code
        assert (await thief.post("/auth/phone/verify", json={"code": code})).status_code == 200
        changed = await thief.post("/auth/email/change", json={"email": thiefs, "password": PASSWORD})
        assert changed.status_code == 202, changed.text
        confirmed = await thief.post("/auth/verify-email", json={"token": (await mail.wait_for(to=thiefs)).token})
        assert confirmed.status_code == 200, confirmed.text
        for _ in range(2):  # two devices: the count is said in the plural
            await passkey_over_http(thief, PasskeyAuthenticator(site.app, "localhost"))
        await two_step_over_http(thief)

    await page.goto(notice)
    await page.get_by_role("button", name="Sécuriser mon compte").click()
    done = status(page, "C'est fait : toutes les sessions ont été fermées et le mot de passe supprimé.")
    await expect(done).to_be_visible()
    masked = f"{email[0]}***@{email.split('@')[1]}"
    await expect(done.get_by_role("listitem")).to_have_text([
        "GitHub a été dissocié.", "Le numéro de téléphone a été supprimé.",
        f"L'adresse e-mail est de nouveau {masked}.", "Les 2 clés d'accès ajoutées depuis ont été supprimées.",
        "La validation en deux étapes, activée depuis, a été désactivée.",
    ])
    await expect(done).to_contain_text("Annulé sur votre compte :")


async def test_not_you_says_when_nothing_else_was_added(page, site, mail, new_email):
    email = new_email()
    await registered(site.api, email, firstname="Ada", lastname="Lovelace")
    await proven(site.api, mail, email)
    async with api_client(site.api) as thief:
        await signs_in_from_elsewhere(thief, email)
    await page.goto(await not_you_link(mail, email))
    await page.get_by_role("button", name="Secure my account").click()
    done = status(page, "Nothing else had been added to your account since our message.")
    await expect(done).to_contain_text("Done: every session was ended and the password removed.")
    await expect(done.get_by_role("listitem")).to_have_count(0)
