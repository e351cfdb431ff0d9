import pytest

from domain.client_addresses import counted_address


@pytest.mark.parametrize(("ip", "counted"), [
    ("2001:db8:1:2::1", "2001:db8:1:2::/64"),
    ("2001:db8:1:2:ffff:ffff:ffff:ffff", "2001:db8:1:2::/64"),  # one /64: one client
    ("2001:db8:1:3::1", "2001:db8:1:3::/64"),  # the next /64: another client
    ("fe80::1%eth0", "fe80::/64"),  # a zone id names the proxy's interface, not the client
    ("::ffff:198.51.100.7", "198.51.100.7"),  # IPv4-mapped: the IPv4 client it carries
    ("198.51.100.7", "198.51.100.7"),  # IPv4: each address on its own
    ("198.51.100.8", "198.51.100.8"),
])
def test_ipv6_clients_count_by_their_64_and_ipv4_ones_by_address(ip, counted):
    assert counted_address(ip) == counted


@pytest.mark.parametrize("ip", [None, "", "unknown", "not an address", "2001:db8::/64"])
def test_a_missing_or_invalid_address_is_one_unknown_client(ip):
    assert counted_address(ip) == "unknown"
