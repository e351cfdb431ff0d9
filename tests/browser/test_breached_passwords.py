"""A password found in known data breaches is refused under its field, in the page's language
(the API asks the fake range API of tests/support/fake_pwned_passwords.py)."""

import re

import pytest
from playwright.async_api import expect

from tests.browser.steps import alert, api_client, open_mailed_link, registered, status
from tests.support.http import PASSWORD

BREACHED = "Tr0ub4dor&3-breached"


@pytest.fixture(autouse=True)
def breached(pwned):
    pwned.add(BREACHED)


async def test_registering_with_a_breached_password_says_so_under_the_field(page, new_email):
    await page.goto("/register")
    await page.get_by_label("Email", exact=True).fill(new_email())
    await page.get_by_label("First name").fill("Ada")
    await page.get_by_label("Last name").fill("Lovelace")
    password = page.get_by_label("Password", exact=True)
    await password.fill(BREACHED)
    await page.get_by_role("button", name="Create the account").click()

    message = "This password appears in known data breaches, so attackers try it first. Choose another one."
    await expect(alert(page, message)).to_be_visible()
    await expect(password).to_have_attribute("aria-invalid", "true")
    await expect(password).to_have_accessible_description(message)
    await expect(page).to_have_url(re.compile(r"/register$"))

    await password.fill(PASSWORD)
    await page.get_by_role("button", name="Create the account").click()
    await expect(page).to_have_url(re.compile(r"/dashboard$"))


@pytest.mark.parametrize("context", ["fr-FR"], indirect=True)
async def test_a_reset_link_refuses_a_breached_password_in_french_and_stays_usable(page, site, mail, new_email):
    email = new_email()
    await registered(site.api, email)
    async with api_client(site.api) as http:
        assert (await http.post("/auth/forgot-password", json={"email": email})).status_code == 202
    await open_mailed_link(page, mail, email, "/reset-password")
    new_password = page.get_by_label("Nouveau mot de passe", exact=True)

    await choose(page, BREACHED)
    await expect(new_password).to_have_accessible_description(
        "Ce mot de passe figure dans des fuites de données connues : les attaquants l'essaient en premier. "
        "Choisissez-en un autre."
    )
    await choose(page, "a-brand-new-secret-77")  # the link still works
    await expect(status(page, "Votre mot de passe a été changé. Connectez-vous avec.")).to_be_visible()


async def choose(page, password: str) -> None:
    await page.get_by_label("Nouveau mot de passe", exact=True).fill(password)
    await page.get_by_label("Confirmer le mot de passe", exact=True).fill(password)
    await page.get_by_role("button", name="Enregistrer le nouveau mot de passe").click()
