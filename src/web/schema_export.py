"""The OpenAPI schema as the app serves it, for the Next.js example's typed client.

`python -m web.schema_export examples/nextjs/openapi.json` (run by `make client`) writes it;
`tests/unit/test_frontend_client.py` fails when the committed copy drifts from it. The app is
built in-process with a fixed configuration (no database is opened, every built-in provider
configured), so the snapshot depends on the code only, never on the developer's `.env`.
"""

import json
import sys
from pathlib import Path

from infrastructure.settings import load_settings

# Every built-in provider configured: their routes are in the schema. The URL is never opened.
REFERENCE_ENVIRONMENT = {
    "DATABASE_URL": "postgresql://schema:export@127.0.0.1:1/schema",
    **{f"{name}_{part}": "schema-export" for name in ("GOOGLE", "FACEBOOK", "GITHUB")
       for part in ("CLIENT_ID", "CLIENT_SECRET")},
}


def published_schema() -> dict:
    from web.app import create_app  # imported here: the settings above are the app's only input

    app = create_app(load_settings(REFERENCE_ENVIRONMENT, env_file="/nonexistent/.env"))
    return app.openapi_schema.to_schema()


def normalised(schema: dict) -> str:
    """Sorted keys, two-space indent, final newline: one text for one schema."""
    return json.dumps(schema, sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str]) -> None:
    if len(argv) != 1:
        raise SystemExit("usage: python -m web.schema_export <path/to/openapi.json>")
    Path(argv[0]).write_text(normalised(published_schema()), "utf-8")


if __name__ == "__main__":
    main(sys.argv[1:])
