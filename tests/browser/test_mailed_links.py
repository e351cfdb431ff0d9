"""/secure-account and /unlock, opened from the links the API mails."""

import re

from playwright.async_api import expect

from tests.browser.steps import alert, api_client, open_mailed_link, registered, sign_in_with_password, status
from tests.support.http import PASSWORD


async def test_not_you_secures_the_account(page, site, mail, new_email):
    email = new_email()
    await registered(site.api, email)
    async with api_client(site.api) as http:  # someone else, signed in, changes the address
        await http.post("/auth/login", json={"emailOrUsername": email, "password": PASSWORD})
        answer = await http.post("/auth/email/change", json={"email": new_email(), "password": PASSWORD})
        assert answer.status_code == 202, answer.text
    await open_mailed_link(page, mail, email, "/secure-account")  # the notice to the old address
    await expect(page.get_by_role("heading", name="Secure your account")).to_be_visible()
    await page.get_by_role("button", name="Secure my account").click()
    done = status(page, "Done: every session was ended and the password removed.")
    await expect(done).to_be_visible()
    await expect(done.get_by_role("listitem")).to_have_text(
        ["The email address change was cancelled: its confirmation link no longer works."])
    await sign_in_with_password(page, email)  # the password is gone
    await expect(page).to_have_url(re.compile(r"/login$"))
    await expect(page.get_by_role("alert").filter(has_text=re.compile(r"\w"))).to_be_visible()


async def test_a_locked_account_is_unlocked_by_the_mailed_link(page, site, mail, new_email):
    email = new_email()
    await registered(site.api, email)
    async with api_client(site.api) as http:  # someone guesses: the account locks
        for _ in range(11):
            answer = await http.post("/auth/login", json={"emailOrUsername": email, "password": "a-wrong-guess-1"})
        assert answer.status_code == 423, answer.text
    await sign_in_with_password(page, email)
    await expect(alert(page, "Too many failed attempts: try again in")).to_be_visible()
    await open_mailed_link(page, mail, email, "/unlock")
    await expect(page.get_by_role("heading", name="Unlock your account")).to_be_visible()
    await page.get_by_role("button", name="Unlock my account").click()
    await expect(status(page, "Your account is unlocked. You can sign in again.")).to_be_visible()
    await page.get_by_role("link", name="Sign in", exact=True).click()
    await sign_in_with_password(page, email)
    await expect(page).to_have_url(re.compile(r"/(dashboard|complete-profile)$"))


async def test_a_dead_link_says_so(page):
    dead = "This link is invalid, already used or expired."
    await page.goto("/unlock?token=no-such-token")
    await page.get_by_role("button", name="Unlock my account").click()
    await expect(alert(page, dead)).to_be_visible()
    await page.goto("/secure-account?token=no-such-token")
    await page.get_by_role("button", name="Secure my account").click()
    await expect(alert(page, dead)).to_be_visible()
    await page.goto("/verify-email?token=no-such-token")  # posted as soon as it opens
    await expect(alert(page, dead)).to_be_visible()
    await page.goto("/verify-email")
    await expect(alert(page, "This link is incomplete: open the link from the message again.")).to_be_visible()
