from datetime import UTC, datetime
from uuid import UUID

import uuid_utils

from application.ports.security import Clock, IdGenerator


class SystemClock(Clock):
    def now(self) -> datetime:
        return datetime.now(UTC)


class Uuid7Ids(IdGenerator):
    """Time-ordered ids: new rows land at the end of the primary-key index."""

    def new_id(self) -> UUID:
        return UUID(bytes=uuid_utils.uuid7().bytes)
