"""What one process takes on: the attempt limits, and the password work it runs and queues."""

import msgspec

from infrastructure.settings.environment import check_at_least, variable


class LimitSettings(msgspec.Struct, frozen=True, kw_only=True):
    rate_limit_enabled: bool = variable("RATE_LIMIT_ENABLED", True)  # false: benchmarks only
    # Password work per process (infrastructure/security/passwords.py): threads hashing
    # (each holds argon2's 19 MiB while busy), and requests holding a place, running or
    # waiting, before the next is refused with 503 busy.
    password_hash_threads: int = variable("PASSWORD_HASH_THREADS", 1)
    password_queue_limit: int = variable("PASSWORD_QUEUE_LIMIT", 32)


def check_limits(limits: LimitSettings) -> None:
    check_at_least(1, "a whole number, 1 or more", PASSWORD_HASH_THREADS=limits.password_hash_threads,
                   PASSWORD_QUEUE_LIMIT=limits.password_queue_limit)
