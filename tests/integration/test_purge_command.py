"""`python -m web purge`: the batched purge, once, from the command line."""

from infrastructure.settings import load_settings
from web import __main__ as entry


def test_purge_once_says_what_it_deleted(database_url, capsys):
    entry.purge(load_settings({"DATABASE_URL": database_url}, env_file="/nonexistent"))
    line = capsys.readouterr().out.strip()
    assert line.startswith("Purged: ") and "session_sids" in line and "outbox_messages" in line
