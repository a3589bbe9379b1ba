"""A TinyDB storage that never overwrites a file in place.

TinyDB's own JSONStorage rewrites the file through an open handle: a crash mid-write
leaves half a file, and two processes writing it interleave. This storage reads the
whole file on every ``read`` (so another process's writes are always seen), and writes
through :func:`tui.store.files.atomic_write` while holding the file's lock. Every
written file is stamped with its schema; an older file read here is upgraded in memory
and its original bytes are saved as ``<name>.v<N>.bak`` before the first write.
Never wrap it in CachingMiddleware: a cache would hide other processes' marks and
delay durability.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tinydb import TinyDB
from tinydb.storages import Storage
from tinydb.table import Table

from tui.errors import StoreError, StoreReadOnlyError
from tui.store import schema
from tui.store.damage import parse_json, read_bytes
from tui.store.files import FileModes, atomic_write, remove_stale_temps
from tui.store.locking import FileLock


class KeyedTable(Table):
    """Documents keyed by their own string id (mark id, session id), not TinyDB's counter.

    TinyDB's integer ids are handed out from a counter cached in each process, so two
    processes would both insert document 7; a random mark id cannot collide.
    """

    document_id_class = str


class KeyedTinyDB(TinyDB):
    table_class = KeyedTable


class AtomicJSONStorage(Storage):
    """Whole-file JSON storage with atomic, fsynced, locked writes."""

    def __init__(
        self,
        path: Path,
        *,
        kind: str,
        lock: FileLock | None,
        modes: FileModes,
        read_only_reason: str | None = None,
        indent: int | None = 1,
        copy_as: Path | None = None,
    ) -> None:
        super().__init__()
        self.path = Path(path)
        self.copy_as = copy_as
        """Where a copy of a damaged file goes (beside a symlink, not its target); default beside ``path``."""
        self.kind = kind
        self.lock = lock
        self.modes = modes
        self.read_only_reason = read_only_reason
        self.indent = indent
        self._old_bytes: tuple[int, bytes] | None = None
        self._swept = False

    @property
    def read_only(self) -> bool:
        return self.read_only_reason is not None

    @property
    def pending_migration(self) -> bool:
        """The last read found an older schema that has not been written back yet."""
        return self._old_bytes is not None

    def read(self) -> dict[str, dict[str, Any]] | None:
        raw = read_bytes(self.path)
        if raw is None:
            self._old_bytes = None
            return None
        data, version = schema.upgrade(self.kind, parse_json(self.path, raw, copy_as=self.copy_as), self.path)
        self._old_bytes = (version, raw) if version < schema.CURRENT_VERSION[self.kind] else None
        return data

    def write(self, data: dict[str, dict[str, Any]]) -> None:
        if self.read_only_reason is not None or self.lock is None:
            raise StoreReadOnlyError(
                f"{self.path} is open read-only ({self.read_only_reason or 'no lock'}); nothing was saved."
            )
        payload = encode(schema.stamp(self.kind, data), self.path, self.indent)
        with self.lock.hold():
            if not self._swept:
                remove_stale_temps(self.path)
                self._swept = True
            if self._old_bytes is not None:
                keep_migration_backup(self.path, *self._old_bytes)
                self._old_bytes = None
            try:
                atomic_write(self.path, payload, self.modes)
            except StoreReadOnlyError as exc:
                self.read_only_reason = getattr(exc, "reason", str(exc))
                raise


def encode(data: Any, path: Path, indent: int | None) -> bytes:
    """JSON bytes; with ``indent``, a table file gets one document per line.

    One line per mark keeps the file readable and diffable and makes a parse error's line
    number point at a mark, while using the C encoder (``indent`` in ``json.dumps`` falls
    back to the pure-Python one, several times slower on a 200-mark file).
    """
    try:
        if indent is None or not _is_tables(data):
            text = json.dumps(data, ensure_ascii=False, allow_nan=False)
        else:
            text = _dump_tables(data)
    except (TypeError, ValueError) as exc:
        raise StoreError(f"Cannot save to {path}: a value is not plain JSON ({exc}); nothing was saved.") from None
    return text.encode("utf-8")


def _is_tables(data: Any) -> bool:
    return isinstance(data, dict) and all(isinstance(table, dict) for table in data.values())


_ENCODER = json.JSONEncoder(ensure_ascii=False, allow_nan=False)


def _dump_tables(data: dict[str, dict[str, Any]]) -> str:
    dump = _ENCODER.encode
    tables = []
    for name, table in data.items():
        docs = ",\n".join(f"  {dump(str(doc_id))}: {dump(doc)}" for doc_id, doc in table.items())
        tables.append(f" {dump(name)}: {{\n{docs}\n }}" if docs else f" {dump(name)}: {{}}")
    return "{\n" + ",\n".join(tables) + "\n}\n"


def keep_migration_backup(path: Path, version: int, raw: bytes) -> Path:
    """Save the pre-migration bytes once; an existing different backup is never replaced."""
    backup = schema.backup_path(path, version)
    n = 1
    while backup.exists():
        try:
            if backup.read_bytes() == raw:
                return backup
        except OSError:
            pass
        n += 1
        backup = backup.with_name(f"{schema.backup_path(path, version).name}.{n}")
    atomic_write(backup, raw, FileModes())
    return backup

