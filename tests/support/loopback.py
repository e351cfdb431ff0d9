import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


def has_ipv6_loopback() -> bool:
    """Can this machine listen on ::1? (containers without IPv6 cannot)."""
    try:
        with socket.socket(socket.AF_INET6) as s:
            s.bind(("::1", 0))
        return True
    except OSError:
        return False


def serve_in_background(
    handler: type[BaseHTTPRequestHandler], **attributes: Any
) -> tuple[ThreadingHTTPServer, threading.Thread]:
    """An HTTP server on 127.0.0.1 (a free port) in a daemon thread; `attributes` are set on
    the server, for the handler to reach (self.server.<name>)."""
    server = ThreadingHTTPServer(("127.0.0.1", attributes.pop("port", 0)), handler)
    server.daemon_threads = True
    for name, value in attributes.items():
        setattr(server, name, value)
    # Short poll interval so stop_serving (shutdown) returns quickly.
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    return server, thread


def stop_serving(server: ThreadingHTTPServer, thread: threading.Thread) -> None:
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)
