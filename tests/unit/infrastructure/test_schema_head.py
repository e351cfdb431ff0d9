"""The serving process checks readiness against SCHEMA_HEAD without loading Alembic."""

import os
import subprocess
import sys

from infrastructure.persistence.database import SCHEMA_HEAD, migrations_head, schema_head


def test_schema_head_is_the_migrations_head():
    # A new migration fails here until SCHEMA_HEAD names it.
    assert schema_head() == SCHEMA_HEAD == migrations_head()


def test_the_app_does_not_import_alembic():
    code = (
        "import sys, web.app, web.adapters, infrastructure.persistence.database;"
        "print(sorted(m for m in ('alembic', 'advanced_alchemy.extensions.litestar') if m in sys.modules))"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
    assert out.stdout.strip() == "[]"
