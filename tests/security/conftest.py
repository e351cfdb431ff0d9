"""The security conformance suite talks to the e2e server (tests/support/e2e_fixtures.py,
registered in tests/conftest.py): the same session-scoped uvicorn, no second one."""

import pytest


@pytest.fixture(autouse=True)
def _no_failures_left(no_failures_left):
    """Every test leaves the fake SendGrid and Twilio without pending failures."""
