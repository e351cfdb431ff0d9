from dataclasses import dataclass
from datetime import timedelta


@dataclass(frozen=True, slots=True)
class SessionPolicy:
    session_ttl: timedelta = timedelta(minutes=15)  # the sid cookie
    refresh_ttl: timedelta = timedelta(days=30)  # absolute lifetime of a login
    reuse_grace: timedelta = timedelta(seconds=10)  # concurrent tabs may replay this long


@dataclass(frozen=True, slots=True)
class LoginLimits:
    """Per client address: a coarse flood shield. Per identifier: lockout against
    password guessing, counted for unknown identifiers too so it reveals nothing."""

    per_ip: int = 30
    ip_window: timedelta = timedelta(minutes=1)
    failures: int = 10
    lockout: timedelta = timedelta(minutes=15)


@dataclass(frozen=True, slots=True)
class ProviderFlowPolicy:
    flow_ttl: timedelta = timedelta(minutes=10)  # from /auth/google to the callback
