"""Bringing a mentor's feedback file back into the library it came from.

The file names its session by content id, so it finds its session however it was renamed
or wherever it was saved. Every check runs before anything is written, and the marks,
the unread count and the suggested practice land in one durable write: a refused or
failed import leaves the library exactly as it was.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tui.core.feedback import Feedback, feedback_marks, is_feedback, parse_feedback, same_content
from tui.core.model import Mark, SessionInfo
from tui.core.timefmt import format_time
from tui.errors import DebriefError
from tui.store import Library, SessionAnnotations, utc_now
from tui.store.files import not_writable_reason
from tui.services.workspace import DB_ENV, DB_NAME

MAX_FILE_BYTES = 64 * 1024 * 1024
"""5,000 comments of 20,000 characters fit; anything bigger is not a feedback file."""

UNREAD = "feedback_unread"
"""Session value: how many mentor comments arrived since the reviewer last looked."""
NEXT_PRACTICE = "next_practice"
"""Session value: the mentor's suggested next practice, {"text", "reviewer", "created"}."""

_SNIFF_BYTES = 4096


@dataclass(frozen=True)
class ImportResult:
    session: SessionInfo
    reviewer: str
    db_path: Path
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    next_practice: str = ""

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated)

    def summary(self) -> str:
        title = self.session.title or self.session.id
        if not self.changed and not self.unchanged:
            return f"{self.reviewer}'s feedback on {title} holds no comments; nothing was added"
        if not self.changed:
            return f"{self.reviewer}'s feedback on {title} was already imported; nothing changed"
        parts = [f"{self.added} new"] + ([f"{self.updated} updated"] if self.updated else [])
        return f"imported {self.reviewer}'s feedback on {title}: {', '.join(parts)} (saved to {self.db_path})"


def looks_like_feedback_file(path: Path) -> bool:
    """Is ``path`` a feedback file, judged by its content (whatever its name)?"""
    try:
        with open(path, "rb") as handle:
            head = handle.read(_SNIFF_BYTES)
    except OSError:
        return False
    if b'"debrief-feedback"' not in head:  # the page writes the format first; a hand-made file may not
        try:
            return is_feedback(json.loads(_read(Path(path))))
        except (DebriefError, ValueError):
            return False
    return True


def read_feedback(path: Path) -> Feedback:
    """The checked feedback in the file at ``path``; one clear DebriefError when it cannot be."""
    raw = _read(Path(path))
    try:
        data = json.loads(raw)
    except UnicodeDecodeError:
        raise DebriefError(f"{path} is not a feedback file: it is not UTF-8 text.") from None
    except ValueError as exc:
        raise DebriefError(f"{path} is not a feedback file: it is not valid JSON ({exc}).") from None
    try:
        return parse_feedback(data)
    except DebriefError as exc:
        raise DebriefError(f"{path}: {exc}") from None


def _read(path: Path) -> bytes:
    if path.is_dir():
        raise DebriefError(f"{path} is a folder, not a feedback file.")
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise DebriefError(f"{path} is {size // (1024 * 1024)} MB: too large to be a feedback file.")
        return path.read_bytes()
    except FileNotFoundError:
        raise DebriefError(f"{path} does not exist.") from None
    except OSError as exc:
        raise DebriefError(f"Cannot read {path}: {exc.strerror or exc}.") from None


def find_library(feedback_path: Path, db: Path | None = None, cwd: Path | None = None) -> Path:
    """The existing library database to import into: ``--db``, ``$DEBRIEF_DB``, then the nearest above
    the file, then the nearest above the current folder (a file saved to Downloads still finds it)."""
    if db is not None:
        found = Path(db).expanduser()
    elif os.environ.get(DB_ENV):
        found = Path(os.environ[DB_ENV]).expanduser()
    else:
        starts = [Path(feedback_path).expanduser().resolve().parent, (cwd or Path.cwd()).resolve()]
        for start in starts:
            for folder in (start, *start.parents):
                if (folder / DB_NAME).is_file():
                    return folder / DB_NAME
        raise DebriefError(f"no Debrief library found above {feedback_path} or the current folder: "
                           "run the import from your library's folder, or give --db")
    if not found.is_file():
        raise DebriefError(f"{found} is not a Debrief library database (it does not exist); check --db")
    return found


def import_feedback(path: Path, db: Path | None = None, *, cwd: Path | None = None) -> ImportResult:
    """Add the comments in the feedback file at ``path`` to its session, as the mentor's marks.

    Importing the same file again changes nothing; a newer save of the same feedback updates
    the comments the mentor changed, unless the reviewer edited or deleted them here.
    """
    feedback = read_feedback(path)
    db_path = find_library(path, db, cwd)
    library = Library.open(db_path, read_only=True)
    info = library.session(feedback.session_id)
    if info is None:
        title = feedback.session_title if len(feedback.session_title) <= 80 else feedback.session_title[:79] + "…"
        named = f"“{title}”" if title else f"session {feedback.session_id}"
        raise DebriefError(f"this feedback is for {named}, which the library {db_path} does not hold; "
                           "nothing was imported (use the library that holds that recording, or --db)")
    if info.duration > 0 and feedback.latest > info.duration + 1.0:
        raise DebriefError(f"a comment in {path} is at {format_time(feedback.latest)}, past the end of "
                           f"{info.title or 'the recording'} ({format_time(info.duration)}); nothing was imported")
    annotations = library.annotations(info.id)
    incoming = feedback_marks(feedback, now=utc_now())
    existing = {m.id: m for m in annotations.marks(include_deleted=True)}
    to_save: list[Mark] = []
    added = updated = 0
    for mark in incoming:
        old = existing.get(mark.id)
        if old is None:
            to_save.append(mark)
            added += 1
        elif not same_content(old, mark) and not old.deleted and old.updated == old.created:
            to_save.append(mark.with_changes(created=old.created, updated=old.created, private=old.private))
            updated += 1
    values: dict[str, Any] = {}
    practice = {"text": feedback.next_practice, "reviewer": feedback.reviewer, "created": feedback.created}
    if feedback.next_practice.strip() and annotations.get(NEXT_PRACTICE) != practice:
        values[NEXT_PRACTICE] = practice
    result = ImportResult(info, feedback.reviewer, db_path, added, updated, len(incoming) - added - updated,
                          feedback.next_practice)
    if not to_save and not values:
        return result  # already imported: not a byte is written
    if to_save:
        values[UNREAD] = unread_feedback(annotations) + len(to_save)
    writable = Library.open(db_path)
    if writable.read_only:
        raise DebriefError(f"{db_path} is read-only ({writable.read_only_reason}): the feedback was not imported")
    reason = not_writable_reason(writable.annotations(info.id).path)
    if reason is not None:
        raise DebriefError(f"{info.title or info.id}'s notes cannot be written ({reason}): "
                           "the feedback was not imported")
    writable.annotations(info.id).save_together(to_save, values)
    return result


def unread_feedback(annotations: SessionAnnotations) -> int:
    """How many mentor comments arrived since the reviewer last cleared them (the library's column)."""
    value = annotations.get(UNREAD, 0)
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0


def mark_feedback_read(annotations: SessionAnnotations) -> None:
    """The reviewer has seen the feedback: the count goes back to zero (no write when it already is)."""
    if annotations.get(UNREAD, 0) != 0 and not annotations.read_only:
        annotations.set(UNREAD, 0)


def next_practice(annotations: SessionAnnotations) -> tuple[str, str, str] | None:
    """(suggested next practice, mentor, when written) from the latest feedback: offered as the focus goal."""
    value = annotations.get(NEXT_PRACTICE)
    if isinstance(value, dict) and isinstance(value.get("text"), str) and value["text"].strip():
        return value["text"], str(value.get("reviewer", "")), str(value.get("created", ""))
    return None
