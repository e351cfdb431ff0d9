"""The auth cookies, exactly as the contract sets and clears them."""

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from litestar import Response
from litestar.datastructures import Cookie
from litestar.params import CookieParameter

from application.policy import ProviderFlowPolicy
from application.services.session_tokens import IssuedTokens

SID = "sid"
REFRESH = "refresh_token"
PENDING_LINK = "pending_link"  # binds a pending link to the browser; sent to /auth/login
# Marks a browser that signed in to an account (DeviceCookies): failures typed elsewhere do not
# lock it. Sent to /auth only: to the login, the registration and the provider callbacks.
DEVICE = "device"
# A second-step challenge: a right first factor for an account with a second factor gets it
# instead of a session; sent to /auth/mfa/verify, single use, as long as the challenge lives.
MFA_CHALLENGE = "mfa_challenge"
PASSKEY_CHALLENGE = "passkey_challenge"
_PATHS = {
    SID: "/", REFRESH: "/auth", PENDING_LINK: "/auth", DEVICE: "/auth", MFA_CHALLENGE: "/auth",
    PASSKEY_CHALLENGE: "/auth",
}
# As long as what they bind: a provider sign-in, then its pending link (ProviderFlowPolicy).
FLOW_MAX_AGE = int(ProviderFlowPolicy().flow_ttl.total_seconds())
PENDING_LINK_MAX_AGE = int(ProviderFlowPolicy().pending_link_ttl.total_seconds())
DEVICE_MAX_AGE = 365 * 24 * 3600  # a year: the browser stays known between sign-ins


# What a route reads of them, as parameters (the OpenAPI schema shows their descriptions).
SidCookie = Annotated[str | None, CookieParameter(
    name=SID, required=False, description="The session cookie; a value the server did not issue is ignored."
)]
RefreshCookie = Annotated[str | None, CookieParameter(
    name=REFRESH, required=False, description="The refresh cookie (sent on /auth paths only)."
)]
PendingLinkCookie = Annotated[str | None, CookieParameter(
    name=PENDING_LINK, required=False,
    description="Set by a provider callback that ended with `pending=link`: this login, to that "
    "account, links the provider.",
)]
DeviceCookie = Annotated[str | None, CookieParameter(
    name=DEVICE, required=False,
    description="Set by every sign-in: with a valid one for the account, this browser's failed "
    "passwords are counted and locked on their own, and the account's lock (set by failures "
    "from other browsers) does not apply to it. A forged or another account's counts as none.",
)]

MfaChallengeCookie = Annotated[str | None, CookieParameter(
    name=MFA_CHALLENGE, required=False,
    description="Set by a right first factor (a password, a provider) for an account with two-step "
    "verification on: the challenge that this route answers. Single use, 5 minutes.",
)]

PasskeyChallengeCookie = Annotated[str | None, CookieParameter(
    name=PASSKEY_CHALLENGE, required=False,
    description="Set by `POST /auth/passkeys/login/options`: binds its challenge to this browser. "
    "Single use, 5 minutes.",
)]

_PLAIN_VALUE = re.compile(r"[A-Za-z0-9_.-]+")  # our tokens: written as they are, never quoted


class _Cookie(Cookie):
    """Litestar's Cookie, rendered without its SimpleCookie round trip (a deep copy of the
    cookie per header: a tenth of a refresh's CPU) for the values we issue; anything else
    (an empty value, which SimpleCookie quotes) is rendered by Litestar itself."""

    def to_header(self, **kwargs: Any) -> str:
        plain = _PLAIN_VALUE.fullmatch(self.value or "") and self.expires is None
        if not plain or kwargs.get("header", "Set-Cookie:") != "":
            return super().to_header(**kwargs)
        # SimpleCookie's order (attributes sorted by name) and spelling.
        parts = [f"{self.key}={self.value}"]
        if self.domain:
            parts.append(f"Domain={self.domain}")
        if self.httponly:
            parts.append("HttpOnly")
        if self.max_age is not None:
            parts.append(f"Max-Age={self.max_age}")
        if self.path:
            parts.append(f"Path={self.path}")
        if self.samesite:
            parts.append(f"SameSite={self.samesite}")
        if self.secure:
            parts.append("Secure")
        return "; ".join(parts)


def flow_cookie(provider: str) -> str:
    return f"{provider}_flow"


@dataclass(frozen=True, slots=True)
class CookiePolicy:
    secure: bool
    samesite: Literal["lax", "strict", "none"] = "lax"
    domain: str | None = None

    def _cookie(self, name: str, value: str, max_age: int, path: str | None = None) -> Cookie:
        return _Cookie(
            key=name,
            value=value,
            max_age=max_age,
            path=path or _PATHS[name],
            domain=self.domain,
            secure=self.secure,
            httponly=True,
            samesite=self.samesite,
        )

    def set_session(self, response: Response, tokens: IssuedTokens) -> None:
        response.set_cookie(self._cookie(SID, tokens.sid, tokens.sid_max_age))
        response.set_cookie(self._cookie(REFRESH, tokens.refresh_token, tokens.refresh_max_age))

    def clear(self, response: Response, *names: str) -> None:
        for name in names or (SID, REFRESH):
            response.set_cookie(self._cookie(name, "", 0))

    def set_flow(self, response: Response, provider: str, value: str) -> None:
        """Binds a provider sign-in to this browser; sent only to its callback."""
        response.set_cookie(self._cookie(flow_cookie(provider), value, FLOW_MAX_AGE, f"/auth/{provider}"))

    def clear_flow(self, response: Response, provider: str) -> None:
        response.set_cookie(self._cookie(flow_cookie(provider), "", 0, f"/auth/{provider}"))

    def set_pending_link(self, response: Response, value: str) -> None:
        response.set_cookie(self._cookie(PENDING_LINK, value, PENDING_LINK_MAX_AGE))

    def set_mfa_challenge(self, response: Response, value: str, expires_at: datetime) -> None:
        """The second step's challenge, for as long as it lives (at least a second)."""
        max_age = max(1, round((expires_at - datetime.now(UTC)).total_seconds()))
        response.set_cookie(self._cookie(MFA_CHALLENGE, value, max_age))

    def set_passkey_challenge(self, response: Response, value: str, expires_at: datetime) -> None:
        """A passkey sign-in's challenge, for as long as it lives (at least a second)."""
        max_age = max(1, round((expires_at - datetime.now(UTC)).total_seconds()))
        response.set_cookie(self._cookie(PASSKEY_CHALLENGE, value, max_age))

    def set_device(self, response: Response, value: str | None) -> None:
        """A new device cookie, when the sign-in made one (None: the browser keeps its own)."""
        if value is not None:
            response.set_cookie(self._cookie(DEVICE, value, DEVICE_MAX_AGE))
