"""The outcome a use case reports (application.ports.telemetry) for the refusal it raises."""

from application.ports.telemetry import LoginOutcome, RegistrationOutcome
from domain import errors


def login_outcome(error: errors.DomainError) -> LoginOutcome:
    """A password or passkey login's refusal, by its error (a bad input is `invalid`)."""
    match error:
        case errors.InvalidCredentials() | errors.InvalidPasskey():
            return "invalid_credentials"
        case errors.AccountLocked():
            return "locked"
        case errors.RateLimited():
            return "rate_limited"
        case errors.SocialOnlyAccount():
            return "social_only"
        case errors.PasswordWorkBusy():
            return "busy"
        case errors.MfaRequired():
            return "mfa_required"  # the password was right: the second step decides
    return "invalid"


def registration_outcome(error: errors.DomainError) -> RegistrationOutcome:
    match error:
        case errors.EmailTaken():
            return "email_taken"
        case errors.UsernameTaken():
            return "username_taken"
        case errors.WeakPassword():
            return "weak_password"
        case errors.BreachedPassword():
            return "breached_password"
        case errors.RateLimited():
            return "rate_limited"
        case errors.PasswordWorkBusy():
            return "busy"
    return "invalid"
