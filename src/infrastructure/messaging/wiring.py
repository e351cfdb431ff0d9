"""The message senders and the dispatcher the settings ask for."""

import logging
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncEngine

from application.ports.security import Clock
from infrastructure.messaging.channels import ConsoleSender, MessageSender, OffSender
from infrastructure.messaging.dispatcher import OutboxDispatcher
from infrastructure.messaging.rendering import Branding, Renderer
from infrastructure.persistence.outbox import OutboxStore
from infrastructure.security.cipher import TokenCipher
from infrastructure.settings import Settings

if TYPE_CHECKING:
    import httpx

log = logging.getLogger("sesame")


def message_senders(settings: Settings, http: "httpx.AsyncClient | None") -> dict[str, MessageSender]:
    """SendGrid and Twilio when their credentials are set; otherwise the log (the settings
    refuse email without either), and WhatsApp off when the log is not for it (production:
    Settings.whatsapp_enabled). Their SDKs are imported only when used: a process that
    prints its messages does not carry them (~10 MiB)."""
    whatsapp = ConsoleSender("whatsapp") if settings.whatsapp_enabled else OffSender("whatsapp")
    senders: dict[str, MessageSender] = {"email": ConsoleSender("email"), "whatsapp": whatsapp}
    if settings.sendgrid_enabled and http is not None:
        from infrastructure.messaging.sendgrid_email import SendGridEmail

        senders["email"] = SendGridEmail(
            http, settings.sendgrid_api_key or "", settings.email_from or "", settings.sendgrid_base_url
        )
    if settings.twilio_enabled:
        from infrastructure.messaging.twilio_whatsapp import TwilioWhatsApp

        senders["whatsapp"] = TwilioWhatsApp(
            settings.twilio_account_sid or "", settings.twilio_auth_token or "",
            settings.twilio_whatsapp_from or "", base_url=settings.twilio_base_url,
            content_sid=settings.twilio_whatsapp_content_sid,
        )
    for channel, sender in senders.items():
        if isinstance(sender, ConsoleSender) and settings.production:  # MESSAGES_TO_LOG=true
            log.warning("No credentials for %s messages: they are only printed to the log.", channel)
        elif isinstance(sender, OffSender):
            log.warning("No credentials for %s messages: its routes answer 503 channel_not_configured.",
                        channel)
    return senders


def renderer(settings: Settings) -> Renderer:
    return Renderer(
        settings.frontend_origin, settings.default_locale,
        branding=Branding(settings.app_name, settings.mail_logo_url), templates_dir=settings.templates_dir,
    )


# Without LISTEN (behind PgBouncer, no DATABASE_DIRECT_URL), how often the dispatcher looks.
POLL_WITHOUT_LISTEN = 1  # second


def outbox_dispatcher(
    settings: Settings, engine: AsyncEngine, cipher: TokenCipher, clock: Clock,
    http: "httpx.AsyncClient | None", *, listen_url: str | None,
) -> OutboxDispatcher:
    """Woken by NOTIFY on a connection to `listen_url`; without one, it polls each second."""
    options = {} if listen_url is not None else {"poll_every": POLL_WITHOUT_LISTEN}
    return OutboxDispatcher(
        OutboxStore(engine, cipher),
        renderer(settings),
        message_senders(settings, http),
        clock,
        listen_dsn=None if listen_url is None else listen_dsn(listen_url),
        **options,
    )


def listen_dsn(url: str) -> str:
    """asyncpg's form of a PostgreSQL URL (SQLAlchemy's +asyncpg dropped)."""
    scheme, sep, rest = url.partition("://")
    return f"postgresql://{rest}" if sep and scheme.lower() in ("postgresql+asyncpg", "postgres") else url
