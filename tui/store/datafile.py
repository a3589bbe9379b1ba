"""One TinyDB file with its lock: the unit the library index and each session are built on."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tinydb.table import Table

from tui.errors import StoreReadOnlyError
from tui.store.files import FileModes, not_writable_reason
from tui.store.locking import FileLock
from tui.store.storage import AtomicJSONStorage, KeyedTinyDB

ChangeToken = tuple[int, int, int, int] | None


class TinyFile:
    """A TinyDB database in one file, read fresh on every operation, written under its lock."""

    def __init__(
        self,
        path: Path,
        *,
        kind: str,
        modes: FileModes,
        lock_timeout: float,
        read_only_reason: str | None = None,
        copy_as: Path | None = None,
    ) -> None:
        self.path = path
        if read_only_reason is None:
            read_only_reason = not_writable_reason(path)
        self.lock = None if read_only_reason else FileLock(path, timeout=lock_timeout, modes=modes)
        self.db = KeyedTinyDB(
            storage=AtomicJSONStorage, path=path, kind=kind, lock=self.lock, modes=modes, read_only_reason=read_only_reason,
            copy_as=copy_as,
        )
        self._tables: dict[str, Table] = {}

    @property
    def storage(self) -> AtomicJSONStorage:
        return self.db.storage  # type: ignore[return-value]

    @property
    def read_only_reason(self) -> str | None:
        return self.storage.read_only_reason

    def table(self, name: str) -> Table:
        """A table that re-reads the file on every query (``cache_size=0``: no stale results)."""
        table = self._tables.get(name)
        if table is None:
            table = self._tables[name] = self.db.table(name, cache_size=0)
        return table

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Hold the lock around a whole read-modify-write, so no other writer slips in between."""
        if self.lock is None:
            raise StoreReadOnlyError(f"{self.path} is open read-only ({self.read_only_reason}); nothing was saved.")
        with self.lock.hold():
            yield

    def open_checked(self) -> None:
        """Parse the file now, so that damage or a newer schema is reported at open, not at first use.

        An older-schema file is rewritten in the current schema (its backup kept) if we may
        write; only then is the lock taken, so opening never waits for another writer.
        """
        self.storage.read()
        if self.storage.pending_migration and self.lock is not None:
            with self.transaction():
                data = self.storage.read()  # re-read under the lock: another process may have migrated it
                if data is not None and self.storage.pending_migration:
                    self.storage.write(data)

    def change_token(self) -> ChangeToken:
        """Changes whenever any process replaces the file (new inode, time or size); None if absent."""
        try:
            st = os.stat(self.path)
        except OSError:
            return None
        return (st.st_ino, st.st_mtime_ns, st.st_size, st.st_ctime_ns)

