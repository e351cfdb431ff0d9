"""Whether this process may serve from the database's schema, as /health/ready, the error
handlers and the background jobs' supervisor need to know.

Rules:
- the code's head or a later revision: ready;
- a revision this code does not know: taken as newer (a later version migrated it during
  "migrate, then roll out"), ready, and said in one warning line per process, not per probe;
- an older revision, or none: not ready until migrated;
- a database that does not answer: `check` raises (the caller says 503), and `usable` keeps
  its last answer.

`usable` is that last answer, read without a query (the error handlers ask it on a failed
request only); it is False until a check has said otherwise."""

import logging

from sqlalchemy.ext.asyncio import AsyncEngine

from infrastructure.persistence.schema_version import SCHEMA_HEAD, SchemaState, schema_state

log = logging.getLogger("sesame")

NOT_MIGRATED = "The database schema is not migrated to this version (run: python -m web migrate)."


class SchemaReadiness:
    def __init__(self, engine: AsyncEngine, head: str = SCHEMA_HEAD) -> None:
        self._engine = engine
        self._head = head
        self._warned: str | None = None  # the unknown revision already told of
        self.usable = False

    async def check(self) -> SchemaState:
        """Read where the schema stands (raises when the database does not answer)."""
        state = await schema_state(self._engine, self._head)
        self.usable = state.usable
        if state.unknown and state.revision != self._warned:
            self._warned = state.revision
            log.warning(
                "The database schema is at revision %s, which this version does not know: taken "
                "as newer than its %s (a later version migrated it), so this version serves.",
                state.revision, self._head,
            )
        return state

    async def problem(self) -> str | None:
        """What keeps requests from being served, or None (for /health/ready)."""
        return None if (await self.check()).usable else NOT_MIGRATED

    async def usable_now(self) -> bool:
        """The supervisor's gate: may the background jobs run? (Raises when away.)"""
        return (await self.check()).usable
