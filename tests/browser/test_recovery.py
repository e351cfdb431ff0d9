"""/forgot-password (by email link, by WhatsApp code), /verify-phone and /reset-password."""

import re

from playwright.async_api import expect

from tests.browser.steps import (
    a_number,
    alert,
    open_mailed_link,
    registered,
    screenshot,
    sign_in_with_password,
    status,
    with_verified_phone,
)

NEW_PASSWORD = "a-brand-new-secret-77"


async def choose_new_password(page, password: str = NEW_PASSWORD, confirm: str | None = None) -> None:
    await expect(page.get_by_role("heading", name="Choose a new password")).to_be_visible()
    await page.get_by_label("New password", exact=True).fill(password)
    await page.get_by_label("Confirm password", exact=True).fill(confirm or password)
    await page.get_by_role("button", name="Set the new password").click()


async def signs_in_with_the_new_password(page, identifier: str) -> None:
    await expect(status(page, "Your password was changed. Sign in with it.")).to_be_visible()
    await page.get_by_role("link", name="Sign in", exact=True).click()
    await expect(page).to_have_url(re.compile(r"/login$"))
    await sign_in_with_password(page, identifier, NEW_PASSWORD)
    await expect(page).to_have_url(re.compile(r"/dashboard$"))


async def test_a_forgotten_password_is_reset_by_the_mailed_link(page, site, mail, new_email):
    email = new_email()
    await registered(site.api, email, firstname="Ada", lastname="Lovelace")
    await page.goto("/login")
    await page.get_by_role("link", name="Forgot your password?").click()
    await expect(page.get_by_role("heading", name="Forgot your password?")).to_be_visible()
    await screenshot(page, "forgot-password")
    await page.get_by_label("Email", exact=True).fill(email)
    await page.get_by_role("button", name="Send the reset link").click()
    await expect(status(page, "If an account uses this address, a reset link was sent to it.")).to_be_visible()
    await open_mailed_link(page, mail, email, "/reset-password")
    await choose_new_password(page)
    await signs_in_with_the_new_password(page, email)


async def test_a_forgotten_password_is_reset_by_the_whatsapp_code(page, site, whatsapp, mail, new_email):
    email, number = new_email(), a_number()
    await with_verified_phone(site.api, whatsapp, mail, email, number)
    await page.goto("/forgot-password")
    await expect(page.get_by_role("heading", name="By WhatsApp")).to_be_visible()
    await page.get_by_label("Phone number", exact=True).fill(number)
    await page.get_by_role("button", name="Send a code").click()
    await expect(page).to_have_url(re.compile(r"/verify-phone\?phone="))
    await expect(page.get_by_role("heading", name="Enter the WhatsApp code")).to_be_visible()
    await expect(page.get_by_label("Phone number")).to_have_value(number)
    code = (await whatsapp.wait_for(to=number)).code
    await page.get_by_label("Code", exact=True).fill(code)
    await page.get_by_role("button", name="Check the code").click()
    await expect(status(page, "Code accepted: choose a new password.")).to_be_visible()
    await choose_new_password(page)
    await expect(status(page, "Your password was changed. Sign in with it.")).to_be_visible()
    await expect(page.get_by_role("status")).to_have_count(1)  # it replaced "Code accepted"
    await signs_in_with_the_new_password(page, email)


async def test_a_wrong_whatsapp_code_is_refused(page, site, whatsapp, mail, new_email):
    number = a_number()
    await with_verified_phone(site.api, whatsapp, mail, new_email(), number)
    await page.goto(f"/verify-phone?phone={number.replace('+', '%2B')}")
    code = "000000"
    await page.get_by_label("Code", exact=True).fill(code)
    await page.get_by_role("button", name="Check the code").click()
    await expect(alert(page, "This code is wrong or expired.")).to_be_visible()


async def test_the_reset_page_says_when_the_passwords_differ_or_the_link_is_dead(page):
    await page.goto("/reset-password?token=no-such-token")
    await choose_new_password(page, confirm="something-else-entirely")
    await expect(alert(page, "The two passwords differ.")).to_be_visible()
    await choose_new_password(page)
    await expect(alert(page, "This link is invalid, already used or expired.")).to_be_visible()
    await page.get_by_role("link", name="Ask for a new link or code").click()
    await expect(page).to_have_url(re.compile(r"/forgot-password$"))


async def test_the_reset_page_without_a_token_leads_to_asking_for_one(page):
    await page.goto("/reset-password")
    await expect(alert(page, "This link is incomplete: open the link from the message again.")).to_be_visible()
    await page.get_by_role("link", name="Ask for a new link or code").click()
    await expect(page.get_by_role("heading", name="Forgot your password?")).to_be_visible()
