"""The same-site rule behind the start-up warnings (browsers send cookies by site)."""

import pytest

from web.edge.sites import same_site, site_warnings


@pytest.mark.parametrize(("api", "frontend"), [
    ("http://localhost:4000", "http://localhost:3000"),  # ports do not matter
    ("https://api.example.com", "https://app.example.com"),  # sibling subdomains
    ("https://example.com", "https://www.example.com"),
    ("http://127.0.0.1:4000", "http://127.0.0.1:3000"),
    ("https://API.Example.com.", "https://app.example.com"),  # case and the root dot
])
def test_same_site(api, frontend):
    assert same_site(api, frontend)


@pytest.mark.parametrize(("api", "frontend"), [
    ("http://127.0.0.1:4000", "http://localhost:3000"),  # the classic one
    ("http://[::1]:4000", "http://localhost:3000"),
    ("http://api.example.com", "https://app.example.com"),  # schemeful: http is another site
    ("https://api.example.com", "https://app.example.org"),
    ("http://10.0.0.2:4000", "http://10.0.0.3:3000"),  # an address is its own site
])
def test_not_same_site(api, frontend):
    assert not same_site(api, frontend)


def test_no_warning_for_the_defaults():
    assert site_warnings("http://localhost:4000", "http://localhost:3000", "lax", False) == []


def test_warns_once_when_the_api_and_the_frontend_are_not_the_same_site():
    [warning] = site_warnings("http://127.0.0.1:4000", "http://localhost:3000", "lax", False)
    assert "not the same site" in warning and "127.0.0.1" in warning and "\n" not in warning


@pytest.mark.parametrize(("api", "secure"), [
    ("http://localhost:4000", False), ("https://api.example.com", False), ("http://api.example.com", True),
])
def test_warns_when_samesite_none_lacks_https(api, secure):
    warnings = site_warnings(api, api, "none", secure)
    assert len(warnings) == 1 and "COOKIE_SAMESITE=none" in warnings[0]


def test_samesite_none_over_https_with_secure_cookies_is_fine():
    assert site_warnings("https://api.example.com", "https://app.example.com", "none", True) == []
