"""`python -m web` binds "localhost" to every loopback address itself (uvicorn would bind
only what the resolver says, often 127.0.0.1 alone)."""

import socket

import pytest

from tests.support.loopback import has_ipv6_loopback
from web.serving.listeners import describe, listening_sockets


def test_localhost_is_both_loopback_addresses_on_one_port():
    sockets = listening_sockets("localhost", 0)
    try:
        addresses = {s.getsockname()[0] for s in sockets}
        assert addresses == ({"127.0.0.1", "::1"} if has_ipv6_loopback() else {"127.0.0.1"})
        assert len({s.getsockname()[1] for s in sockets}) == 1
        assert describe(sockets).startswith("127.0.0.1:")
    finally:
        for s in sockets:
            s.close()


def test_a_taken_port_is_one_clear_error_naming_the_address():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(OSError) as error:
            listening_sockets("localhost", port)
    assert error.value.strerror.startswith(f"cannot listen on 127.0.0.1 port {port}")
