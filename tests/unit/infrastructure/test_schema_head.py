"""What the serving process loads: readiness against SCHEMA_HEAD without Alembic, and HTTP
clients only for the providers its settings name."""

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


PROVIDER_MODULES = ("httpx", "authlib", "joserfc", "sendgrid", "twilio", "phonenumbers", "bcrypt")
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
    # phone and legacy-bcrypt libraries when a number or such a hash is first read
    assert _modules_after_create_app() == []


def test_a_configured_provider_brings_its_http_client():
    loaded = _modules_after_create_app(GOOGLE_CLIENT_ID="id", GOOGLE_CLIENT_SECRET="secret")
    assert {"authlib", "httpx", "joserfc"} <= set(loaded)
