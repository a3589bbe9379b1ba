"""Schema versions: every file says what it is and which version wrote it.

Each data file holds ``{"_meta": {"schema": {"kind": ..., "version": N}}, ...}`` (for the
TinyDB files ``_meta`` is simply one more table). Version 0 means "no ``_meta``": a file
written by plain TinyDB, with integer document ids, before Debrief stamped its files.
Opening an older file upgrades it in memory here; the storage keeps a backup of the old
bytes (``<name>.v<N>.bak``) before it first writes the upgraded form. A newer file is
refused: an older Debrief must not rewrite what it does not understand.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tui import __version__
from tui.core.model import Mark, SessionInfo
from tui.errors import StoreCorruptError, StoreError, StoreSchemaError
from tui.store.ids import new_mark_id

META_TABLE = "_meta"
META_KEY = "schema"

LIBRARY = "debrief-library"
SESSION = "debrief-session"
TRANSCRIPT = "debrief-transcript"

CURRENT_VERSION: dict[str, int] = {LIBRARY: 1, SESSION: 1, TRANSCRIPT: 1}

_DESCRIPTION = {
    LIBRARY: "a library database",
    SESSION: "a session's annotations",
    TRANSCRIPT: "a transcript cache file",
}

Migration = Callable[[dict[str, Any], Path], dict[str, Any]]


def meta(kind: str) -> dict[str, Any]:
    return {META_KEY: {"kind": kind, "version": CURRENT_VERSION[kind], "written_by": f"debrief {__version__}"}}


def stamp(kind: str, data: dict[str, Any]) -> dict[str, Any]:
    """Record the current schema in ``data`` (every write goes through here)."""
    data[META_TABLE] = meta(kind)
    return data


def version_of(kind: str, data: Any, path: Path) -> int:
    """The schema version ``data`` was written with; raises if it is not a file of this kind."""
    if not isinstance(data, dict):
        raise _not_ours(path, kind, "its top level is not a JSON object")
    info = data.get(META_TABLE, {}).get(META_KEY) if isinstance(data.get(META_TABLE), dict) else None
    if info is None:
        return 0
    if not isinstance(info, dict) or not isinstance(info.get("version"), int):
        raise _not_ours(path, kind, "its schema record is malformed")
    found_kind = info.get("kind")
    if found_kind != kind:
        found = _DESCRIPTION.get(found_kind, repr(found_kind))
        raise StoreError(f"{path} is {found}, not {_DESCRIPTION[kind]}; check the path you gave.")
    return info["version"]


def upgrade(kind: str, data: Any, path: Path) -> tuple[dict[str, Any], int]:
    """``data`` in the current schema, and the version it had; refuses newer files."""
    version = version_of(kind, data, path)
    current = CURRENT_VERSION[kind]
    if version > current:
        raise StoreSchemaError(
            f"{path} was written by a newer Debrief (schema {version}, this one reads up to {current}); "
            "upgrade Debrief to open it — the file was left unchanged."
        )
    original = version
    while version < current:
        data = _MIGRATIONS[kind][version](data, path)
        version += 1
    if original < current:
        stamp(kind, data)
    if kind != TRANSCRIPT:
        _check_tables(data, path, kind)
        _check_documents(data, path, kind)
    return data, original


def backup_path(path: Path, version: int) -> Path:
    return path.with_name(f"{path.name}.v{version}.bak")


# --- migrations: version N -> N+1, pure functions on the parsed JSON -------------------------


def _library_0_to_1(data: dict[str, Any], path: Path) -> dict[str, Any]:
    """Plain TinyDB numbered sessions by insertion order; key them by their content id."""
    sessions = data.get("sessions", {})
    if isinstance(sessions, dict):
        keyed: dict[str, Any] = {}
        for doc in sessions.values():
            if isinstance(doc, dict) and doc.get("id"):
                keyed[str(doc["id"])] = doc
        data["sessions"] = keyed
    return data


def _session_0_to_1(data: dict[str, Any], path: Path) -> dict[str, Any]:
    """Marks kept in a numbered table (``marks`` or TinyDB's ``_default``) become keyed by mark id."""
    keyed: dict[str, Any] = {}
    for table in ("_default", "marks"):
        docs = data.pop(table, {})
        if not isinstance(docs, dict):
            raise _not_ours(path, SESSION, f"its {table!r} table is not a JSON object")
        for doc_id, doc in docs.items():
            if not isinstance(doc, dict) or "start" not in doc:
                raise _not_ours(path, SESSION, f"mark {str(doc_id)[:40]!r} in {table!r} has no start time")
            doc = dict(doc)
            doc.setdefault("id", new_mark_id())
            try:
                mark = Mark.from_dict(doc)
            except (TypeError, ValueError) as exc:
                raise _not_ours(path, SESSION, f"mark {str(doc_id)[:40]!r} in {table!r} is malformed ({exc})") from None
            keyed[mark.id] = mark.to_dict()
    data["marks"] = keyed
    return data


def _transcript_0_to_1(data: dict[str, Any], path: Path) -> dict[str, Any]:
    """A bare ``Transcript.to_dict()`` gets wrapped."""
    return {"transcript": data}


_MIGRATIONS: dict[str, dict[int, Migration]] = {
    LIBRARY: {0: _library_0_to_1},
    SESSION: {0: _session_0_to_1},
    TRANSCRIPT: {0: _transcript_0_to_1},
}


def _check_tables(data: dict[str, Any], path: Path, kind: str) -> None:
    for name, table in data.items():
        if not isinstance(table, dict) or not all(isinstance(doc, dict) for doc in table.values()):
            raise _not_ours(path, kind, f"its table {name!r} is not a JSON object of documents")


def _check_documents(data: dict[str, Any], path: Path, kind: str) -> None:
    """Every mark (and session entry) must read back, so that damage is reported at open, once.

    A hand edit or a bad sync can leave valid JSON with a mark that has no start or a
    start that is a list; reading such a file must name it, not fail deep inside a listing.
    """
    if kind == SESSION:
        table, describe, check = "marks", "mark", _check_mark
    elif kind == LIBRARY:
        table, describe, check = "sessions", "session", _check_session
    else:
        return
    for doc_id, doc in data.get(table, {}).items():
        problem = check(doc)
        if problem:
            raise _not_ours(path, kind, f"{describe} {str(doc_id)[:40]!r} is malformed ({problem})")


def _check_mark(doc: dict[str, Any]) -> str | None:
    try:
        mark = Mark.from_dict(doc)
    except KeyError as exc:
        return f"no {exc.args[0]}"
    except (TypeError, ValueError, OverflowError) as exc:
        return str(exc)[:80]
    if not math.isfinite(mark.start) or (mark.end is not None and not math.isfinite(mark.end)):
        return "a time that is not a number"
    return None


def _check_session(doc: dict[str, Any]) -> str | None:
    try:
        SessionInfo.from_dict(doc)
    except KeyError as exc:
        return f"no {exc.args[0]}"
    except (TypeError, ValueError, OverflowError) as exc:
        return str(exc)[:80]
    return None


def _not_ours(path: Path, kind: str, what: str) -> StoreCorruptError:
    error = StoreCorruptError(
        f"{path} does not look like {_DESCRIPTION[kind]}: {what}; Debrief did not change it, "
        "so check the path or move the file aside."
    )
    error.path = path  # type: ignore[attr-defined]
    error.backup = None  # type: ignore[attr-defined]
    return error
