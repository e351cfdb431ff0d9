"""The account's security activity: what happened to it, when, and from where."""

from dataclasses import dataclass, field
from datetime import datetime

MAX_EVENTS = 200  # one page of /auth/events at most
DEFAULT_EVENTS = 50


@dataclass(frozen=True, slots=True)
class SecurityEvent:
    kind: str
    created_at: datetime
    ip: str | None = None
    user_agent: str | None = None
    detail: dict = field(default_factory=dict)  # never a secret
