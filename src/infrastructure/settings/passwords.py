"""New passwords checked against known data breaches (README "Configuration"): off unless
PASSWORD_BREACH_CHECK=true, which production deployments should set."""

import msgspec

from infrastructure.settings.environment import bad, check_urls, variable

PWNED_PASSWORDS_URL = "https://api.pwnedpasswords.com/range/"


class PasswordSettings(msgspec.Struct, frozen=True, kw_only=True):
    # Refuse a new password found in the Pwned Passwords corpus (400 breached_password).
    breach_check: bool = variable("PASSWORD_BREACH_CHECK", False)
    # The range API: the first 5 hex digits of the password's SHA-1 are appended to it.
    pwned_passwords_url: str = variable("PWNED_PASSWORDS_URL", PWNED_PASSWORDS_URL)


def check_passwords(passwords: PasswordSettings) -> None:
    """An http(s) URL ending in `/`, since the prefix is appended to it: a URL that cannot
    work is said at start, not met as a warning at every new password."""
    check_urls(PWNED_PASSWORDS_URL=passwords.pwned_passwords_url)
    if not passwords.pwned_passwords_url.endswith("/"):
        raise bad("PWNED_PASSWORDS_URL", "a URL ending in / (the prefix is appended)", passwords.pwned_passwords_url)


def password_warnings(passwords: PasswordSettings, production: bool) -> list[str]:
    """What to tell the operator at start: production that lets breached passwords in."""
    if production and not passwords.breach_check:
        return [
            "PASSWORD_BREACH_CHECK is off in production: a new password found in known data breaches "
            "is not refused. Set PASSWORD_BREACH_CHECK=true (each instance then needs outbound HTTPS "
            "to api.pwnedpasswords.com, or PWNED_PASSWORDS_URL)."
        ]
    return []
