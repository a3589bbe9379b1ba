"""Finding a term in a text however it is written: the matching behind redaction.

Matching is deliberately generous, because a false alarm costs a retry and a miss costs
a client's privacy. Text is compared after Unicode compatibility folding, case folding
and accent stripping, with zero-width characters ignored, so a term is found

- in any case and with any accents (``JAYDEN``, ``Jáyden``, full-width letters);
- next to punctuation or markup (``(Jayden)``, ``Jayden,``, ``<b>Jayden</b>``);
- as a possessive or plural (``Jayden's``, ``Jaydens'``, ``Jaydens``);
- split into pieces (``Jay den``, ``Jay-den``, ``J.a.y.d.e.n``, ``J a y d e n``,
  ``Jay<i>den</i>``, word timings ``" Jay"`` + ``"den"``), and across line breaks.

Pieces are joined across punctuation of up to three characters; across white space only
when the pieces are alike (all single letters, or all longer), so that "it's am" does
not read as "sam".

Why a module of its own: tui.formats.redact decides what must not leave and where to look;
this is how a term is found, in a text or in a transcriber's word timings.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from tui.core.model import Word
from tui.core.safe_text import describe, hostile_characters, visible
from tui.errors import DebriefError

_IGNORABLE = frozenset("\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b\u200c\u200d\u200e\u200f"
                       "\u202a\u202b\u202c\u202d\u202e\u2060\u2061\u2062\u2063\u2064\ufeff")
"""Invisible characters that could hide a term from a naive search (soft hyphen, zero widths, bidi marks)."""

_FORCED_SEPARATORS = frozenset("\u02b9\u02ba\u02bb\u02bc\u02bd\u02be\u02bf\u02c8\u02ee")
"""Modifier-letter apostrophes: letters to Unicode, apostrophes to a reader."""

_TOKEN = re.compile(r"[^\W_]+")
_TAG = re.compile(r"<[^<>]*>")
_MAX_PUNCTUATION_JOIN = 3
_MAX_PASSES = 4


@dataclass(frozen=True, slots=True)
class Target:
    label: str
    """The term or name as the user wrote it (for messages)."""
    skeleton: str
    replacement: str


@dataclass(frozen=True, slots=True)
class Match:
    start: int
    end: int
    """Character span in the original text."""
    target: Target


class Matcher:
    """Finds every target in a text, under both readings (markup as text, markup removed)."""

    def __init__(self, targets: Iterable[Target]) -> None:
        by_first: dict[str, list[Target]] = {}
        seen: set[str] = set()
        for target in sorted(targets, key=lambda t: -len(t.skeleton)):
            if len(target.skeleton) < 2 or target.skeleton in seen:
                continue
            seen.add(target.skeleton)
            by_first.setdefault(target.skeleton[0], []).append(target)
        self._by_first = by_first

    def __bool__(self) -> bool:
        return bool(self._by_first)

    def find(self, text: str) -> list[Match]:
        """Non-overlapping matches (leftmost, longest), from both readings of ``text``."""
        if not self._by_first or not text:
            return []
        found = self._find(text, drop_tags=False)
        if "<" in text and ">" in text:
            found += self._find(text, drop_tags=True)
        return _non_overlapping(found)

    def _find(self, text: str, *, drop_tags: bool) -> list[Match]:
        norm, origin = _normalize(text, drop_tags=drop_tags)
        tokens = [(m.start(), m.end(), m.group()) for m in _TOKEN.finditer(norm)]
        matches: list[Match] = []
        for i, (start, _, first) in enumerate(tokens):
            for target in self._by_first.get(first[0], ()):
                j = _run_end(norm, tokens, i, target.skeleton)
                if j is not None:
                    end = tokens[j][1]
                    matches.append(Match(origin[start], origin[end - 1] + 1, target))
                    break
        return matches


def _run_end(norm: str, tokens: list[tuple[int, int, str]], i: int, skeleton: str) -> int | None:
    """Index of the last token of a run starting at ``i`` that spells ``skeleton`` (or its plural)."""
    plural = skeleton + "s"
    spelled = tokens[i][2]
    j = i
    while plural.startswith(spelled):
        if spelled == skeleton or spelled == plural:
            return j
        if j + 1 == len(tokens):
            return None
        left, right = tokens[j], tokens[j + 1]
        if not _joinable(norm[left[1] : right[0]], left[2], right[2]):
            return None
        spelled += right[2]
        j += 1
    return None


def _joinable(separator: str, left: str, right: str) -> bool:
    if any(ch.isspace() for ch in separator):
        if separator.isspace() or len(separator) <= _MAX_PUNCTUATION_JOIN:
            return (len(left) == 1) == (len(right) == 1)
        return False
    return len(separator) <= _MAX_PUNCTUATION_JOIN


def _normalize(text: str, *, drop_tags: bool) -> tuple[str, list[int]]:
    """Folded text plus, for each of its characters, the index of the original it came from."""
    dropped: set[int] = set()
    if drop_tags:
        for tag in _TAG.finditer(text):
            dropped.update(range(tag.start(), tag.end()))
    if text.isascii():
        keep = [i for i in range(len(text)) if i not in dropped] if dropped else range(len(text))
        folded = text.lower()
        return "".join(folded[i] for i in keep), list(keep)
    out: list[str] = []
    origin: list[int] = []
    for i, ch in enumerate(text):
        if i in dropped or ch in _IGNORABLE:
            continue
        if ch in _FORCED_SEPARATORS:
            out.append(" ")
            origin.append(i)
            continue
        for piece in unicodedata.normalize("NFKD", ch):
            if unicodedata.combining(piece):
                continue
            for folded in piece.casefold():
                out.append(folded)
                origin.append(i)
    return "".join(out), origin


def name_parts(name: str) -> list[str]:
    """The words of a name, read as a person reads it: ``Li<U+200B>Sa`` is one word, ``LiSa``, not ``Li`` and ``Sa``."""
    return _TOKEN.findall("".join(ch for ch in name if ch not in _IGNORABLE))


def quoted(text: str) -> str:
    """A term or name quoted for a message, its hidden characters shown and named."""
    hidden = hostile_characters(text)
    note = f" (it holds a hidden {describe(hidden[0][1])})" if hidden else ""
    return f"'{visible(text)}'{note}"


def skeleton(term: str) -> str:
    norm, _ = _normalize(term, drop_tags=False)
    return "".join(_TOKEN.findall(norm))


def _non_overlapping(matches: list[Match]) -> list[Match]:
    chosen: list[Match] = []
    for match in sorted(matches, key=lambda m: (m.start, -(m.end - m.start))):
        if chosen and match.start < chosen[-1].end:
            if match.end > chosen[-1].end:
                chosen[-1] = replace(chosen[-1], end=match.end)
            continue
        chosen.append(match)
    return chosen


def substitute(text: str, matches: Sequence[Match]) -> str:
    out = []
    at = 0
    for match in matches:
        out.append(text[at : match.start])
        out.append(match.target.replacement)
        at = match.end
    out.append(text[at:])
    return "".join(out)


def redact_text(text: str, matcher: Matcher) -> str:
    """Replace until nothing matches; a text that keeps matching is refused, not passed."""
    for _ in range(_MAX_PASSES):
        matches = matcher.find(text)
        if not matches:
            return text
        text = substitute(text, matches)
    if matcher.find(text):
        raise DebriefError("A redaction term cannot be removed from the text (it matches its own replacement).")
    return text



def join_words(words: Sequence[Word]) -> tuple[str, list[tuple[int, int]]]:
    """Words as one text (as a transcriber spelled them), with each word's character span."""
    glue = "" if any(w.text[:1].isspace() for w in words) else " "
    parts: list[str] = []
    bounds: list[tuple[int, int]] = []
    at = 0
    for n, word in enumerate(words):
        if n and glue:
            parts.append(glue)
            at += len(glue)
        parts.append(word.text)
        bounds.append((at, at + len(word.text)))
        at += len(word.text)
    return "".join(parts), bounds


def word_runs(bounds: list[tuple[int, int]], matches: Sequence[Match]) -> dict[int, int]:
    """First word index -> last word index of each run of words that matches touch."""
    ranges = []
    for m in matches:
        touched = [k for k, (a, b) in enumerate(bounds) if a < m.end and b > m.start]
        if touched:
            ranges.append((touched[0], touched[-1]))
    runs: dict[int, int] = {}
    current: list[int] | None = None
    for first, last in sorted(ranges):
        if current is not None and first <= current[1]:
            current[1] = max(current[1], last)
        else:
            current = [first, last]
            runs[first] = last
        runs[current[0]] = current[1]
    return runs
