"""What an operator sees, end to end: the service started as in production's shape
(`LOG_FORMAT=json`, `METRICS_PORT`, two workers) on a database of its own, driven through
registrations, logins (good, bad, a lock, then a flood), refreshes (a reuse), an unlock, a
reset and its "not you?", a phone code, a Google sign-in and a database error. Then its log and
one scrape of its metrics:

- every line is one JSON object; a request's id (sent or made) is on its access line and on
  every other line written while serving it;
- the security lines are there, each with its event, the user's id and the client's address;
- nothing secret is anywhere in the log: passwords, emails, the phone number, the hash, cookie
  values, tokens, codes, Google's code and state, the refused row's values;
- the counters, summed over both workers, add up to what was done."""

import asyncio
import json
import uuid
from collections import Counter
from urllib.parse import parse_qs, urlsplit

import asyncpg
import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.e2e.test_google_sign_in import FINISH, go_to_google, person
from tests.e2e.test_phone_code_flow import a_number
from tests.support.database import test_database as fresh_database
from tests.support.e2e_fixtures import FRONTEND, SECRET_KEY, client_address, messaging_env
from tests.support.http import device_cookie, prove_email, session_cookies
from tests.support.server import free_port, log_path, running_server
from web.edge.client import client_address as canonical

PASSWORD = "observed-password-4242"
NEW_PASSWORD = "observed-new-password-77"
GRACE = 1  # REFRESH_REUSE_GRACE, short: the reuse comes right after
LOCK_AFTER = 10  # LoginLimits().failures
PER_ADDRESS = 30  # AddressLimit().requests per minute


@pytest.fixture(scope="module")
def observed(idp, mail, whatsapp):
    """The service as an operator runs it, with its ports and its log."""
    with fresh_database() as url:
        port, metrics_port = free_port(), free_port()
        env = {
            "DATABASE_URL": url, "APP_ENV": "development", "RUN_MIGRATIONS": "false",
            "SECRET_KEY": SECRET_KEY, "FRONTEND_ORIGIN": FRONTEND, "LOG_FORMAT": "json",
            "METRICS_PORT": str(metrics_port), "REFRESH_REUSE_GRACE": str(GRACE),
            "GOOGLE_CLIENT_ID": "sesame-e2e", "GOOGLE_CLIENT_SECRET": "e2e-client-secret",
            "GOOGLE_DISCOVERY_URL": idp.discovery_url,
            "GOOGLE_CALLBACK_URL": f"http://127.0.0.1:{port}/auth/google/callback",
            **messaging_env(mail, whatsapp),
        }
        with running_server(env, workers=2, port=port) as base_url:
            yield Observed(base_url, metrics_port, url, log_path(port))


class Observed:
    def __init__(self, base_url: str, metrics_port: int, database_url: str, log) -> None:
        self.base_url, self.metrics_port, self.database_url, self.log = base_url, metrics_port, database_url, log
        self.secrets: list[str] = [PASSWORD, NEW_PASSWORD]
        self.done: Counter = Counter()  # what the metrics must count

    def client(self, address: str | None = None, **headers) -> httpx.AsyncClient:
        """A browser of its own (cookies kept), from its own address unless one is given."""
        return httpx.AsyncClient(base_url=self.base_url, timeout=30,
                                 headers={"X-Forwarded-For": address or client_address(), **headers})

    def lines(self) -> list[dict]:
        text = self.log.read_text()
        for secret in self.secrets:
            assert secret not in text, f"{secret!r} is in the log"
        lines = []
        for raw in text.splitlines():
            try:
                lines.append(json.loads(raw))
            except ValueError:
                pytest.fail(f"not a JSON line: {raw!r}")
        return lines

    def scrape(self) -> dict:
        text = httpx.get(f"http://127.0.0.1:{self.metrics_port}/metrics", timeout=10).text
        return {(sample.name, frozenset(sample.labels.items())): sample.value
                for family in text_string_to_metric_families(text) for sample in family.samples}


async def register(site: Observed, email: str, request_id: str) -> httpx.Response:
    async with site.client() as browser:
        answer = await browser.post("/auth/register", json={"email": email, "password": PASSWORD},
                                    headers={"X-Request-ID": request_id})
    return answer


async def mail_link(mail, to: str, path: str):
    """The next email to `to` whose link goes to `path` (others, earlier, are passed over)."""
    while True:
        message = await mail.wait_for(to=to)
        if any(path in link for link in message.links):
            return message


def of(lines: list[dict], request_id: str) -> list[dict]:
    return [line for line in lines if line.get("request_id") == request_id]


def security(lines: list[dict], event: str) -> list[dict]:
    return [line for line in lines if line.get("event") == event and line["logger"] == "sesame.security"]


def total(seen: dict, name: str, **labels) -> float:
    """A metric summed over the series matching `labels`."""
    wanted = set(labels.items())
    return sum(value for (sample, labels_of), value in seen.items() if sample == name and wanted <= labels_of)


@pytest.fixture(scope="module")
async def driven(observed, mail, whatsapp, idp) -> dict:
    """Everything an operator should see, done once; what each step's ids were."""
    site, ids = observed, {}
    database = await asyncpg.connect(site.database_url.replace("postgresql+asyncpg", "postgresql"))
    try:
        await drive(site, ids, database, mail, whatsapp, idp)
    finally:
        await database.close()
    return ids


async def drive(site: Observed, ids: dict, database, mail, whatsapp, idp) -> None:
    ada, bob = f"ada-{uuid.uuid4().hex[:8]}@example.com", f"bob-{uuid.uuid4().hex[:8]}@example.com"
    site.secrets += [ada, bob]

    # Registrations: Ada, Bob.
    registered = await register(site, ada, "obs-register-ada")
    assert registered.status_code == 201, registered.text
    ids["ada"] = registered.json()["user"]["id"]
    sid, refresh = session_cookies(registered)
    site.secrets += [sid, refresh, device_cookie(registered),
                     await database.fetchval("SELECT password_hash FROM users WHERE email = $1", ada)]
    assert (await register(site, bob, "obs-register-bob")).status_code == 201
    site.done["registrations"] += 2

    # A good login, then ten bad ones from ten addresses: the tenth locks Ada's account.
    async with site.client() as browser:
        good = await browser.post("/auth/login", json={"email": ada, "password": PASSWORD})
        assert good.status_code == 200, good.text
        site.secrets += list(session_cookies(good))
    site.done["success"] += 1
    for attempt in range(1, LOCK_AFTER + 1):
        async with site.client() as stranger:
            bad = await stranger.post("/auth/login", json={"email": ada, "password": f"guess-{attempt}-wrong"},
                                      headers={"X-Request-ID": f"obs-bad-login-{attempt}"})
        assert bad.status_code == 401, bad.text
    site.done["invalid_credentials"] += LOCK_AFTER
    # Then a flood from one address: refused by the lock, until the address is refused too.
    flooding = client_address()
    ids["flooding"] = canonical(flooding)
    async with site.client(flooding) as flood:
        for attempt in range(PER_ADDRESS):
            locked = await flood.post("/auth/login", json={"email": ada, "password": "guess-again"})
            assert locked.status_code == 423, locked.text
        limited = await flood.post("/auth/login", json={"email": ada, "password": "guess-again"},
                                   headers={"X-Request-ID": "obs-rate-limited"})
        assert limited.status_code == 429, limited.text
    site.done["locked"] += PER_ADDRESS
    site.done["rate_limited"] += 1

    # The unlock link lifts it.
    unlock = await mail_link(mail, ada, "/unlock?")
    site.secrets.append(unlock.token)
    async with site.client() as owner:
        assert (await owner.post("/auth/unlock", json={"token": unlock.token},
                                 headers={"X-Request-ID": "obs-unlock"})).status_code == 200

    # A refresh rotates; the old token presented after the grace window is a reuse.
    async with site.client(Cookie=f"refresh_token={refresh}") as tab:
        rotated = await tab.post("/auth/refresh")
        assert rotated.status_code == 200, rotated.text
        site.secrets += list(session_cookies(rotated))
    await asyncio.sleep(GRACE + 0.5)
    async with site.client(Cookie=f"refresh_token={refresh}") as thief:
        reused = await thief.post("/auth/refresh", headers={"X-Request-ID": "obs-reuse"})
        assert reused.status_code == 401, reused.text
    site.done["rotated"] += 1
    site.done["reuse_detected"] += 1

    # A reset by email, then "not you?" from the password-changed notice.
    async with site.client() as anywhere:
        assert (await anywhere.post("/auth/forgot-password", json={"email": ada})).status_code == 202
        reset = await mail_link(mail, ada, "/reset-password?")
        done = await anywhere.post("/auth/reset-password", json={"token": reset.token, "password": NEW_PASSWORD})
        assert done.status_code == 200, done.text
        site.secrets.append(await database.fetchval("SELECT password_hash FROM users WHERE email = $1", ada))
        notice = await mail_link(mail, ada, "/secure-account?")
        secured = await anywhere.post("/auth/secure-account", json={"token": notice.token},
                                      headers={"X-Request-ID": "obs-not-you"})
        assert secured.status_code == 200, secured.text
    site.secrets += [reset.token, notice.token]

    # Bob proves his address, adds a phone number and confirms it with a WhatsApp code.
    number = a_number()
    async with site.client() as bobs:
        signed_in = await bobs.post("/auth/login", json={"email": bob, "password": PASSWORD})
        assert signed_in.status_code == 200
        site.done["success"] += 1
        await prove_email(bobs, mail, bob)
        assert (await bobs.patch("/auth/profile", json={"phoneNumber": number})).status_code == 200
        assert (await bobs.post("/auth/phone/verify/request")).status_code == 202
        code = (await whatsapp.wait_for(to=number)).code
        assert (await bobs.post("/auth/phone/verify", json={"code": code})).json()["user"]["phoneVerified"]
    site.secrets += [number, number.removeprefix("+"), code]

    # A Google sign-in: its callback's code and state must stay out of the log.
    async with site.client() as browser:
        sub, claims = person()
        callback = await go_to_google(browser, idp, sub, claims)
        sent = parse_qs(urlsplit(callback).query)
        finished = await browser.get(callback, headers={"X-Request-ID": "obs-google"})
        assert (finished.status_code, finished.headers["location"]) == (302, FINISH)
    site.secrets += [sent["code"][0], sent["state"][0], claims["email"]]

    # A database error: a row refused by a constraint, whose message quotes the whole row.
    refused = f"refused-{uuid.uuid4().hex[:8]}@example.com"
    site.secrets.append(refused)
    await database.execute(f"ALTER TABLE users ADD CONSTRAINT observed_refusal CHECK (email <> '{refused}')")
    try:
        failed = await register(site, refused, "obs-db-error")
    finally:
        await database.execute("ALTER TABLE users DROP CONSTRAINT observed_refusal")
    assert failed.status_code == 500, failed.text


async def both_workers_served(site: Observed) -> None:
    """Fresh connections, many at once, until each worker has answered some (the kernel hands
    a connection to whichever worker accepts first; a connection kept alive stays with it)."""
    for _ in range(50):
        if len({line["pid"] for line in site.lines() if line["logger"] == "sesame.access"}) == 2:
            return
        async def one() -> None:
            async with httpx.AsyncClient(base_url=site.base_url, timeout=30) as fresh:
                assert (await fresh.get("/auth/me")).status_code == 200
        await asyncio.gather(*(one() for _ in range(10)))
    pytest.fail("one worker answered every request")


async def test_every_line_is_json_and_a_request_id_follows_its_request(observed, driven):
    lines = observed.lines()
    assert lines and all({"time", "level", "logger", "message", "pid"} <= set(line) for line in lines)
    [access] = [line for line in of(lines, "obs-bad-login-3") if line["logger"] == "sesame.access"]
    assert {key: access[key] for key in ("method", "route", "path", "status")} == {
        "method": "POST", "route": "/auth/login", "path": "/auth/login", "status": 401}
    assert access["duration_ms"] > 0 and access["client"]
    [failed] = security(of(lines, "obs-bad-login-3"), "login_failed")
    assert (failed["user_id"], failed["client"], failed["level"]) == (driven["ada"], access["client"], "WARNING")
    [google] = [line for line in of(lines, "obs-google") if line["logger"] == "sesame.access"]
    assert (google["route"], google["path"], google["status"]) == (
        "/auth/google/callback", "/auth/google/callback", 302)
    made = [line for line in lines if line["logger"] == "sesame.access" and line["path"] == "/health/ready"]
    assert made and all(uuid.UUID(line["request_id"]) for line in made)  # none sent: one made each


async def test_the_security_lines_are_there_with_the_user_and_the_client(observed, driven):
    lines = observed.lines()
    ada = driven["ada"]
    assert len(security(lines, "login_failed")) == LOCK_AFTER + PER_ADDRESS
    [lock] = security(lines, "account_locked")
    assert (lock["user_id"], lock["request_id"]) == (ada, f"obs-bad-login-{LOCK_AFTER}")
    assert {line["reason"] for line in security(lines, "login_failed")} == {"invalid_credentials", "locked"}
    [limited] = security(lines, "rate_limited")
    assert (limited["client"], limited["request_id"]) == (driven["flooding"], "obs-rate-limited")
    for event, request_id in [("account_unlocked", "obs-unlock"), ("refresh_reuse_detected", "obs-reuse"),
                              ("account_secured", "obs-not-you")]:
        [line] = security(lines, event)
        assert (line["user_id"], line["request_id"], line["level"]) == (ada, request_id, "WARNING"), line


async def test_the_database_error_is_logged_with_its_request_and_without_its_values(observed, driven):
    lines = of(observed.lines(), "obs-db-error")
    [error] = [line for line in lines if line["level"] == "ERROR"]
    assert "CheckViolation" in error["exception"] and "Failing row contains ([redacted])" in error["exception"]
    assert "$argon2" not in json.dumps(lines)
    [access] = [line for line in lines if line["logger"] == "sesame.access"]
    assert (access["route"], access["status"]) == ("/auth/register", 500)


async def flushed(site: Observed) -> tuple[dict, list[dict]]:
    """A scrape once every answered request is in it: each worker writes its tallies once a
    second (and samples its gauges as often)."""
    answered = [line for line in site.lines() if line["logger"] == "sesame.access"]
    for _ in range(40):
        await asyncio.sleep(0.5)
        seen = site.scrape()
        if total(seen, "sesame_http_requests_total") >= len(answered):
            break
    return seen, answered


async def test_the_counters_add_up_over_both_workers(observed, driven):
    await both_workers_served(observed)
    seen, answered = await flushed(observed)
    assert total(seen, "sesame_http_requests_total") == len(answered)
    assert total(seen, "sesame_http_requests_total", route="/auth/register", status="500") == 1
    assert total(seen, "sesame_http_request_duration_seconds_count") == len(answered)
    done = observed.done
    for outcome in ("success", "invalid_credentials", "locked", "rate_limited"):
        assert total(seen, "sesame_logins_total", method="password", outcome=outcome) == done[outcome], outcome
    assert total(seen, "sesame_logins_total", method="google", outcome="success") == 1
    assert total(seen, "sesame_registrations_total", outcome="created") == done["registrations"]
    assert total(seen, "sesame_refresh_total", outcome="rotated") == done["rotated"]
    assert total(seen, "sesame_refresh_total", outcome="reuse_detected") == done["reuse_detected"]
    assert total(seen, "sesame_security_events_total", event="login_failed") == LOCK_AFTER + PER_ADDRESS
    assert total(seen, "sesame_messages_total", channel="whatsapp", outcome="sent") == 1
    assert total(seen, "sesame_messages_total", channel="email", outcome="sent") >= 4  # those read above
    assert total(seen, "sesame_dispatcher_up") == 2  # one per worker
    assert total(seen, "sesame_busy_total") == 0
    assert total(seen, "sesame_password_work_queued") == 0
    assert total(seen, "sesame_db_pool_connections", state="in_use") >= 0
    assert total(seen, "sesame_db_pool_connections", pool="units") == 2 * 10  # each worker's half of 20
    assert seen[("sesame_outbox_pending", frozenset())] == 0
    assert ("sesame_outbox_oldest_pending_seconds", frozenset()) in seen


def test_the_metrics_are_not_on_the_public_port(observed):
    assert httpx.get(f"{observed.base_url}/metrics", timeout=10).status_code == 404
