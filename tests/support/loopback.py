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


def send(handler: BaseHTTPRequestHandler, status: int, headers: dict[str, str], body: bytes) -> None:
    """Write a whole answer, with its Content-Length."""
    handler.send_response(status)
    for name, value in {**headers, "Content-Length": str(len(body))}.items():
        handler.send_header(name, value)
    handler.end_headers()
    handler.wfile.write(body)


class ServedInBackground:
    """start()/stop() and `with` for a fake served by its `handler` class on loopback; the
    handler reaches the fake as `self.server.fake`."""

    handler: type[BaseHTTPRequestHandler]
    _server: ThreadingHTTPServer | None = None
    _thread: threading.Thread | None = None
    _port: int = 0  # kept across stop(): start() again listens on the same port

    def start(self):
        self._server, self._thread = serve_in_background(self.handler, fake=self, port=self._port)
        self._port = self._server.server_port
        return self

    def stop(self) -> None:
        if self._server is not None and self._thread is not None:
            stop_serving(self._server, self._thread)
            self._server = self._thread = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        if not self._port:
            raise RuntimeError(f"{type(self).__name__} was never started")
        return f"http://127.0.0.1:{self._port}"
