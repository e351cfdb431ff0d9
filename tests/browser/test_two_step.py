"""Two-step verification in the browser: turned on from /account (the test reads the key on
the page and computes the codes, as an authenticator app would), then the second step of a
sign-in with a code and with a recovery code, after a password or a provider; and the
re-authentication dialog that a sensitive action opens once the sign-in is old, after which
the action goes on."""

import re
import uuid

import asyncpg
import pytest
from playwright.async_api import expect

from tests.browser.steps import (
    add_session_cookies,
    alert,
    api_client,
    screenshot,
    sign_in_with_password,
    signed_in_proven,
    signed_in_with_google,
    status,
)
from tests.support.authenticator import Authenticator
from tests.support.http import PASSWORD, prove_email


def two_step(page):
    return page.get_by_role("region", name="Two-step verification")


async def sign_out_from_the_dashboard(page) -> None:
    await expect(page).to_have_url(re.compile(r"/dashboard$"))
    await page.get_by_role("button", name="Sign out").click()
    await expect(page).to_have_url(re.compile(r"/login$"))


async def go_stale(database_url: str, email: str) -> None:
    """Every session of the account signed in an hour ago, as the passing of time would
    (REAUTH_MAX_AGE is 600 s)."""
    connection = await asyncpg.connect(database_url.replace("postgresql+asyncpg", "postgresql"))
    try:
        await connection.execute(
            "UPDATE sessions SET signed_in_at = now() - interval '1 hour'"
            " WHERE user_id = (SELECT id FROM users WHERE email = $1)", email)
    finally:
        await connection.close()


async def turn_on_from_the_account(page, screenshots: bool = False) -> tuple[Authenticator, list[str]]:
    """Two-step verification turned on at /account as a person does it: the key read on the
    page into an authenticator app, a wrong code then a right one; the recovery codes shown."""
    await page.goto("/account")
    card = two_step(page)
    await expect(card.get_by_text("Off: your password (or a provider) alone signs you in.")).to_be_visible()
    await card.get_by_role("button", name="Turn on").click()
    secret = card.get_by_label("Secret key")
    await expect(secret).to_have_value(re.compile(r"^[A-Z2-7]{32}$"))
    await expect(card.get_by_role("img", name="QR code for your authenticator app")).to_be_visible()
    if screenshots:
        await card.evaluate("card => card.scrollIntoView()")
        await screenshot(page, "account-two-step")
    app = Authenticator(await secret.input_value())
    await card.get_by_label("Authentication code").fill(app.wrong_code())
    await card.get_by_role("button", name="Confirm").click()
    await expect(alert(page, "This code is wrong or expired.")).to_be_visible()
    await card.get_by_label("Authentication code").fill(app.code())
    await card.get_by_role("button", name="Confirm").click()
    await expect(status(page, "Two-step verification is on.")).to_be_visible()
    codes = card.get_by_role("list", name="Recovery codes").get_by_role("listitem")
    await expect(codes).to_have_count(10)
    recovery = [text.strip() for text in await codes.all_inner_texts()]
    await card.get_by_role("button", name="I have saved them").click()
    await expect(card.get_by_text("Recovery codes left: 10.")).to_be_visible()
    return app, recovery


async def test_two_step_is_turned_on_then_signs_in_with_a_code_and_with_a_recovery_code(
        page, context, site, mail, new_email):
    email = new_email()
    await signed_in_proven(context, site.api, mail, email, firstname="Ada", lastname="Lovelace")
    app, recovery = await turn_on_from_the_account(page, screenshots=True)

    await page.goto("/dashboard")
    await sign_out_from_the_dashboard(page)
    await sign_in_with_password(page, email)  # the password alone opens no session
    await expect(page).to_have_url(re.compile(r"/auth/mfa\?methods=totp%2Crecovery_code$"))
    await expect(page.get_by_role("heading", name="Two-step verification")).to_be_visible()
    await screenshot(page, "mfa")
    await page.get_by_label("Authentication code").fill(app.wrong_code())
    await page.get_by_role("button", name="Verify").click()
    await expect(alert(page, "This code is wrong or expired.")).to_be_visible()
    await page.get_by_label("Authentication code").fill(app.code())
    await page.get_by_role("button", name="Verify").click()
    await expect(page.get_by_role("heading", name="Hello, Ada")).to_be_visible()

    await sign_out_from_the_dashboard(page)
    await sign_in_with_password(page, email)
    await page.get_by_role("button", name="Use a recovery code").click()
    await page.get_by_label("Recovery code").fill(recovery[0].upper())  # any case is accepted
    await page.get_by_role("button", name="Verify").click()
    await expect(page.get_by_role("heading", name="Hello, Ada")).to_be_visible()
    await page.goto("/account")
    await expect(two_step(page).get_by_text("Recovery codes left: 9.")).to_be_visible()


async def test_an_old_sign_in_opens_the_dialog_and_the_action_goes_on_after_it(
        page, context, site, mail, new_email, browser_database_url):
    email = new_email()
    async with api_client(site.api) as http:
        registered = await http.post("/auth/register", json={"email": email, "password": PASSWORD,
                                                             "firstname": "Ada", "lastname": "Lovelace"})
        assert registered.status_code == 201, registered.text
        await prove_email(http, mail, email)
        app = Authenticator((await http.post("/auth/mfa/totp/setup")).json()["secret"])
        assert (await http.post("/auth/mfa/totp/confirm", json={"code": app.code()})).status_code == 200
    await add_session_cookies(context, registered)
    await go_stale(browser_database_url, email)

    await page.goto("/account")
    card = two_step(page)
    await card.get_by_role("button", name="New recovery codes").click()
    dialog = page.get_by_role("dialog", name="Confirm it's you")
    await expect(dialog.get_by_text("enter your password and a code from your authenticator app")).to_be_visible()
    await dialog.get_by_label("Password").fill(PASSWORD)
    await dialog.get_by_label("Authentication code").fill(app.code())
    await screenshot(page, "account-reauth")
    await dialog.get_by_role("button", name="Confirm").click()
    await expect(dialog).to_be_hidden()
    await expect(status(page, "New recovery codes: the old ones no longer work.")).to_be_visible()
    await expect(card.get_by_role("list", name="Recovery codes").get_by_role("listitem")).to_have_count(10)


async def test_an_account_without_a_password_confirms_it_through_its_provider(page, idp, github, new_email,
                                                                              browser_database_url):
    email = new_email()
    subject = str(uuid.uuid4().int % 10**9)
    github.login_as(subject, name="Ada Lovelace", emails=[
        {"email": f"gh-{subject}@example.com", "primary": True, "verified": True, "visibility": None}])
    await signed_in_with_google(page, idp, email)
    await page.goto("/account")
    await page.get_by_role("region", name="Linked accounts").get_by_role("link", name="Link GitHub").click()
    await expect(page).to_have_url(re.compile(r"/account$"))
    await go_stale(browser_database_url, email)

    providers = page.get_by_role("region", name="Linked accounts")
    await providers.get_by_role("button", name="Unlink GitHub").click()
    dialog = page.get_by_role("dialog", name="Confirm it's you")
    await expect(dialog.get_by_role("link", name="Continue with GitHub")).to_be_visible()
    await dialog.get_by_role("link", name="Continue with Google").click()  # the fake approves at once
    await expect(page).to_have_url(re.compile(r"/account$"))
    await page.get_by_role("region", name="Linked accounts").get_by_role("button", name="Unlink GitHub").click()
    await expect(status(page, "GitHub unlinked.")).to_be_visible()
    await expect(page.get_by_role("region", name="Security activity").get_by_text("Identity confirmed (Google)")
                 ).to_be_visible()


async def test_a_provider_sign_in_asks_for_the_second_step_too(page, idp, new_email):
    email = new_email()
    await signed_in_with_google(page, idp, email)
    app, _ = await turn_on_from_the_account(page)

    await page.goto("/dashboard")
    await sign_out_from_the_dashboard(page)
    await page.get_by_role("link", name="Sign in with Google").click()
    await expect(page).to_have_url(re.compile(r"/auth/mfa\?from=social&provider=google&methods=totp,recovery_code"))
    await page.wait_for_load_state()  # a full navigation: the form works once the page's script has run
    await expect(page.get_by_text("You signed in with Google. Enter the 6-digit code")).to_be_visible()
    await page.get_by_label("Authentication code").fill(app.code())
    await page.get_by_role("button", name="Verify").click()
    await expect(page.get_by_role("heading", name="Hello, Ada")).to_be_visible()


@pytest.mark.parametrize("context", ["fr-FR"], indirect=True)
async def test_a_second_step_without_its_challenge_sends_back_to_sign_in(page):
    await page.goto("/auth/mfa?methods=totp,recovery_code")
    await expect(page.get_by_role("heading", name="Validation en deux étapes")).to_be_visible()
    await page.get_by_label("Code d'authentification").fill("123456")
    await page.get_by_role("button", name="Valider").click()
    await expect(alert(page, "Cette connexion a expiré : reconnectez-vous.")).to_be_visible()
    await page.get_by_role("link", name="Se connecter").click()
    await expect(page).to_have_url(re.compile(r"/login$"))
