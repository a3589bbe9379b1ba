"""A library's database: the index file and, beside it, one folder of per-session files.

Layout for a database path P (by default ``<library folder>/debrief.json``)::

    P                               index (TinyDB): schema, sessions, path -> hash cache, values
    P.lock                          its lock
    <P>.d/sessions/<id>.json        one session's marks and values (TinyDB), + .lock
    <P>.d/transcripts/<id>.json     transcript cache (plain JSON, regenerable)

Splitting precious annotations from regenerable transcripts, and sessions from each
other, is what keeps a save small and its cost flat as the library grows.

"Library" names four things in Debrief; to tell them apart:

- the library folder: a folder of recordings the reviewer points Debrief at (DESIGN.md);
- ``tui.store.Library``: that folder's database (``debrief.json`` and its ``.d`` folder), this module;
- ``LibraryScreen`` (tui/app/screens/library.py): the screen that lists the folder's sessions;
- ``tui.core.search.LibraryIndex``: the in-memory search index over every session's transcript
  and notes (filled by tui.services.search_index).
"""

from __future__ import annotations

import os
import stat
import threading
from pathlib import Path
from typing import Any

from tinydb.table import Document

from tui.core.model import SessionInfo
from tui.errors import MediaError, StoreError
from tui.store import schema
from tui.store.annotations import SessionAnnotations
from tui.store.damage import parse_json, read_bytes
from tui.store.datafile import ChangeToken, TinyFile
from tui.store.files import FileModes, ensure_folder, not_writable_reason
from tui.store.ids import check_session_id, hash_recording
from tui.store.transcripts import TranscriptCache

DEFAULT_DB_NAME = "debrief.json"

SESSIONS = "sessions"
RECORDINGS = "recordings"
VALUES = "values"


class Library:
    """The annotation store of one library; open it with :meth:`Library.open`."""

    def __init__(self, db_path: Path, *, lock_timeout: float, modes: FileModes, read_only_reason: str | None) -> None:
        self.db_path = db_path
        self.lock_timeout = lock_timeout
        self.modes = modes
        self.data_dir = db_path.with_name(db_path.name + ".d")
        self.sessions_dir = self.data_dir / "sessions"
        self.transcripts_dir = self.data_dir / "transcripts"
        # A database path that is a symlink (to a synced or shared folder) is written through,
        # not replaced by a file of its own: the link's target is the database.
        # A damaged target's copy is kept beside the link, inside the library, never beside the target.
        real = Path(os.path.realpath(db_path))
        self._index = TinyFile(
            real, kind=schema.LIBRARY, modes=modes, lock_timeout=lock_timeout,
            read_only_reason=read_only_reason, copy_as=None if real == db_path else db_path,
        )
        self._annotations: dict[str, SessionAnnotations] = {}
        self._annotations_guard = threading.Lock()
        self.transcripts = TranscriptCache(self.transcripts_dir, modes=modes, read_only_reason=self.read_only_reason)

    @classmethod
    def open(
        cls,
        db_path: Path,
        *,
        lock_timeout: float = 5.0,
        read_only: bool = False,
        shared_group: bool = False,
    ) -> Library:
        """Open (creating if needed) the database at ``db_path``.

        A database the user cannot write opens read-only (see :attr:`read_only_reason`)
        instead of failing. ``shared_group`` creates files 0660 and folders 2770 so that
        members of the folder's group (a coach and a mentor) can both write; otherwise
        everything created is 0600/0700. Raises StoreCorruptError for a damaged index and
        StoreSchemaError for one written by a newer Debrief.
        """
        db_path = Path(os.path.abspath(Path(db_path).expanduser()))
        if db_path.is_dir():
            raise StoreError(f"{db_path} is a folder; give the database file, e.g. {db_path / DEFAULT_DB_NAME}.")
        modes = FileModes.for_sharing(shared_group)
        if not read_only:
            _check_index(db_path)  # a damaged or newer index is refused before any folder is made
        reason = "opened read-only" if read_only else _prepare_folders(db_path, modes)
        library = cls(db_path, lock_timeout=lock_timeout, modes=modes, read_only_reason=reason)
        library._open_index()
        return library

    @staticmethod
    def default_path(folder: Path) -> Path:
        return Path(folder) / DEFAULT_DB_NAME

    def _open_index(self) -> None:
        index = self._index
        if index.lock is not None and not index.path.exists():
            with index.transaction():
                if index.storage.read() is None:
                    index.storage.write({})  # create it now, stamped with its schema
        index.open_checked()

    # --- state ------------------------------------------------------------------------------

    @property
    def read_only(self) -> bool:
        return self._index.read_only_reason is not None

    @property
    def read_only_reason(self) -> str | None:
        """Why writes are refused (for the app's banner), or None when the library is writable."""
        return self._index.read_only_reason

    def change_token(self) -> ChangeToken:
        """Changes when any process rewrites the index (sessions added or renamed)."""
        return self._index.change_token()

    # --- sessions ---------------------------------------------------------------------------

    def session_id(self, recording: Path) -> str:
        """The recording's content id; hashed once per (real path, size, mtime), so a moved file keeps its id."""
        try:
            st = os.stat(recording)
        except OSError as exc:
            raise MediaError(f"Cannot open the recording {recording}: {exc.strerror or exc}.") from None
        if not stat.S_ISREG(st.st_mode):
            raise MediaError(f"{recording} is not a regular file, so it cannot be a recording.")
        real = os.path.realpath(recording)
        table = self._index.table(RECORDINGS)
        cached = table.get(doc_id=real)
        if cached is not None and cached.get("size") == st.st_size and cached.get("mtime_ns") == st.st_mtime_ns:
            return str(cached["id"])
        session_id = hash_recording(Path(recording))
        if not self.read_only:
            entry = {"id": session_id, "size": st.st_size, "mtime_ns": st.st_mtime_ns}
            try:
                with self._index.transaction():
                    table.upsert(Document(entry, doc_id=real))
            except StoreError:
                pass  # only a cache: identifying the recording must not fail because it cannot be saved
        return session_id

    def recordings_of(self, session_id: str) -> list[str]:
        """Every file known to hold this recording (identical copies share one session)."""
        docs = self._index.table(RECORDINGS).all()
        return sorted(str(doc.doc_id) for doc in docs if isinstance(doc, dict) and doc.get("id") == session_id)

    def record_session(self, info: SessionInfo) -> None:
        """Add or update a session's entry in the index; durable when it returns."""
        check_session_id(info.id)
        table = self._index.table(SESSIONS)
        if table.get(doc_id=info.id) == info.to_dict():
            # Unchanged: opening a recording again must neither rewrite the index nor wait for
            # its lock (a reader, e.g. `debrief marks`, is never held up by another writer).
            return
        with self._index.transaction():
            if table.get(doc_id=info.id) == info.to_dict():
                return
            table.upsert(Document(info.to_dict(), doc_id=info.id))

    def sessions(self) -> list[SessionInfo]:
        docs = self._index.table(SESSIONS).all()
        return sorted((SessionInfo.from_dict(d) for d in docs), key=lambda s: (s.date, s.title, s.id))

    def session(self, session_id: str) -> SessionInfo | None:
        doc = self._index.table(SESSIONS).get(doc_id=check_session_id(session_id))
        return None if doc is None else SessionInfo.from_dict(doc)

    def annotations(self, session_id: str) -> SessionAnnotations:
        """The session's marks and values (its file is created on the first save)."""
        check_session_id(session_id)
        with self._annotations_guard:
            found = self._annotations.get(session_id)
            if found is None:
                found = SessionAnnotations(
                    session_id,
                    self.sessions_dir / f"{session_id}.json",
                    modes=self.modes,
                    lock_timeout=self.lock_timeout,
                    read_only_reason=self.read_only_reason,
                )
                self._annotations[session_id] = found
            return found

    # --- library-wide small values (e.g. voice profiles, last opened session) ----------------

    def get(self, key: str, default: Any = None) -> Any:
        doc = self._index.table(VALUES).get(doc_id=key)
        return default if doc is None else doc.get("value", default)

    def set(self, key: str, value: Any) -> None:
        if not isinstance(key, str) or not key:
            raise TypeError("value keys must be non-empty strings")
        with self._index.transaction():
            self._index.table(VALUES).upsert(Document({"value": value}, doc_id=key))


def _check_index(db_path: Path) -> None:
    """Raise (StoreCorruptError, StoreSchemaError) for an index that cannot be opened; nothing is created."""
    real = Path(os.path.realpath(db_path))
    raw = read_bytes(real)
    if raw is not None:
        schema.upgrade(schema.LIBRARY, parse_json(real, raw, copy_as=None if real == db_path else db_path), real)


def _prepare_folders(db_path: Path, modes: FileModes) -> str | None:
    """Create the library's folders; return why the library must be read-only, or None."""
    reason = not_writable_reason(db_path)
    if reason is not None:
        return reason
    data_dir = db_path.with_name(db_path.name + ".d")
    for folder in (db_path.parent, data_dir / "sessions", data_dir / "transcripts"):
        try:
            ensure_folder(folder, modes)
        except OSError as exc:
            return f"cannot create the folder {folder} ({exc.strerror})"
        if not os.access(folder, os.W_OK | os.X_OK):
            return f"the folder {folder} is not writable by you"
    return None
