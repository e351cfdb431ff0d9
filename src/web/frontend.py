"""Where provider sign-ins send the browser back to: pages of the Next.js frontend."""

from dataclasses import dataclass
from urllib.parse import urlencode

from domain import errors as e

# The contract's ?error= codes for a failed callback; anything else is "server".
CALLBACK_ERRORS: dict[type[e.DomainError], str] = {
    e.InvalidState: "invalid_state",
    e.AccessDenied: "access_denied",
    e.ProviderError: "provider_error",
    e.ProviderNotConfigured: "provider_error",
    e.EmailNotVerified: "email_not_verified",
    e.AccountAlreadyLinked: "account_already_linked",
}


@dataclass(frozen=True, slots=True)
class Frontend:
    origin: str

    def finish_url(self, provider: str, linked: bool, redirect_path: str | None) -> str:
        query = {"from": "social", "provider": provider}
        if linked:
            query["linked"] = "true"
        if redirect_path:
            query["redirect"] = redirect_path
        return f"{self.origin}/auth/finish?{urlencode(query)}"

    def login_error_url(self, error: e.DomainError | None) -> str:
        code = CALLBACK_ERRORS.get(type(error), "server") if error else "server"
        return f"{self.origin}/auth/login?{urlencode({'error': code})}"
