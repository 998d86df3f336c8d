"""The data directory's permissions: private to the service's user (docs/security.md).

The data directory holds the SQLite database (hook secrets, outbound ``whsec_`` secrets,
every event body), the log's signing keys, the pseudonym key, the development TSA's and
issuer's keys and the metrics files. ``ledger init`` and every ``ledger serve`` call
``secure``: the data directory and every directory under it become 0700, every file
under it 0600, and so do a SQLite database kept elsewhere and its ``-wal``, ``-shm``,
``-journal`` and ``-writer.lock`` files. ``PRIVATE_UMASK`` then makes what the service
creates private from the start (SQLite gives ``-wal`` and ``-shm`` the database's mode).

What changed is returned, one line per path (``made private: <path>: 0644 -> 0600``, or
``NOT made private: ...`` for a file of another user, which the caller reports and the
start survives), for the caller to log; symbolic links are neither followed nor changed.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from sqlalchemy.engine import make_url

from config.settings import Settings

PRIVATE_UMASK = 0o077
DIR_MODE = 0o700
FILE_MODE = 0o600
SQLITE_SUFFIXES = ("", "-wal", "-shm", "-journal", "-writer.lock")


def private_umask() -> int:
    """Set the process's umask to 077 (inherited by gunicorn and its workers); the old one."""
    return os.umask(PRIVATE_UMASK)


def sqlite_files(settings: Settings) -> list[Path]:
    """The SQLite database's files (whether or not they exist yet); none on PostgreSQL."""
    if not settings.is_sqlite:
        return []
    path = make_url(settings.database_url).database
    if not path or path == ":memory:" or path.startswith("file:"):
        return []
    return [Path(path + suffix) for suffix in SQLITE_SUFFIXES]


def _fix(path: Path, wanted: int, changes: list[str]) -> None:
    try:
        info = path.lstat()
    except FileNotFoundError:
        return
    if stat.S_ISLNK(info.st_mode):
        return
    mode = stat.S_IMODE(info.st_mode)
    # Only take permissions away: a file already stricter (0400) stays as it is.
    target = mode & wanted
    if mode != target:
        try:
            os.chmod(path, target)
        except PermissionError:
            # Another user's file (a restore made as root): said, not fatal; the
            # operator fixes its owner (docs/operator-guide.md, "Backups").
            changes.append(
                f"NOT made private: {path}: {mode:04o}, owned by uid {info.st_uid}, not by "
                f"this user (uid {os.geteuid()}): chown it to the service's user"
            )
            return
        changes.append(f"made private: {path}: {mode:04o} -> {target:04o}")


def secure(settings: Settings) -> list[str]:
    """Make the data directory private (created 0700 if missing); the changes made."""
    changes: list[str] = []
    data_dir = settings.data_dir
    data_dir.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    _fix(data_dir, DIR_MODE, changes)
    for root, dirs, files in os.walk(data_dir):
        base = Path(root)
        for name in dirs:
            _fix(base / name, DIR_MODE, changes)
        for name in files:
            _fix(base / name, FILE_MODE, changes)
    for path in sqlite_files(settings):
        _fix(path, FILE_MODE, changes)
    return changes
