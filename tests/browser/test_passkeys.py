"""Passkeys in the browser, with Chromium's virtual authenticator (WebAuthn over the DevTools
protocol: a platform authenticator that holds discoverable credentials, verifies its user and
answers at once): added, renamed and removed on /account, then signing in with the login page's
button, or by the identifier field's suggestions (conditional UI); answering the second step of
a password sign-in, and the re-authentication dialog.

In the virtual environment Chromium answers the login page's conditional request at once: with
the authenticator's passkey when it holds one (the page signs in by itself), else with
NotAllowedError. A test of the button takes the passkey out of the authenticator while the page
opens, and puts it back once that request is over (window.conditionalOver, set by a spy on
navigator.credentials.get), so that only the button can use it."""

import re

import pytest
from playwright.async_api import BrowserContext, CDPSession, Page, expect

from tests.browser.steps import (
    alert,
    screenshot,
    signed_in,
    signed_in_proven,
    signed_in_with_google,
    status,
)
from tests.browser.test_two_step import go_stale, turn_on_from_the_account, two_step
from tests.support.http import PASSWORD

SPY = """
window.conditionalOver = false;
const get = navigator.credentials.get.bind(navigator.credentials);
navigator.credentials.get = (options) => {
  const answer = get(options);
  if (options && options.mediation === "conditional") {
    answer.catch(() => null).then(() => { window.conditionalOver = true; });
  }
  return answer;
};
"""


class VirtualAuthenticator:
    """The virtual authenticator of one page (a CDP session per page)."""

    def __init__(self, cdp: CDPSession, authenticator_id: str):
        self.cdp = cdp
        self.id = authenticator_id

    async def credentials(self) -> list[dict]:
        return (await self.cdp.send("WebAuthn.getCredentials", {"authenticatorId": self.id}))["credentials"]

    async def take_out(self) -> list[dict]:
        """Its passkeys, removed from it (with their private keys, to put back)."""
        held = await self.credentials()
        await self.cdp.send("WebAuthn.clearCredentials", {"authenticatorId": self.id})
        return held

    async def put_back(self, held: list[dict]) -> None:
        for credential in held:
            await self.cdp.send("WebAuthn.addCredential", {"authenticatorId": self.id, "credential": credential})

    async def user_verified(self, verified: bool) -> None:
        await self.cdp.send("WebAuthn.setUserVerified", {"authenticatorId": self.id, "isUserVerified": verified})


async def with_authenticator(context: BrowserContext, page: Page) -> VirtualAuthenticator:
    await page.add_init_script(SPY)
    cdp = await context.new_cdp_session(page)
    await cdp.send("WebAuthn.enable", {"enableUI": False})
    answer = await cdp.send("WebAuthn.addVirtualAuthenticator", {"options": {
        "protocol": "ctap2", "transport": "internal", "hasResidentKey": True, "hasUserVerification": True,
        "isUserVerified": True, "automaticPresenceSimulation": True,
    }})
    return VirtualAuthenticator(cdp, answer["authenticatorId"])


def passkeys(page: Page):
    return page.get_by_role("region", name="Passkeys")


def listed(page: Page):
    return passkeys(page).get_by_role("list", name="Your passkeys").get_by_role("listitem")


async def add_a_passkey(page: Page, name: str = "") -> None:
    await page.goto("/account")
    card = passkeys(page)
    await expect(card.get_by_text("No passkey yet.")).to_be_visible()
    await card.get_by_label("Name of the new passkey (optional)").fill(name)
    await card.get_by_role("button", name="Add a passkey").click()
    await expect(status(page, "Passkey added: you can sign in with it.")).to_be_visible()


async def signed_out_to_the_login_page(page: Page) -> None:
    await page.goto("/dashboard")
    await page.get_by_role("button", name="Sign out").click()
    await expect(page).to_have_url(re.compile(r"/login$"))


async def test_a_passkey_added_on_the_account_page_signs_in_with_the_button(page, context, site, mail, new_email):
    authenticator = await with_authenticator(context, page)
    await signed_in_proven(context, site.api, mail, new_email(), firstname="Ada", lastname="Lovelace")
    await add_a_passkey(page, "Work laptop")
    await expect(listed(page)).to_have_count(1)
    await expect(listed(page).first).to_contain_text("Work laptop")
    await expect(listed(page).first).to_contain_text("never used")
    assert len(await authenticator.credentials()) == 1
    await passkeys(page).evaluate("card => card.scrollIntoView()")
    await screenshot(page, "account-passkeys")
    # The authenticator holds one of the account's passkeys already (excludeCredentials).
    await passkeys(page).get_by_role("button", name="Add a passkey").click()
    await expect(alert(page, "This passkey is registered already.")).to_be_visible()
    await expect(listed(page)).to_have_count(1)

    held = await authenticator.take_out()
    await signed_out_to_the_login_page(page)
    await expect(page.get_by_label("Email or username", exact=True)).to_have_attribute(
        "autocomplete", "username webauthn")
    await page.wait_for_function("window.conditionalOver")
    await authenticator.put_back(held)
    await page.get_by_role("button", name="Sign in with a passkey").click()  # no password, no second step
    await expect(page.get_by_role("heading", name="Hello, Ada")).to_be_visible()

    await page.goto("/account")
    await expect(listed(page).first).to_contain_text("last used")
    await expect(page.get_by_role("region", name="Security activity").get_by_text("Signed in (passkey)")
                 ).to_be_visible()


async def test_the_identifier_field_offers_the_passkey(page, context, site, mail, new_email):
    await with_authenticator(context, page)
    await signed_in_proven(context, site.api, mail, new_email(), firstname="Ada", lastname="Lovelace")
    await add_a_passkey(page)
    await expect(listed(page).first).to_contain_text("Passkey")  # no name given: the API's

    await page.goto("/dashboard")
    await page.get_by_role("button", name="Sign out").click()
    # The login page's conditional request, answered with the authenticator's only passkey.
    await expect(page.get_by_role("heading", name="Hello, Ada")).to_be_visible()


async def test_a_passkey_is_renamed_then_removed_after_confirming_it_is_you(
        page, context, site, mail, new_email, browser_database_url):
    email = new_email()
    authenticator = await with_authenticator(context, page)
    await signed_in_proven(context, site.api, mail, email, firstname="Ada", lastname="Lovelace")
    await add_a_passkey(page, "Work laptop")
    row = listed(page).filter(has_text="Work laptop")
    await row.get_by_role("button", name="Rename").click()
    await passkeys(page).get_by_label("New name").fill("  Phone  ")
    await passkeys(page).get_by_role("button", name="Save").click()
    await expect(status(page, "Passkey renamed.")).to_be_visible()
    await expect(listed(page).filter(has_text="Phone")).to_have_count(1)
    await expect(listed(page).filter(has_text="Work laptop")).to_have_count(0)

    await go_stale(browser_database_url, email)
    await listed(page).filter(has_text="Phone").get_by_role("button", name="Remove").click()
    dialog = page.get_by_role("dialog", name="Confirm it's you")
    await dialog.get_by_label("Password").fill(PASSWORD)
    await dialog.get_by_role("button", name="Confirm").click()
    await expect(dialog).to_be_hidden()
    await expect(status(page, "Passkey removed.")).to_be_visible()
    await expect(passkeys(page).get_by_text("No passkey yet.")).to_be_visible()

    # The authenticator still holds it; the service no longer knows it.
    held = await authenticator.take_out()
    await signed_out_to_the_login_page(page)
    await page.wait_for_function("window.conditionalOver")
    await authenticator.put_back(held)
    await page.get_by_role("button", name="Sign in with a passkey").click()
    await expect(alert(page, "This passkey was not accepted. Try again, or sign in another way.")).to_be_visible()
    await expect(page).to_have_url(re.compile(r"/login$"))


async def test_the_last_way_to_sign_in_is_not_removed(page, context, idp, new_email, browser_database_url):
    email = new_email()
    await with_authenticator(context, page)
    await signed_in_with_google(page, idp, email)
    await add_a_passkey(page, "Phone")
    await page.get_by_role("region", name="Linked accounts").get_by_role("button", name="Unlink Google").click()
    await expect(status(page, "Google unlinked.")).to_be_visible()

    await go_stale(browser_database_url, email)  # an account with only its passkey proves itself with it
    await listed(page).filter(has_text="Phone").get_by_role("button", name="Remove").click()
    dialog = page.get_by_role("dialog", name="Confirm it's you")
    await expect(dialog.get_by_text("For your security, confirm it's you with your passkey to go on.")).to_be_visible()
    await dialog.get_by_role("button", name="Use a passkey").click()
    await expect(dialog).to_be_hidden()
    await expect(alert(page, "This passkey is your last way to sign in: set a password, link an account or add "
                             "another passkey before removing it.")).to_be_visible()
    await expect(listed(page)).to_have_count(1)


async def test_a_cancelled_ceremony_says_nothing_and_an_unconfirmed_email_adds_none(
        page, context, site, mail, new_email):
    authenticator = await with_authenticator(context, page)
    await signed_in_proven(context, site.api, mail, new_email(), firstname="Ada", lastname="Lovelace")
    await page.goto("/account")
    card = passkeys(page)
    await expect(card.get_by_text("No passkey yet.")).to_be_visible()
    await authenticator.user_verified(False)  # the person does not unlock: the browser says NotAllowedError
    add = card.get_by_role("button", name="Add a passkey")
    async with page.expect_response(re.compile(r"/auth/passkeys/register/options$")):
        await add.click()
    await expect(add).to_be_enabled()  # the ceremony is over
    await expect(card.get_by_role("alert")).to_have_count(0)
    await expect(card.get_by_role("status")).to_have_count(0)
    await expect(card.get_by_text("No passkey yet.")).to_be_visible()

    await signed_in(context, site.api, new_email(), firstname="Grace", lastname="Hopper")  # not confirmed
    await page.goto("/account")
    await expect(passkeys(page).get_by_text("Confirm your email address first to add a passkey.")).to_be_visible()
    await expect(passkeys(page).get_by_role("button", name="Add a passkey")).to_have_count(0)


async def test_a_passkey_answers_the_second_step_of_a_password_sign_in(page, context, site, mail, new_email):
    email = new_email()
    authenticator = await with_authenticator(context, page)
    await signed_in_proven(context, site.api, mail, email, firstname="Ada", lastname="Lovelace")
    await turn_on_from_the_account(page)
    await add_a_passkey(page, "Phone")

    held = await authenticator.take_out()  # else the login page's conditional request signs in with it
    await signed_out_to_the_login_page(page)
    await page.wait_for_function("window.conditionalOver")
    await page.get_by_label("Email or username", exact=True).fill(email)
    await page.get_by_label("Password", exact=True).fill(PASSWORD)
    await page.get_by_role("button", name="Sign in", exact=True).click()
    await expect(page).to_have_url(re.compile(r"/auth/mfa\?methods=[^&]*passkey"))
    await authenticator.put_back(held)
    await page.get_by_role("button", name="Use a passkey").click()
    await expect(page.get_by_role("heading", name="Hello, Ada")).to_be_visible()
    await page.goto("/account")
    await expect(listed(page).first).to_contain_text("last used")


async def test_the_re_authentication_dialog_is_answered_by_a_passkey(
        page, context, site, mail, new_email, browser_database_url):
    email = new_email()
    await with_authenticator(context, page)
    await signed_in_proven(context, site.api, mail, email, firstname="Ada", lastname="Lovelace")
    await add_a_passkey(page, "Phone")
    await go_stale(browser_database_url, email)

    await two_step(page).get_by_role("button", name="Turn on").click()
    dialog = page.get_by_role("dialog", name="Confirm it's you")
    await expect(dialog.get_by_label("Password")).to_be_visible()
    await dialog.get_by_role("button", name="Use a passkey").click()
    await expect(dialog).to_be_hidden()
    await expect(two_step(page).get_by_label("Secret key")).to_have_value(re.compile(r"^[A-Z2-7]{32}$"))
    await page.goto("/account")
    await expect(page.get_by_role("region", name="Security activity").get_by_text("Identity confirmed (passkey)")
                 ).to_be_visible()


@pytest.mark.parametrize("context", ["fr-FR"], indirect=True)
async def test_the_passkey_pieces_speak_french(page, context, site, mail, new_email):
    await signed_in_proven(context, site.api, mail, new_email(), firstname="Ada", lastname="Lovelace")
    await page.goto("/account")
    card = page.get_by_role("region", name="Clés d'accès")
    await expect(card.get_by_text("Aucune clé d'accès pour l'instant.")).to_be_visible()
    await expect(card.get_by_role("button", name="Ajouter une clé d'accès")).to_be_visible()
    await page.get_by_role("button", name="Se déconnecter").click()
    await expect(page).to_have_url(re.compile(r"/login$"))
    await expect(page.get_by_role("button", name="Se connecter avec une clé d'accès")).to_be_visible()

