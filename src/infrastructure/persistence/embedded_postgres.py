"""The embedded PostgreSQL, the database when DATABASE_URL is unset: started in DATA_DIR,
its database created when missing, stopped with the process."""

import logging
import warnings
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

log = logging.getLogger(__name__)


class EmbeddedPostgres:
    """A real PostgreSQL from the `pgserver` wheel, for machines without a server."""

    def __init__(self, data_dir: Path, database: str = "sesame") -> None:
        self._data_dir = data_dir
        self._database = database
        self._server = None

    def start(self) -> str:
        self._data_dir.mkdir(parents=True, exist_ok=True)
        with warnings.catch_warnings():  # platformdirs warns when XDG_RUNTIME_DIR is unset
            warnings.simplefilter("ignore")
            import pgserver  # imported here: only the embedded mode needs it

            # Its INFO lines narrate each pg_ctl call with its output (15 lines at Ctrl-C);
            # its warnings and errors still show.
            logging.getLogger("pgserver").setLevel(logging.WARNING)
            self._server = pgserver.get_server(self._data_dir, cleanup_mode="stop")
        exists = self._server.psql(
            f"SELECT 1 FROM pg_database WHERE datname = '{self._database}';"
        )
        if "(1 row)" not in exists:
            self._server.psql(f'CREATE DATABASE "{self._database}";')
        socket_dir = parse_qs(urlsplit(self._server.get_uri()).query)["host"][0]
        log.info("embedded PostgreSQL running in %s", self._data_dir)
        return f"postgresql+asyncpg://postgres@/{self._database}?host={socket_dir}"

    def stop(self) -> None:
        if self._server is not None:
            self._server.cleanup()
            self._server = None
