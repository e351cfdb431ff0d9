"""The passkeys' relying party from WEBAUTHN_RP_ID, WEBAUTHN_RP_NAME and WEBAUTHN_ORIGINS, and
their defaults (the host of FRONTEND_ORIGIN, APP_NAME, FRONTEND_ORIGIN)."""

import pytest

from infrastructure.settings import ConfigError, load_settings
from infrastructure.settings.passkeys import relying_party


def party(**env):
    s = load_settings(env, env_file="/nonexistent")
    return relying_party(s.passkeys, s.serving.frontend_origin, s.branding.app_name)


def test_by_default_the_frontend_is_the_relying_party():
    assert party() == ("localhost", "Sésame", ("http://localhost:3000",))
    assert party(FRONTEND_ORIGIN="https://app.example.com", APP_NAME="Acme") == (
        "app.example.com", "Acme", ("https://app.example.com",)
    )


def test_each_can_be_set():
    env = {"FRONTEND_ORIGIN": "https://app.example.com", "WEBAUTHN_RP_ID": "example.com",
           "WEBAUTHN_RP_NAME": "Example", "WEBAUTHN_ORIGINS": "https://app.example.com, https://example.com"}
    assert party(**env) == ("example.com", "Example", ("https://app.example.com", "https://example.com"))


@pytest.mark.parametrize(("env", "named"), [
    ({"WEBAUTHN_RP_ID": "example.com"}, "WEBAUTHN_RP_ID"),  # localhost is not under example.com
    ({"WEBAUTHN_ORIGINS": "https://evil.example"}, "WEBAUTHN_ORIGINS"),
    ({"WEBAUTHN_ORIGINS": "ftp://localhost"}, "WEBAUTHN_ORIGINS"),
    ({"WEBAUTHN_ORIGINS": "http://localhost:3000/login"}, "WEBAUTHN_ORIGINS"),
    ({"FRONTEND_ORIGIN": "https://app.example.com", "WEBAUTHN_RP_ID": "ample.com"}, "WEBAUTHN_RP_ID"),
])
def test_an_origin_outside_the_rp_id_stops_the_start_naming_its_variable(env, named):
    with pytest.raises(ConfigError, match=f"^{named}:"):
        party(**env)


def test_unset_they_check_nothing_of_frontend_origin():
    assert party(FRONTEND_ORIGIN="http://localhost:3000/app")[0] == "localhost"
