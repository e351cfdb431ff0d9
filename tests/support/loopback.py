import socket


def has_ipv6_loopback() -> bool:
    """Can this machine listen on ::1? (containers without IPv6 cannot)."""
    try:
        with socket.socket(socket.AF_INET6) as s:
            s.bind(("::1", 0))
        return True
    except OSError:
        return False
