"""The message senders and the renderer the settings ask for."""

import logging
from typing import TYPE_CHECKING

from infrastructure.messaging.rendering import Branding, Renderer
from infrastructure.messaging.senders import ConsoleSender, MessageSender, OffSender
from infrastructure.settings import Settings

if TYPE_CHECKING:
    import httpx

log = logging.getLogger("sesame")


def message_senders(settings: Settings, http: "httpx.AsyncClient | None") -> dict[str, MessageSender]:
    """SendGrid and Twilio when their credentials are set; otherwise the log (the settings
    refuse email without either), and WhatsApp off when the log is not for it (production:
    Settings.whatsapp_enabled). Their SDKs are imported only when used: a process that
    prints its messages does not carry them (~10 MiB)."""
    reveal = not settings.production  # development's terminal only: never a link in production's log
    whatsapp = ConsoleSender("whatsapp", reveal) if settings.whatsapp_enabled else OffSender("whatsapp")
    senders: dict[str, MessageSender] = {"email": ConsoleSender("email", reveal), "whatsapp": whatsapp}
    sendgrid, twilio = settings.messaging.sendgrid, settings.messaging.twilio
    if sendgrid.enabled and http is not None:
        from infrastructure.messaging.sendgrid_email import SendGridEmail

        senders["email"] = SendGridEmail(
            http, sendgrid.api_key or "", sendgrid.email_from or "", sendgrid.base_url
        )
    if twilio.enabled:
        from infrastructure.messaging.twilio_whatsapp import TwilioWhatsApp

        senders["whatsapp"] = TwilioWhatsApp(
            twilio.account_sid or "", twilio.auth_token or "",
            twilio.whatsapp_from or "", base_url=twilio.base_url,
            content_sid=twilio.whatsapp_content_sid,
        )
    for channel, sender in senders.items():
        if isinstance(sender, ConsoleSender) and settings.production:  # MESSAGES_TO_LOG=true
            log.warning("No credentials for %s messages: they are not sent, only named in the log "
                        "(never their recipient, link or code).", channel)
        elif isinstance(sender, OffSender):
            log.warning("No credentials for %s messages: its routes answer 503 channel_not_configured.",
                        channel)
    return senders


def renderer(settings: Settings) -> Renderer:
    return Renderer(
        settings.serving.frontend_origin, settings.messaging.default_locale,
        branding=Branding(settings.branding.app_name, settings.branding.mail_logo_url),
        templates_dir=settings.branding.templates_dir,
    )
