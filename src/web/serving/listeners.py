"""The sockets `python -m web` listens on.

"localhost" means both loopback addresses. Browsers resolve localhost themselves to ::1
and 127.0.0.1 (RFC 6761), Node's fetch (Next.js server code) takes the system's first
answer, often ::1; but uvicorn binds what the system resolver says, which may be
127.0.0.1 alone (an /etc/hosts without ::1, or always with --workers: an AF_INET socket).
Binding both ourselves makes http://localhost:PORT work whichever address a client tries.
"""

import errno
import socket

LOOPBACK = ("127.0.0.1", "::1")


def listening_sockets(host: str, port: int) -> list[socket.socket]:
    """Bound sockets for `host`; an IPv6 address the machine lacks is skipped. Raises
    OSError (e.g. the port is taken) after closing what it opened."""
    sockets: list[socket.socket] = []
    try:
        for family, address in _addresses(host, port):
            sock = _bind(family, (address[0], port, *address[2:]))
            if sock is not None:
                sockets.append(sock)
                port = sock.getsockname()[1]  # PORT=0: the same free port on every address
    except OSError:
        for sock in sockets:
            sock.close()
        raise
    if not sockets:
        raise OSError(errno.EADDRNOTAVAIL, f"no address to listen on for {host}")
    return sockets


def describe(sockets: list[socket.socket]) -> str:
    """'127.0.0.1:4000 and [::1]:4000', for the start-up line."""
    names = []
    for sock in sockets:
        address, port = sock.getsockname()[:2]
        names.append(f"[{address}]:{port}" if sock.family == socket.AF_INET6 else f"{address}:{port}")
    return " and ".join(names)


def _addresses(host: str, port: int) -> list[tuple[socket.AddressFamily, tuple]]:
    hosts = LOOPBACK if host == "localhost" else (host or None,)
    found = []
    for name in hosts:
        for family, _, _, _, address in socket.getaddrinfo(
            name, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        ):
            if (family, address) not in found:
                found.append((family, address))
    return found


def _bind(family: socket.AddressFamily, address: tuple) -> socket.socket | None:
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if family == socket.AF_INET6:
            sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        sock.bind(address)
    except OSError as exc:
        sock.close()
        if family == socket.AF_INET6 and exc.errno in (errno.EADDRNOTAVAIL, errno.EAFNOSUPPORT):
            return None  # no IPv6 here: IPv4 alone is all clients can use anyway
        raise OSError(exc.errno, f"cannot listen on {address[0]} port {address[1]}: {exc.strerror}") from None
    return sock
