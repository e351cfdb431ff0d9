from dataclasses import dataclass
from datetime import timedelta


@dataclass(frozen=True, slots=True)
class SessionPolicy:
    session_ttl: timedelta = timedelta(minutes=15)  # the sid cookie
    refresh_ttl: timedelta = timedelta(days=30)  # absolute lifetime of a login
    reuse_grace: timedelta = timedelta(seconds=10)  # concurrent tabs may replay this long


@dataclass(frozen=True, slots=True)
class AddressLimit:
    """A coarse flood shield: at most `requests` per (fixed) window from one client address."""

    requests: int = 30
    window: timedelta = timedelta(minutes=1)


@dataclass(frozen=True, slots=True)
class LoginLimits:
    """Per client address: a coarse flood shield. Per account: a lockout against password
    guessing, `failures` password checks, then `lockout` from the one that set the lock.
    Unknown identifiers are counted the same way, so a lock reveals nothing."""

    per_address: AddressLimit = AddressLimit()
    failures: int = 10
    lockout: timedelta = timedelta(minutes=15)


@dataclass(frozen=True, slots=True)
class ProviderFlowPolicy:
    flow_ttl: timedelta = timedelta(minutes=10)  # from /auth/google to the callback
    pending_link_ttl: timedelta = timedelta(minutes=10)  # from the callback to the password login


@dataclass(frozen=True, slots=True)
class PhoneCodePolicy:
    """WhatsApp codes: how long one lives, how many wrong tries burn it, how many go to one
    number a day (the contract's figures, here and nowhere else). Each code sent costs money and reaches a phone: besides the per-number quota, one
    account may ask for `codes_per_account` verification codes a day whatever its numbers
    (else it could change its number between requests and message any phone), and one
    address a few codes an hour whatever the numbers."""

    code_ttl: timedelta = timedelta(minutes=10)
    max_attempts: int = 5
    codes_per_number: int = 5
    number_window: timedelta = timedelta(hours=24)
    codes_per_account: int = 5
    account_window: timedelta = timedelta(hours=24)
    per_address: AddressLimit = AddressLimit(requests=10, window=timedelta(hours=1))
    default_locale: str = "fr"  # DEFAULT_LOCALE: without a profile locale or Accept-Language
    # False: no WhatsApp channel here (production without Twilio). Asking for a code answers
    # channel_not_configured; notices that would go by WhatsApp are not sent.
    whatsapp: bool = True


@dataclass(frozen=True, slots=True)
class ProfilePolicy:
    phone_region: str = "FR"  # DEFAULT_PHONE_REGION: for numbers typed without "+"
    local_http_photos: bool = False  # development: http://localhost photos are accepted


@dataclass(frozen=True, slots=True)
class EmailLinkPolicy:
    """Links mailed to verify or change an address, and how often one may be asked for."""

    link_ttl: timedelta = timedelta(hours=24)  # verification and change links (contract)
    # "Not you?" links in change notices: the owner may read the notice days later.
    secure_account_ttl: timedelta = timedelta(days=7)
    requests: int = 3  # verification links asked per account per window
    reset_link_ttl: timedelta = timedelta(minutes=15)  # password reset links (contract)
    window: timedelta = timedelta(minutes=15)
    unlock_ttl: timedelta = timedelta(hours=1)  # the unlock link of a locked account (contract)


@dataclass(frozen=True, slots=True)
class RecoveryPolicy:
    """Forgotten passwords: how long a resetToken lives, how many reset messages (links and
    codes together) one account may be sent per window, and a per-address limit on the
    anonymous routes. The reset link's life is EmailLinkPolicy.reset_link_ttl."""

    reset_token_ttl: timedelta = timedelta(minutes=10)
    messages_per_account: int = 3
    account_window: timedelta = timedelta(minutes=15)
    per_address: AddressLimit = AddressLimit()  # /auth/forgot-password and /auth/verify-phone, each


@dataclass(frozen=True, slots=True)
class SecondFactorPolicy:
    """TOTP and the second step of a sign-in (the contract's figures, here and nowhere else)."""

    issuer: str = "Sésame"  # MFA_ISSUER: the name authenticator apps show
    recovery_codes: int = 10  # each set, shown once
    challenge_ttl: timedelta = timedelta(minutes=5)  # the mfa_challenge cookie's life
    max_wrong_answers: int = 5  # then the challenge is burned


@dataclass(frozen=True, slots=True)
class FreshnessPolicy:
    """How recent a session's sign-in must be for a sensitive action (REAUTH_MAX_AGE)."""

    max_age: timedelta = timedelta(seconds=600)


@dataclass(frozen=True, slots=True)
class PasskeyPolicy:
    """The figures of the passkey ceremonies (the contract's, here and nowhere else). The
    relying party itself (WEBAUTHN_RP_ID, WEBAUTHN_RP_NAME, WEBAUTHN_ORIGINS) is the verifier's:
    the adapter is built with it."""

    challenge_ttl: timedelta = timedelta(minutes=5)  # each challenge, and the passkey_challenge cookie
    per_address: AddressLimit = AddressLimit()  # login options and login, each


@dataclass(frozen=True, slots=True)
class Policies:
    """Every rule the use cases apply, as this deployment's settings made them (the composition
    root's `policies`)."""

    sessions: SessionPolicy
    login: LoginLimits
    provider_flow: ProviderFlowPolicy
    email_links: EmailLinkPolicy
    recovery: RecoveryPolicy
    phone_codes: PhoneCodePolicy
    profile: ProfilePolicy
    second_factor: SecondFactorPolicy
    freshness: FreshnessPolicy
    passkeys: PasskeyPolicy

    # DEFAULT_LOCALE and whether WhatsApp is on are held once, by the phone-code policy;
    # the mailed links and notices read them here.
    @property
    def default_locale(self) -> str:
        return self.phone_codes.default_locale

    @property
    def whatsapp(self) -> bool:
        return self.phone_codes.whatsapp
