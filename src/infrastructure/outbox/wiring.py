"""The dispatcher the settings ask for: the outbox store, with messaging's renderer and senders."""

from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncEngine

from application.ports.security import Clock
from infrastructure.messaging.wiring import message_senders, renderer
from infrastructure.observability.reports import OutboxObserver
from infrastructure.outbox.dispatcher import OutboxDispatcher
from infrastructure.outbox.store import OutboxStore
from infrastructure.security.cipher import TokenCipher
from infrastructure.settings import Settings

if TYPE_CHECKING:
    import httpx

# Without LISTEN (behind PgBouncer, no DATABASE_DIRECT_URL), how often the dispatcher looks.
POLL_WITHOUT_LISTEN = 1  # second


def outbox_dispatcher(
    settings: Settings, engine: AsyncEngine, cipher: TokenCipher, clock: Clock,
    http: "httpx.AsyncClient | None", *, listen_url: str | None, observer: OutboxObserver | None = None,
) -> OutboxDispatcher:
    """Woken by NOTIFY on a connection to `listen_url`; without one, it polls each second.
    `observer`: told each delivery's outcome and whether the loop runs (the metrics)."""
    options = {} if listen_url is not None else {"poll_every": POLL_WITHOUT_LISTEN}
    return OutboxDispatcher(
        OutboxStore(engine, cipher, observer),
        renderer(settings),
        message_senders(settings, http),
        clock,
        listen_dsn=None if listen_url is None else listen_dsn(listen_url),
        observer=observer,
        **options,
    )


def listen_dsn(url: str) -> str:
    """asyncpg's form of a PostgreSQL URL (SQLAlchemy's +asyncpg dropped)."""
    scheme, sep, rest = url.partition("://")
    return f"postgresql://{rest}" if sep and scheme.lower() in ("postgresql+asyncpg", "postgres") else url
