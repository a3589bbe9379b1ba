"""Finding words, speakers, tags and notes across sessions.

A query is words that must all appear (any order, case and accents ignored), phrases in
double quotes, and filters ``speaker:NAME`` and ``tag:NAME``. Texts are normalised once
when the index is built, so a search over hundreds of hours is a pass of substring tests.
"""

from __future__ import annotations

import shlex
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from tui.core.model import Mark, SessionInfo, Segment, Speaker


def normalise(text: str) -> str:
    """Lower case without accents, so "José" finds "jose" and "JOSÉ"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@dataclass(frozen=True, slots=True)
class Query:
    terms: tuple[str, ...] = ()
    speaker: str = ""
    tag: str = ""

    @property
    def empty(self) -> bool:
        return not (self.terms or self.speaker or self.tag)


def parse_query(text: str) -> Query:
    try:
        tokens = shlex.split(text)
    except ValueError:  # an unclosed quote: search for the words as typed
        tokens = text.replace('"', " ").split()
    terms: list[str] = []
    speaker = tag = ""
    for token in tokens:
        key, sep, value = token.partition(":")
        if sep and key.lower() == "speaker" and value:
            speaker = normalise(value)
        elif sep and key.lower() == "tag" and value:
            tag = normalise(value)
        elif token.strip():
            terms.append(normalise(token))
    return Query(tuple(terms), speaker, tag)


@dataclass(frozen=True, slots=True)
class Hit:
    session_id: str
    title: str
    path: str
    start: float
    end: float | None
    who: str
    """Speaker label for an utterance; the author for a note."""
    text: str
    kind: str
    """"utterance" or "mark"."""


@dataclass(frozen=True, slots=True)
class _Entry:
    start: float
    end: float | None
    who: str
    who_key: str
    tag_key: str
    text: str
    key: str
    kind: str


class SessionIndex:
    """One session's searchable lines."""

    def __init__(self, info: SessionInfo, segments: Sequence[Segment], speakers: Sequence[Speaker],
                 marks: Sequence[Mark]) -> None:
        self.info = info
        labels = {sp.id: sp for sp in speakers}
        entries: list[_Entry] = []
        for seg in segments:
            sp = labels.get(seg.speaker, Speaker(seg.speaker))
            who_key = normalise(" ".join(x for x in (sp.id, sp.name, sp.role) if x))
            entries.append(_Entry(seg.start, seg.end, sp.label, who_key, "", seg.text, normalise(seg.text), "utterance"))
        for mark in marks:
            if mark.deleted:
                continue
            text = f"{mark.tag}: {mark.note}" if mark.note else mark.tag
            entries.append(_Entry(mark.start, mark.end, mark.author, normalise(mark.author), normalise(mark.tag),
                                  text, normalise(f"{mark.tag} {mark.note}"), "mark"))
        self._entries = entries

    def search(self, query: Query, limit: int | None = None) -> list[Hit]:
        hits: list[Hit] = []
        if query.empty:
            return hits
        for e in self._entries:
            if query.tag and (e.kind != "mark" or query.tag not in e.tag_key):
                continue
            if query.speaker and (e.kind != "utterance" or query.speaker not in e.who_key):
                continue
            if all(term in e.key for term in query.terms):
                hits.append(Hit(self.info.id, self.info.title, self.info.path, e.start, e.end, e.who, e.text, e.kind))
                if limit is not None and len(hits) >= limit:
                    break
        return hits


class LibraryIndex:
    """Every session of a library, searchable at once."""

    def __init__(self, sessions: Iterable[SessionIndex] = ()) -> None:
        self.sessions: list[SessionIndex] = list(sessions)

    def add(self, session: SessionIndex) -> None:
        self.sessions = [s for s in self.sessions if s.info.id != session.info.id] + [session]

    def search(self, text: str, limit: int = 500) -> list[Hit]:
        query = parse_query(text)
        hits: list[Hit] = []
        for session in self.sessions:
            hits.extend(session.search(query, limit - len(hits)))
            if len(hits) >= limit:
                break
        return hits


def matching_segments(segments: Sequence[Segment], text: str) -> list[int]:
    """Indexes of the utterances that contain every term of ``text`` (for `/` in one transcript)."""
    query = parse_query(text)
    if not query.terms:
        return []
    return [i for i, seg in enumerate(segments) if all(t in normalise(seg.text) for t in query.terms)]
