"""Sessions and their cookies: how long a sid and a login live, and how the cookies are set."""

import msgspec

from infrastructure.settings.environment import bad, check_at_least, variable


class SessionSettings(msgspec.Struct, frozen=True, kw_only=True):
    session_ttl: int = variable("SESSION_TTL", 900)  # seconds a sid lives
    refresh_ttl: int = variable("REFRESH_TTL", 2_592_000)  # a login's absolute lifetime
    refresh_reuse_grace: int = variable("REFRESH_REUSE_GRACE", 10)  # concurrent tabs may replay this long
    cookie_samesite: str = variable("COOKIE_SAMESITE", "lax")
    cookie_domain: str | None = variable("COOKIE_DOMAIN", None)  # shares the cookies with sibling subdomains
    reauth_max_age: int = variable("REAUTH_MAX_AGE", 600)  # seconds a sign-in counts as fresh for sensitive actions


def check_sessions(sessions: SessionSettings) -> None:
    if sessions.cookie_samesite not in ("lax", "strict", "none"):
        raise bad("COOKIE_SAMESITE", "lax, strict or none", sessions.cookie_samesite)
    check_at_least(0, "a number of seconds, 0 or more", SESSION_TTL=sessions.session_ttl,
                   REFRESH_TTL=sessions.refresh_ttl, REFRESH_REUSE_GRACE=sessions.refresh_reuse_grace)
    # 0 would make every re-authentication stale before the action it was for.
    check_at_least(1, "a number of seconds, 1 or more", REAUTH_MAX_AGE=sessions.reauth_max_age)
