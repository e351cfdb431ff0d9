"""What the HTTP server itself refuses, before the app: headers past 32 KiB, and clients
that take too long to send a request. Neither may hold up anyone else."""

import asyncio

from tests.support.raw_http import exchange, seconds_until_closed

CUT_OFF_WITHIN = 10  # seconds; the deadline is 5 s for headers and body together


def get_health(cookie: bytes) -> bytes:
    return b"GET /health HTTP/1.1\r\nHost: t\r\nCookie: " + cookie + b"\r\nConnection: close\r\n\r\n"


async def test_headers_over_32_kib_are_refused_and_others_are_still_served(client, server):
    status, body = await exchange(server, get_health(b"c=" + b"x" * (64 * 1024)))
    assert status == 400, (status, body)
    assert b'"error":"invalid_request"' in body
    assert (await client.get("/health")).status_code == 200


async def test_headers_of_a_few_kib_are_served(server):
    status, body = await exchange(server, get_health(b"c=" + b"x" * (24 * 1024)))
    assert (status, body) == (200, b'{"status":"ok"}')


async def test_a_request_line_over_32_kib_is_refused(server):
    request = b"GET /health?" + b"q" * (40 * 1024) + b" HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"
    status, _ = await exchange(server, request)
    assert status == 400


async def test_a_large_body_sent_with_its_headers_is_not_taken_for_headers(server, new_email):
    """One read may carry the headers and a large body: only the headers count."""
    body = b'{"email": "' + new_email().encode() + b'", "password": "' + b"p" * (60 * 1024) + b'"}'
    request = (b"POST /auth/register HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
               b"Connection: close\r\nContent-Length: %d\r\n\r\n" % len(body)) + body
    status, answer = await exchange(server, request)  # one write
    assert status == 400, answer  # the password is too long: the app read the body
    assert b'"field":"password"' in answer


async def test_pipelined_requests_past_32_kib_in_all_are_each_served(server):
    one = b"GET /health HTTP/1.1\r\nHost: t\r\nX-Pad: " + b"p" * 4000 + b"\r\n\r\n"
    last = b"GET /health HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"
    status, answers = await exchange(server, one * 16 + last)  # 64 KiB in one write
    assert status == 200
    assert answers.count(b'{"status":"ok"}') == 17


async def test_slow_clients_are_cut_off_while_others_are_served(client, server):
    head = b"GET /health HTTP/1.1\r\nHost: t\r\nX-Slow: " + b"s" * 100
    body_head = b"POST /auth/login HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
    body_head += b"Content-Length: 200\r\n\r\n"
    slow_head = seconds_until_closed(server, (bytes([b]) for b in head), pause=0.5, limit=CUT_OFF_WITHIN)
    slow_body = seconds_until_closed(server, [body_head, *(b" " for _ in range(100))], pause=0.5, limit=CUT_OFF_WITHIN)
    tasks = [asyncio.ensure_future(slow_head), asyncio.ensure_future(slow_body)]

    await asyncio.sleep(1)
    assert (await client.get("/health")).status_code == 200  # not stalled by them
    await asyncio.gather(*tasks)  # each fails if not cut off within CUT_OFF_WITHIN
