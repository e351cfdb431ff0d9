"""The client address and user agent recorded with a session: a real IP address in one
spelling, or unknown; never the text a forwarded header happened to hold."""

import pytest

from web.edge.client import MAX_USER_AGENT, clean_user_agent, client_address


@pytest.mark.parametrize(("raw", "stored"), [
    ("203.0.113.7", "203.0.113.7"),
    ("2001:db8::1", "2001:db8::1"),
    ("2001:DB8:0:0:0:0:0:1", "2001:db8::1"),  # one spelling: compressed, lower case
    ("2001:0db8:0000:0000:0000:ff00:0042:8329", "2001:db8::ff00:42:8329"),
    ("::1", "::1"),
])
def test_a_valid_address_is_stored_in_its_canonical_form(raw, stored):
    assert client_address(raw) == stored


def test_an_ipv4_mapped_ipv6_address_is_the_ipv4_address():
    assert client_address("::ffff:192.0.2.1") == "192.0.2.1"
    assert client_address("::FFFF:c000:201") == "192.0.2.1"


def test_a_zone_id_is_dropped():
    assert client_address("fe80::1%eth0") == "fe80::1"
    assert client_address("fe80::1%" + "z" * 40) == "fe80::1"


@pytest.mark.parametrize("raw", [
    pytest.param("x" * 46, id="46_characters"),
    pytest.param("1" * 300, id="300_characters"),
    pytest.param("2001:db8::" + "1:" * 20, id="46_character_ipv6_lookalike"),
    pytest.param("fe80::1%" + "z" * 300, id="huge_zone_id"),
    pytest.param("not an address", id="text"),
    pytest.param("<script>", id="markup"),
    pytest.param("203.0.113.7, 10.0.0.1", id="a_list"),
    pytest.param("203.0.113.256", id="octet_over_255"),
    pytest.param("010.0.0.1", id="leading_zero_octal_ambiguity"),
    pytest.param(" 203.0.113.7", id="leading_space"),
    pytest.param("", id="empty"),
    pytest.param(None, id="none"),
])
def test_anything_else_is_unknown(raw):
    assert client_address(raw) is None


def test_a_user_agent_loses_control_and_invisible_characters():
    assert clean_user_agent("Mozilla/5.0\x00\x1b[31m\x7f\x85\xad (X11)\t") == "Mozilla/5.0[31m (X11)"


def test_a_user_agent_is_bounded():
    assert clean_user_agent("M" * 10_000) == "M" * MAX_USER_AGENT


@pytest.mark.parametrize("raw", ["", None, "\x00\x01 \x7f"])
def test_an_empty_user_agent_is_unknown(raw):
    assert clean_user_agent(raw) is None
