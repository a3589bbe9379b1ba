"""Walking a session in time order: turns, back-channels, interruptions, questions, waits,
silences and overlaps, each kept as the moments behind a figure.

Why a module of its own: these are the steps of tui.core.analytics.session_stats (whose
docstring defines each figure); they share counters per speaker (Tally) and nothing else.
"""

from __future__ import annotations

import math
import statistics
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from tui.core.activity import Span, union
from tui.core.model import Segment, Transcript
from tui.core.question_languages import classify_sentence_in
from tui.core.questions import QuestionKind
from tui.core.sentences import split_sentences
from tui.core.stats_model import SHORT_WAIT_SECONDS, Moment, WaitStats
from tui.core.timefmt import format_time
from tui.errors import TranscriptError

INTERRUPTION_MIN_OVERLAP_SECONDS = 0.2
"""Talking over the end of someone's turn by less than this is a hand-over, not an interruption."""

_EPSILON = 1e-6



@dataclass(slots=True)
class Turn:
    speaker: str
    start: float
    end: float
    first_index: int
    interrupted_until: float | None = None
    """For an interruption: when the interrupted speaker's turn ended."""
    interrupted: str = ""

    @property
    def interruption(self) -> bool:
        return self.interrupted_until is not None


@dataclass(slots=True)
class Tally:
    """Mutable counters for one speaker while the session is walked through."""

    turns: list[Turn] = field(default_factory=list)
    questions: list[Moment] = field(default_factory=list)
    open_questions: list[Moment] = field(default_factory=list)
    closed_questions: list[Moment] = field(default_factory=list)
    backchannels: list[Moment] = field(default_factory=list)
    waits: list[tuple[float, Moment]] = field(default_factory=list)
    rescued: list[Moment] = field(default_factory=list)
    doubtful: list[Moment] = field(default_factory=list)
    words: int = 0



def check_segments(segments: Sequence[Segment]) -> None:
    for index, seg in enumerate(segments):
        if not (math.isfinite(seg.start) and math.isfinite(seg.end)):
            raise TranscriptError(
                f"Utterance {index + 1} has a time that is not a number; the transcript is malformed."
            )
        if seg.start < 0 or seg.end < seg.start:
            raise TranscriptError(
                f"Utterance {index + 1} runs from {seg.start:.3f} s to {seg.end:.3f} s, which is not a valid time span."
            )


def ordered_speaker_ids(transcript: Transcript) -> list[str]:
    """Listed speakers first (a listed client who never spoke still shows as 0), then the rest."""
    ids = [sp.id for sp in transcript.speakers]
    for seg in transcript.segments:
        if seg.speaker not in ids:
            ids.append(seg.speaker)
    return list(dict.fromkeys(ids))


def find_turns(
    segments: Sequence[Segment],
    bounds: Sequence[Span],
    order: list[int],
    tallies: dict[str, Tally],
    names: dict[str, str],
) -> int:
    """Group segments into turns (module docstring), noting back-channels and interruptions."""
    current: Turn | None = None
    count = 0
    for i in order:
        seg = segments[i]
        start, end = bounds[i]
        if current is not None and seg.speaker == current.speaker:
            current.end = max(current.end, end)
            continue
        if current is not None and end <= current.end + _EPSILON:
            label = f"{names[seg.speaker]} over {names[current.speaker]}: {clip(seg.text)}"
            tallies[seg.speaker].backchannels.append(Moment(start, end, i, label))
            continue
        turn = Turn(seg.speaker, start, end, i)
        if current is not None and start < current.end - INTERRUPTION_MIN_OVERLAP_SECONDS:
            turn.interrupted_until, turn.interrupted = current.end, current.speaker
        tallies[seg.speaker].turns.append(turn)
        current = turn
        count += 1
    return count


def count_questions_and_words(
    segments: Sequence[Segment], order: list[int], tallies: dict[str, Tally], language: str = "en"
) -> dict[int, str]:
    """Tally questions and words; return the segments that end on a question, with that question."""
    ending: dict[int, str] = {}
    for i in order:
        seg = segments[i]
        tally = tallies[seg.speaker]
        tally.words += _word_count(seg)
        sentences = split_sentences(seg.text)
        spans = _sentence_spans(seg, sentences)
        for number, (sentence, (start, end)) in enumerate(zip(sentences, spans), start=1):
            kind = classify_sentence_in(sentence, language)
            if kind is None:
                continue
            moment = Moment(start, end, i, sentence)
            tally.questions.append(moment)
            (tally.open_questions if kind is QuestionKind.OPEN else tally.closed_questions).append(moment)
            if number == len(sentences):
                ending[i] = sentence
    return ending


def find_waits(
    segments: Sequence[Segment],
    bounds: Sequence[Span],
    order: list[int],
    ending_questions: dict[int, str],
    tallies: dict[str, Tally],
    names: dict[str, str],
) -> WaitStats:
    """Wait after each segment that ends on a question (module docstring), for asker and session."""
    n = len(order)
    next_other = [n] * n  # position of the next segment by a different speaker than position p's
    for p in range(n - 2, -1, -1):
        same = segments[order[p + 1]].speaker == segments[order[p]].speaker
        next_other[p] = next_other[p + 1] if same else p + 1
    session: list[tuple[float, Moment]] = []
    rescued = 0
    for p, i in enumerate(order):
        if i not in ending_questions:
            continue
        seg = segments[i]
        asked_until = bounds[i][1]
        asker = seg.speaker
        q = next_other[p]
        while q < n:
            other = segments[order[q]]
            if other.speaker == asker:
                q = next_other[q]
            elif bounds[order[q]][1] <= asked_until + _EPSILON:
                q += 1  # said under the question: not a reply
            else:
                break
        if q == n:
            continue
        reply = segments[order[q]]
        wait = max(0.0, bounds[order[q]][0] - asked_until)
        question = clip(ending_questions[i])
        label = f"{wait:.1f} s before {names[reply.speaker]} replied to: {question}"
        moment = Moment(asked_until, asked_until + wait, i, label)
        tallies[asker].waits.append((wait, moment))
        session.append((wait, moment))
        spoke_again = any(
            segments[order[r]].speaker == asker and bounds[order[r]][0] >= asked_until - _EPSILON
            for r in range(p + 1, q)
        )
        if spoke_again:
            label = f"{names[asker]} spoke again after: {question}"
            tallies[asker].rescued.append(Moment(seg.start, seg.end, i, label))
            rescued += 1
    return wait_stats(session, rescued)


def wait_stats(waits: list[tuple[float, Moment]], rescued: int) -> WaitStats:
    if not waits:
        return WaitStats(0, None, None, None, rescued)
    seconds = [w for w, _ in waits]
    short = sum(1 for w in seconds if w < SHORT_WAIT_SECONDS)
    return WaitStats(len(seconds), statistics.median(seconds), short / len(seconds), statistics.fmean(seconds), rescued)


def find_silences(
    speech: list[tuple[float, float]], total: float, threshold: float, segments: Sequence[Segment], order: list[int]
) -> tuple[Moment, ...]:
    """Gaps in all speech longer than ``threshold``; each opens at the utterance just before it."""
    gaps: list[tuple[float, float]] = []
    cursor = 0.0
    for start, end in speech:
        gaps.append((cursor, start))
        cursor = end
    gaps.append((cursor, total))
    starts = [segments[i].start for i in order]
    moments = []
    for start, end in gaps:
        if end - start <= threshold:
            continue
        p = max(0, bisect_right(starts, start - _EPSILON) - 1)
        index = order[p] if order else -1
        moments.append(Moment(start, end, index, f"silence {end - start:.1f} s"))
    return tuple(moments)


def overlap_moments(
    overlaps: list[tuple[float, float]],
    unions: dict[str, list[tuple[float, float]]],
    segments: Sequence[Segment],
    order: list[int],
    names: dict[str, str],
) -> tuple[Moment, ...]:
    """Each opens at the utterance that started the overlap (the later of those talking)."""
    starts = [segments[i].start for i in order]
    union_starts = {sid: [a for a, _ in spans] for sid, spans in unions.items()}
    moments = []
    for start, end in overlaps:
        p = max(0, bisect_right(starts, start + _EPSILON) - 1)
        middle = (start + end) / 2
        talking = []
        for sid, spans in unions.items():
            k = bisect_right(union_starts[sid], middle) - 1
            if k >= 0 and spans[k][1] > middle:
                talking.append(names[sid])
        label = f"{' + '.join(talking)} at once for {end - start:.1f} s"
        moments.append(Moment(start, end, order[p], label))
    return tuple(moments)


def turn_moment(turn: Turn, names: dict[str, str]) -> Moment:
    label = f"{names[turn.speaker]} talked {_span_text(turn.end - turn.start)}"
    return Moment(turn.start, turn.end, turn.first_index, label)


def interruption_moment(turn: Turn, names: dict[str, str]) -> Moment:
    until = turn.interrupted_until if turn.interrupted_until is not None else turn.start
    label = f"{names[turn.speaker]} came in over {names.get(turn.interrupted, turn.interrupted)}"
    return Moment(turn.start, max(turn.start, min(until, turn.end)), turn.first_index, label)


def _span_text(seconds: float) -> str:
    """ "52 s" below a minute, "1:05" above: how a reviewer says it."""
    return f"{seconds:.0f} s" if seconds < 59.5 else format_time(round(seconds))


# --- small pieces -----------------------------------------------------------------------


def total_length(intervals: Iterable[tuple[float, float]]) -> float:
    return math.fsum(end - start for start, end in intervals)


def overlap_spans(unions: list[list[tuple[float, float]]]) -> list[tuple[float, float]]:
    """Stretches where two or more of the (already merged) speaker timelines are active."""
    events = sorted(
        [(a, 1) for union in unions for a, _ in union] + [(b, -1) for union in unions for _, b in union],
        key=lambda e: (e[0], e[1]),  # ends before starts at the same instant: touching is not overlapping
    )
    found: list[tuple[float, float]] = []
    active = 0
    opened = 0.0
    for time, step in events:
        if active < 2 <= active + step:
            opened = time
        elif active >= 2 > active + step and time > opened:
            found.append((opened, time))
        active += step
    return union(found)


def _word_count(seg: Segment) -> int:
    tokens = [w.text for w in seg.words] if seg.words else seg.text.split()
    return sum(1 for token in tokens if any(ch.isalnum() for ch in token))


def _sentence_spans(seg: Segment, sentences: list[str]) -> list[tuple[float, float]]:
    """Each sentence's time span from word timings when they line up with the text, else the segment's."""
    counts = [len(s.split()) for s in sentences]
    if not seg.words or sum(counts) != len(seg.words):
        return [(seg.start, seg.end)] * len(sentences)
    spans = []
    first = 0
    for count in counts:
        words = seg.words[first : first + count]
        spans.append((words[0].start, words[-1].end) if words else (seg.start, seg.end))
        first += count
    return spans


def sorted_moments(moments: Iterable[Moment]) -> tuple[Moment, ...]:
    return tuple(sorted(moments, key=lambda m: (m.start, m.segment_index)))


def clip(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
