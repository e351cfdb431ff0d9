"""The e2e fixtures (server, client, mail, whatsapp, idp, db, ...) live in
tests/support/e2e_fixtures.py, registered for every test directory in tests/conftest.py;
the constants stay importable from here."""

import pytest

from tests.support.e2e_fixtures import (  # noqa: F401
    EMAIL_FROM,
    FRONTEND,
    GRACE_SECONDS,
    PROXY,
    SECRET_KEY,
    WHATSAPP_CONTENT_SID,
    WHATSAPP_FROM,
    client_address,
)


@pytest.fixture(autouse=True)
def _no_failures_left(no_failures_left):
    """Every e2e test leaves the fake SendGrid and Twilio without pending failures."""
