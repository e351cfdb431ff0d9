"""The client address behind a trusted proxy (uvicorn's X-Forwarded-For handling): whatever
the header holds, register and login answer normally, and only a real IP address is stored."""

import uuid

import httpx
import pytest

from tests.e2e.conftest import PROXY
from tests.support.http import login, register, session_cookies

JUNK_ADDRESSES = [
    pytest.param("x" * 46, id="46_characters"),  # one more than the sessions.ip column
    pytest.param("2001:db8::" + "1:" * 18, id="46_character_ipv6_lookalike"),
    pytest.param("1" * 300, id="300_characters"),  # more than a limit counter's key
    pytest.param("<script>alert(1)</script>", id="markup"),
]


def forwarded_for(server: str, value: str) -> httpx.AsyncClient:
    """A browser behind the local (trusted) proxy, which forwards `value` as its address."""
    return httpx.AsyncClient(base_url=server, timeout=30, headers={"X-Forwarded-For": value})


async def stored_addresses(db, email: str) -> list[str | None]:
    rows = await db.fetch(
        "SELECT s.ip FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.email = $1"
        " ORDER BY s.created_at", email)
    return [row["ip"] for row in rows]


@pytest.mark.parametrize("junk", JUNK_ADDRESSES)
async def test_a_junk_forwarded_address_on_register_is_stored_as_unknown(server, db, new_email, junk):
    email = new_email()
    async with forwarded_for(server, junk) as http:
        response = await register(http, email)
    assert response.status_code == 201, response.text
    session_cookies(response)
    assert await stored_addresses(db, email) == [None]


@pytest.mark.parametrize("junk", JUNK_ADDRESSES)
async def test_a_junk_forwarded_address_on_login_is_stored_as_unknown(client, server, db, new_email, junk):
    email = new_email()
    assert (await register(client, email)).status_code == 201
    async with forwarded_for(server, junk) as http:
        refused = await login(http, email, "not-the-password-1")
        assert refused.status_code == 401, refused.text
        signed_in = await login(http, email)
    assert signed_in.status_code == 200, signed_in.text
    session_cookies(signed_in)
    assert (await stored_addresses(db, email))[1:] == [None]


@pytest.mark.parametrize(("forwarded", "stored"), [
    pytest.param("2001:DB8:0:0:0:0:0:{n}", "2001:db8::{n}", id="ipv6_compressed_lower_case"),
    pytest.param("::ffff:198.51.{n}.7", "198.51.{n}.7", id="ipv4_mapped_is_ipv4"),
    pytest.param("fe80::{n}%eth0", "fe80::{n}", id="zone_id_dropped"),
    pytest.param("198.51.100.{n}", "198.51.100.{n}", id="ipv4"),
])
async def test_a_valid_forwarded_address_is_stored_in_canonical_form(server, db, new_email, forwarded, stored):
    n = uuid.uuid4().int % 250 + 1  # another address each run: the per-address limits stay apart
    email = new_email()
    async with forwarded_for(server, forwarded.format(n=n)) as http:
        assert (await register(http, email)).status_code == 201
    assert await stored_addresses(db, email) == [stored.format(n=n)]


async def test_forwarded_allow_ips_says_which_proxies_are_trusted(server, db, new_email):
    """The e2e server trusts PROXY too (FORWARDED_ALLOW_IPS, which reaches `uvicorn` from the
    environment): the client is the first address, from the right, that is not a proxy."""
    email = new_email()
    async with forwarded_for(server, f"198.51.100.77, {PROXY}") as http:
        assert (await register(http, email)).status_code == 201
    assert await stored_addresses(db, email) == ["198.51.100.77"]  # not the proxy's own
