"""/account: profile, email change, phone and its WhatsApp code, password, linked providers,
sessions, security activity."""

import re
import uuid

from playwright.async_api import expect

from tests.browser.steps import (
    a_number,
    api_client,
    open_mailed_link,
    screenshot,
    sign_in_with_password,
    signed_in,
    signed_in_proven,
    status,
)
from tests.support.http import PASSWORD


def region(page, name: str):
    return page.get_by_role("region", name=name)


async def test_the_profile_is_edited(page, context, site):
    await signed_in(context, site.api, "ada@example.com", firstname="Ada", lastname="Lovelace")
    await page.goto("/account")
    await expect(page.get_by_role("heading", name="Account settings")).to_be_visible()
    profile = region(page, "Profile")
    await expect(profile.get_by_label("First name")).to_have_value("Ada")
    await screenshot(page, "account")
    await profile.get_by_label("First name").fill("Augusta Ada")
    await profile.get_by_label("Username").fill(f"ada{uuid.uuid4().hex[:6]}")
    await profile.get_by_label("Language of messages").select_option("en")
    await profile.get_by_role("button", name="Save the profile").click()
    await expect(status(page, "Profile saved.")).to_be_visible()
    await page.goto("/dashboard")
    await expect(page.get_by_role("heading", name="Hello, Augusta Ada")).to_be_visible()


async def test_the_email_changes_when_the_mailed_link_is_opened(page, context, site, mail, new_email):
    old, new = new_email(), new_email()
    await signed_in(context, site.api, old, firstname="Ada", lastname="Lovelace")
    await page.goto("/account")
    email = region(page, "Email address")
    await expect(email.get_by_text(f"Current address: {old} (not confirmed)")).to_be_visible()
    await email.get_by_label("New email address").fill(new)
    await email.get_by_label("Your password").fill(PASSWORD)
    await email.get_by_role("button", name="Change the email address").click()
    await expect(status(page, f"A confirmation link was sent to {new}.")).to_be_visible()
    await open_mailed_link(page, mail, new, "/verify-email")
    await expect(page.get_by_text(f"Your email address {new} is confirmed.")).to_be_visible()
    await page.goto("/account")
    await expect(region(page, "Email address").get_by_text(f"Current address: {new} (confirmed)")).to_be_visible()


async def test_the_phone_is_saved_and_verified_with_the_whatsapp_code(page, context, site, whatsapp, mail, new_email):
    number = a_number()
    await signed_in_proven(context, site.api, mail, new_email(), firstname="Ada", lastname="Lovelace")
    await page.goto("/account")
    phone = region(page, "Phone")
    await phone.get_by_label("Phone number").fill(number)
    await phone.get_by_role("button", name="Save the phone number").click()
    await expect(phone.get_by_text(f"Current number: {number} (not verified)")).to_be_visible()
    await phone.get_by_role("button", name="Send a WhatsApp code").click()
    await expect(status(page, "A 6-digit code was sent by WhatsApp.")).to_be_visible()
    code = (await whatsapp.wait_for(to=number)).code
    await phone.get_by_label("WhatsApp code").fill(code)
    await phone.get_by_role("button", name="Verify the phone number").click()
    await expect(status(page, "Phone number verified.")).to_be_visible()
    await expect(phone.get_by_text(f"Current number: {number} (verified)")).to_be_visible()


async def test_the_password_is_changed_and_the_activity_lists_it(page, context, site, new_email):
    email = new_email()
    await signed_in(context, site.api, email, firstname="Ada", lastname="Lovelace")
    await page.goto("/account")
    password = region(page, "Password")
    await password.get_by_label("Current password").fill("not-the-password-3")
    await password.get_by_label("New password").fill("a-brand-new-secret-77")
    await password.get_by_role("button", name="Change the password").click()
    await expect(page.get_by_role("alert").filter(has_text="The password is wrong.")).to_be_visible()
    await password.get_by_label("Current password").fill(PASSWORD)
    await password.get_by_role("button", name="Change the password").click()
    await expect(status(page, "Password changed. Your other sessions were ended.")).to_be_visible()
    activity = region(page, "Security activity")
    await expect(activity.get_by_text("Password changed")).to_be_visible()
    await expect(activity.get_by_text("Signed in").first).to_be_visible()
    await context.clear_cookies()
    await sign_in_with_password(page, email, "a-brand-new-secret-77")
    await expect(page).to_have_url(re.compile(r"/dashboard$"))


async def test_a_provider_is_linked_then_unlinked(page, context, site, github, mail, new_email):
    await signed_in_proven(context, site.api, mail, new_email(), firstname="Ada", lastname="Lovelace")
    subject = str(uuid.uuid4().int % 10**9)
    github.login_as(subject, name="Ada Lovelace", emails=[
        {"email": f"gh-{subject}@example.com", "primary": True, "verified": True, "visibility": None}])
    await page.goto("/account")
    providers = region(page, "Linked accounts")
    await expect(providers.get_by_text("No linked account.")).to_be_visible()
    await providers.get_by_role("link", name="Link GitHub").click()
    await expect(page).to_have_url(re.compile(r"/account$"))
    providers = region(page, "Linked accounts")
    await expect(providers.get_by_text(re.compile(r"^GitHub, linked on"))).to_be_visible()
    await providers.get_by_role("button", name="Unlink GitHub").click()
    await expect(status(page, "GitHub unlinked.")).to_be_visible()
    await expect(providers.get_by_text("No linked account.")).to_be_visible()
    await expect(region(page, "Security activity").get_by_text("Account unlinked")).to_be_visible()


async def test_the_last_way_to_sign_in_cannot_be_unlinked(page, idp, new_email):
    idp.login_as(f"g-{uuid.uuid4().hex}", email=new_email(), email_verified=True, given_name="Ada",
                 family_name="Lovelace", name="Ada Lovelace")
    await page.goto("/login")
    await page.get_by_role("link", name="Sign in with Google").click()
    await expect(page).to_have_url(re.compile(r"/dashboard$"))
    await page.goto("/account")
    await region(page, "Linked accounts").get_by_role("button", name="Unlink Google").click()
    await expect(page.get_by_role("alert").filter(has_text="This is your last way to sign in")).to_be_visible()


async def test_sessions_are_ended_one_then_all_others(page, context, site, new_email):
    email = new_email()
    await signed_in(context, site.api, email, firstname="Ada", lastname="Lovelace")
    for _ in range(3):  # three other browsers
        async with api_client(site.api) as http:
            answer = await http.post("/auth/login", json={"emailOrUsername": email, "password": PASSWORD})
            assert answer.status_code == 200, answer.text
    await page.goto("/account")
    sessions = region(page, "Sessions")
    items = sessions.get_by_role("listitem")
    await expect(items).to_have_count(4)
    await expect(items.filter(has_text="this device")).to_have_count(1)
    await items.filter(has_not_text="this device").first.get_by_role("button", name="End").click()
    await expect(status(page, "Session ended.")).to_be_visible()
    await expect(items).to_have_count(3)
    await sessions.get_by_role("button", name="End all other sessions").click()
    await expect(status(page, "2 other session(s) ended.")).to_be_visible()
    await expect(items).to_have_count(1)
    await expect(sessions.get_by_role("button", name="End all other sessions")).to_have_count(0)
    await page.reload()  # the activity list is read when the page opens
    await expect(region(page, "Security activity").get_by_text("Session ended").first).to_be_visible()


async def test_a_provider_account_of_someone_else_is_not_linked(page, context, site, github, mail, new_email):
    subject = str(uuid.uuid4().int % 10**9)
    github.login_as(subject, name="Grace Hopper", emails=[
        {"email": f"gh-{subject}@example.com", "primary": True, "verified": True, "visibility": None}])
    await page.goto("/login")
    await page.get_by_role("link", name="Sign in with GitHub").click()  # that GitHub account has a user
    await expect(page).to_have_url(re.compile(r"/dashboard$"))
    await context.clear_cookies()
    await signed_in_proven(context, site.api, mail, new_email(), firstname="Ada", lastname="Lovelace")
    await page.goto("/account")
    await region(page, "Linked accounts").get_by_role("link", name="Link GitHub").click()
    await expect(page).to_have_url(re.compile(r"/auth/login\?error=account_already_linked"))
    await expect(page.get_by_role("alert").filter(
        has_text="This provider account is already linked to another user.")).to_be_visible()
    await page.get_by_role("link", name="Account settings").click()  # still signed in: the way back
    await expect(region(page, "Linked accounts").get_by_text("No linked account.")).to_be_visible()
