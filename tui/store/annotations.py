"""One session's annotations: its marks and a few small values, in a file of their own.

Marks are the one thing Debrief holds that cannot be regenerated, so each session keeps
them in its own small TinyDB file: saving a mark rewrites a few kilobytes, never a
transcript or another session. Every change is on disk (fsynced) when the method
returns, and runs under the file's lock with the file re-read inside it, so two
reviewers saving at once both keep their marks. Deleting is soft: a deleted mark stays
in the file, hidden, until it is restored.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from tinydb.table import Document

from tui.core.model import Mark
from tui.core.safe_text import tag_problem
from tui.errors import StoreError
from tui.store import schema
from tui.store.datafile import ChangeToken, TinyFile
from tui.store.files import FileModes
from tui.store.ids import check_session_id, new_mark_id, utc_now
from tui.store.storage import encode

MARKS = "marks"
VALUES = "values"

_EDITABLE = frozenset({"start", "end", "tag", "note", "author", "private", "deleted"})


class SessionAnnotations:
    """The marks and per-session values of one recording."""

    def __init__(
        self,
        session_id: str,
        path: Path,
        *,
        modes: FileModes | None = None,
        lock_timeout: float = 5.0,
        read_only_reason: str | None = None,
    ) -> None:
        self.session_id = check_session_id(session_id)
        self.path = path
        self._file = TinyFile(
            path,
            kind=schema.SESSION,
            modes=modes or FileModes(),
            lock_timeout=lock_timeout,
            read_only_reason=read_only_reason,
        )
        self._file.open_checked()
        self._marks = self._file.table(MARKS)
        self._values = self._file.table(VALUES)

    @property
    def read_only(self) -> bool:
        return self._file.read_only_reason is not None

    @property
    def read_only_reason(self) -> str | None:
        return self._file.read_only_reason

    def change_token(self) -> ChangeToken:
        """Cheap (one ``stat``): poll it and reload the marks when it changes."""
        return self._file.change_token()

    # --- marks ------------------------------------------------------------------------------

    def marks(self, *, include_deleted: bool = False) -> list[Mark]:
        """The marks in time order, read fresh from disk."""
        marks = [Mark.from_dict(doc) for doc in self._marks.all()]
        if not include_deleted:
            marks = [m for m in marks if not m.deleted]
        return sorted(marks, key=lambda m: (m.start, m.created, m.id))

    def mark(self, mark_id: str) -> Mark:
        doc = self._marks.get(doc_id=mark_id)
        if doc is None:
            raise self._unknown(mark_id)
        return Mark.from_dict(doc)

    def add_mark(self, mark: Mark) -> Mark:
        """Save a new mark; it is on disk when this returns. Fills in id and times if empty."""
        now = utc_now()
        mark = mark.with_changes(
            id=mark.id or new_mark_id(),
            created=mark.created or now,
            updated=mark.updated or mark.created or now,
        )
        mark = _checked(mark)
        _check_tag(mark.tag)
        with self._file.transaction():
            try:
                self._marks.insert(Document(mark.to_dict(), doc_id=mark.id))
            except ValueError:
                raise StoreError(
                    f"A mark with id {mark.id} already exists in session {self.session_id}; nothing was saved."
                ) from None
        return mark

    def update_mark(self, mark_id: str, **changes: Any) -> Mark:
        """Change some fields of a mark (``updated`` is set to now); durable when it returns."""
        unknown = set(changes) - _EDITABLE
        if unknown:
            raise TypeError(f"update_mark() cannot change {', '.join(sorted(unknown))}")
        with self._file.transaction():
            current = self.mark(mark_id)
            changed = current.with_changes(**changes, updated=utc_now())
            changed = _checked(changed)
            if changed.tag != current.tag:
                _check_tag(changed.tag)  # a tag planted before this rule still reads, and its note can be edited
            self._marks.update(changed.to_dict(), doc_ids=[mark_id])
        return changed

    def delete_mark(self, mark_id: str) -> Mark:
        """Hide a mark; it stays in the file and :meth:`restore_mark` brings it back."""
        return self.update_mark(mark_id, deleted=True)

    def restore_mark(self, mark_id: str) -> Mark:
        return self.update_mark(mark_id, deleted=False)

    def save_together(self, marks: Sequence[Mark], values: Mapping[str, Any]) -> None:
        """Put these marks (replacing any with the same id) and values in one durable write.

        An import of several marks must land whole or not at all: one file replacement,
        under the lock, so a crash or a refusal never leaves half of it.
        """
        checked = [_checked(mark) for mark in marks]
        for mark in checked:
            _check_tag(mark.tag)
        for value in values.values():
            encode(value, self.path, None)
        with self._file.transaction():
            data = self._file.storage.read() or {}
            table = data.setdefault(MARKS, {})
            for mark in checked:
                table[mark.id] = mark.to_dict()
            stored = data.setdefault(VALUES, {})
            for key, value in values.items():
                stored[key] = {"value": value}
            self._file.storage.write(data)

    # --- small values (last position, speaker names, drafts, reflection) ---------------------

    def get(self, key: str, default: Any = None) -> Any:
        doc = self._values.get(doc_id=key)
        return default if doc is None else doc.get("value", default)

    def set(self, key: str, value: Any) -> None:
        """Store a small JSON value under ``key``; durable when it returns."""
        if not isinstance(key, str) or not key:
            raise TypeError("value keys must be non-empty strings")
        encode(value, self.path, None)  # refuse non-JSON values before taking the lock
        with self._file.transaction():
            self._values.upsert(Document({"value": value}, doc_id=key))

    def _unknown(self, mark_id: str) -> StoreError:
        return StoreError(
            f"There is no mark {mark_id} in session {self.session_id} (another reviewer may have changed it); "
            "reload the marks and try again."
        )


def _check_tag(tag: str) -> None:
    """A new tag is one visible word or phrase: no control, bidi or zero-width character (issue 18)."""
    problem = tag_problem(tag) if tag.strip() else None  # emptiness is the caller's business, as before
    if problem is not None:
        raise StoreError(f"This tag cannot be saved: {problem}; nothing was saved.")


def _checked(mark: Mark) -> Mark:
    """The mark with its fields coerced to their types; times must be real, non-negative and in order."""
    try:
        mark = Mark.from_dict(mark.to_dict())
    except (TypeError, ValueError) as exc:
        raise StoreError(f"A mark needs numeric times and text fields ({exc}); nothing was saved.") from None
    if not math.isfinite(mark.start) or mark.start < 0:
        raise StoreError(f"A mark cannot start at {mark.start} s; use a time within the recording.")
    if mark.end is not None and (not math.isfinite(mark.end) or mark.end < mark.start):
        raise StoreError(f"A mark cannot end at {mark.end} s when it starts at {mark.start} s.")
    return mark
