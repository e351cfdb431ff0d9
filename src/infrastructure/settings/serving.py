"""How this process serves: where it listens, how many workers, behind which proxies, and the
addresses browsers use for the API and for the frontend."""

import msgspec

from infrastructure.settings.environment import bad, check_at_least, variable


class ServingSettings(msgspec.Struct, frozen=True, kw_only=True):
    # "localhost", not 127.0.0.1: the frontend is on localhost:3000, and cookies follow the
    # site, so an API on 127.0.0.1 is another site whose cookies the frontend never gets.
    host: str = variable("HOST", "localhost")
    port: int = variable("PORT", 4000)
    # The proxies whose X-Forwarded-For is the client address (uvicorn's default: loopback).
    forwarded_allow_ips: str = variable("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
    # Where browsers reach the API; unset, the origin of GOOGLE_CALLBACK_URL (load_settings), see api_url.
    public_url: str | None = variable("PUBLIC_URL", None)
    workers: int = variable("WORKERS", 1)  # processes serving HOST:PORT (python -m web)
    access_log: bool = variable("ACCESS_LOG", True)  # one line per request; off when a proxy in front logs them
    # Seconds the requests in flight get after SIGTERM (new connections are refused at once);
    # the background jobs then get as long to finish the message being sent (docs/operations.md "Serving").
    shutdown_grace: float = variable("SHUTDOWN_GRACE", 10)
    # The origins CORS allows (with credentials); redirects and mailed links go to the first.
    frontend_origin: str = variable("FRONTEND_ORIGIN", "http://localhost:3000")
    allowed_origins: tuple[str, ...] = variable("ALLOWED_ORIGINS", ())

    @property
    def api_url(self) -> str:
        """The API's address as browsers see it: PUBLIC_URL, else http://HOST:PORT."""
        if self.public_url:
            return self.public_url.rstrip("/")
        host = "localhost" if self.host in ("", "0.0.0.0", "::") else self.host  # wildcards
        return f"http://[{host}]:{self.port}" if ":" in host else f"http://{host}:{self.port}"

    @property
    def cors_origins(self) -> list[str]:
        return [self.frontend_origin, *self.allowed_origins]


def check_serving(serving: ServingSettings) -> None:
    if not 0 <= serving.port <= 65535:
        raise bad("PORT", "a port number (0 to 65535)", serving.port)
    check_at_least(1, "a whole number, 1 or more", WORKERS=serving.workers)
    check_at_least(0, "a number of seconds, 0 or more", SHUTDOWN_GRACE=serving.shutdown_grace)
