"""argon2id password hashing off the event loop, with lazy upgrade of legacy bcrypt hashes."""

import asyncio
from concurrent.futures import ThreadPoolExecutor

import bcrypt
from argon2 import PasswordHasher as Argon2
from argon2 import Type
from argon2.exceptions import InvalidHashError, VerificationError

from application.ports.security import PasswordCheck, PasswordHasher

BCRYPT_PREFIXES = ("$2a$", "$2b$", "$2y$")
BCRYPT_MAX_BYTES = 72  # Node's bcrypt silently truncates here; Python's bcrypt raises.


class Argon2PasswordHasher(PasswordHasher):
    """OWASP's argon2id floor by default (m=19 MiB, t=2, p=1).

    Hashing releases the GIL, so a small dedicated pool gives real parallelism while
    bounding memory (each hash holds `memory_cost` KiB) under a login flood.
    """

    def __init__(
        self, *, memory_cost: int = 19_456, time_cost: int = 2, parallelism: int = 1, workers: int = 4
    ) -> None:
        self._argon2 = Argon2(
            time_cost=time_cost, memory_cost=memory_cost, parallelism=parallelism, type=Type.ID
        )
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="argon2")
        self._dummy_hash = self._argon2.hash("sesame-dummy-password")

    async def hash(self, password: str) -> str:
        return await self._run(self._argon2.hash, password)

    async def verify(self, password: str, password_hash: str | None) -> PasswordCheck:
        if password_hash is None:
            await self._run(self._check_argon2, self._dummy_hash, password)
            return PasswordCheck(valid=False)
        if password_hash.startswith(BCRYPT_PREFIXES):
            valid = await self._run(self._check_bcrypt, password_hash, password)
            return PasswordCheck(valid=valid, needs_rehash=valid)
        valid = await self._run(self._check_argon2, password_hash, password)
        return PasswordCheck(valid, valid and self._argon2.check_needs_rehash(password_hash))

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)

    async def _run(self, fn, *args):
        return await asyncio.get_running_loop().run_in_executor(self._pool, fn, *args)

    def _check_argon2(self, password_hash: str, password: str) -> bool:
        try:
            return self._argon2.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    @staticmethod
    def _check_bcrypt(password_hash: str, password: str) -> bool:
        try:
            return bcrypt.checkpw(password.encode()[:BCRYPT_MAX_BYTES], password_hash.encode())
        except ValueError:  # a malformed stored hash
            return False
