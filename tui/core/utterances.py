"""Utterances built from words: pauses and sentence ends cut them, whatever Whisper's segment said.

Why: Whisper's segments can run across long silences, so a question, the wait after it
and the speaker's next thought land in one row; the wait is then never measured and the
row's time misleads. Splitting where the words stop for longer than a short pause keeps
each row one stretch of talk. Batched recognition goes further: it returns one segment per
voice chunk (up to 30 s, several sentences), so a row is also cut where a sentence ends and
the voice stops for a moment, and a long run of sentences is cut at its next sentence end:
rows stay a sentence or a few, as sequential Whisper gave them, and a question that ends a
sentence ends its row (the figures measure the wait after it). Speaker changes are split by
speaker separation; this only cuts at silences and sentence ends.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace

from tui.core.model import Segment, Word

UTTERANCE_PAUSE_SECONDS = 1.5
"""A silence between two words at least this long ends an utterance."""
SENTENCE_PAUSE_SECONDS = 0.3
"""A sentence end followed by a silence at least this long ends an utterance."""
LONGEST_UTTERANCE_SECONDS = 12.0
"""An utterance this long ends at its next sentence end, pause or not."""

_SENTENCE_ENDS = (".", "?", "!", "…")
_CLOSERS = "\"'”’)]}»"
_ABBREVIATIONS = frozenset({"mr.", "mrs.", "ms.", "dr.", "prof.", "st.", "vs.", "etc.", "e.g.", "i.e.", "no.",
                            "jr.", "sr.", "mt.", "approx."})


def ends_sentence(text: str) -> bool:
    """True when a word closes a sentence: ``done.``, ``why?``, ``"stop!"`` (not ``Mr.``, not ``3.5``)."""
    bare = text.strip().rstrip(_CLOSERS)
    if not bare.endswith(_SENTENCE_ENDS):
        return False
    return bare.lower().lstrip(_CLOSERS + "(“‘") not in _ABBREVIATIONS


def join_unfinished(segments: Iterable[Segment], pause: float = UTTERANCE_PAUSE_SECONDS) -> list[Segment]:
    """Consecutive segments of one speaker joined where the first stops mid-sentence and the
    silence between them is shorter than ``pause``.

    Whisper ends a segment wherever its 30 s window or its timestamps fall, often mid-sentence
    ("How did they" | "go?"); a row should be what the person said, so the question is one
    question. Cut again afterwards with :func:`split_utterances`.
    """
    joined: list[Segment] = []
    for seg in sorted(segments, key=lambda s: (s.start, s.end)):
        last = joined[-1] if joined else None
        if (last is not None and last.speaker == seg.speaker and last.words and seg.words
                and not ends_sentence(last.words[-1].text) and seg.words[0].start - last.words[-1].end < pause):
            confidences = [c for c in (last.speaker_confidence, seg.speaker_confidence) if c is not None]
            joined[-1] = replace(last, end=max(last.end, seg.end), text=f"{last.text} {seg.text}",
                                 words=last.words + seg.words,
                                 speaker_confidence=min(confidences) if confidences else None)
        else:
            joined.append(seg)
    return joined


def split_utterances(segments: Iterable[Segment], pause: float = UTTERANCE_PAUSE_SECONDS,
                     sentence_pause: float | None = SENTENCE_PAUSE_SECONDS,
                     longest: float = LONGEST_UTTERANCE_SECONDS) -> list[Segment]:
    """Each segment cut into utterances at its words' timings.

    A cut falls between two words where the silence is at least ``pause`` seconds; or, after
    a word that ends a sentence, where the silence is at least ``sentence_pause`` seconds or
    the utterance so far is ``longest`` seconds or more. ``sentence_pause=None``: pauses only.
    A segment without at least two words is kept as it is; so is one with no cut.
    """
    result: list[Segment] = []
    for seg in segments:
        words = sorted(seg.words, key=lambda w: w.start)
        if len(words) < 2:
            result.append(seg)
            continue
        pieces = _pieces(words, pause, sentence_pause, longest)
        if len(pieces) == 1:
            result.append(seg)
            continue
        for piece in pieces:
            result.append(replace(seg, start=piece[0].start, end=max(w.end for w in piece),
                                  text=" ".join(w.text for w in piece), words=tuple(piece)))
    return result


def _pieces(words: Sequence[Word], pause: float, sentence_pause: float | None, longest: float) -> list[list[Word]]:
    pieces = [[words[0]]]
    reach = words[0].end
    for previous, word in zip(words, words[1:]):
        silence = word.start - reach
        cut = silence >= pause
        if not cut and sentence_pause is not None and ends_sentence(previous.text):
            cut = silence >= sentence_pause or reach - pieces[-1][0].start >= longest
        if cut:
            pieces.append([])
        pieces[-1].append(word)
        reach = max(reach, word.end)
    return pieces
