"""The typed client (examples/nextjs/src/api/schema.d.ts) is what openapi-typescript makes of
the committed schema snapshot: with tests/unit/test_frontend_client.py (snapshot = served
schema), the pages are typed against the API as it answers today."""

import subprocess

from tests.support.next_app import APP, missing_prerequisites


def test_the_committed_typed_client_is_generated_from_the_committed_schema():
    assert not missing_prerequisites(), missing_prerequisites()
    run = subprocess.run(["npm", "run", "--silent", "check:api"], cwd=APP, capture_output=True,
                         text=True, timeout=120)
    assert run.returncode == 0, f"{run.stdout}{run.stderr}\nRun `make client` and commit both files."
