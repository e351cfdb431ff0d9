"""The client behind a request, as the service knows it: where from, which browser, which
languages. Events and sessions keep its ip and user agent (from where something was done);
messages speak its language when the account has none."""

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ClientInfo:
    ip: str | None = None
    user_agent: str | None = None
    accept_language: str | None = None  # picks the language of messages (domain.locales)
