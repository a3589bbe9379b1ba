"""Finding words, speakers, tags and notes across sessions.

A query is words that must all appear (any order, case and accents ignored), phrases in
double quotes, and filters ``speaker:NAME`` and ``tag:NAME``. Texts are normalised once
when the index is built and joined into one string per session, so that a word found
nowhere costs one ``str.find`` per session (C speed), not a Python test per utterance:
a hundred hours of speech are about 10 MB of text.
"""

from __future__ import annotations

import heapq
import re
import shlex
import unicodedata
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import accumulate, islice

from tui.core.model import Mark, Segment, SessionInfo, Speaker

_NON_ASCII = re.compile(r"[^\x00-\x7f]+")


def _without_accents(run: re.Match[str]) -> str:
    return "".join(ch for ch in run.group() if not unicodedata.combining(ch))


def normalise(text: str) -> str:
    """Lower case without accents, so "José" finds "jose" and "JOSÉ"."""
    if text.isascii():  # nothing to decompose: most speech, and all of it in English
        return text.casefold()
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return _NON_ASCII.sub(_without_accents, decomposed)  # accents are never ASCII


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


_SEPARATOR = "\x00"
"""Between lines in the joined text; if a line holds it, a character no line holds is used."""


class SessionIndex:
    """One session's searchable lines: its utterances, then its marks (not the deleted ones).

    ``_text`` is every line's normalised text joined by ``_sep``; line ``i`` is
    ``_text[_offsets[i]:_offsets[i + 1] - 1]``. A term cannot contain the separator, so each
    place ``str.find`` finds it lies inside one line, which ``bisect`` names.
    """

    def __init__(self, info: SessionInfo, segments: Sequence[Segment], speakers: Sequence[Speaker],
                 marks: Sequence[Mark]) -> None:
        self.info = info
        # Hits need no word timings: keep utterances without them.
        self._segments = tuple(Segment(s.start, s.end, s.text, s.speaker) if s.words else s for s in segments)
        self._marks = tuple(m for m in marks if not m.deleted)
        voices = {sp.id: sp for sp in speakers}
        self._labels: dict[str, str] = {}
        self._voice_keys: dict[str, str] = {}
        self._lines_of_voice: dict[str, list[int]] = {}
        for i, seg in enumerate(self._segments):
            lines = self._lines_of_voice.get(seg.speaker)
            if lines is None:
                sp = voices.get(seg.speaker, Speaker(seg.speaker))
                self._labels[seg.speaker] = sp.label
                self._voice_keys[seg.speaker] = normalise(" ".join(x for x in (sp.id, sp.name, sp.role) if x))
                lines = self._lines_of_voice[seg.speaker] = []
            lines.append(i)
        self._tag_keys = [normalise(m.tag) for m in self._marks]
        texts = [seg.text for seg in self._segments] + [f"{m.tag} {m.note}" for m in self._marks]
        self._sep, self._text, self._offsets = _joined(texts)

    def search(self, query: Query, limit: int | None = None) -> list[Hit]:
        """Utterances then marks that match, in the order of the session, at most ``limit``."""
        if query.empty or (limit is not None and limit <= 0):
            return []
        return [self._hit(i) for i in islice(self._matching_lines(query), limit)]

    # -- finding lines ---------------------------------------------------------------------

    def _matching_lines(self, query: Query) -> Iterator[int]:
        terms = [t for t in dict.fromkeys(query.terms) if t]  # "" is in every line
        if any(self._sep in t for t in terms):
            return iter(())
        utterances = len(self._segments)
        if query.tag:  # marks only: a few per session, tested one by one
            if query.speaker:
                return iter(())
            tagged = (utterances + j for j, key in enumerate(self._tag_keys) if query.tag in key)
            return (i for i in tagged if self._holds_all(i, terms))
        if query.speaker:  # utterances only
            wanted = {sid for sid, key in self._voice_keys.items() if query.speaker in key}
            if not wanted:
                return iter(())
            theirs = heapq.merge(*(self._lines_of_voice[sid] for sid in wanted))
            if not terms:
                return theirs
            # Walk whichever is rarer: their lines, or the places the rarest term is found.
            spoken = sum(len(self._lines_of_voice[sid]) for sid in wanted)
            if spoken <= min(self._text.count(t, 0, self._offsets[utterances]) for t in terms):
                return (i for i in theirs if self._holds_all(i, terms))
            found = self._lines_with(terms, 0, utterances)
            return (i for i in found if self._segments[i].speaker in wanted)
        if not terms:
            return iter(range(utterances + len(self._marks)))
        return self._lines_with(terms, 0, utterances + len(self._marks))

    def _lines_with(self, terms: list[str], first: int, stop: int) -> Iterator[int]:
        """Lines ``first`` to ``stop - 1`` holding every term, found through the rarest one."""
        if first >= stop:
            return
        text, offsets = self._text, self._offsets
        lo, hi = offsets[first], offsets[stop] - 1
        driver = terms[0]
        if len(terms) > 1:
            counts = [text.count(t, lo, hi) for t in terms]
            if not all(counts):
                return
            driver = terms[counts.index(min(counts))]
        others = [t for t in terms if t != driver]
        at = text.find(driver, lo, hi)
        while at != -1:
            i = bisect_right(offsets, at) - 1
            if not others or self._holds_all(i, others):
                yield i
            at = text.find(driver, offsets[i + 1], hi)

    def _holds_all(self, line: int, terms: Iterable[str]) -> bool:
        lo, hi = self._offsets[line], self._offsets[line + 1] - 1
        return all(self._text.find(t, lo, hi) != -1 for t in terms)

    def _hit(self, line: int) -> Hit:
        info = self.info
        if line < len(self._segments):
            seg = self._segments[line]
            return Hit(info.id, info.title, info.path, seg.start, seg.end, self._labels[seg.speaker], seg.text,
                       "utterance")
        mark = self._marks[line - len(self._segments)]
        text = f"{mark.tag}: {mark.note}" if mark.note else mark.tag
        return Hit(info.id, info.title, info.path, mark.start, mark.end, mark.author, text, "mark")


def _joined(texts: list[str]) -> tuple[str, str, list[int]]:
    """The separator, the normalised texts joined by it, and where each begins (then the length + 1)."""
    # Case folding and decomposition never reach across a control character, so the joined
    # text can be normalised at once (a few C calls instead of a few per line).
    keys = normalise(_SEPARATOR.join(texts)).split(_SEPARATOR) if texts else []
    sep = _SEPARATOR
    if len(keys) != len(texts):  # some line holds the separator itself: pick a character none holds
        keys = [normalise(t) for t in texts]
        used = set("".join(keys))
        sep = next(c for c in map(chr, range(1, 0x110000)) if c not in used)
    offsets = [0, *accumulate(len(k) + 1 for k in keys)]
    return sep, sep.join(keys), offsets


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
            if len(hits) >= limit:
                break
            hits.extend(session.search(query, limit - len(hits)))
        return hits


def matching_segments(segments: Sequence[Segment], text: str) -> list[int]:
    """Indexes of the utterances that contain every term of ``text`` (for `/` in one transcript)."""
    query = parse_query(text)
    if not query.terms:
        return []
    keys = (normalise(seg.text) for seg in segments)
    return [i for i, key in enumerate(keys) if all(t in key for t in query.terms)]
