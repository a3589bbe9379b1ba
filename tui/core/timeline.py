"""Questions about a transcript in time: what is said at t, where the next turn or mark is.

Segments are kept sorted by start; every query is a binary search, so a two-hour
session with thousands of utterances answers in microseconds.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence

from tui.core.activity import speech_spans
from tui.core.model import Mark, Segment


def sort_segments(segments: Sequence[Segment]) -> tuple[Segment, ...]:
    return tuple(sorted(segments, key=lambda s: (s.start, s.end)))


class SegmentIndex:
    """Sorted segments plus their start times, for repeated bisecting without rebuilding lists."""

    __slots__ = ("segments", "starts")

    def __init__(self, segments: Sequence[Segment]) -> None:
        self.segments = sort_segments(segments)
        self.starts = [s.start for s in self.segments]

    def __len__(self) -> int:
        return len(self.segments)

    def __getitem__(self, i: int) -> Segment:
        return self.segments[i]

    def at(self, t: float) -> int:
        if not self.segments:
            return -1
        return max(0, bisect_right(self.starts, t) - 1)

    def playing_at(self, t: float) -> int:
        """Index of the utterance whose span contains ``t``, or -1 in a pause."""
        i = self.at(t)
        if i >= 0 and self.segments[i].start <= t < self.segments[i].end:
            return i
        return -1

    def next_turn(self, i: int) -> int:
        """First utterance after ``i`` by a different speaker (``i`` if none)."""
        if not 0 <= i < len(self.segments):
            return i
        speaker = self.segments[i].speaker
        for j in range(i + 1, len(self.segments)):
            if self.segments[j].speaker != speaker:
                return j
        return i

    def previous_turn(self, i: int) -> int:
        """Start of the turn before the one holding ``i`` (``i``'s own turn start if it is the first)."""
        if not 0 <= i < len(self.segments):
            return i
        j = self.turn_start(i)
        if j == 0:
            return 0
        return self.turn_start(j - 1)

    def turn_start(self, i: int) -> int:
        speaker = self.segments[i].speaker
        while i > 0 and self.segments[i - 1].speaker == speaker:
            i -= 1
        return i


def next_mark(marks: Sequence[Mark], t: float) -> Mark | None:
    """The first mark starting after ``t`` (with a small tolerance so repeated jumps advance)."""
    later = [m for m in marks if m.start > t + 0.05]
    return min(later, key=lambda m: m.start) if later else None


def previous_mark(marks: Sequence[Mark], t: float) -> Mark | None:
    earlier = [m for m in marks if m.start < t - 0.05]
    return max(earlier, key=lambda m: m.start) if earlier else None


def marks_in(marks: Sequence[Mark], start: float, end: float) -> list[Mark]:
    """Marks whose start falls in ``[start, end)``."""
    return [m for m in marks if start <= m.start < end]


def lane_coverage(segments: Sequence[Segment], duration: float, rows: int) -> list[dict[str, float]]:
    """For each of ``rows`` equal slices of the session, the share of it each speaker talks.

    Talking is the utterances' word spans (:mod:`tui.core.activity`), so a pause inside
    an utterance shows as a gap in the speaker's lane.

    One pass over the segments (each touches only the rows it spans), so drawing the
    speaker timeline of a two-hour session costs a few milliseconds per resize.
    """
    coverage: list[dict[str, float]] = [{} for _ in range(max(0, rows))]
    if rows <= 0 or duration <= 0:
        return coverage
    step = duration / rows
    for seg in segments:
        for start, end in speech_spans(seg):
            first = max(0, int(start / step))
            last = min(rows - 1, int(max(start, end - 1e-9) / step))
            for row in range(first, last + 1):
                lo, hi = row * step, (row + 1) * step
                overlap = min(end, hi) - max(start, lo)
                if overlap > 0:
                    cell = coverage[row]
                    cell[seg.speaker] = min(1.0, cell.get(seg.speaker, 0.0) + overlap / step)
    return coverage
