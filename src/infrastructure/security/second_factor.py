"""Randomness for the second factor: TOTP secrets and recovery codes, from the OS's CSPRNG."""

import secrets

from application.ports.security import SecondFactorSecrets
from domain.recovery_codes import CODE_BITS, format_recovery_code
from domain.totp import SECRET_BYTES


class RandomSecondFactorSecrets(SecondFactorSecrets):
    def new_totp_secret(self) -> bytes:
        return secrets.token_bytes(SECRET_BYTES)

    def new_recovery_code(self) -> str:
        return format_recovery_code(secrets.randbits(CODE_BITS))
