"""Messages (README "Messages"): their language, whether this process delivers the outbox, and
the channels. Without credentials, a channel prints its messages to the log, or is off."""

import re

import msgspec

from infrastructure.settings.environment import ConfigError, bad, check_urls, variable

E164 = re.compile(r"\+[1-9][0-9]{6,14}")
LOCALES = ("fr", "en")


class SendGridSettings(msgspec.Struct, frozen=True, kw_only=True):
    """Emails by SendGrid, when its API key is set."""

    api_key: str | None = variable("SENDGRID_API_KEY", None)
    email_from: str | None = variable("EMAIL_FROM", None)  # a verified sender: "Sésame <no-reply@example.com>"
    base_url: str = variable("SENDGRID_BASE_URL", "https://api.sendgrid.com")

    @property
    def enabled(self) -> bool:
        return bool(self.api_key)


class TwilioSettings(msgspec.Struct, frozen=True, kw_only=True):
    """WhatsApp messages by Twilio, when its account and token are set."""

    account_sid: str | None = variable("TWILIO_ACCOUNT_SID", None)
    auth_token: str | None = variable("TWILIO_AUTH_TOKEN", None)
    whatsapp_from: str | None = variable("TWILIO_WHATSAPP_FROM", None)  # +E164 (the sandbox: +14155238886)
    base_url: str = variable("TWILIO_BASE_URL", "https://api.twilio.com")
    # HX...: the approved authentication template.
    whatsapp_content_sid: str | None = variable("TWILIO_WHATSAPP_CONTENT_SID", None)

    @property
    def enabled(self) -> bool:
        return bool(self.account_sid and self.auth_token)


class MessagingSettings(msgspec.Struct, frozen=True, kw_only=True):
    # The language of messages when neither the profile nor the request's Accept-Language says.
    default_locale: str = variable("DEFAULT_LOCALE", "fr")
    # A channel without credentials prints its messages to the log (true) or is off (false).
    # Default: true in development, false in production (where printing must be a choice):
    # Settings.print_messages.
    messages_to_log: bool | None = variable("MESSAGES_TO_LOG", None)
    outbox_dispatcher: bool = variable("OUTBOX_DISPATCHER", True)  # deliver the outbox from this process
    sendgrid: SendGridSettings = msgspec.field(default_factory=SendGridSettings)
    twilio: TwilioSettings = msgspec.field(default_factory=TwilioSettings)


def check_messaging(messaging: MessagingSettings, *, print_messages: bool) -> None:
    """A language we write in, channels whose credentials go together, and a way to send email
    (in production, MESSAGES_TO_LOG is false by default: a reset link printed to the log is
    readable by whoever reads the log)."""
    sendgrid, twilio = messaging.sendgrid, messaging.twilio
    if messaging.default_locale not in LOCALES:
        raise bad("DEFAULT_LOCALE", "fr or en", messaging.default_locale)
    check_urls(SENDGRID_BASE_URL=sendgrid.base_url, TWILIO_BASE_URL=twilio.base_url)
    if sendgrid.enabled and not sendgrid.email_from:
        raise ConfigError("EMAIL_FROM: SENDGRID_API_KEY is set, so a verified sender address is needed")
    if not (sendgrid.enabled or print_messages):  # emails are not optional
        why = "APP_ENV=production" if messaging.messages_to_log is None else "MESSAGES_TO_LOG=false"
        raise ConfigError(f"SENDGRID_API_KEY: with {why}, emails need SendGrid (set it and EMAIL_FROM), "
                          "or MESSAGES_TO_LOG=true to print them to the log instead")
    if bool(twilio.account_sid) != bool(twilio.auth_token):
        raise ConfigError("TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN: set both or neither")
    if twilio.enabled and not twilio.whatsapp_from:
        raise ConfigError("TWILIO_WHATSAPP_FROM: Twilio is configured, so a sender number (+E164) is needed")
    if twilio.whatsapp_from and not E164.fullmatch(twilio.whatsapp_from.removeprefix("whatsapp:")):
        raise bad("TWILIO_WHATSAPP_FROM", "a number in E.164 form (+14155238886)", twilio.whatsapp_from)
