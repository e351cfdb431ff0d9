from dataclasses import dataclass
from datetime import timedelta


@dataclass(frozen=True, slots=True)
class SessionPolicy:
    session_ttl: timedelta = timedelta(minutes=15)  # the sid cookie
    refresh_ttl: timedelta = timedelta(days=30)  # absolute lifetime of a login
    reuse_grace: timedelta = timedelta(seconds=10)  # concurrent tabs may replay this long
