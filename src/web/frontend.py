"""Where provider sign-ins send the browser back to: pages of the Next.js frontend."""

from dataclasses import dataclass
from urllib.parse import urlencode

from domain import errors as e

# The contract's ?error= codes for a failed callback; anything else is "server".
CALLBACK_ERRORS: dict[type[e.DomainError], str] = {
    e.InvalidState: "invalid_state",
    e.AccountGone: "invalid_state",  # the account deleted while it signed in: start again
    e.AccessDenied: "access_denied",
    e.ProviderError: "provider_error",
    e.ProviderNotConfigured: "provider_error",
    e.EmailNotVerified: "email_not_verified",
    e.AddressNotProven: "email_not_verified",
    e.LinkPending: "email_not_verified",
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

    def reauth_url(self, provider: str, redirect_path: str | None = None, *, failed: bool = False) -> str:
        """Where a provider round trip to re-authenticate ends: the session fresh, or not."""
        query = {"from": "social", "provider": provider, "reauth": "true"}
        if failed:
            query["error"] = "reauth_failed"
        elif redirect_path:
            query["redirect"] = redirect_path
        return f"{self.origin}/auth/finish?{urlencode(query)}"

    def login_error_url(self, error: e.DomainError | None) -> str:
        code = CALLBACK_ERRORS.get(type(error), "server") if error else "server"
        query = {"error": code}
        if isinstance(error, e.LinkPending):  # the login page offers the password login
            query |= {"provider": error.provider, "pending": "link"}
        return self.login_failure_url(query)

    def login_failure_url(self, query: dict[str, str]) -> str:
        return f"{self.origin}/auth/login?{urlencode(query)}"

    def signed_in_url(self, profile_complete: bool) -> str:
        """Where a plain HTML form login goes once signed in."""
        if profile_complete:
            return f"{self.origin}/dashboard"
        return f"{self.origin}/auth/finish?{urlencode({'from': 'local', 'complete': 'false'})}"

    def second_step_url(self, methods: list[str], provider: str | None = None) -> str:
        """The page that answers the second step of a sign-in (its challenge in a cookie)."""
        query = {"from": "social", "provider": provider} if provider else {}
        query["methods"] = ",".join(methods)
        return f"{self.origin}/auth/mfa?{urlencode(query, safe=',')}"

    def social_only_url(self, providers: list[str]) -> str:
        query = {"from": "social", "providers": ",".join(providers)}
        return f"{self.origin}/auth/finish?{urlencode(query)}"
