"""Building the library-wide search index from what the library holds on disk."""

from __future__ import annotations

from collections.abc import Iterable

from tui.core.search import LibraryIndex, SessionIndex
from tui.errors import DebriefError
from tui.store import Library
from tui.services.workspace import Workspace


def index_sessions(library: Library, session_ids: Iterable[str] | None = None) -> LibraryIndex:
    """Index every transcribed session (or the given ones); unreadable ones are skipped."""
    wanted = set(session_ids) if session_ids is not None else None
    index = LibraryIndex()
    for info in library.sessions():
        if wanted is not None and info.id not in wanted:
            continue
        try:
            workspace = Workspace.of_known_session(library, info)
            corrections = workspace.corrections()
            # Without the word timings a transcript reads ten times faster; only a split
            # needs them (it cuts an utterance at a word boundary).
            transcript = library.transcripts.load(info.id, words=bool(corrections.splits))
            marks = workspace.annotations.marks()
            if transcript is not None:
                transcript = workspace.corrected(transcript, corrections)
        except DebriefError:
            continue
        segments = transcript.segments if transcript else ()
        speakers = transcript.speakers if transcript else ()
        index.add(SessionIndex(info, segments, speakers, marks))
    return index
