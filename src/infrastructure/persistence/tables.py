"""The schema of the whole service (each feature fills the tables it owns).

Secrets never sit here in a usable form: tokens and codes are HMAC digests, provider
tokens are encrypted by the application before they are written.
"""

from datetime import datetime
from typing import Any
from uuid import UUID

from advanced_alchemy.base import DefaultBase
from advanced_alchemy.types import GUID, DateTimeUTC, JsonB
from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    false,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column


def _user_fk(nullable: bool = False) -> Mapped[Any]:
    return mapped_column(
        GUID, ForeignKey("users.id", ondelete="CASCADE"), nullable=nullable, index=True
    )


class UserRow(DefaultBase):
    __tablename__ = "users"
    __table_args__ = (CheckConstraint("email = lower(email)", name="email_lowercase"),)
    id: Mapped[UUID] = mapped_column(GUID, primary_key=True)
    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    email_verified_at: Mapped[datetime | None] = mapped_column(DateTimeUTC)
    email_verified_via: Mapped[str | None] = mapped_column(String(32))
    username: Mapped[str | None] = mapped_column(String(30))
    phone_number: Mapped[str | None] = mapped_column(String(20))
    phone_verified_at: Mapped[datetime | None] = mapped_column(DateTimeUTC)
    phone_changed_at: Mapped[datetime | None] = mapped_column(DateTimeUTC)  # what "not you?" undoes
    password_hash: Mapped[str | None] = mapped_column(String(255))
    password_changed_at: Mapped[datetime | None] = mapped_column(DateTimeUTC)
    created_at: Mapped[datetime] = mapped_column(DateTimeUTC)
    updated_at: Mapped[datetime] = mapped_column(DateTimeUTC)


# Usernames keep their case for display but are unique, and found, case-insensitively.
Index("uq_users_username_lower", func.lower(UserRow.username), unique=True)
# Several accounts may type one number; only one may have it verified.
Index(
    "uq_users_phone_verified", UserRow.phone_number, unique=True,
    postgresql_where=UserRow.phone_verified_at.isnot(None),
)


class ProfileRow(DefaultBase):
    __tablename__ = "profiles"
    user_id: Mapped[UUID] = mapped_column(
        GUID, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    firstname: Mapped[str | None] = mapped_column(String(100))
    lastname: Mapped[str | None] = mapped_column(String(100))
    photo: Mapped[str | None] = mapped_column(String(2048))
    locale: Mapped[str | None] = mapped_column(String(16))
    updated_at: Mapped[datetime] = mapped_column(DateTimeUTC)


class AccountRow(DefaultBase):
    """A provider identity (Google...) linked to a user."""

    __tablename__ = "accounts"
    __table_args__ = (
        UniqueConstraint("provider", "provider_account_id", name="uq_accounts_provider_subject"),
        UniqueConstraint("user_id", "provider", name="uq_accounts_user_provider"),
    )
    id: Mapped[UUID] = mapped_column(GUID, primary_key=True)
    user_id: Mapped[UUID] = _user_fk()
    provider: Mapped[str] = mapped_column(String(32))
    provider_account_id: Mapped[str] = mapped_column(String(255))
    email: Mapped[str | None] = mapped_column(String(254))
    access_token: Mapped[str | None] = mapped_column(Text)  # encrypted
    refresh_token: Mapped[str | None] = mapped_column(Text)  # encrypted
    id_token: Mapped[str | None] = mapped_column(Text)  # encrypted
    token_expires_at: Mapped[datetime | None] = mapped_column(DateTimeUTC)
    scope: Mapped[str | None] = mapped_column(String(512))
    linked_at: Mapped[datetime] = mapped_column(DateTimeUTC)
    updated_at: Mapped[datetime] = mapped_column(DateTimeUTC)


class SessionRow(DefaultBase):
    """One login (a session family): every sid and refresh token it produced."""

    __tablename__ = "sessions"
    __table_args__ = (  # for the purge (housekeeping.py)
        Index("ix_sessions_expires_at", "expires_at"),
        Index("ix_sessions_revoked_at", "revoked_at", postgresql_where=text("revoked_at IS NOT NULL")),
    )
    id: Mapped[UUID] = mapped_column(GUID, primary_key=True)
    user_id: Mapped[UUID] = _user_fk()
    created_at: Mapped[datetime] = mapped_column(DateTimeUTC)
    expires_at: Mapped[datetime] = mapped_column(DateTimeUTC)
    last_seen_at: Mapped[datetime] = mapped_column(DateTimeUTC)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTimeUTC)
    revoke_reason: Mapped[str | None] = mapped_column(String(32))
    ip: Mapped[str | None] = mapped_column(String(45))
    user_agent: Mapped[str | None] = mapped_column(String(512))
    # When the sign-in it descends from happened (a refresh keeps it, re-authenticating moves
    # it); NULL on sessions opened before the column: their created_at.
    signed_in_at: Mapped[datetime | None] = mapped_column(DateTimeUTC)


class SidRow(DefaultBase):
    __tablename__ = "session_sids"
    __table_args__ = (Index("ix_session_sids_expires_at", "expires_at"),)  # for the purge
    token_hash: Mapped[bytes] = mapped_column(LargeBinary(32), primary_key=True)
    session_id: Mapped[UUID] = mapped_column(
        GUID, ForeignKey("sessions.id", ondelete="CASCADE"), index=True
    )
    expires_at: Mapped[datetime] = mapped_column(DateTimeUTC)


class RefreshTokenRow(DefaultBase):
    __tablename__ = "refresh_tokens"
    __table_args__ = (
        UniqueConstraint("session_id", "generation", name="uq_refresh_tokens_generation"),
        # for the purge of rotated tokens (housekeeping.py)
        Index("ix_refresh_tokens_rotated_at", "rotated_at", postgresql_where=text("rotated_at IS NOT NULL")),
    )
    token_hash: Mapped[bytes] = mapped_column(LargeBinary(32), primary_key=True)
    session_id: Mapped[UUID] = mapped_column(GUID, ForeignKey("sessions.id", ondelete="CASCADE"))
    generation: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTimeUTC)
    rotated_at: Mapped[datetime | None] = mapped_column(DateTimeUTC)


class VerificationTokenRow(DefaultBase):
    """Single-use links: email verification, email change, password reset."""

    __tablename__ = "verification_tokens"
    __table_args__ = (
        Index("ix_verification_tokens_user_purpose", "user_id", "purpose"),
        Index("ix_verification_tokens_expires_at", "expires_at"),  # for the purge
        Index("ix_verification_tokens_used_at", "used_at", postgresql_where=text("used_at IS NOT NULL")),
    )
    token_hash: Mapped[bytes] = mapped_column(LargeBinary(32), primary_key=True)
    user_id: Mapped[UUID] = mapped_column(GUID, ForeignKey("users.id", ondelete="CASCADE"))
    purpose: Mapped[str] = mapped_column(String(32))
    new_email: Mapped[str | None] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(DateTimeUTC)
    expires_at: Mapped[datetime] = mapped_column(DateTimeUTC)
    used_at: Mapped[datetime | None] = mapped_column(DateTimeUTC)


class VerificationCodeRow(DefaultBase):
    """Short numeric codes sent by WhatsApp: few attempts, then burned."""

    __tablename__ = "verification_codes"
    __table_args__ = (
        Index("ix_verification_codes_phone_purpose", "phone_number", "purpose"),
        Index("ix_verification_codes_expires_at", "expires_at"),  # for the purge
    )
    id: Mapped[UUID] = mapped_column(GUID, primary_key=True)
    user_id: Mapped[UUID] = _user_fk()
    purpose: Mapped[str] = mapped_column(String(32))
    phone_number: Mapped[str] = mapped_column(String(20))
    code_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTimeUTC)
    expires_at: Mapped[datetime] = mapped_column(DateTimeUTC)
    used_at: Mapped[datetime | None] = mapped_column(DateTimeUTC)


class OAuthFlowRow(DefaultBase):
    """A pending provider sign-in: state, nonce and PKCE verifier stay server-side."""

    __tablename__ = "oauth_flows"
    state_hash: Mapped[bytes] = mapped_column(LargeBinary(32), primary_key=True)
    browser_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    provider: Mapped[str] = mapped_column(String(32))
    nonce: Mapped[str] = mapped_column(String(128))
    code_verifier: Mapped[str] = mapped_column(Text)  # encrypted
    redirect_path: Mapped[str | None] = mapped_column(String(2048))
    link_user_id: Mapped[UUID | None] = mapped_column(
        GUID, ForeignKey("users.id", ondelete="CASCADE")
    )
    # Re-authenticating link_user_id's session (GET /auth/{provider}?reauth=true), not a sign-in.
    reauth: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(DateTimeUTC)
    expires_at: Mapped[datetime] = mapped_column(DateTimeUTC)
    used_at: Mapped[datetime | None] = mapped_column(DateTimeUTC)


# An outbox message's status (its life: infrastructure/outbox/store.py).
OUTBOX_WAITING = ("pending", "sending")  # sending: claimed; due again only if its lease ran out
OUTBOX_FINISHED = ("sent", "failed", "abandoned")


class OutboxMessageRow(DefaultBase):
    """Emails and WhatsApp messages, written in the transaction that creates them and
    delivered by a worker with retries, so none is lost or sent for a rolled-back change."""

    __tablename__ = "outbox_messages"
    __table_args__ = (
        Index("ix_outbox_messages_due", "status", "next_attempt_at"),
        Index("ix_outbox_messages_created_at", "created_at"),  # for the purge
    )
    id: Mapped[UUID] = mapped_column(GUID, primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    recipient: Mapped[str] = mapped_column(String(254))
    template: Mapped[str] = mapped_column(String(64))
    locale: Mapped[str] = mapped_column(String(16))
    payload: Mapped[dict[str, Any]] = mapped_column(JsonB)  # encrypted fields where secret
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTimeUTC)
    created_at: Mapped[datetime] = mapped_column(DateTimeUTC)
    sent_at: Mapped[datetime | None] = mapped_column(DateTimeUTC)
    secret: Mapped[str | None] = mapped_column(Text)  # encrypted; erased once sent or abandoned
    provider_message_id: Mapped[str | None] = mapped_column(String(128))
    last_error: Mapped[str | None] = mapped_column(Text)
    # Past it, the message is abandoned (infrastructure/outbox/retry_policy.py); NULL on rows
    # enqueued before the column: their deadline is computed from template and created_at.
    deliver_until: Mapped[datetime | None] = mapped_column(DateTimeUTC)


class RateLimitRow(DefaultBase):
    """Counters shared by every process (atomic upsert). The key is a scope and a
    sha256 digest, never typed text. window_start begins a fixed window, or for a
    lockout marks the last attempt of a run (or the one that set the lock)."""

    __tablename__ = "rate_limits"
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    window_start: Mapped[datetime] = mapped_column(DateTimeUTC)
    hits: Mapped[int] = mapped_column(Integer)


class SecurityEventRow(DefaultBase):
    """Why things happened to an account (linked, verified by Google, sessions revoked...)."""

    __tablename__ = "security_events"
    __table_args__ = (Index("ix_security_events_created_at", "created_at"),)  # for the purge
    id: Mapped[UUID] = mapped_column(GUID, primary_key=True)
    user_id: Mapped[UUID | None] = _user_fk(nullable=True)
    kind: Mapped[str] = mapped_column(String(48))
    detail: Mapped[dict[str, Any]] = mapped_column(JsonB)
    ip: Mapped[str | None] = mapped_column(String(45))
    user_agent: Mapped[str | None] = mapped_column(String(512))
    created_at: Mapped[datetime] = mapped_column(DateTimeUTC)


class PendingLinkRow(DefaultBase):
    """A provider identity waiting for its account's password login in one browser."""

    __tablename__ = "pending_links"
    browser_hash: Mapped[bytes] = mapped_column(LargeBinary(32), primary_key=True)
    user_id: Mapped[UUID] = _user_fk()
    provider: Mapped[str] = mapped_column(String(32))
    identity: Mapped[str] = mapped_column(Text)  # encrypted JSON: subject, email, names, tokens
    created_at: Mapped[datetime] = mapped_column(DateTimeUTC)
    expires_at: Mapped[datetime] = mapped_column(DateTimeUTC)


class TotpSecretRow(DefaultBase):
    """An account's TOTP secret: pending until a first code confirms it."""

    __tablename__ = "totp_secrets"
    user_id: Mapped[UUID] = mapped_column(
        GUID, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    secret: Mapped[str] = mapped_column(Text)  # encrypted (base32)
    created_at: Mapped[datetime] = mapped_column(DateTimeUTC)
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTimeUTC)  # NULL: pending
    last_step: Mapped[int | None] = mapped_column(BigInteger)  # the last step accepted (replays)


class RecoveryCodeRow(DefaultBase):
    """Recovery codes as digests. Keyed by account and digest: 50-bit codes may repeat across
    accounts (never within one set)."""

    __tablename__ = "recovery_codes"
    user_id: Mapped[UUID] = mapped_column(
        GUID, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    code_hash: Mapped[bytes] = mapped_column(LargeBinary(32), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTimeUTC)
    used_at: Mapped[datetime | None] = mapped_column(DateTimeUTC)


class MfaChallengeRow(DefaultBase):
    """A second-step challenge, by the digest of its cookie: what completes on success."""

    __tablename__ = "mfa_challenges"
    __table_args__ = (Index("ix_mfa_challenges_expires_at", "expires_at"),)  # for the purge
    token_hash: Mapped[bytes] = mapped_column(LargeBinary(32), primary_key=True)
    user_id: Mapped[UUID] = _user_fk()
    method: Mapped[str] = mapped_column(String(32))  # "password" or the provider's name
    lock_key: Mapped[str] = mapped_column(String(255))  # the attempt counter of the first factor
    pending_link_hash: Mapped[bytes | None] = mapped_column(LargeBinary(32))
    wrong_answers: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTimeUTC)
    expires_at: Mapped[datetime] = mapped_column(DateTimeUTC)
    used_at: Mapped[datetime | None] = mapped_column(DateTimeUTC)


class PasskeyRow(DefaultBase):
    """A passkey: the credential an authenticator made for an account, and its public key."""

    __tablename__ = "passkeys"
    id: Mapped[UUID] = mapped_column(GUID, primary_key=True)
    user_id: Mapped[UUID] = _user_fk()
    credential_id: Mapped[bytes] = mapped_column(LargeBinary(1023), unique=True)  # WebAuthn's maximum
    public_key: Mapped[bytes] = mapped_column(LargeBinary)  # COSE_Key
    sign_count: Mapped[int] = mapped_column(BigInteger)  # a 32-bit unsigned counter
    transports: Mapped[list[str]] = mapped_column(JsonB)
    backup_eligible: Mapped[bool] = mapped_column(Boolean)
    backed_up: Mapped[bool] = mapped_column(Boolean)
    aaguid: Mapped[str] = mapped_column(String(36))
    name: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTimeUTC)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTimeUTC)


class PasskeyUserHandleRow(DefaultBase):
    """The random handle an account's authenticators know it by (never its id), made on its
    first passkey registration."""

    __tablename__ = "passkey_user_handles"
    user_id: Mapped[UUID] = mapped_column(
        GUID, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    handle: Mapped[bytes] = mapped_column(LargeBinary(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTimeUTC)


class WebAuthnChallengeRow(DefaultBase):
    """A ceremony's challenge, one per binding (a session's id, a browser cookie's digest) and
    purpose: a new one replaces it, taking it deletes it."""

    __tablename__ = "webauthn_challenges"
    __table_args__ = (
        UniqueConstraint("binding", "purpose", name="uq_webauthn_challenges_binding_purpose"),
        Index("ix_webauthn_challenges_expires_at", "expires_at"),  # for the purge
    )
    challenge: Mapped[bytes] = mapped_column(LargeBinary(64), primary_key=True)
    binding: Mapped[bytes] = mapped_column(LargeBinary(32))
    purpose: Mapped[str] = mapped_column(String(16))  # register, login, mfa, reauth
    user_id: Mapped[UUID | None] = _user_fk(nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTimeUTC)
    expires_at: Mapped[datetime] = mapped_column(DateTimeUTC)
