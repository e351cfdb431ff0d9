"""Where the workers' metrics meet: PROMETHEUS_MULTIPROC_DIR, a fresh private directory for
each start of the service (`python -m web` makes it before any worker starts, and removes it
when it stops). Fresh, because a counter left by an earlier start would be added to this one's;
private (0700), because its files say who fails to sign in, and how often.

This module loads nothing of prometheus_client: the variable must be set before that is
first imported (it picks its multiprocess mode then)."""

import os
import shutil
import tempfile

VARIABLE = "PROMETHEUS_MULTIPROC_DIR"


def fresh_directory() -> str:
    """A new empty directory, readable by this user only, named in the environment the
    workers inherit."""
    path = tempfile.mkdtemp(prefix="sesame-metrics-")
    os.environ[VARIABLE] = path
    return path


def remove_directory(path: str) -> None:
    shutil.rmtree(path, ignore_errors=True)
    if os.environ.get(VARIABLE) == path:
        del os.environ[VARIABLE]
