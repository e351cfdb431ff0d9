"""The secret key every token digest and ciphertext is made with, and the older keys still read."""

import msgspec

from infrastructure.settings.environment import ConfigError, variable

DEV_SECRET_KEY = "dev-only-secret-key-change-me-in-production-0123456789"


class KeySettings(msgspec.Struct, frozen=True, kw_only=True):
    secret_key: str = variable("SECRET_KEY", DEV_SECRET_KEY)
    # Older keys, still read (digests and ciphertexts made under them) but never written
    # with: docs/operations.md "Rotate the secret key". One equal to SECRET_KEY adds nothing.
    fallbacks: tuple[str, ...] = variable("SECRET_KEY_FALLBACKS", ())


def check_production_keys(keys: KeySettings) -> None:
    """In production, SECRET_KEY and each fallback are 32 characters or more, none the
    development key (a fallback is a key that signed production data: it was one too)."""
    if keys.secret_key == DEV_SECRET_KEY or len(keys.secret_key) < 32:
        raise ConfigError("SECRET_KEY: APP_ENV=production needs at least 32 random characters")
    for position, key in enumerate(keys.fallbacks, 1):
        if key == DEV_SECRET_KEY or len(key) < 32:  # the value itself is never printed
            raise ConfigError(f"SECRET_KEY_FALLBACKS: key {position} is not 32 random characters or more")
