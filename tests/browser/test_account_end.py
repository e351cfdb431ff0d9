"""/account, "Your data": the download of everything the service holds about the account, and
the deletion of the account, each after the "Confirm it's you" dialog when the sign-in is old."""

import json
import re

from playwright.async_api import expect

from tests.browser.steps import registered, signed_in, status
from tests.browser.test_two_step import go_stale
from tests.support.http import PASSWORD


def your_data(page):
    return page.get_by_role("region", name="Your data")


async def confirm_it_is_you(page) -> None:
    dialog = page.get_by_role("dialog", name="Confirm it's you")
    await dialog.get_by_label("Password").fill(PASSWORD)
    await dialog.get_by_role("button", name="Confirm").click()
    await expect(dialog).to_be_hidden()


async def test_my_data_is_downloaded_after_confirming_it_is_me(page, context, site, new_email, browser_database_url):
    email = new_email()
    await signed_in(context, site.api, email, firstname="Ada", lastname="Lovelace")
    await go_stale(browser_database_url, email)
    await page.goto("/account")
    async with page.expect_download() as downloading:
        await your_data(page).get_by_role("button", name="Download my data").click()
        await confirm_it_is_you(page)
    download = await downloading.value
    assert re.fullmatch(r"account-data-\d{4}-\d{2}-\d{2}\.json", download.suggested_filename)
    data = json.loads(open(await download.path(), encoding="utf-8").read())
    assert data["user"]["email"] == email and data["user"]["profile"]["firstname"] == "Ada"
    assert {"accounts", "sessions", "events", "passkeys", "secondFactor", "exportedAt"} <= set(data)
    assert "reauthenticated" in {event["kind"] for event in data["events"]}  # the dialog's proof
    assert "$argon2" not in json.dumps(data)  # no password hash
    await expect(status(page, "Your data was downloaded.")).to_be_visible()


async def test_deleting_my_account_signs_me_out_and_frees_the_email(page, context, site, mail, new_email,
                                                                     browser_database_url):
    email = new_email()
    await signed_in(context, site.api, email, firstname="Ada", lastname="Lovelace")
    await go_stale(browser_database_url, email)
    await page.goto("/account")
    card = your_data(page)
    await card.get_by_role("button", name="Delete my account").click()
    for consequence in ("ends every session", "unlinks your sign-in providers",
                        "removes your passkeys and two-step verification", "This cannot be undone."):
        await expect(card.get_by_text(consequence)).to_be_visible()
    await card.get_by_role("button", name="Keep my account").click()  # changing one's mind changes nothing
    await expect(card.get_by_role("button", name="Delete my account for good")).to_be_hidden()

    await card.get_by_role("button", name="Delete my account").click()
    await card.get_by_role("button", name="Delete my account for good").click()
    await confirm_it_is_you(page)
    await expect(page).to_have_url(re.compile(r"/login\?deleted=1$"))
    await expect(status(page, "Your account was deleted.")).to_be_visible()
    assert {c["name"] for c in await context.cookies()} & {"sid", "refresh_token"} == set()
    await page.goto("/account")
    await expect(page).to_have_url(re.compile(r"/login$"))

    notice = await mail.wait_for(to=email)
    while "deleted" not in notice.subject:
        notice = await mail.wait_for(to=email)
    await registered(site.api, email)  # the email is free again
