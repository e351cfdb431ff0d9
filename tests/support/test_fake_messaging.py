"""The fake SendGrid and Twilio check credentials, record, fail on demand and hand back messages."""

import json

import httpx
import pytest

from tests.support.fake_messaging import FakeSendGrid, FakeTwilio

SID = "AC" + "0" * 32


def sendgrid_body(to: str) -> dict:
    return {
        "personalizations": [{"to": [{"email": to}]}],
        "from": {"email": "no-reply@example.com"},
        "subject": "Hello",
        "content": [
            {"type": "text/plain", "value": "Open https://app.example/verify-email?token=abc123"},
            {"type": "text/html", "value": "<p>hi</p>"},
        ],
    }


async def test_sendgrid_accepts_a_mail_and_wait_for_returns_it_once():
    with FakeSendGrid(api_key="SG.k") as fake:
        async with httpx.AsyncClient(base_url=fake.base_url) as http:
            answer = await http.post("/v3/mail/send", json=sendgrid_body("ada@example.com"),
                                     headers={"Authorization": "Bearer SG.k"})
            assert answer.status_code == 202 and answer.headers["X-Message-Id"]
            email = await fake.wait_for(to="ada@example.com")
            assert (email.subject, email.token) == ("Hello", "abc123")
            assert email.message_id == answer.headers["X-Message-Id"]
            with pytest.raises(AssertionError):
                await fake.wait_for(to="ada@example.com", timeout=0.1)  # already returned


async def test_sendgrid_refuses_a_wrong_key_and_fails_on_demand():
    with FakeSendGrid(api_key="SG.k") as fake:
        async with httpx.AsyncClient(base_url=fake.base_url) as http:
            bad = await http.post("/v3/mail/send", json=sendgrid_body("a@example.com"),
                                  headers={"Authorization": "Bearer wrong"})
            fake.fail_next(2, 503)
            statuses = [
                (await http.post("/v3/mail/send", json=sendgrid_body("a@example.com"),
                                 headers={"Authorization": "Bearer SG.k"})).status_code
                for _ in range(3)
            ]
    assert bad.status_code == 401
    assert statuses == [503, 503, 202]
    assert [r.status for r in fake.requests] == [401, 503, 503, 202]
    assert len(fake.delivered) == 1


async def test_a_failure_may_carry_a_retry_after_and_requests_are_timed():
    with FakeSendGrid(api_key="SG.k") as fake:
        fake.fail_next(1, 429, retry_after="3")
        async with httpx.AsyncClient(base_url=fake.base_url) as http:
            answers = [await http.post("/v3/mail/send", json=sendgrid_body("a@example.com"),
                                       headers={"Authorization": "Bearer SG.k"}) for _ in range(2)]
    assert [(a.status_code, a.headers.get("Retry-After")) for a in answers] == [(429, "3"), (202, None)]
    assert fake.requests[0].at <= fake.requests[1].at


async def test_sendgrid_timeout_holds_the_request_then_hangs_up():
    with FakeSendGrid(api_key="SG.k") as fake:
        fake.hang_seconds = 0.5
        fake.fail_next(1, "timeout")
        async with httpx.AsyncClient(base_url=fake.base_url, timeout=0.2) as http:
            with pytest.raises(httpx.TimeoutException):
                await http.post("/v3/mail/send", json=sendgrid_body("a@example.com"),
                                headers={"Authorization": "Bearer SG.k"})
    assert fake.delivered == [] and fake.requests[0].status is None


async def test_twilio_records_a_template_message_and_its_code():
    with FakeTwilio(SID, "tok") as fake:
        async with httpx.AsyncClient(base_url=fake.base_url, auth=(SID, "tok")) as http:
            answer = await http.post(f"/2010-04-01/Accounts/{SID}/Messages.json", data={
                "To": "whatsapp:+33612345678", "From": "whatsapp:+14155238886",
                "ContentSid": "HX1", "ContentVariables": json.dumps({"1": "123456"}),
            })
            assert answer.status_code == 201 and answer.json()["sid"].startswith("SM")
            message = await fake.wait_for(to="+33612345678")
    assert (message.code, message.content_sid, message.body) == ("123456", "HX1", None)


async def test_twilio_refuses_wrong_credentials():
    with FakeTwilio(SID, "tok") as fake:
        async with httpx.AsyncClient(base_url=fake.base_url, auth=(SID, "nope")) as http:
            answer = await http.post(f"/2010-04-01/Accounts/{SID}/Messages.json",
                                     data={"To": "whatsapp:+33612345678", "Body": "Code 123456"})
    assert answer.status_code == 401 and fake.delivered == []


async def test_a_provider_gone_down_refuses_even_kept_alive_connections_then_comes_back():
    with FakeSendGrid(api_key="SG.k") as fake:
        base_url = fake.base_url
        async with httpx.AsyncClient(base_url=base_url, headers={"Authorization": "Bearer SG.k"}) as http:
            before = await http.post("/v3/mail/send", json=sendgrid_body("a@example.com"))
            fake.go_down()
            with pytest.raises(httpx.TransportError):  # the connection kept alive is dropped
                await http.post("/v3/mail/send", json=sendgrid_body("b@example.com"))
            with pytest.raises(httpx.ConnectError):  # and no new one is accepted
                await httpx.AsyncClient().post(f"{base_url}/v3/mail/send")
            fake.come_back()
            after = await http.post("/v3/mail/send", json=sendgrid_body("c@example.com"))
        assert fake.base_url == base_url
    assert (before.status_code, after.status_code) == (202, 202)
    assert [email.to for email in fake.delivered] == ["a@example.com", "c@example.com"]
