"""Rule violations. Each maps to one error code of the HTTP contract, in web only."""

from datetime import datetime


class DomainError(Exception):
    """Base class: a request broke a rule; nothing was changed."""


class InvalidInput(DomainError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class WeakPassword(DomainError):
    pass


class BreachedPassword(DomainError):
    """The new password appears in known data breaches: the first ones attackers try."""


class EmailTaken(DomainError):
    pass


class UsernameTaken(DomainError):
    pass


class PhoneTaken(DomainError):
    pass


class InvalidCredentials(DomainError):
    pass


class SocialOnlyAccount(DomainError):
    """The account exists but has no password: the user must use a provider."""

    def __init__(self, providers: tuple[str, ...]) -> None:
        super().__init__("this account signs in with " + ", ".join(providers))
        self.providers = providers


class NoRefreshToken(DomainError):
    pass


class InvalidRefresh(DomainError):
    pass


class NotAuthenticated(DomainError):
    pass


class AccountGone(DomainError):
    """The account this request acts for was deleted while it ran (DELETE /auth/account):
    what it wrote that refers to the account (or to a session of it) met a row deleted
    meanwhile, or the account read again under a lock was gone; nothing of it was kept. A
    request that signs in answers as for an unknown account (InvalidCredentials,
    InvalidPasskey, MfaChallengeExpired, InvalidRefresh); any other, as for a dead session."""


class RateLimited(DomainError):
    def __init__(self, retry_after: int) -> None:
        super().__init__(f"Too many attempts; retry in {retry_after} s.")
        self.retry_after = retry_after


class AccountLocked(DomainError):
    """Too many failed logins for one identifier: refused even with the right password."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"Too many failed attempts; retry in {retry_after} s.")
        self.retry_after = retry_after


class PasswordWorkBusy(DomainError):
    """The bounded queue of password hashing is full: refused at once, before any other
    work, rather than queued for seconds behind a storm of logins."""

    def __init__(self, retry_after: int = 1) -> None:
        super().__init__(f"The service is busy; retry in {retry_after} s.")
        self.retry_after = retry_after


class ProviderNotConfigured(DomainError):
    pass


class ChannelNotConfigured(DomainError):
    """This deployment has no way to send the message the request asks for (WhatsApp
    without Twilio in production): the route cannot work, whoever asks."""


class InvalidState(DomainError):
    """The provider callback does not match a pending flow of this browser."""


class AccessDenied(DomainError):
    """The person declined at the provider."""


class ProviderError(DomainError):
    """The provider failed, or what it returned did not verify."""


class EmailNotVerified(DomainError):
    """The provider vouches for nothing about an email a local account already uses."""


class LinkPending(EmailNotVerified):
    """Refused as EmailNotVerified, but kept as a pending link that the account's owner
    completes by a password login in the browser holding `browser_token`."""

    def __init__(self, provider: str, browser_token: str) -> None:
        super().__init__(f"sign in with the password to link {provider}")
        self.provider = provider
        self.browser_token = browser_token


class AddressNotProven(DomainError):
    """The account's email is unverified: until its owner proves it, the account gains no
    sign-in method and no recovery channel (whoever typed the address may not own it)."""


class AccountAlreadyLinked(DomainError):
    """This provider identity belongs to another user, or the user already has one."""


class NotLinked(DomainError):
    pass


class LastLoginMethod(DomainError):
    pass


class InvalidPasskey(DomainError):
    """A passkey answer that does not verify: unknown credential, wrong challenge, origin, RP
    id or type, no user verification, a bad signature or attestation, a counter that went
    backwards."""


class PasskeyExists(DomainError):
    """This credential is registered already."""


class NoPhone(DomainError):
    """A phone code was asked for while the profile has no phone number."""


class InvalidCode(DomainError):
    """A code that is wrong, expired, used, or meant for another number or purpose."""


class TooManyAttempts(DomainError):
    """The code took its last wrong try and is burned: ask for a new one."""


class InvalidToken(DomainError):
    """A link's token that is unknown, used, expired or meant for something else."""


class InvalidPassword(DomainError):
    """The password asked again before a sensitive change is wrong."""


class NotFound(DomainError):
    """No such thing for this account (another account's is not revealed either)."""


class MfaRequired(DomainError):
    """The first factor was right, but the account asks for a second step: no session yet.
    The browser gets the challenge's cookie (`challenge_token`, until `expires_at`), and
    `methods` says what may answer it."""

    def __init__(self, challenge_token: str, methods: list[str], expires_at: datetime) -> None:
        super().__init__("a second step is needed")  # the token stays out of the message (and logs)
        self.challenge_token = challenge_token
        self.methods = methods
        self.expires_at = expires_at


class MfaAlreadyEnabled(DomainError):
    """TOTP is on already: turn it off first to set up another secret."""


class MfaSetupNotStarted(DomainError):
    """No pending TOTP secret to confirm (none set up, or it is on already)."""


class MfaNotEnabled(DomainError):
    """The account has no second factor to turn off or renew codes for."""


class MfaChallengeExpired(DomainError):
    """No second-step challenge to answer: none, expired, used or burned. Sign in again."""


class ReauthRequired(DomainError):
    """A sensitive action needs a recent sign-in of this session; `methods` says how this
    account can prove itself again."""

    def __init__(self, methods: list[str]) -> None:
        super().__init__("sign in again to do this")
        self.methods = methods


class ReauthFailed(DomainError):
    """A provider round trip to re-authenticate did not prove this account: no session, or
    an identity that is not one linked to it, or the provider refused."""
