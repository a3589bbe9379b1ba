"""When someone is actually talking inside an utterance: from its words, not its box.

Why: an utterance's start and end come from Whisper's segments, which run across pauses
(a person on their own channel "speaks" for 40 s of which 6 s are words). Every figure
that is about time (talk time and share, overlap, silence, turns, wait time, the speaker
timeline) reads the spans given here instead: the utterance's words, with the short
pauses between words of one breath bridged. An utterance without word timings (an
imported subtitle file) is taken as talking from its start to its end.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import replace

from tui.core.model import Segment

PAUSE_BRIDGE_SECONDS = 0.3
"""A pause between two words shorter than this is still talking (a breath, a stop
consonant); a longer one is silence in the figures, even inside one utterance. 0.3 s is
the bridging rule of the NIST speaker-diarization references."""

Span = tuple[float, float]


def speech_spans(seg: Segment) -> tuple[Span, ...]:
    """The stretches of ``seg`` in which its speaker talks, in time order, inside the utterance."""
    words = seg.words
    if not words:
        return ((seg.start, seg.end),) if seg.end > seg.start else ()
    spans: list[list[float]] = []
    for word in sorted(words, key=lambda w: w.start):
        start = min(max(word.start, seg.start), seg.end)
        end = min(max(word.end, start), seg.end)
        if spans and start - spans[-1][1] < PAUSE_BRIDGE_SECONDS:
            spans[-1][1] = max(spans[-1][1], end)
        else:
            spans.append([start, end])
    return tuple((a, b) for a, b in spans if b > a)


def talk_bounds(seg: Segment, spans: Sequence[Span] | None = None) -> Span:
    """From the first word to the last: where an utterance's talking starts and ends.

    ``spans``: ``speech_spans(seg)`` if the caller already has them.
    """
    spans = speech_spans(seg) if spans is None else spans
    return (spans[0][0], spans[-1][1]) if spans else (seg.start, seg.start)


def union(spans: Iterable[Span]) -> list[Span]:
    """``spans`` merged where they overlap or touch, in time order."""
    merged: list[Span] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def fit_to_speech(segments: Sequence[Segment], speech: Sequence[Span], *, widen: bool = True) -> list[Segment]:
    """``segments`` with their words fitted to the voice activity ``speech`` (sorted spans).

    Whisper's word times are rough: a first word starts half a second before the voice
    does, and the short pauses it leaves between words are often voice. Voice-activity
    frames know better, so each word is first trimmed to the speech it overlaps, then
    widened across the voice around it, up to the neighbouring words (of any speaker) and
    the edges of that stretch of speech. Talking then reads as the detector heard it,
    divided between speakers where their words meet. A word that meets no speech at all
    is kept as it is: the detector can miss quiet speech, a word cannot be invented.
    ``widen=False`` only trims (what a voice model should listen to).
    """
    if not speech:
        return list(segments)
    starts = [a for a, _ in speech]

    def region(t: float) -> Span | None:
        k = bisect_right(starts, t) - 1
        return speech[k] if k >= 0 and speech[k][0] <= t <= speech[k][1] else None

    placed = sorted(((w.start, si, wi) for si, s in enumerate(segments) for wi, w in enumerate(s.words)))
    times: dict[tuple[int, int], Span] = {}
    for _, si, wi in placed:
        word = segments[si].words[wi]
        first = max(0, bisect_right(starts, word.start) - 1)
        inside = [(a, b) for a, b in speech[first:bisect_right(starts, word.end)] if b > word.start and a < word.end]
        if inside:
            start = max(word.start, inside[0][0])
            times[(si, wi)] = (start, max(start, min(word.end, inside[-1][1])))
        else:
            times[(si, wi)] = (word.start, word.end)
    order = [(si, wi) for _, si, wi in placed] if widen else []
    for k, key in enumerate(order):
        start, end = times[key]
        before = times[order[k - 1]][1] if k else 0.0
        after = times[order[k + 1]][0] if k + 1 < len(order) else float("inf")
        home = region(start) or region(end)
        if home is not None:
            times[key] = (min(start, max(home[0], before)), max(end, min(home[1], after)))
    fitted = []
    for si, seg in enumerate(segments):
        if not seg.words:
            fitted.append(seg)
            continue
        words = tuple(replace(w, start=round(times[(si, wi)][0], 3), end=round(times[(si, wi)][1], 3))
                      for wi, w in enumerate(seg.words))
        fitted.append(replace(seg, start=min(w.start for w in words), end=max(w.end for w in words), words=words))
    return fitted
