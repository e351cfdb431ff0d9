"""What counts as the same device for the new-device alert."""

from domain.devices import browser_of, is_new_device, network_of

FIREFOX_LINUX = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"
FIREFOX_LINUX_NEXT = "Mozilla/5.0 (X11; Linux x86_64; rv:134.0) Gecko/20100101 Firefox/134.0"
EDGE_WINDOWS = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
                "Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0")
SAFARI_IPHONE = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
                 "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1")


def test_a_browser_is_its_family_and_system_not_its_version():
    assert browser_of(FIREFOX_LINUX) == browser_of(FIREFOX_LINUX_NEXT) == "Firefox on Linux"
    assert browser_of(EDGE_WINDOWS) == "Edge on Windows"
    assert browser_of(SAFARI_IPHONE) == "Safari on iOS"
    assert browser_of("python-httpx/0.28.1") == "python-httpx"
    assert browser_of(None) == "unknown browser"


def test_a_network_is_an_ipv4_24_or_an_ipv6_48():
    assert network_of("203.0.113.7") == network_of("203.0.113.200") == "203.0.113.0/24"
    assert network_of("2001:db8:1:2::5") == "2001:db8:1::/48"
    assert network_of("not-an-ip") is None and network_of(None) is None


def test_the_first_sign_in_is_never_a_new_device():
    assert not is_new_device([], "203.0.113.7", FIREFOX_LINUX)


def test_a_known_browser_on_a_known_network_is_not_new_even_after_an_update():
    assert not is_new_device([("203.0.113.7", FIREFOX_LINUX)], "203.0.113.9", FIREFOX_LINUX_NEXT)


def test_another_browser_or_another_network_is_new():
    seen = [("203.0.113.7", FIREFOX_LINUX)]
    assert is_new_device(seen, "203.0.113.7", EDGE_WINDOWS)
    assert is_new_device(seen, "198.51.100.7", FIREFOX_LINUX)
