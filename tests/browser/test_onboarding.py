"""/complete-profile, /dashboard and /verify-email: what a new account is asked for."""

import re

from playwright.async_api import expect

from tests.browser.steps import open_mailed_link, screenshot, signed_in, status
from tests.support.http import PASSWORD


async def test_names_missing_are_asked_for_then_the_dashboard(page, new_email):
    email = "grace.hopper@example.com"
    await page.goto("/register")
    await page.get_by_label("Email", exact=True).fill(email)
    await page.get_by_label("Password", exact=True).fill(PASSWORD)
    await page.get_by_role("button", name="Create the account").click()  # no names given
    await expect(page).to_have_url(re.compile(r"/complete-profile$"))
    await expect(page.get_by_role("heading", name="Complete your profile")).to_be_visible()
    await expect(page.get_by_text(f"We sent a confirmation link to {email}.")).to_be_visible()
    await screenshot(page, "complete-profile")
    await page.get_by_label("First name").fill("Grace")
    await page.get_by_label("Last name").fill("Hopper")
    await page.get_by_role("button", name="Save and continue").click()
    await expect(page).to_have_url(re.compile(r"/dashboard$"))
    await expect(page.get_by_role("heading", name="Hello, Grace")).to_be_visible()


async def test_the_mailed_link_confirms_the_email(page, context, site, mail, new_email):
    email = new_email()
    await signed_in(context, site.api, email, firstname="Ada", lastname="Lovelace")
    await page.goto("/dashboard")
    await expect(page.get_by_text(f"Email: {email} (not confirmed)")).to_be_visible()
    await page.get_by_role("button", name="Send the link again").click()
    await expect(status(page, "A new confirmation link was sent.")).to_be_visible()
    await mail.wait_for(to=email)  # the one sent at registration: open the newest link
    link = await open_mailed_link(page, mail, email, "/verify-email")
    assert re.fullmatch(rf"{site.app}/verify-email\?token=[\w-]+", link)
    await expect(page.get_by_text(f"Your email address {email} is confirmed.")).to_be_visible()
    await page.goto("/dashboard")
    await expect(page.get_by_text(f"Email: {email} (confirmed)")).to_be_visible()
    await expect(page.get_by_role("heading", name="Confirm your email address")).to_have_count(0)


async def test_an_account_without_email_adds_one_by_the_mailed_link(page, github, mail, site, new_email):
    github.login_as("4242" + str(abs(hash(new_email())) % 10**6), name="Grace Hopper", emails=[])
    await page.goto("/login")
    await page.get_by_role("link", name="Sign in with GitHub").click()
    await expect(page.get_by_role("heading", name="Add an email address")).to_be_visible()
    email = new_email()
    await page.get_by_label("Email", exact=True).fill(email)
    await page.get_by_role("button", name="Send the confirmation link").click()
    await expect(status(page, f"A confirmation link was sent to {email}.")).to_be_visible()
    await open_mailed_link(page, mail, email, "/verify-email")
    await expect(page.get_by_text(f"Your email address {email} is confirmed.")).to_be_visible()


async def test_the_dashboard_shows_the_person_and_signs_out(page, context, site):
    await signed_in(context, site.api, "ada.lovelace@example.com", firstname="Ada", lastname="Lovelace")
    await page.goto("/dashboard")
    await expect(page.get_by_role("heading", name="Hello, Ada")).to_be_visible()
    await expect(page.get_by_text("Email: ada.lovelace@example.com (not confirmed)")).to_be_visible()
    await screenshot(page, "dashboard")
    await page.get_by_role("button", name="Sign out").click()
    await expect(page).to_have_url(re.compile(r"/login$"))
    await page.goto("/dashboard")  # signed out: the dashboard sends back to the login page
    await expect(page).to_have_url(re.compile(r"/login$"))


async def test_the_dashboard_without_a_session_sends_to_login(page):
    await page.goto("/dashboard")
    await expect(page).to_have_url(re.compile(r"/login$"))
