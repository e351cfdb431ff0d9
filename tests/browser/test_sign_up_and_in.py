"""/register, /login and /auth/login, typed into as a person would."""

import re

from playwright.async_api import expect

from tests.browser.steps import alert, registered, screenshot, sign_in_with_password, status
from tests.support.http import PASSWORD


async def test_a_person_registers_and_lands_on_the_dashboard(page, new_email):
    await page.goto("/register")
    await expect(page.get_by_role("heading", name="Create an account")).to_be_visible()
    await expect(page.get_by_role("link", name="Sign in with Google")).to_be_visible()
    await screenshot(page, "register")
    email = new_email()
    await page.get_by_label("Email", exact=True).fill(email)
    await page.get_by_label("Password", exact=True).fill(PASSWORD)
    await page.get_by_label("First name").fill("Ada")
    await page.get_by_label("Last name").fill("Lovelace")
    await page.get_by_role("button", name="Create the account").click()
    await expect(page).to_have_url(re.compile(r"/dashboard$"))
    await expect(page.get_by_role("heading", name="Hello, Ada")).to_be_visible()
    await expect(page.get_by_text(f"Email: {email} (not confirmed)")).to_be_visible()


async def test_registering_with_a_taken_email_says_so_and_stays(page, site, new_email):
    email = new_email()
    await registered(site.api, email)
    await page.goto("/register")
    await page.get_by_label("Email", exact=True).fill(email)
    await page.get_by_label("Password", exact=True).fill(PASSWORD)
    await page.get_by_role("button", name="Create the account").click()
    await expect(alert(page, "An account already uses this email address.")).to_be_visible()
    await expect(page).to_have_url(re.compile(r"/register$"))


async def test_a_person_signs_in_with_the_email_address(page, site, new_email):
    email = new_email()
    await registered(site.api, email, firstname="Ada", lastname="Lovelace")
    await page.goto("/login")
    await expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    for provider in ("Google", "Facebook", "GitHub"):  # one button per provider the API offers
        await expect(page.get_by_role("link", name=f"Sign in with {provider}")).to_be_visible()
    await expect(page.get_by_role("button", name="Sign in with a passkey")).to_be_visible()  # once hydrated
    await screenshot(page, "login")
    await sign_in_with_password(page, email.upper())  # as typed: case does not matter
    await expect(page).to_have_url(re.compile(r"/dashboard$"))
    await expect(page.get_by_role("heading", name="Hello, Ada")).to_be_visible()


async def test_a_person_signs_in_with_the_username(page, site, new_email):
    email = new_email()
    username = "ada" + email[5:13]
    await registered(site.api, email, firstname="Ada", lastname="Lovelace", username=username)
    await sign_in_with_password(page, username)
    await expect(page).to_have_url(re.compile(r"/dashboard$"))
    await expect(page.get_by_text(f"Email: {email}")).to_be_visible()


async def test_a_wrong_password_is_refused_on_the_page(page, site, new_email):
    email = new_email()
    await registered(site.api, email)
    await sign_in_with_password(page, email, "not-the-password-9")
    await expect(alert(page, "Wrong email, username or password.")).to_be_visible()
    await expect(page).to_have_url(re.compile(r"/login$"))


async def test_an_account_without_password_is_pointed_to_its_provider(page, site, idp, new_email):
    email = new_email()
    idp.login_as(f"g-{email}", email=email, email_verified=True, given_name="Ada", family_name="Lovelace",
                 name="Ada Lovelace")
    await page.goto("/login")
    await page.get_by_role("link", name="Sign in with Google").click()
    await expect(page).to_have_url(re.compile(r"/dashboard$"))
    await page.context.clear_cookies()
    await sign_in_with_password(page, email, "whatever-password-1")
    await expect(alert(page, "This account has no password: sign in with Google.")).to_be_visible()


async def test_the_api_s_error_page_says_what_went_wrong(page):
    await page.goto("/auth/login?error=access_denied")
    await expect(alert(page, "The sign-in was cancelled.")).to_be_visible()
    await expect(page.get_by_label("Email or username", exact=True)).to_be_visible()


async def test_a_pending_link_asks_for_the_password(page):
    await page.goto("/auth/login?error=email_not_verified&provider=facebook&pending=link")
    await expect(status(page, "Sign in with your password to link Facebook to your account.")).to_be_visible()
