"""The SendGrid and Twilio senders against the fake servers: what they send, the provider's
id they return, how they classify failures, and that they never retry on their own."""

import httpx
import pytest

from application.ports.messages import PASSWORD_CHANGED, PHONE_CODE, VERIFY_EMAIL, Message
from infrastructure.messaging.delivery_error import DeliveryError
from infrastructure.messaging.rendering import Renderer
from infrastructure.messaging.sendgrid_email import SendGridEmail
from infrastructure.messaging.twilio_whatsapp import TwilioWhatsApp
from tests.support.fake_messaging import FakeSendGrid, FakeTwilio

SID, AUTH = "AC" + "1" * 32, "twilio-token"
RENDERER = Renderer("http://localhost:3000")
EMAIL = Message(VERIFY_EMAIL, "email", "ada@example.com", "en", {}, {"token": "tok123"})
CODE = Message(PHONE_CODE, "whatsapp", "+33612345678", "fr", {}, {"code": "493817"})


@pytest.fixture(scope="module")
def sendgrid():
    with FakeSendGrid(api_key="SG.key") as fake:
        fake.hang_seconds = 3  # longer than the senders' timeout below
        yield fake


@pytest.fixture(scope="module")
def twilio():
    with FakeTwilio(SID, AUTH) as fake:
        fake.hang_seconds = 3  # longer than the senders' timeout below
        yield fake


@pytest.fixture
async def email_sender(sendgrid):
    sendgrid.reset()
    async with httpx.AsyncClient() as http:
        yield SendGridEmail(http, "SG.key", "Sésame <no-reply@sesame.test>", sendgrid.base_url, timeout=2)


@pytest.fixture
async def whatsapp_sender(twilio):
    twilio.reset()
    sender = TwilioWhatsApp(SID, AUTH, "+14155238886", base_url=twilio.base_url, timeout=2)  # a first call also loads the SDK
    yield sender
    await sender.close()


async def send(sender, message):
    return await sender.send(message, RENDERER.render(message))


async def test_sendgrid_gets_subject_text_and_html_and_its_message_id_is_returned(email_sender, sendgrid):
    message_id = await send(email_sender, EMAIL)
    email = await sendgrid.wait_for(to="ada@example.com")
    assert message_id == email.message_id
    assert (email.sender, email.subject) == ("no-reply@sesame.test", "Confirm your email address")
    assert email.payload["from"]["name"] == "Sésame"
    assert email.links == ["http://localhost:3000/verify-email?token=tok123"]
    assert 'href="http://localhost:3000/verify-email?token=tok123"' in email.html


async def test_an_unreachable_sendgrid_is_retryable():
    async with httpx.AsyncClient() as http:
        sender = SendGridEmail(http, "SG.key", "no-reply@sesame.test", "http://127.0.0.1:9", timeout=0.5)
        with pytest.raises(DeliveryError) as error:
            await send(sender, EMAIL)
    assert error.value.retryable


async def test_twilio_sends_a_code_as_body_without_a_template(whatsapp_sender, twilio):
    sid = await send(whatsapp_sender, CODE)
    message = await twilio.wait_for(to="+33612345678")
    assert (message.sid, message.sender, message.content_sid) == (sid, "whatsapp:+14155238886", None)
    assert message.body.startswith("493817 est votre code") and message.code == "493817"
    assert message.form["To"] == "whatsapp:+33612345678"


async def test_twilio_sends_a_code_in_the_approved_template_when_configured(twilio):
    sender = TwilioWhatsApp(SID, AUTH, "whatsapp:+14155238886", base_url=twilio.base_url, content_sid="HX42")
    try:
        await send(sender, CODE)
        other = Message(PASSWORD_CHANGED, "whatsapp", "+33612345678", "en", {"when": "today"}, {"token": "t"})
        await send(sender, other)  # not a code: no template for it, so as text
    finally:
        await sender.close()
    code, notice = await twilio.wait_for(to="+33612345678"), await twilio.wait_for(to="+33612345678")
    assert (code.content_sid, code.content_variables, code.body) == ("HX42", {"1": "493817"}, None)
    assert notice.content_sid is None and "http://localhost:3000/secure-account?token=t" in notice.body


@pytest.fixture(params=["sendgrid", "twilio"])
def provider(request):
    """(sender, fake, message) of each provider, for the tests they share."""
    if request.param == "sendgrid":
        return request.getfixturevalue("email_sender"), request.getfixturevalue("sendgrid"), EMAIL
    return request.getfixturevalue("whatsapp_sender"), request.getfixturevalue("twilio"), CODE


@pytest.mark.parametrize(("answer", "retryable"), [
    (503, True), (500, True), (429, True), ("timeout", True), (400, False), (401, False), (403, False),
])
async def test_failures_are_classified_and_never_retried_by_the_sender(provider, answer, retryable):
    sender, fake, message = provider
    before = len(fake.requests)
    fake.fail_next(1, answer)
    with pytest.raises(DeliveryError) as error:
        await send(sender, message)
    assert error.value.retryable is retryable
    assert len(fake.requests) == before + 1  # one request: no retry of the SDK's own


@pytest.mark.parametrize("status", [429, 503])
@pytest.mark.parametrize("value", ["3", "Wed, 21 Oct 2026 07:28:00 GMT"])
async def test_a_providers_retry_after_is_passed_on_as_received(provider, status, value):
    sender, fake, message = provider
    fake.fail_next(1, status, retry_after=value)
    with pytest.raises(DeliveryError) as error:
        await send(sender, message)
    assert (error.value.retryable, error.value.retry_after) == (True, value)


async def test_a_failure_without_retry_after_has_none(provider):
    sender, fake, message = provider
    fake.fail_next(1, 429)
    with pytest.raises(DeliveryError) as error:
        await send(sender, message)
    assert error.value.retry_after is None
