"""The reviewer's marks on one session, the undo stack for deletions, and the half-typed note.

Marks are the one thing Debrief holds that cannot be regenerated: every edit is a
:class:`~tui.session.changes.Change` whose write goes through the store before the
reviewer is told "saved", and the list shown is always what the store read back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tui.core.model import Mark, Segment
from tui.core.timeline import next_mark, previous_mark
from tui.services.workspace import Workspace
from tui.store import new_mark_id, utc_now

from .changes import Change, Kind, check_writable


@dataclass
class MarkBook:
    workspace: Workspace
    marks: tuple[Mark, ...] = ()
    """As last read from the store, in time order."""
    undo: list[Mark] = field(default_factory=list)
    """Deleted marks, the latest last: `u` brings them back."""

    # -- reading (event loop) ------------------------------------------------------

    def at(self, seg: Segment | None) -> Mark | None:
        """The mark on this utterance (the latest one if several)."""
        if seg is None:
            return None
        hits = [m for m in self.marks if seg.start - 0.05 <= m.start < max(seg.end, seg.start + 0.1)]
        return hits[-1] if hits else None

    def after(self, t: float) -> Mark | None:
        return next_mark(list(self.marks), t)

    def before(self, t: float) -> Mark | None:
        return previous_mark(list(self.marks), t)

    # -- planning writes (event loop); the writes run in a worker ---------------------

    def add(self, start: float, end: float | None, tag: str, author: str, note: str = "") -> Change[Mark]:
        now = utc_now()
        mark = Mark(new_mark_id(), round(start, 3), None if end is None else round(end, 3), tag, note,
                    author, now, now)
        return Change(Kind.MARK, lambda: self.workspace.annotations.add_mark(mark))

    def set_note(self, mark_id: str, note: str) -> Change[Mark]:
        check_writable(self.workspace)
        annotations = self.workspace.annotations

        def write() -> Mark:
            saved = annotations.update_mark(mark_id, note=note)
            if annotations.get("draft") is not None:
                annotations.set("draft", None)
            return saved

        return Change(Kind.NOTE, write)

    def set_tag(self, mark_id: str, tag: str) -> Change[Mark]:
        check_writable(self.workspace)
        return Change(Kind.RETAG, lambda: self.workspace.annotations.update_mark(mark_id, tag=tag))

    def delete(self, mark_id: str) -> Change[Mark]:
        check_writable(self.workspace)
        return Change(Kind.DELETE, lambda: self.workspace.annotations.delete_mark(mark_id))

    def restore_last(self) -> Change[Mark | None]:
        """Bring back the last deleted mark (None: nothing to undo). Popped when applied."""
        if not self.undo:
            return Change(Kind.UNDO, lambda: None)
        check_writable(self.workspace)
        mark_id = self.undo[-1].id
        return Change(Kind.UNDO, lambda: self.workspace.annotations.restore_mark(mark_id))

    def keep_draft(self, mark: Mark, text: str) -> Change[None] | None:
        """What is being typed for ``mark``'s note, kept until the note is saved (None: read-only)."""
        if self.workspace.read_only:
            return None
        draft = {"mark_id": mark.id, "start": mark.start, "text": text}
        return Change(Kind.DRAFT, lambda: self.workspace.annotations.set("draft", draft))

    def drop_draft(self) -> Change[None] | None:
        if self.workspace.read_only:
            return None
        annotations = self.workspace.annotations

        def write() -> None:
            if annotations.get("draft") is not None:
                annotations.set("draft", None)

        return Change(Kind.DRAFT, write)

    def pending_draft(self) -> dict[str, Any] | None:
        """A note left half-typed last time (the connection dropped), if any. Read at opening."""
        draft = self.workspace.annotations.get("draft")
        if isinstance(draft, dict) and str(draft.get("text", "")).strip():
            return draft
        return None

    # -- applying (event loop) -------------------------------------------------------

    def deleted(self, mark: Mark) -> None:
        self.undo.append(mark)

    def restored(self) -> None:
        if self.undo:
            self.undo.pop()
