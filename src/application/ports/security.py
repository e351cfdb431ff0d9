from abc import abstractmethod
from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol
from uuid import UUID


class Clock(Protocol):
    @abstractmethod
    def now(self) -> datetime:
        """The current time, timezone-aware UTC."""


class IdGenerator(Protocol):
    @abstractmethod
    def new_id(self) -> UUID: ...


@dataclass(frozen=True, slots=True)
class PasswordCheck:
    valid: bool
    needs_rehash: bool = False


class PasswordHasher(Protocol):
    @abstractmethod
    def reserve(self) -> AbstractAsyncContextManager[None]:
        """A place in the bounded queue of password work, held around one request's
        hashing (a verify and the rehash after it take one place). Raises PasswordWorkBusy
        at once when the queue is full; taken before any other work of the request, so a
        refused one has changed and counted nothing."""

    @abstractmethod
    async def hash(self, password: str) -> str: ...

    @abstractmethod
    async def verify(self, password: str, password_hash: str | None) -> PasswordCheck:
        """Check a password. With no hash, spend the same work and answer invalid,
        so an unknown login costs what a known one does."""


class BreachedPasswords(Protocol):
    @abstractmethod
    async def is_breached(self, password: str) -> bool:
        """Whether `password` appears in a known data breach. Never raises: when the answer
        cannot be had (slow, unreachable, garbled), False, and the password is judged on
        the other rules alone."""


class TokenMinter(Protocol):
    """Opaque bearer tokens for cookies; only their digests are ever stored."""

    @abstractmethod
    def new_token(self) -> str: ...

    @abstractmethod
    def digest(self, token: str) -> bytes:
        """Keyed one-way digest under the current key: what the database keeps instead of
        the token."""

    @abstractmethod
    def digests(self, token: str) -> Sequence[bytes]:
        """The token's digest under each key, the current one first: what a lookup may find
        (a token stored under a key since replaced is still recognised)."""

    @abstractmethod
    def successor(self, token: str) -> str:
        """The refresh token that replaces `token`: derived, so every tab that
        presents the same token within the grace window receives the same one."""


class CodeGenerator(Protocol):
    @abstractmethod
    def new_code(self) -> str:
        """A code of domain.codes.CODE_DIGITS digits, uniformly random (zeros kept)."""


class SecondFactorSecrets(Protocol):
    """Randomness for the second factor, in the domain's forms."""

    @abstractmethod
    def new_totp_secret(self) -> bytes:
        """domain.totp.SECRET_BYTES random bytes."""

    @abstractmethod
    def new_recovery_code(self) -> str:
        """A recovery code of domain.recovery_codes, uniformly random, in its readable form."""
