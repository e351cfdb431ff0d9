"""Which sender carries each channel, and the console sender a developer reads."""

import httpx
import pytest

from application.ports.messages import PHONE_CODE, VERIFY_EMAIL, Message
from infrastructure.messaging.senders import ConsoleSender, OffSender
from infrastructure.messaging.delivery_error import DeliveryError
from infrastructure.messaging.rendering import Renderer
from infrastructure.messaging.sendgrid_email import SendGridEmail
from infrastructure.messaging.twilio_whatsapp import TwilioWhatsApp
from infrastructure.messaging.wiring import message_senders
from infrastructure.settings import load_settings

RENDERER = Renderer("http://localhost:3000")


def senders(**env):
    return message_senders(load_settings(env, env_file="/nonexistent"), httpx.AsyncClient())


def test_without_credentials_messages_go_to_the_console():
    found = senders()
    assert isinstance(found["email"], ConsoleSender) and isinstance(found["whatsapp"], ConsoleSender)


PRODUCTION = {"APP_ENV": "production", "SECRET_KEY": "x" * 40, "DATABASE_URL": "postgresql://db/sesame"}


async def test_production_without_twilio_has_no_whatsapp_channel_even_when_printing_emails(capsys):
    found = senders(**PRODUCTION, MESSAGES_TO_LOG="true")
    assert isinstance(found["email"], ConsoleSender) and isinstance(found["whatsapp"], OffSender)
    code = Message(PHONE_CODE, "whatsapp", "+33612345678", "fr", secrets={"code": "123456"})
    with pytest.raises(DeliveryError) as refused:  # a code enqueued before Twilio was removed
        await found["whatsapp"].send(code, RENDERER.render(code))
    assert not refused.value.retryable and "123456" not in capsys.readouterr().out


def test_credentials_choose_sendgrid_and_twilio():
    found = senders(SENDGRID_API_KEY="SG.x", EMAIL_FROM="no-reply@example.com", TWILIO_ACCOUNT_SID="AC1",
                    TWILIO_AUTH_TOKEN="t", TWILIO_WHATSAPP_FROM="+14155238886")
    assert isinstance(found["email"], SendGridEmail) and isinstance(found["whatsapp"], TwilioWhatsApp)


async def test_the_console_prints_the_link_and_the_code(capsys):
    console = ConsoleSender("email")
    email = Message(VERIFY_EMAIL, "email", "ada@example.com", "en", {}, {"token": "tok"})
    code = Message(PHONE_CODE, "whatsapp", "+33612345678", "en", {}, {"code": "493817"})
    await console.send(email, RENDERER.render(email))
    await ConsoleSender("whatsapp").send(code, RENDERER.render(code))
    out = capsys.readouterr().out
    assert "to ada@example.com" in out and "Subject: Confirm your email address" in out
    assert "http://localhost:3000/verify-email?token=tok" in out and "493817 is your" in out


async def test_production_s_console_sender_names_the_message_and_prints_no_recipient_link_or_code(capsys, caplog):
    console = senders(**PRODUCTION, MESSAGES_TO_LOG="true")["email"]
    email = Message(VERIFY_EMAIL, "email", "ada@example.com", "en", {}, {"token": "tok-0123456789"})
    with caplog.at_level("INFO", logger="sesame.messages"):
        await console.send(email, RENDERER.render(email))
    [line] = [record.getMessage() for record in caplog.records if record.name == "sesame.messages"]
    assert "verify_email" in line and "not sent" in line
    printed = capsys.readouterr().out
    for secret in ("ada@example.com", "tok-0123456789", "verify-email?"):
        assert secret not in line and secret not in printed


def test_sendgrid_body_is_built_by_the_sdk_with_both_parts():
    sender = SendGridEmail(httpx.AsyncClient(), "SG.x", "Sésame <no-reply@example.com>")
    email = Message(VERIFY_EMAIL, "email", "ada@example.com", "fr", {}, {"token": "tok"})
    body = sender.body(email, RENDERER.render(email))
    assert body["from"] == {"email": "no-reply@example.com", "name": "Sésame"}
    assert body["personalizations"][0]["to"] == [{"email": "ada@example.com"}]
    assert [part["type"] for part in body["content"]] == ["text/plain", "text/html"]
