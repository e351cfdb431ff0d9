"""The contract's abuse answers for login: 423 account_locked and 429 rate_limited.
The account's lock binds browsers without its device cookie: here the guesses and the
checks come from such browsers (test_device_lockout has the owner's own browser)."""

import asyncio
import re
import uuid

import httpx

from tests.e2e.conftest import client_address
from tests.factories import long_email
from tests.support.http import fresh_client


async def test_ten_failures_lock_the_account_with_retry_after(client, server, new_email):
    email = new_email()
    password = "a-fine-password-42"
    assert (await client.post("/auth/register", json={"email": email, "password": password})).status_code == 201
    async with fresh_client(server) as guesser:
        for _ in range(10):
            wrong = await guesser.post("/auth/login", json={"emailOrUsername": email, "password": "nope-nope"})
            assert wrong.json()["error"] == "invalid_credentials"
        locked = await guesser.post("/auth/login", json={"emailOrUsername": email, "password": password})
    assert locked.status_code == 423
    assert locked.json()["error"] == "account_locked"
    assert 0 < int(locked.headers["retry-after"]) <= 900
    assert "sid" not in locked.cookies


async def test_an_address_flooding_login_gets_429(server, new_email):
    address = client_address()
    body = {"emailOrUsername": new_email(), "password": "whatever-pass"}
    async with httpx.AsyncClient(base_url=server, timeout=30, headers={"X-Forwarded-For": address}) as http:
        answers = await asyncio.gather(*(http.post("/auth/login", json=body) for _ in range(31)))
        limited = await http.post("/auth/login", json=body)
    assert sum(a.status_code == 429 for a in answers) == 1  # exactly the 31st, across 2 workers
    assert limited.status_code == 429
    assert limited.json()["error"] == "rate_limited"
    assert int(limited.headers["retry-after"]) <= 60


async def wrong_passwords_in_parallel(server, identifiers: list[str]) -> list[httpx.Response]:
    """Each guess from its own address, so only the account lock can stop them."""

    async def guess(identifier: str) -> httpx.Response:
        headers = {"X-Forwarded-For": client_address()}
        async with httpx.AsyncClient(base_url=server, timeout=30, headers=headers) as http:
            return await http.post("/auth/login", json={"emailOrUsername": identifier, "password": "nope-nope"})

    return await asyncio.gather(*(guess(identifier) for identifier in identifiers))


async def test_parallel_guesses_from_many_addresses_check_at_most_ten_passwords(server, client, new_email):
    email = new_email()
    await client.post("/auth/register", json={"email": email, "password": "a-fine-password-42"})
    answers = await wrong_passwords_in_parallel(server, [email] * 30)
    # Each guess is counted before its check, atomically: exactly ten are checked.
    assert sorted(a.status_code for a in answers) == [401] * 10 + [423] * 20


async def test_an_account_with_a_250_character_email_gets_locked(client, server):
    email = long_email(250)
    assert len(email) == 250
    password = "a-fine-password-42"
    assert (await client.post("/auth/register", json={"email": email, "password": password})).status_code == 201
    async with fresh_client(server) as guesser:
        for _ in range(10):
            wrong = await guesser.post("/auth/login", json={"emailOrUsername": email, "password": "nope-nope"})
            assert wrong.status_code == 401, wrong.text
        locked = await guesser.post("/auth/login", json={"emailOrUsername": email, "password": password})
    assert locked.status_code == 423, locked.text


async def test_email_and_username_of_one_account_share_one_lock(server, client, new_email):
    email, username = new_email(), f"user_{uuid.uuid4().hex[:10]}"
    password = "a-fine-password-42"
    body = {"email": email, "password": password, "username": username}
    assert (await client.post("/auth/register", json=body)).status_code == 201
    answers = await wrong_passwords_in_parallel(server, [email, username.upper()] * 5)
    assert [a.status_code for a in answers] == [401] * 10
    async with fresh_client(server) as elsewhere:  # not the registering browser: no device cookie
        for identifier in (email, username):
            locked = await elsewhere.post("/auth/login", json={"emailOrUsername": identifier, "password": password})
            assert locked.status_code == 423, locked.text


async def test_a_lock_answers_the_same_for_known_and_unknown_identifiers(server, client, new_email):
    known, unknown = new_email(), new_email()
    await client.post("/auth/register", json={"email": known, "password": "a-fine-password-42"})
    await wrong_passwords_in_parallel(server, [known, unknown] * 10)
    known_locked, unknown_locked = await wrong_passwords_in_parallel(server, [known, unknown])
    assert known_locked.status_code == unknown_locked.status_code == 423
    assert without_seconds(known_locked.json()) == without_seconds(unknown_locked.json())


def without_seconds(body: dict) -> dict:
    """The message may say when to retry; locks set a moment apart may differ by a second."""
    return {**body, "message": re.sub(r"\d+", "N", body["message"])}


async def test_an_address_flooding_register_gets_429(server, new_email):
    address = client_address()
    email = new_email()
    body = {"email": email, "password": "a-fine-password-42"}
    async with httpx.AsyncClient(base_url=server, timeout=30, headers={"X-Forwarded-For": address}) as http:
        assert (await http.post("/auth/register", json=body)).status_code == 201
        # Duplicates: refused before any hashing, so the flood is cheap to send.
        answers = await asyncio.gather(*(http.post("/auth/register", json=body) for _ in range(30)))
        limited = await http.post("/auth/register", json={**body, "email": new_email()})
    assert sorted(a.status_code for a in answers) == [409] * 29 + [429]  # exactly the 31st
    assert limited.status_code == 429
    assert limited.json()["error"] == "rate_limited"
    assert 0 < int(limited.headers["retry-after"]) <= 60
    async with httpx.AsyncClient(base_url=server, timeout=30, headers={"X-Forwarded-For": client_address()}) as http:
        assert (await http.post("/auth/register", json={**body, "email": new_email()})).status_code == 201
