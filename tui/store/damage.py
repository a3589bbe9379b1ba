"""Reading a JSON data file, and what to do when it is damaged.

A file that does not parse is evidence, not garbage: it is never overwritten. The reader
saves a copy beside it (``<name>.corrupt-<UTC time>``, once per distinct content), and
the error names the file, where the JSON broke and where the copy is. A database reached
through a symlink keeps its copy beside the link, in the library: never beside the
link's target, which may be anywhere (a system file, when run as root).
"""

from __future__ import annotations

import json
import os
import stat
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from tui.errors import StoreCorruptError, StoreError
from tui.store.files import FileModes, atomic_write

CORRUPT_MARKER = ".corrupt-"


def read_json(path: Path) -> Any | None:
    """The parsed content of ``path``, None if it does not exist; raises StoreCorruptError if damaged."""
    raw = read_bytes(path)
    if raw is None:
        return None
    return parse_json(path, raw)


def read_bytes(path: Path) -> bytes | None:
    try:
        # Non-blocking open: a named pipe put where the database should be must not hang us.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        return None
    except IsADirectoryError:
        raise StoreError(f"{path} is a folder; the database must be a file.") from None
    except OSError as exc:
        raise StoreError(
            f"Cannot read {path} ({exc.strerror or exc}); check its permissions or ask its owner to share it."
        ) from None
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise StoreError(f"{path} is a folder; the database must be a file.")
        if not stat.S_ISREG(mode):
            raise StoreError(f"{path} is not a regular file (a pipe, socket or device); the database must be a file.")
        with os.fdopen(fd, "rb", closefd=False) as handle:
            return handle.read()
    except OSError as exc:
        raise StoreError(
            f"Cannot read {path} ({exc.strerror or exc}); check its permissions or ask its owner to share it."
        ) from None
    finally:
        os.close(fd)


def parse_json(path: Path, raw: bytes, *, copy_as: Path | None = None) -> Any:
    """Parse ``raw`` read from ``path``; a damaged file gets a backup and a StoreCorruptError.

    ``copy_as``: the name the backup copy is made beside and after (default ``path``).
    """
    if not raw.strip():
        raise corrupt(path, raw, "it is empty (truncated to nothing)", copy_as=copy_as)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise corrupt(path, raw, f"it is not UTF-8 text (byte {exc.start}, line {line})", copy_as=copy_as) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno}, column {exc.colno}"
        raise corrupt(path, raw, f"its JSON breaks at {where} ({exc.msg})", line=exc.lineno, column=exc.colno,
                      copy_as=copy_as) from None


def corrupt(
    path: Path, raw: bytes, what: str, *, line: int | None = None, column: int | None = None,
    copy_as: Path | None = None,
) -> StoreCorruptError:
    """Build the error for a damaged file, saving a copy of what is there first."""
    try:
        backup: Path | None = save_copy(copy_as or path, raw)
        kept = f"a copy was kept as {backup}"
    except StoreError as exc:
        backup = None
        kept = f"no copy could be saved ({exc})"
    error = StoreCorruptError(
        f"The database file {path} is damaged: {what}; Debrief did not change it and {kept}, "
        "so restore it from a backup or move it aside to start that file afresh."
    )
    error.path = path  # type: ignore[attr-defined]
    error.backup = backup  # type: ignore[attr-defined]
    error.line = line  # type: ignore[attr-defined]
    error.column = column  # type: ignore[attr-defined]
    return error


def save_copy(path: Path, raw: bytes) -> Path:
    """Copy damaged bytes beside ``path``, reusing an identical earlier copy (the app re-reads often)."""
    prefix = path.name + CORRUPT_MARKER
    try:
        siblings = sorted(p for p in os.listdir(path.parent) if p.startswith(prefix))
    except OSError:
        siblings = []
    for name in siblings:
        candidate = path.parent / name
        try:
            if candidate.stat().st_size == len(raw) and candidate.read_bytes() == raw:
                return candidate
        except OSError:
            continue
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S.%fZ")
    backup = path.with_name(prefix + stamp)
    atomic_write(backup, raw, FileModes())
    return backup
