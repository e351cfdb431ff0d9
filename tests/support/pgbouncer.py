"""A PgBouncer in transaction pool mode in front of a test database, as operators run it.

Debian's pgbouncer (/usr/sbin/pgbouncer): installed here with apt-get when it is missing and
we may (root, apt-get present), as CI does on a fresh machine; otherwise the tests that need
it are skipped, saying how to get it. It listens on a free loopback port, trusts every user
(auth_type = trust: the test server's own users are trusted too), and lends each client a
server connection for one transaction only, from a pool smaller than its clients, so that
different clients' statements follow one another on the same server connections.

    with running_pgbouncer(database_url) as bouncer:
        bouncer.url  # database_url's database, through PgBouncer
"""

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from tests.support.server import free_port

PGBOUNCER = Path(os.environ.get("PGBOUNCER", "/usr/sbin/pgbouncer"))
POOL_SIZE = 3  # server connections per database and user: fewer than the service's clients
RUN_AS = ("postgres", "nobody")  # pgbouncer refuses to run as root: the first that exists


@dataclass(frozen=True)
class Bouncer:
    url: str  # the database through PgBouncer (SQLAlchemy form, as the database fixture gives)
    port: int
    log: Path


def pgbouncer_or_skip() -> Path:
    """/usr/sbin/pgbouncer, installed from Debian's packages first when we may; else skip."""
    if PGBOUNCER.exists():
        return PGBOUNCER
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        pytest.skip(f"PgBouncer is not installed ({PGBOUNCER}): run 'sudo apt-get install pgbouncer' "
                    "(Debian/Ubuntu) or set PGBOUNCER=/path/to/pgbouncer")
    install = ["apt-get", "install", "-y", "-q", "--no-install-recommends", "pgbouncer"]
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.PIPE, "env": env, "timeout": 600}
    if subprocess.run(install, **quiet).returncode != 0:  # the package lists may be stale or absent
        subprocess.run(["apt-get", "update", "-q"], **quiet)
        done = subprocess.run(install, **quiet)
        if done.returncode != 0:
            pytest.fail(f"apt-get install pgbouncer failed: {done.stderr.decode(errors='replace')[-2000:]}")
    _stop_packaged_service()
    return PGBOUNCER


def _stop_packaged_service() -> None:
    """The package may start its own PgBouncer (port 6432, /etc/pgbouncer): ours needs none."""
    if shutil.which("service") is not None:
        subprocess.run(["service", "pgbouncer", "stop"], stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, timeout=60)


@contextmanager
def running_pgbouncer(database_url: str, pool_size: int = POOL_SIZE) -> Iterator[Bouncer]:
    """PgBouncer (transaction pooling) in front of the server of `database_url`."""
    binary = pgbouncer_or_skip()
    target = make_url(database_url)
    port = free_port()
    directory = Path(tempfile.mkdtemp(prefix="sesame-pgbouncer-"))
    server, socket_dir = _server_address(target)
    user = _unprivileged_user(socket_dir) if os.geteuid() == 0 else None
    (directory / "userlist.txt").write_text(f'"{target.username or "postgres"}" ""\n')
    config = directory / "pgbouncer.ini"
    log = directory / "pgbouncer.log"
    config.write_text("\n".join([
        "[databases]",
        f"* = {server}",
        "[pgbouncer]",
        "listen_addr = 127.0.0.1",
        f"listen_port = {port}",
        "unix_socket_dir =",
        "auth_type = trust",
        f"auth_file = {directory / 'userlist.txt'}",
        "pool_mode = transaction",
        f"default_pool_size = {pool_size}",
        "min_pool_size = 0",
        "reserve_pool_size = 0",
        "max_client_conn = 500",
        "query_wait_timeout = 30",
        f"logfile = {log}",
        f"pidfile = {directory / 'pgbouncer.pid'}",
        "",
    ]))
    if user is not None:
        os.chown(directory, user.pw_uid, user.pw_gid)
        for path in directory.iterdir():
            os.chown(path, user.pw_uid, user.pw_gid)
    command = [str(binary), *(["-u", user.pw_name] if user is not None else []), str(config)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        _wait_listening(port, process, log)
        url = target.set(host="127.0.0.1", port=port, query={}).render_as_string(hide_password=False)
        yield Bouncer(url=url, port=port, log=log)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        shutil.rmtree(directory, ignore_errors=True)


def _unprivileged_user(socket_dir: str | None) -> pwd.struct_passwd:
    """Who runs PgBouncer when we are root: the owner of the server's socket directory (the
    embedded server's is private to its user), else the first user of RUN_AS that exists."""
    if socket_dir is not None:
        owner = os.stat(socket_dir).st_uid
        if owner != 0:
            return pwd.getpwuid(owner)
    for name in RUN_AS:
        try:
            return pwd.getpwnam(name)
        except KeyError:
            continue
    pytest.skip(f"PgBouncer does not run as root, and none of the users {', '.join(RUN_AS)} exists")


def _server_address(url) -> tuple[str, str | None]:
    """The [databases] line's connection string for the server of `url` (a TCP host, or the
    socket directory an embedded server gives as ?host=), and that socket directory if any."""
    host = url.host or url.query.get("host") or "127.0.0.1"
    if isinstance(host, tuple):
        host = host[0]
    return f"host={host} port={url.port or 5432}", host if host.startswith("/") else None


def _wait_listening(port: int, process: subprocess.Popen, log: Path, timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            told = process.stderr.read().decode(errors="replace") if process.stderr else ""
            logged = log.read_text(errors="replace") if log.exists() else ""
            raise RuntimeError(f"pgbouncer exited with {process.returncode}: {told}{logged}"[-3000:])
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"pgbouncer not listening on port {port} after {timeout} s")
