"""What the serving process loads: readiness against SCHEMA_HEAD without Alembic, and HTTP
clients only for the providers its settings name."""

import os
import subprocess
import sys

import pytest

from infrastructure.persistence.migrate import _alembic_config, migrations_head
from infrastructure.persistence.schema_version import REVISIONS, SCHEMA_HEAD, SchemaState, schema_head


def test_schema_head_is_the_migrations_head():
    # A new migration fails here until SCHEMA_HEAD names it.
    assert schema_head() == SCHEMA_HEAD == migrations_head()


def test_the_known_revisions_are_the_migrations_chain_oldest_first():
    # Readiness tells older from newer by this list: a new migration is appended to it.
    from alembic.script import ScriptDirectory

    chain = [script.revision for script in ScriptDirectory.from_config(_alembic_config()).walk_revisions()]
    assert REVISIONS == tuple(reversed(chain))


@pytest.mark.parametrize("revision, usable", [
    (None, False),  # never migrated
    (REVISIONS[0], False),  # older: this code needs what came after
    (REVISIONS[-2], False),
    (SCHEMA_HEAD, True),
    ("0099_from_a_later_version", True),  # unknown: taken as newer (migrate, then roll out)
])
def test_the_head_or_newer_is_usable_and_older_is_not(revision, usable):
    state = SchemaState(revision, SCHEMA_HEAD)
    assert state.usable is usable
    assert state.unknown is (revision == "0099_from_a_later_version")


def test_a_revision_newer_than_the_head_and_known_is_usable():
    # An older version's code, once a newer migration it knows of is applied (the list is its own).
    assert SchemaState("b", "a", known=("a", "b")).usable
    assert not SchemaState("a", "b", known=("a", "b")).usable


def test_the_app_does_not_import_alembic():
    code = (
        "import sys, web.app, web.composition.adapters, infrastructure.persistence.migrate;"
        "print(sorted(m for m in ('alembic', 'advanced_alchemy.extensions.litestar') if m in sys.modules))"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
    assert out.stdout.strip() == "[]"


# Not bcrypt: the passkey verifier (py_webauthn) loads cryptography's key serialization,
# which imports bcrypt (a small native module) whenever it is installed.
PROVIDER_MODULES = ("httpx", "authlib", "joserfc", "sendgrid", "twilio", "phonenumbers")
BUILT_APP = (
    "import sys, web.__main__; from web.app import create_app; create_app();"
    f"print(sorted(m for m in {PROVIDER_MODULES!r} if m in sys.modules))"
)


def _modules_after_create_app(**settings: str) -> list[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GOOGLE_", "SENDGRID_", "OIDC_"))}
    env.update(PYTHONPATH=os.pathsep.join(p for p in sys.path if p),
               DATABASE_URL="postgresql://sesame@127.0.0.1:1/never_connected", **settings)
    out = subprocess.run([sys.executable, "-c", BUILT_APP], capture_output=True, text=True, env=env)
    assert out.returncode == 0, out.stderr
    return eval(out.stdout.strip().splitlines()[-1])


def test_a_deployment_without_providers_or_sendgrid_carries_no_http_client():
    # ~7 MiB per worker (docs/performance.md): loaded when a setting asks for them; and the
    # phone library when a number is first read
    assert _modules_after_create_app() == []


def test_a_configured_provider_brings_its_http_client():
    loaded = _modules_after_create_app(GOOGLE_CLIENT_ID="id", GOOGLE_CLIENT_SECRET="secret")
    assert {"authlib", "httpx", "joserfc"} <= set(loaded)


def test_the_breach_check_brings_httpx_alone():
    assert _modules_after_create_app(PASSWORD_BREACH_CHECK="true") == ["httpx"]
