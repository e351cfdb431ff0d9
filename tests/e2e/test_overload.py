"""A storm of logins meets the bounded queue of password work: beyond it, 503 busy at once."""

import asyncio
import time

import httpx

from tests.support.e2e_fixtures import FRONTEND
from tests.support.http import assert_error
from tests.support.server import running_server

PASSWORD = "a-fine-password-42"


async def test_a_burst_beyond_the_bound_is_told_busy_while_me_still_answers(database_url, new_email):
    env = {"DATABASE_URL": database_url, "RUN_MIGRATIONS": "false", "FRONTEND_ORIGIN": FRONTEND,
           "RATE_LIMIT_ENABLED": "false", "PASSWORD_HASH_THREADS": "1", "PASSWORD_QUEUE_LIMIT": "2"}
    email = new_email()
    with running_server(env) as base_url:
        async with httpx.AsyncClient(base_url=base_url, timeout=60) as http:
            registered = await http.post("/auth/register", json={"email": email, "password": PASSWORD})
            assert registered.status_code == 201
            sid = registered.cookies["sid"]
            body = {"emailOrUsername": email, "password": PASSWORD}
            logins = [asyncio.create_task(http.post("/auth/login", json=body)) for _ in range(30)]
            me = [await http.get("/auth/me", headers={"cookie": f"sid={sid}"}) for _ in range(5)]
            answers = await asyncio.gather(*logins)
            after = await http.post("/auth/login", json=body)  # the storm is over: places are back
    busy = [a for a in answers if a.status_code == 503]
    assert busy and len(busy) < len(answers)
    for answer in busy:
        assert_error(answer, 503, "busy")
        assert int(answer.headers["retry-after"]) >= 1
        assert "sid" not in answer.cookies
    assert all(a.status_code == 200 for a in answers if a not in busy)
    assert all(m.status_code == 200 and m.json()["user"]["email"] == email for m in me)
    assert after.status_code == 200


async def _answer(reader: asyncio.StreamReader) -> tuple[int, dict[str, str]]:
    head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
    headers = dict(line.lower().split(": ", 1) for line in head[1:] if line)
    await reader.readexactly(int(headers.get("content-length", "0")))
    return int(head[0].split()[1]), headers


async def test_a_connection_told_busy_is_not_read_again_before_retry_after(database_url, new_email):
    """A client that ignores Retry-After cannot turn refusals into a flood (web/serving/server.py)."""
    env = {"DATABASE_URL": database_url, "RUN_MIGRATIONS": "false", "FRONTEND_ORIGIN": FRONTEND,
           "RATE_LIMIT_ENABLED": "false", "PASSWORD_HASH_THREADS": "1", "PASSWORD_QUEUE_LIMIT": "1"}
    email = new_email()
    with running_server(env) as base_url:
        async with httpx.AsyncClient(base_url=base_url) as http:
            assert (await http.post("/auth/register", json={"email": email, "password": PASSWORD})).status_code == 201
        host, port = base_url.removeprefix("http://").split(":")
        body = f'{{"emailOrUsername":"{email}","password":"{PASSWORD}"}}'.encode()
        login = (f"POST /auth/login HTTP/1.1\r\nHost: {host}\r\ncontent-type: application/json\r\n"
                 f"content-length: {len(body)}\r\n\r\n").encode() + body
        connections = [await asyncio.open_connection(host, int(port)) for _ in range(12)]
        for _, writer in connections:
            writer.write(login)
        answers = [await _answer(reader) for reader, _ in connections]
        told_busy = [c for c, (status, _) in zip(connections, answers) if status == 503]
        served = [c for c, (status, _) in zip(connections, answers) if status == 200]
        assert told_busy and served
        assert all(headers["retry-after"] == "1" for status, headers in answers if status == 503)

        async def health_on(connection) -> float:
            reader, writer = connection
            started = time.monotonic()
            writer.write(f"GET /health HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
            assert (await _answer(reader))[0] == 200
            return time.monotonic() - started

        waited_busy, waited_served = await asyncio.gather(health_on(told_busy[0]), health_on(served[0]))
        for _, writer in connections:
            writer.close()
    assert waited_busy >= 0.5  # the rest of the second since its refusal
    assert waited_served < 0.5
