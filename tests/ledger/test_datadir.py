"""The data directory is private (ledger.datadir), checked on a served instance.

``ledger init`` leaves the data directory 0700 and every file 0600 even under a umask of
022; a start on wider modes (an old install, a restore with ``cp``) makes them private
again and logs each change; what the server creates while it runs (the SQLite ``-wal``
and ``-shm``, metrics files, the development TSA's files) is private too.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from tests.conftest import event
from tests.server import LedgerServer


def modes(root: Path) -> dict[str, int]:
    """Every path under ``root`` (and ``root``) → its permission bits."""
    found = {".": stat.S_IMODE(root.stat().st_mode)}
    for base, dirs, files in os.walk(root):
        for name in dirs + files:
            path = Path(base) / name
            found[str(path.relative_to(root))] = stat.S_IMODE(path.lstat().st_mode)
    return found


def wide(modes_found: dict[str, int]) -> dict[str, str]:
    """The paths that anyone but the owner may read, write or enter, with their modes."""
    return {path: f"{mode:04o}" for path, mode in modes_found.items() if mode & 0o077}


def test_init_and_every_start_keep_the_data_directory_private(db_url: str, tmp_path: Path) -> None:
    data = tmp_path / "var"
    old = os.umask(0o022)  # what a user's shell usually has
    try:
        server = LedgerServer(db_url, data)
        server.setup()  # ledger init, a tenant, keys
    finally:
        os.umask(old)
    after_init = modes(data)
    assert wide(after_init) == {}
    assert after_init["."] == 0o700
    assert after_init["keys"] == 0o700
    assert after_init["keys/pseudonym.key"] == 0o600
    if "sqlite" in db_url:
        assert after_init["ledger.db"] == 0o600

    # As an old install or a careless restore leaves it: everything readable by all.
    for path in [data, *data.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    with server:
        client = server.client()
        for n in range(3):
            assert client.post("/v1/events", event(n))[0] == 201
        client.close()
        running = modes(data)
        log = server.log_path.read_text()
    assert wide(running) == {}
    assert f"permissions made private: {data}: 0755 -> 0700" in log
    assert f"permissions made private: {data / 'keys' / 'pseudonym.key'}: 0644 -> 0600" in log
    if "sqlite" in db_url:
        assert f"permissions made private: {data / 'ledger.db'}: 0644 -> 0600" in log
        # Created by the running server: SQLite gives them the database's mode.
        assert running["ledger.db-wal"] == 0o600
        assert running["ledger.db-shm"] == 0o600
    assert any(path.startswith("prometheus/") for path in running)
    assert any(path.startswith("devtsa/") for path in running)

    # A start on private modes changes nothing and says nothing.
    with server:
        pass
    second = server.log_path.read_text().split("--- start 2 ---", 1)[1]
    assert "permissions made private" not in second
    assert wide(modes(data)) == {}
