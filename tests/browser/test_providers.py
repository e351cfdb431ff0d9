"""The provider buttons, through the fake Google, Facebook and GitHub (they approve at once
for the person set with login_as), and /auth/finish's other cases."""

import re
import uuid

from playwright.async_api import expect

from tests.browser.steps import alert, proven, registered, signed_in, status
from tests.support.http import PASSWORD


async def test_sign_in_with_google(page, idp, new_email):
    email = new_email()
    idp.login_as(f"g-{uuid.uuid4().hex}", email=email, email_verified=True, name="Ada Lovelace",
                 given_name="Ada", family_name="Lovelace")
    await page.goto("/login")
    await page.get_by_role("link", name="Sign in with Google").click()
    await expect(page).to_have_url(re.compile(r"/dashboard$"))
    await expect(page.get_by_role("heading", name="Hello, Ada")).to_be_visible()
    await expect(page.get_by_text(f"Email: {email} (confirmed)")).to_be_visible()


async def test_sign_in_with_facebook_asks_to_confirm_the_email(page, facebook):
    subject = str(uuid.uuid4().int % 10**15)
    email = f"fb-{subject}@example.com"
    facebook.login_as(subject, first_name="Ada", last_name="Lovelace", name="Ada Lovelace", email=email)
    await page.goto("/login")
    await page.get_by_role("link", name="Sign in with Facebook").click()
    await expect(page).to_have_url(re.compile(r"/dashboard$"))
    await expect(page.get_by_text(f"Email: {email} (not confirmed)")).to_be_visible()
    await expect(page.get_by_role("heading", name="Confirm your email address")).to_be_visible()


async def test_sign_in_with_github_without_an_email_asks_for_one(page, github):
    subject = str(uuid.uuid4().int % 10**9)
    github.login_as(subject, name="Grace Hopper", emails=[])
    await page.goto("/register")
    await page.get_by_role("link", name="Sign in with GitHub").click()
    await expect(page).to_have_url(re.compile(r"/complete-profile$"))
    await expect(page.get_by_role("heading", name="Add an email address")).to_be_visible()


async def test_a_refused_sign_in_comes_back_to_the_login_page(page, idp):
    idp.deny_next()
    await page.goto("/login")
    await page.get_by_role("link", name="Sign in with Google").click()
    await expect(page).to_have_url(re.compile(r"/auth/login\?error=access_denied"))
    await expect(alert(page, "The sign-in was cancelled.")).to_be_visible()


async def test_finish_with_an_error_offers_to_sign_in_again(page):
    await page.goto("/auth/finish?error=invalid_state")
    await expect(alert(page, "The sign-in expired or was started in another browser.")).to_be_visible()
    await page.get_by_role("link", name="Sign in").click()
    await expect(page).to_have_url(re.compile(r"/login$"))


async def test_finish_for_an_account_without_password_offers_its_providers(page):
    await page.goto("/auth/finish?from=social&providers=google,github")
    await expect(page.get_by_role("heading", name="Sign in with a provider")).to_be_visible()
    await expect(alert(page, "This account has no password: sign in with Google, GitHub")).to_be_visible()
    await expect(page.get_by_role("link", name="Sign in with Google")).to_be_visible()
    await expect(page.get_by_role("link", name="Sign in with GitHub")).to_be_visible()
    await expect(page.get_by_role("link", name="Sign in with Facebook")).to_have_count(0)


async def test_finish_without_a_session_says_the_sign_in_failed(page):
    await page.goto("/auth/finish?from=social&provider=google")
    await expect(alert(page, "The sign-in did not succeed. Please sign in again.")).to_be_visible()


async def test_a_provider_whose_email_is_unproven_is_linked_by_the_password(page, site, idp, mail, new_email):
    email = new_email()
    await registered(site.api, email, firstname="Ada", lastname="Lovelace")
    await proven(site.api, mail, email)  # an account whose own address is unproven gains no provider
    idp.login_as(f"g-{uuid.uuid4().hex}", email=email, email_verified=False, name="Ada Lovelace")
    await page.goto("/login")
    await page.get_by_role("link", name="Sign in with Google").click()
    await expect(page).to_have_url(re.compile(r"/auth/login\?error=email_not_verified&provider=google&pending=link"))
    await expect(status(page, "Sign in with your password to link Google to your account.")).to_be_visible()
    await expect(page.get_by_role("link", name="Sign in with Google")).to_have_count(0)
    await page.wait_for_load_state()  # a full navigation: the form keeps what is typed once its script has run
    await page.get_by_label("Email or username", exact=True).fill(email)
    await page.get_by_label("Password", exact=True).fill(PASSWORD)
    await page.get_by_role("button", name="Sign in", exact=True).click()
    await expect(page).to_have_url(re.compile(r"/dashboard\?linked=google$"))
    await expect(status(page, "Google is now linked to your account.")).to_be_visible()


async def test_finish_after_a_form_login_with_names_missing_asks_for_them(page, context, site, new_email):
    await signed_in(context, site.api, new_email())  # no names: complete_profile
    await page.goto("/auth/finish?from=local&complete=false")
    await expect(page).to_have_url(re.compile(r"/complete-profile$"))
    await expect(page.get_by_label("First name")).to_be_visible()
