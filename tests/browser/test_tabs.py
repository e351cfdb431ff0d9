"""Two tabs of one browser whose `sid` expired at the same moment: one refresh for both
(the app's Web Lock), both stay signed in, and the API never takes it for a stolen token."""

import asyncio
import re

from playwright.async_api import expect

from tests.browser.steps import signed_in


async def test_two_tabs_whose_sid_expired_at_the_same_time_both_stay_signed_in(context, site, new_email):
    await signed_in(context, site.api, new_email(), firstname="Ada", lastname="Lovelace")
    tabs = [await context.new_page(), await context.new_page()]
    for tab in tabs:
        await tab.goto("/dashboard")
        await expect(tab.get_by_role("heading", name="Hello, Ada")).to_be_visible()
    refreshes = []
    context.on("request", lambda r: refreshes.append(r.method) if r.url.endswith("/auth/refresh") else None)

    await context.clear_cookies(name="sid")  # what the browser does when Max-Age runs out
    await asyncio.gather(*(tab.reload() for tab in tabs))

    for tab in tabs:
        await expect(tab.get_by_role("heading", name="Hello, Ada")).to_be_visible()
        await expect(tab).to_have_url(re.compile(r"/dashboard$"))
    assert refreshes == ["POST"], refreshes  # one: the second tab found the first one's new sid
    assert {c["name"] for c in await context.cookies(site.api)} >= {"sid"}
    events = await context.request.get(f"{site.api}/auth/events")
    assert events.ok, await events.text()
    kinds = [event["kind"] for event in (await events.json())["events"]]
    assert "refresh_reuse_detected" not in kinds, kinds
