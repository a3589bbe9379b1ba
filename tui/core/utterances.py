"""Utterances built from words: a long pause ends one, whatever Whisper's segment said.

Why: Whisper's segments can run across long silences, so a question, the wait after it
and the speaker's next thought land in one row; the wait is then never measured and the
row's time misleads. Splitting where the words stop for longer than a short pause keeps
each row one stretch of talk. Speaker changes are split by speaker separation; this only
cuts at silence.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from tui.core.model import Segment

UTTERANCE_PAUSE_SECONDS = 1.5
"""A silence between two words at least this long ends an utterance."""


def split_at_pauses(segments: Iterable[Segment], pause: float = UTTERANCE_PAUSE_SECONDS) -> list[Segment]:
    """Each segment cut at every pause of ``pause`` seconds or more between its words."""
    result: list[Segment] = []
    for seg in segments:
        words = sorted(seg.words, key=lambda w: w.start)
        if len(words) < 2:
            result.append(seg)
            continue
        pieces = [[words[0]]]
        reach = words[0].end
        for word in words[1:]:
            if word.start - reach >= pause:
                pieces.append([])
            pieces[-1].append(word)
            reach = max(reach, word.end)
        if len(pieces) == 1:
            result.append(seg)
            continue
        for piece in pieces:
            result.append(replace(seg, start=piece[0].start, end=max(w.end for w in piece),
                                  text=" ".join(w.text for w in piece), words=tuple(piece)))
    return result
