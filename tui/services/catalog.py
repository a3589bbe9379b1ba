"""A library folder as a list of sessions: which files are recordings, and what each holds.

Files are recognised by their first bytes (a text file named ``.mp3`` is not a
recording; a recording named ``.bin`` is), then probed. Everything per file that costs
time (content hash, probe) is cached in the library index, so reopening a library of
hundreds of recordings only stats the files.

"Library" names four things in Debrief; to tell them apart:

- the library folder: a folder of recordings the reviewer points Debrief at, listed here;
- ``tui.store.Library``: that folder's database (``debrief.json`` and its ``.d`` folder);
- ``LibraryScreen`` (tui/app/screens/library.py): the screen that lists the folder's sessions;
- ``tui.core.search.LibraryIndex``: the in-memory search index over every session's transcript
  and notes (filled by tui.services.search_index).
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from tui.core.analytics import SessionStats, session_stats
from tui.core.details import SessionDetails
from tui.core.model import SessionInfo, Speaker
from tui.errors import DebriefError
from tui.media.probe import probe
from tui.store import Library
from tui.services.feedback import next_practice, unread_feedback
from tui.services.workspace import DB_NAME, Workspace, library_folder, resolve_db

_SIGNATURES: tuple[tuple[int, bytes], ...] = (
    (0, b"RIFF"),  # wav, avi
    (0, b"fLaC"),
    (0, b"OggS"),
    (0, b"ID3"),  # mp3 with tags
    (4, b"ftyp"),  # mp4, m4a, mov, 3gp
    (0, b"\x1a\x45\xdf\xa3"),  # webm, mkv
    (0, b"FORM"),  # aiff
    (0, b"\x30\x26\xb2\x75"),  # asf, wma
    (0, b"#!AMR"),
    (0, b"caff"),
)
_SKIP_DIRS = {".git", "__pycache__", "node_modules"}


def looks_like_media(path: Path) -> bool:
    """True when the first bytes are those of an audio or video container."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(16)
    except OSError:
        return False
    if any(head[offset:offset + len(sig)] == sig for offset, sig in _SIGNATURES):
        return True
    # A bare MPEG audio frame (mp3 without ID3, ADTS aac): 11 sync bits.
    return len(head) >= 2 and head[0] == 0xFF and (head[1] & 0xE0) == 0xE0


def find_recordings(folder: Path) -> list[Path]:
    """Recordings under ``folder`` (recursively, hidden folders and Debrief's own data skipped)."""
    found: list[Path] = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in _SKIP_DIRS and not d.endswith(".d"))
        for name in sorted(files):
            if name.startswith(".") or name.startswith(DB_NAME):
                continue
            path = Path(root) / name
            if path.is_file() and looks_like_media(path):
                found.append(path)
    return found


@dataclass(frozen=True)
class SessionSummary:
    """One row of the library screen."""

    path: Path
    info: SessionInfo
    transcribed: str
    """"yes", "partial" or "no"."""
    speakers: tuple[Speaker, ...] = ()
    marks_by_tag: dict[str, int] = field(default_factory=dict)
    stats: SessionStats | None = None
    problem: str = ""
    """Why the file could not be read (the row still shows, so nothing silently disappears)."""
    details: SessionDetails = field(default_factory=SessionDetails)
    language: str = ""
    """The transcript's language code ("" before there is a transcript)."""
    language_probability: float | None = None
    unread_feedback: int = 0
    """A mentor's comments imported since the session was last opened."""
    suggested_practice: tuple[str, str, str] | None = None
    """(next practice, mentor, when) from the session's latest feedback."""

    @property
    def marks(self) -> int:
        return sum(self.marks_by_tag.values())


def open_library(folder: Path, db: Path | None = None) -> Library:
    return Library.open(resolve_db(library_folder(folder), db))


def summarise(library: Library, folder: Path) -> Iterator[SessionSummary]:
    """A summary per recording, yielded as each is ready so the screen fills in progressively."""
    known = {Path(i.path): i for i in library.sessions()}
    for path in find_recordings(folder):
        try:
            yield summarise_one(library, path, known.get(path.resolve()))
        except DebriefError as exc:
            info = SessionInfo(id="", path=str(path), title=path.name, duration=0.0)
            yield SessionSummary(path, info, "no", problem=str(exc))


def summarise_one(library: Library, path: Path, known: SessionInfo | None = None) -> SessionSummary:
    session_id = library.session_id(path)
    info = known if known is not None and known.id == session_id else library.session(session_id)
    if info is None or info.path != str(path.resolve()):
        media = probe(path)
        info = SessionInfo(session_id, str(path.resolve()), media.title or path.stem.replace("_", " "),
                           media.duration, media.date)
        if not library.read_only:
            library.record_session(info)
    workspace = Workspace.of_known_session(library, info, path)
    details = workspace.details()
    info = replace(info, title=details.title or info.title, date=details.date or info.date)
    marks = workspace.annotations.marks()
    feedback = {"unread_feedback": unread_feedback(workspace.annotations),
                "suggested_practice": next_practice(workspace.annotations)}
    transcript = workspace.cached_transcript()
    if transcript is None:
        return SessionSummary(path, info, "no", marks_by_tag=dict(Counter(m.tag for m in marks)), details=details,
                              **feedback)
    transcript = workspace.corrected(transcript)
    speakers = transcript.speakers
    stats = session_stats(transcript, duration=info.duration)
    return SessionSummary(
        path, info, "yes" if transcript.complete else "partial", speakers,
        dict(Counter(m.tag for m in marks)), stats, details=details,
        language=transcript.language, language_probability=transcript.language_probability, **feedback,
    )
