"""The contract's abuse answers for login: 423 account_locked and 429 rate_limited."""

import asyncio

import httpx

from tests.e2e.conftest import client_address


async def test_ten_failures_lock_the_account_with_retry_after(client, new_email):
    email = new_email()
    password = "a-fine-password-42"
    assert (await client.post("/auth/register", json={"email": email, "password": password})).status_code == 201
    for _ in range(10):
        wrong = await client.post("/auth/login", json={"emailOrUsername": email, "password": "nope-nope"})
        assert wrong.json()["error"] == "invalid_credentials"
    locked = await client.post("/auth/login", json={"emailOrUsername": email, "password": password})
    assert locked.status_code == 423
    assert locked.json()["error"] == "account_locked"
    assert 0 < int(locked.headers["retry-after"]) <= 900
    assert "sid" not in locked.cookies


async def test_an_address_flooding_login_gets_429(server, new_email):
    address = client_address()
    body = {"emailOrUsername": new_email(), "password": "whatever-pass"}
    async with httpx.AsyncClient(base_url=server, headers={"X-Forwarded-For": address}) as http:
        answers = await asyncio.gather(*(http.post("/auth/login", json=body) for _ in range(31)))
        limited = await http.post("/auth/login", json=body)
    assert sum(a.status_code == 429 for a in answers) == 1  # exactly the 31st, across 2 workers
    assert limited.status_code == 429
    assert limited.json()["error"] == "rate_limited"
    assert int(limited.headers["retry-after"]) <= 60
