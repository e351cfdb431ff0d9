"""The Next.js example's typed client is generated from a committed copy of the OpenAPI schema
(examples/nextjs/openapi.json): that copy must be the schema the app serves now, or the
client types calls the API no longer answers (or misses new ones)."""

import json
from pathlib import Path

from web.schema_export import normalised, published_schema

SNAPSHOT = Path(__file__).resolve().parents[2] / "examples" / "nextjs" / "openapi.json"


def test_the_committed_schema_of_the_nextjs_client_is_the_served_one():
    served = normalised(published_schema())
    committed = SNAPSHOT.read_text("utf-8")
    if committed != served:
        changed = sorted(_changed_paths(json.loads(committed), json.loads(served)))
        raise AssertionError(
            "examples/nextjs/openapi.json differs from the schema the app serves "
            f"(operations changed: {', '.join(changed) or 'components only'}). "
            "Run `make client` to regenerate it and the typed client (src/api/schema.d.ts), "
            "then commit both."
        )


def test_the_snapshot_documents_the_routes_the_pages_call():
    paths = json.loads(SNAPSHOT.read_text("utf-8"))["paths"]
    for path in ["/auth/me", "/auth/refresh", "/auth/login", "/auth/register", "/auth/providers",
                 "/auth/profile", "/auth/sessions", "/auth/events", "/auth/accounts/{provider}"]:
        assert path in paths, path


def _changed_paths(old: dict, new: dict) -> set[str]:
    old_paths, new_paths = old.get("paths", {}), new.get("paths", {})
    return {path for path in old_paths.keys() | new_paths.keys()
            if old_paths.get(path) != new_paths.get(path)}


def test_the_snapshot_ignores_the_environment(monkeypatch):
    # A developer's OIDC_PROVIDERS or missing Facebook keys must not change the snapshot.
    monkeypatch.setenv("OIDC_PROVIDERS", "acme")
    monkeypatch.setenv("ACME_DISCOVERY_URL", "http://127.0.0.1:1/.well-known/openid-configuration")
    monkeypatch.setenv("FACEBOOK_CLIENT_ID", "")
    paths = published_schema()["paths"]
    assert "/auth/acme" not in paths and "/auth/facebook" in paths and "/auth/github" in paths
