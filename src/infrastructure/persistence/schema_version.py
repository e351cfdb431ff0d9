"""Where the schema stands against the code: the revisions this code knows and the one it
needs, read without Alembic. The serving process checks readiness against REVISIONS and
SCHEMA_HEAD, constants that a unit test holds equal to the migrations' chain and head (loading
Alembic and its script directory costs ~8-13 MiB per worker, kept for the life of the
process); Alembic is imported only to migrate (migrate.py)."""

from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

# Every revision this code knows, oldest first; the last is the one it needs. A new migration
# must be appended (tests/unit/infrastructure/test_schema_head.py compares this with Alembic's
# script directory). Readiness reads a revision's age from its place here.
REVISIONS: tuple[str, ...] = (
    "0001",
    "0002",
    "0003_formlink",
    "0004_sessions",
    "0005_purge_indexes",
    "0006_phone_changed_at",
    "0007_delivery_window",
    "0008_second_factor",
    "0009_passkeys",
)
SCHEMA_HEAD = REVISIONS[-1]
VERSION_TABLE = "alembic_versions"


def schema_head() -> str:
    """The revision this code needs (SCHEMA_HEAD: no Alembic, no files read)."""
    return SCHEMA_HEAD


@dataclass(frozen=True, slots=True)
class SchemaState:
    """Where the schema stands against the code's head. Rules: the head or a later revision
    of REVISIONS is usable; a revision not in REVISIONS is taken as newer (a later version
    migrated it: old and new code serve side by side during a rolling deploy), so usable
    too; an earlier revision, or none, is not."""

    revision: str | None  # None: never migrated
    head: str
    known: tuple[str, ...] = REVISIONS

    @property
    def current(self) -> bool:
        return self.revision == self.head

    @property
    def unknown(self) -> bool:
        """Migrated by a version this code does not know (taken as newer)."""
        return self.revision is not None and self.revision not in self.known

    @property
    def usable(self) -> bool:
        if self.revision is None:
            return False
        if self.unknown:
            return True
        return self.known.index(self.revision) >= self.known.index(self.head)


async def schema_state(engine: AsyncEngine, head: str) -> SchemaState:
    """Where the database's schema is, against `head`. Raises when the database does not answer."""
    async with engine.connect() as connection:
        if await connection.scalar(text("SELECT to_regclass(:table)"), {"table": VERSION_TABLE}) is None:
            return SchemaState(None, head)
        revision = await connection.scalar(text(f"SELECT version_num FROM {VERSION_TABLE}"))
    return SchemaState(revision, head)
