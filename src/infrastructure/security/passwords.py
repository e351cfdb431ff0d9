"""argon2id password hashing off the event loop, bounded, with lazy upgrade of legacy
bcrypt hashes.

Three choices keep a login storm from hurting everyone else (measured: docs/performance.md):

- a bounded queue: at most `queue_limit` requests hold a place for password work (running
  or waiting); the next one is refused at once with PasswordWorkBusy (503 busy), before it
  does any other work, instead of waiting seconds behind the storm;
- few threads, at a lower CPU priority than the event loop (nice +10): hashing uses the
  core when the loop has nothing to do, so /auth/me and refresh keep their latency;
- each thread's argon2 buffer (`memory_cost` KiB) stays with glibc's allocator while
  hashes follow one another (fresh pages cost half a hash again in page faults), and goes
  back to the system (malloc_trim) when the queue has stayed empty for TRIM_AFTER_IDLE. That needs one malloc arena:
  a hasher thread's own arena keeps the freed buffer in its top chunk, which malloc_trim
  does not give back (measured +19 MiB for the life of the process), the main arena's top
  it does.

`make bootstrap` may rebuild argon2 with AVX2 for the machine it runs on (scripts/fast_argon2.sh:
the same hash in half the time); `ensure_argon2_fits_cpu` refuses to start on a CPU without it.
"""

import asyncio
import ctypes
import ctypes.util
import os
import sys
import threading
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from pathlib import Path

from argon2 import PasswordHasher as Argon2
from argon2 import Type
from argon2.exceptions import InvalidHashError, VerificationError

from application.ports.security import PasswordCheck, PasswordHasher
from domain.errors import PasswordWorkBusy

TRIM_AFTER_IDLE = 0.2  # seconds: logins closer than this (a busy site) keep the buffer
BCRYPT_PREFIXES = ("$2a$", "$2b$", "$2y$")
BCRYPT_MAX_BYTES = 72  # Node's bcrypt silently truncates here; Python's bcrypt raises.
HASHER_NICENESS = 10  # below the event loop's priority, not starved by it
BUSY_RETRY_AFTER = 1  # seconds: a place frees up within a few hash times


AVX2_BUILD_MARKER = Path(sys.prefix, ".argon2-avx2")  # written by scripts/fast_argon2.sh
M_ARENA_MAX = -8  # glibc's mallopt parameter (malloc.h)


def _glibc(name: str):
    """A function of glibc's allocator, or None elsewhere (musl, macOS): memory then stays
    with the allocator."""
    try:
        return getattr(ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6"), name)
    except (OSError, AttributeError):
        return None


def _one_malloc_arena() -> None:
    """Threads started from now on allocate from glibc's main arena (see the module's notes).
    Process-wide: the event loop and this pool are all its threads. No-op off glibc."""
    mallopt = _glibc("mallopt")
    if mallopt is not None:
        mallopt(M_ARENA_MAX, 1)


def ensure_argon2_fits_cpu(
    marker: Path = AVX2_BUILD_MARKER, cpuinfo: Path = Path("/proc/cpuinfo")
) -> None:
    """An AVX2 build copied to a CPU without AVX2 would kill the worker (SIGILL) at its first
    login; refuse to start instead, saying how to fix it."""
    if not marker.exists() or not cpuinfo.exists():
        return
    flags = next((line for line in cpuinfo.read_text().splitlines() if line.startswith("flags")), "")
    if "avx2" not in flags.split():
        raise RuntimeError(
            "argon2 was built with AVX2 for another CPU (scripts/fast_argon2.sh) and this one has "
            "no AVX2: run `ARGON2_BUILD=wheel make bootstrap` for the portable build"
        )


class Argon2PasswordHasher(PasswordHasher):
    """OWASP's argon2id floor by default (m=19 MiB, t=2, p=1)."""

    def __init__(
        self, *, memory_cost: int = 19_456, time_cost: int = 2, parallelism: int = 1,
        threads: int = 1, queue_limit: int = 32,
    ) -> None:
        ensure_argon2_fits_cpu()
        self._argon2 = Argon2(
            time_cost=time_cost, memory_cost=memory_cost, parallelism=parallelism, type=Type.ID
        )
        _one_malloc_arena()  # before the pool's threads exist: arenas are picked at their first malloc
        self._pool = ThreadPoolExecutor(
            max_workers=threads, thread_name_prefix="argon2", initializer=_lower_priority
        )
        self._queue_limit = queue_limit
        self._queued = 0  # requests holding a place; touched on the event loop only
        self._trim = _glibc("malloc_trim")
        self._trim_timer: asyncio.TimerHandle | None = None
        self._dummy_hash = self._argon2.hash("sesame-dummy-password")

    @property
    def queued(self) -> int:
        """Requests holding a place for password work now (the queue gauge)."""
        return self._queued

    @asynccontextmanager
    async def reserve(self) -> AsyncIterator[None]:
        if self._queued >= self._queue_limit:
            raise PasswordWorkBusy(BUSY_RETRY_AFTER)
        self._queued += 1
        if self._trim_timer is not None:  # work again before the trim: keep the buffer
            self._trim_timer.cancel()
            self._trim_timer = None
        try:
            yield
        finally:
            self._queued -= 1
            if self._queued == 0 and self._trim is not None:
                self._trim_timer = asyncio.get_running_loop().call_later(
                    TRIM_AFTER_IDLE, self._give_memory_back
                )

    def _give_memory_back(self) -> None:
        """The queue stayed empty: on a hasher thread (queued behind any hash)."""
        self._trim_timer = None
        try:
            self._pool.submit(self._trim, 0)
        except RuntimeError:  # shut down: nothing more to hash, nothing to keep
            pass

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
        import bcrypt  # only deployments that imported bcrypt hashes meet one

        try:
            return bcrypt.checkpw(password.encode()[:BCRYPT_MAX_BYTES], password_hash.encode())
        except ValueError:  # a malformed stored hash
            return False


def _lower_priority() -> None:
    """Linux schedules threads one by one: this hasher thread yields to the event loop."""
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), HASHER_NICENESS)
    except (AttributeError, OSError):  # not Linux, or not allowed: the default priority
        pass
