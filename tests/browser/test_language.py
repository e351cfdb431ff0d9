"""French and English: the browser's language chooses, the header's button switches."""

import re

import pytest
from playwright.async_api import expect

from tests.browser.steps import alert, registered, signed_in
from tests.support.http import PASSWORD


@pytest.mark.parametrize("context", ["fr-FR"], indirect=True)
async def test_a_french_browser_gets_french_pages(page, site, new_email):
    email = new_email()
    await registered(site.api, email, firstname="Ada", lastname="Lovelace")
    await page.goto("/login")
    await expect(page.get_by_role("heading", name="Connexion")).to_be_visible()
    await expect(page.get_by_role("link", name="Se connecter avec Google")).to_be_visible()
    await page.get_by_label("E-mail ou nom d'utilisateur", exact=True).fill(email)
    await page.get_by_label("Mot de passe", exact=True).fill("pas-le-bon-mot-2")
    await page.get_by_role("button", name="Se connecter", exact=True).click()
    await expect(alert(page, "E-mail, nom d'utilisateur ou mot de passe incorrect.")).to_be_visible()
    assert await page.locator("html").get_attribute("lang") == "fr"


async def test_the_language_button_switches_to_french_and_back(page):
    await page.goto("/register")
    await expect(page.get_by_role("heading", name="Create an account")).to_be_visible()
    await page.get_by_role("button", name="Français").click()
    await expect(page.get_by_role("heading", name="Créer un compte")).to_be_visible()
    await page.reload()  # remembered
    await expect(page.get_by_role("heading", name="Créer un compte")).to_be_visible()
    await page.get_by_role("button", name="English").click()
    await expect(page.get_by_role("heading", name="Create an account")).to_be_visible()


@pytest.mark.parametrize("context", ["fr-FR"], indirect=True)
async def test_a_french_page_says_in_french_which_field_is_wrong(page):
    await page.goto("/forgot-password")
    await page.get_by_label("Numéro de téléphone", exact=True).fill("12")
    await page.get_by_role("button", name="Envoyer un code").click()
    await expect(alert(page, "Numéro de téléphone : n'est pas un numéro de téléphone valide")).to_be_visible()
    await expect(alert(page, "phoneNumber")).to_have_count(0)


@pytest.mark.parametrize("context", ["fr-FR"], indirect=True)
async def test_the_french_activity_names_the_sign_in_method_in_french(page, context, site, new_email):
    await signed_in(context, site.api, new_email(), firstname="Ada", lastname="Lovelace")
    await page.goto("/account")
    activity = page.get_by_role("region", name="Activité de sécurité")
    await expect(activity.get_by_text("Connexion (inscription)")).to_be_visible()
