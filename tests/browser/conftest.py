"""Browser tests: the example Next.js app (a production build) and the API, both on
"localhost" (so the API's cookies are same-site for the app), driven in Debian's Chromium by
Playwright, with the fake Google, Facebook, GitHub, SendGrid and Twilio of the e2e tests.

One API server and one app per session (the app is built for that API's port), one Chromium,
and a fresh browser context (cookies, storage) per test. `make browser` runs only these.
"""

from dataclasses import dataclass

import pytest
from playwright.async_api import Browser, BrowserContext, Page, async_playwright, expect

from tests.support.e2e_fixtures import SECRET_KEY, breach_check_env, messaging_env
from tests.support.database import test_database
from tests.support.next_app import CHROMIUM, CHROMIUM_ARGS, missing_prerequisites, running_app
from tests.support.server import ROOT, free_port, running_server

GRACE_SECONDS = 10  # the default: two tabs refreshing together fall well inside it
VIEWPORT = {"width": 1280, "height": 800}
FAILURES = ROOT / ".data" / "browser-failures"
expect.set_options(timeout=15_000)  # two shared cores: a page may take seconds to hydrate


@dataclass(frozen=True)
class Site:
    app: str  # the Next app's origin, http://localhost:<port>
    api: str  # the API as the browser reaches it, http://localhost:<port>

    def url(self, path: str) -> str:
        return self.app + path


@pytest.fixture(scope="session")
def prerequisites():
    """Fail (never skip) with what to install: in CI these tests must run."""
    missing = missing_prerequisites()
    if missing:
        pytest.fail("The browser tests cannot run here; missing:\n  - " + "\n  - ".join(missing)
                    + "\n`make browser-deps` installs them where it can.", pytrace=False)


@pytest.fixture(scope="session")
def ports():
    api = free_port()
    app = free_port()
    while app == api:
        app = free_port()
    return {"api": api, "app": app}


@pytest.fixture(scope="session")
def browser_database_url(prerequisites):
    """A database of its own: the outbox dispatchers of two servers on one database would
    deliver each other's messages, with the other's FRONTEND_ORIGIN in the links."""
    with test_database() as url:
        yield url


@pytest.fixture(scope="session")
def browser_api(ports, browser_database_url, idp, facebook, github, mail, whatsapp, pwned):
    """The API for the browser tests: its own server, whose frontend is the app under test
    and whose provider callbacks come back to http://localhost:<port>, the host the
    browser uses (cookies follow the host, not the port)."""
    port, public = ports["api"], f"http://localhost:{ports['api']}"
    env = {
        "DATABASE_URL": browser_database_url,
        "APP_ENV": "development",
        "SECRET_KEY": SECRET_KEY,
        "FRONTEND_ORIGIN": f"http://localhost:{ports['app']}",
        "PUBLIC_URL": public,
        "REFRESH_REUSE_GRACE": str(GRACE_SECONDS),
        "RUN_MIGRATIONS": "false",
        "GOOGLE_CLIENT_ID": idp.client_id,
        "GOOGLE_CLIENT_SECRET": idp.client_secret,
        "GOOGLE_DISCOVERY_URL": idp.discovery_url,
        "GOOGLE_CALLBACK_URL": f"{public}/auth/google/callback",
        "FACEBOOK_CLIENT_ID": facebook.client_id,
        "FACEBOOK_CLIENT_SECRET": facebook.client_secret,
        "FACEBOOK_AUTHORIZE_URL": facebook.authorize_url,
        "FACEBOOK_GRAPH_URL": facebook.graph_url,
        "FACEBOOK_CALLBACK_URL": f"{public}/auth/facebook/callback",
        "GITHUB_CLIENT_ID": github.client_id,
        "GITHUB_CLIENT_SECRET": github.client_secret,
        "GITHUB_OAUTH_URL": github.oauth_url,
        "GITHUB_API_URL": github.api_url,
        "GITHUB_CALLBACK_URL": f"{public}/auth/github/callback",
        **messaging_env(mail, whatsapp),
        **breach_check_env(pwned),
    }
    # Two workers, as in production: two tabs' refreshes may land in different processes.
    with running_server(env, workers=2, port=port):
        yield public


@pytest.fixture(scope="session")
def site(browser_api, ports):
    with running_app(browser_api, ports["app"]) as origin:
        yield Site(app=origin, api=browser_api)


@pytest.fixture(scope="session")
async def browser(prerequisites) -> Browser:
    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        await chromium.close()


@pytest.fixture
async def context(browser, site, request) -> BrowserContext:
    """A fresh browser profile per test, in English unless the test says otherwise
    (@pytest.mark.parametrize("locale", ...) or a `locale` fixture override)."""
    locale = getattr(request, "param", None) or "en-US"
    ctx = await browser.new_context(viewport=VIEWPORT, locale=locale, base_url=site.app)
    ctx.set_default_timeout(15_000)
    ctx.set_default_navigation_timeout(30_000)
    yield ctx
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        FAILURES.mkdir(parents=True, exist_ok=True)
        for index, page in enumerate(ctx.pages):
            await page.screenshot(path=str(FAILURES / f"{request.node.name}-{index}.png"))
    await ctx.close()


@pytest.fixture
async def page(context) -> Page:
    return await context.new_page()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Keep the call's report on the item, for `context` to screenshot the pages of a failure."""
    report = yield
    if report.when == "call":
        item.rep_call = report
    return report


@pytest.fixture(autouse=True)
def _no_failures_left(no_failures_left):
    """Every browser test leaves the fake SendGrid and Twilio without pending failures."""
