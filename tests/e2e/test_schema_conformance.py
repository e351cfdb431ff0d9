"""schemathesis against the running app: every operation of the published schema, every check,
without and with a session. The operations come from the schema, so a route added later is
fuzzed too. Known tolerances live in one place: tests/support/schemathesis_hooks.py."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.server import ROOT

CONFIG = Path(__file__).with_name("schemathesis.toml")


@pytest.mark.parametrize("with_session", [False, True], ids=["anonymous", "signed_in"])
def test_the_api_does_what_its_schema_says(server, with_session):
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
        "SCHEMATHESIS_HOOKS": "tests.support.schemathesis_hooks",
        "SESAME_URL": server,
        "SESAME_SESSION": "1" if with_session else "0",
    }
    command = [
        sys.executable, "-m", "schemathesis.cli", "--config-file", str(CONFIG), "--no-color",
        "run", f"{server}/schema/openapi.json", "--checks", "all", "--output-sanitize", "false",
    ]
    run = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    report = run.stdout + run.stderr
    assert run.returncode == 0, report
    selected = re.search(r"Selected: (\d+)/(\d+)\s+Tested: (\d+)", report)
    assert selected and len(set(selected.groups())) == 1, report  # every operation was tested
