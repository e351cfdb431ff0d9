"""What the use cases tell the operator: the outcome of each sign-in, registration and refresh
(counted: the metrics), and the security events a SIEM alerts on (one log line each).

The names below are the metrics' label values and the log lines' `event` field: an operator's
alerts and dashboards are written against them, so a name is never reused for something else.
A second step of sign-in (MFA) fits as it is: `mfa_required` is a login outcome, and its
failures a security event of their own."""

from abc import abstractmethod
from typing import Literal, Protocol
from uuid import UUID

LoginOutcome = Literal[
    "success", "invalid_credentials", "locked", "rate_limited", "social_only", "busy", "invalid",
    "failed",  # a provider sign-in refused (state, denial, the provider's error)
    "mfa_required",
]
RegistrationOutcome = Literal[
    "created", "email_taken", "username_taken", "weak_password", "breached_password", "rate_limited", "busy",
    "invalid",
]
RefreshOutcome = Literal["rotated", "grace", "reuse_detected", "invalid"]
# The security events: the activity kinds that are an alert's matter, and two of their own.
SecurityEvent = Literal[
    "login_failed", "account_locked", "account_unlocked", "refresh_reuse_detected", "account_secured",
    "rate_limited", "mfa_failed",
    "account_deleted",  # reported without id nor address: the account is gone
]
# Refusals the web edge answers for every use case alike.
Refusal = Literal["rate_limited", "busy"]


class Telemetry(Protocol):
    """Told synchronously, never failing the use case: an adapter that cannot write a line
    or count drops it (the caller's answer matters more than its record)."""

    @abstractmethod
    def login(self, method: str, outcome: LoginOutcome) -> None:
        """One sign-in attempt's outcome; `method` is `password` or the provider's name."""

    @abstractmethod
    def registration(self, outcome: RegistrationOutcome) -> None: ...

    @abstractmethod
    def refresh(self, outcome: RefreshOutcome) -> None: ...

    @abstractmethod
    def security(
        self, event: SecurityEvent, ip: str | None, user_id: UUID | None = None, reason: str | None = None
    ) -> None:
        """One security event: the user's id when known (never an email or a phone number),
        the client's address, and for a failure its reason (e.g. `locked`)."""

    @abstractmethod
    def refused(self, refusal: Refusal, ip: str | None) -> None:
        """A request refused for a while (429 rate_limited, 503 busy), whatever its route."""
