"""Telling Debrief's own wording from the session's words in a rendered export.

A client called Mark, Will or Grace shares a name with words of the export templates
("Marks: 4", "Marked moments", "what will you try"). The final redaction gate must refuse
the session's words, not the templates'. So the same export is rendered a second time
from a *blank* of the report: every letter and digit of every text the session supplied
(transcript, notes, tags, titles, names, reflection, dates, ids, a mentor's comments,
the tag vocabulary and the heading) becomes a neutral letter that no guarded term
contains, while punctuation, white space and line breaks stay, and so does every
number (times, durations, counts). The blank therefore renders with the same branches,
the same escaping and the same line breaks, character for character.

Comparing the two renderings position by position marks which characters of the real
export are the session's (:class:`Provenance`): those where the blank holds a
neutral letter or differs. A term found in the real export is a leak unless every
character of its span is Debrief's own; that rule cannot be fooled by a leak elsewhere
balancing a template word (as counting matches could). When the two renderings do not
line up (a line of a different length, a different number of lines), that line, or the
whole export, counts as the session's: the gate then refuses as strictly as before.

Kept as they are, because they are Debrief's own words with a meaning to the renderers:
a mark's tag when it is one of the built-in tags, a mark's source "feedback", a known
language code, a consent value.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable
from bisect import bisect_right
from functools import lru_cache
from itertools import accumulate
from typing import Any

from tui.core.feedback import FEEDBACK_TAGS, LOOK_FORS_TAG, OVERALL_TAG
from tui.core.feedback import SOURCE as FEEDBACK_SOURCE
from tui.core.languages import AUTO, NAMES
from tui.core.model import DEFAULT_TAG
from tui.core.report import SessionReport
from tui.formats.term_matching import skeleton

_CANDIDATES = "qxzjkvwyfgbpmhdculrtnoieaðøþæœαβγδεζηθικλμνξοπρτυφχψω"
"""Neutral letters, most unusual first; those in a guarded term are never used, nor "s",
which a term's plural adds: so no match of a term ever reads a neutral letter."""

_OWN_TAGS = frozenset((DEFAULT_TAG, *FEEDBACK_TAGS, OVERALL_TAG, LOOK_FORS_TAG))

_KEPT = {
    "tag": _OWN_TAGS,
    "tags": _OWN_TAGS,
    "source": frozenset((FEEDBACK_SOURCE,)),
    "language": frozenset((AUTO, *NAMES)),
    "consent": frozenset(("yes", "no")),
}
"""Field name -> the values that are Debrief's own vocabulary there, kept in the blank."""


class Blank:
    """Blanks the session's texts with letters that spell no guarded term.

    Equal texts get equal blanks and different texts (up to case) different ones, where
    the length allows, so ids still find their speakers and tags still merge as they did.
    """

    def __init__(self, guarded: Iterable[str]) -> None:
        used = set("".join(skeleton(term) for term in guarded))
        letters = [c for c in _CANDIDATES if c not in used and skeleton(c) == c and skeleton(c.upper()) == c]
        if not letters:
            raise ValueError("every neutral letter is part of a guarded term")
        self.letters = letters
        self._neutral = frozenset(letters) | frozenset(c.upper() for c in letters)
        self._index: dict[str, int] = {}
        self._done: dict[str, str] = {}

    def is_neutral(self, ch: str) -> bool:
        return ch in self._neutral

    def text(self, text: str, field: str = "") -> str:
        if not text or text in _KEPT.get(field, ()) or (field == "id" and _HEX_ID.fullmatch(text)):
            return text  # Debrief's own words; ids Debrief made (exports sort marks by id: keep their order)
        done = self._done.get(text)
        if done is not None:
            return done
        slots = [i for i, ch in enumerate(text) if (ch.isalnum() if ch.isascii() else _wordy(ch))]
        if not slots:
            return text
        number = self._index.setdefault(text.casefold(), len(self._index))
        digits = []
        base = len(self.letters)
        for _ in slots:
            number, digit = divmod(number, base)
            digits.append(self.letters[digit])
        out = list(text)
        for i, letter in zip(slots, digits):
            out[i] = letter.upper() if text[i].isupper() and len(letter.upper()) == 1 else letter
        self._done[text] = "".join(out)
        return self._done[text]

    def report(self, report: SessionReport) -> SessionReport:
        """``report`` with every text blanked and every number kept."""
        blanked: SessionReport = self._value(report, "")
        return blanked

    def _value(self, value: Any, field: str) -> Any:
        if isinstance(value, str):
            return self.text(value, field)
        if value is None or isinstance(value, (bool, int, float)):
            return value
        if isinstance(value, tuple):
            return tuple(self._value(v, field) for v in value)
        if isinstance(value, list):
            return [self._value(v, field) for v in value]
        if isinstance(value, dict):
            return {self._key(k, field): self._value(v, "") for k, v in value.items()}
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            changes = {f.name: self._value(getattr(value, f.name), f.name)
                       for f in dataclasses.fields(value) if f.init}
            return dataclasses.replace(value, **changes)
        raise TypeError(f"cannot blank a {type(value).__name__}")

    def _key(self, key: Any, field: str) -> Any:
        if field == "figures" and isinstance(key, str):
            name, owner = _figure_key(key)
            return name + self.text(owner)
        return self._value(key, "")


_HEX_ID = re.compile(r"[0-9a-f]{8,}")
"""Ids Debrief makes (marks, content hashes): random or hashed hex, nothing a person wrote."""

_FIGURE = re.compile(r"([a-z_]+(?:\.(?:open|closed))?)(\..+)?")


def _figure_key(key: str) -> tuple[str, str]:
    """``"questions.open.S1"`` -> ("questions.open", ".S1"): Debrief's name, then the speaker id."""
    match = _FIGURE.fullmatch(key)
    return (match.group(1), match.group(2) or "") if match else ("", key)


@lru_cache(maxsize=4096)
def _wordy(ch: str) -> bool:
    """Would a term match read this character (``ﬁ``, ``²``, ``℃`` all read as letters or digits)?"""
    return bool(skeleton(ch))


class Provenance:
    """Which characters of a rendered export came (or may have come) from the session.

    ``blank`` is the same export rendered from the blanked reports. A character is
    Debrief's own only where both renderings hold the same character and it is not a
    neutral letter, on a line that lines up (same length, differing only at neutral
    letters); every other character is the session's. When the renderings do not even
    have the same number of lines, every character is. Lines are compared only where a
    term was found: most exports have no match at all.
    """

    def __init__(self, real: str, blank: str, blanks: Blank) -> None:
        self._real = real.splitlines(keepends=True)
        self._blank = blank.splitlines(keepends=True)
        self._blanks = blanks
        self._starts = list(accumulate((len(line) for line in self._real), initial=0))
        self.lined_up = len(self._real) == len(self._blank)

    def from_session(self, start: int, end: int) -> bool:
        """Does the span ``[start, end)`` of the real export hold a character of the session's?"""
        if not self.lined_up:
            return True
        first = bisect_right(self._starts, start) - 1
        for n in range(max(0, first), len(self._real)):
            at = self._starts[n]
            if at >= end:
                break
            mine, theirs = self._real[n], self._blank[n]
            if len(mine) != len(theirs):
                return True
            for i in range(max(start - at, 0), min(end - at, len(mine))):
                r, b = mine[i], theirs[i]
                if r != b or self._blanks.is_neutral(b):
                    return True
            if any(r != b and not self._blanks.is_neutral(b) for r, b in zip(mine, theirs)):
                return True  # the line does not line up: nothing on it is known to be Debrief's
        return False


__all__ = ["Blank", "Provenance"]
