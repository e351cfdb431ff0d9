"""The two auth cookies, exactly as the contract sets and clears them."""

from dataclasses import dataclass
from typing import Literal

from litestar import Response
from litestar.datastructures import Cookie

from application.use_cases.session_tokens import IssuedTokens

SID = "sid"
REFRESH = "refresh_token"
PENDING_LINK = "pending_link"  # binds a pending link to the browser; sent to /auth/login
_PATHS = {SID: "/", REFRESH: "/auth", PENDING_LINK: "/auth"}
FLOW_MAX_AGE = 600  # a provider sign-in must come back within 10 minutes
PENDING_LINK_MAX_AGE = 600  # as long as the pending link itself (ProviderFlowPolicy)


def flow_cookie(provider: str) -> str:
    return f"{provider}_flow"


@dataclass(frozen=True, slots=True)
class CookiePolicy:
    secure: bool
    samesite: Literal["lax", "strict", "none"] = "lax"
    domain: str | None = None

    def _cookie(self, name: str, value: str, max_age: int, path: str | None = None) -> Cookie:
        return Cookie(
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
