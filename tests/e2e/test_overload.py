"""A storm of logins meets the bounded queue of password work: beyond it, 503 busy at once."""

import asyncio

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
