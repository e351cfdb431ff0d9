"""An authenticator app, as a test holds one: RFC 6238 codes (SHA-1, 6 digits, 30 s) computed
here from the secret the API answered, with the standard library alone (not the service's own
code, so that the two are checked against each other).

The service accepts a code of one step either side of now, and each step once: `code()` gives
the code of the next step not used yet, at most one step ahead of now, so two codes in a row
are always accepted, even across a step boundary.
"""

import base64
import hmac
import struct
import time


class Authenticator:
    def __init__(self, secret: str) -> None:
        self.key = base64.b32decode(secret + "=" * (-len(secret) % 8))
        self.last_step: int | None = None

    def code_at(self, step: int) -> str:
        mac = hmac.digest(self.key, struct.pack(">Q", step), "sha1")
        offset = mac[-1] & 0x0F
        return str((struct.unpack(">I", mac[offset:offset + 4])[0] & 0x7FFFFFFF) % 1_000_000).zfill(6)

    def code(self) -> str:
        now = int(time.time()) // 30
        step = now if self.last_step is None else max(now, self.last_step + 1)
        assert step <= now + 1, "a third code within one step: the service would refuse it"
        self.last_step = step
        return self.code_at(step)

    def wrong_code(self) -> str:
        """A code of no step the service accepts now."""
        now = int(time.time()) // 30
        near = {self.code_at(step) for step in range(now - 2, now + 3)}
        return next(code for code in (f"{n:06d}" for n in range(1_000_000)) if code not in near)
