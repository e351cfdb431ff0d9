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


@dataclass(frozen=True, slots=True)
class EmailLinkPolicy:
    """Links mailed to verify or change an address, and how often one may be asked for."""

    link_ttl: timedelta = timedelta(hours=24)  # verification and change links (contract)
    # "Not you?" links in change notices: the owner may read the notice days later.
    secure_account_ttl: timedelta = timedelta(days=7)
    requests: int = 3  # verification links asked per account per window
    window: timedelta = timedelta(minutes=15)
