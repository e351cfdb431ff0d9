"""`python -m web`: serve on HOST:PORT from the configuration (make dev)."""

import uvicorn

from infrastructure.settings import load_settings


def main() -> None:
    settings = load_settings()
    uvicorn.run(
        "web.app:create_app", factory=True, host=settings.host, port=settings.port,
        forwarded_allow_ips=settings.forwarded_allow_ips,  # read from .env too, unlike uvicorn
    )


if __name__ == "__main__":
    main()
