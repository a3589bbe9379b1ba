"""Coaching figures for one session: who talked how much, turns, questions, wait time.

Every figure keeps the moments behind it (``SessionStats.figures``), so that a reviewer
who reads "closed questions (7)" can jump to each of the seven.

Definitions (the README quotes them)
    duration
        The ``duration`` argument, else the transcript's, else the end of the last
        segment; never less than the end of the last segment.
    talk time
        The union of a speaker's talking spans (:mod:`tui.core.activity`: their words,
        pauses under half a second bridged; an utterance without word timings counts
        from start to end). Pauses inside an utterance are not talk; their own
        overlapping utterances count once, time spent talking over someone else counts
        for both. Every other figure about time (silence, overlap, turns, waits) uses
        the same spans: an utterance runs from its first word to its last.
    talk share
        A speaker's talk time divided by the sum of all speakers' talk times, so that
        shares add up to 1 even when people talk at once.
    silence
        Duration minus the union of all speech. The ``silences`` figure lists the
        gaps longer than ``silence_threshold`` (default 2 s), including before the
        first and after the last utterance.
    overlap
        Time during which two or more speakers talk at once.
    turn
        A maximal run of consecutive segments (in order of start time) by the same
        speaker; silence between them does not break a turn, another speaker does.
        One refinement: an utterance lying entirely inside one segment of the
        speaker who holds the floor (a back-channel such as "mm-hmm" said over
        them) is an overlap, not a turn, and does not break the floor-holder's
        turn. A turn lasts from its first start to its last end.
    monologue
        A turn longer than ``monologue_seconds`` (default 45 s).
    interruption
        A turn that starts before the previous turn's speech has ended (back-channels
        excluded), by more than 0.2 s: a shorter overlap is an ordinary hand-over
        (and within the timing error of transcripts). It is counted for the speaker
        who starts talking.
    question
        A sentence classified by :mod:`tui.core.questions` (open or closed); every
        question sentence of a segment counts.
    wait after a question
        Measured for each segment whose *last* sentence is a question (a question
        followed by more talk in the same segment was not left to be answered). It
        runs from that segment's last word to the first word of the next segment by a
        different speaker that goes on after the question ended (someone's
        "mm-hmm" under the question does not end the wait); if that reply began
        before the question ended, the wait is 0. No reply before the session
        ends: no wait. ``rescued`` counts the questions after which the asker spoke
        again before anyone replied (rephrasing, answering it themselves).
        ``under_3s_share`` is the share of waits shorter than 3 s.
    words per minute
        Words divided by talk minutes; words come from a segment's word timings
        when it has them, else from its text, counting only tokens with a letter
        or digit.

Figures (keys of ``SessionStats.figures``; add ``.<speaker id>`` for one speaker):
``questions``, ``questions.open``, ``questions.closed``, ``turns``, ``longest_turn``,
``monologues``, ``interruptions``, ``backchannels``, ``waits``, ``waits.under_3s``,
``waits.rescued``; session only: ``overlaps``, ``silences``. Every key exists even when
empty, so a pane can show "monologues (0)".
"""

from __future__ import annotations

import math
import statistics
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from tui.core.activity import Span, speech_spans, talk_bounds, union
from tui.core.attribution import APPROXIMATE_SHARE, doubtful, doubtful_share
from tui.core.model import Segment, Transcript
from tui.core.questions import QuestionKind, classify_sentence_in, split_sentences
from tui.core.timefmt import format_time
from tui.errors import DebriefError, TranscriptError

SHORT_WAIT_SECONDS = 3.0
"""Waits shorter than this count in ``under_3s_share`` (the classic wait-time research threshold)."""

INTERRUPTION_MIN_OVERLAP_SECONDS = 0.2
"""Talking over the end of someone's turn by less than this is a hand-over, not an interruption."""

_EPSILON = 1e-6


@dataclass(frozen=True, slots=True)
class Moment:
    """A place to jump to: ``segment_index`` indexes ``transcript.segments`` as given."""

    start: float
    end: float
    segment_index: int
    """-1 only for a silence in a recording with no utterances at all."""
    label: str


@dataclass(frozen=True, slots=True)
class WaitStats:
    count: int
    median_seconds: float | None
    """``None`` when no question was answered."""
    under_3s_share: float | None
    mean_seconds: float | None
    rescued: int = 0
    """Questions after which the asker spoke again before anyone replied."""


@dataclass(frozen=True, slots=True)
class SpeakerStats:
    id: str
    name: str
    role: str
    talk_seconds: float
    talk_share: float
    turns: int
    mean_turn_seconds: float
    longest_turn_seconds: float
    questions: int
    open_questions: int
    closed_questions: int
    words: int
    words_per_minute: float
    monologues: int
    interruptions: int = 0
    backchannels: int = 0
    wait_after_questions: WaitStats = WaitStats(0, None, None, None)
    """Waits after this speaker's own questions."""
    doubtful_share: float = 0.0
    """Share of their talk time in utterances whose speaker the voice model was unsure of."""

    @property
    def approximate(self) -> bool:
        """Their figures rest on uncertain attribution: shown with ``≈``."""
        return self.doubtful_share > APPROXIMATE_SHARE


@dataclass(frozen=True, slots=True)
class SessionStats:
    duration: float
    talk_seconds: float
    silence_seconds: float
    overlap_seconds: float
    speakers: dict[str, SpeakerStats]
    wait_after_questions: WaitStats
    figures: dict[str, tuple[Moment, ...]]
    """Figure key (see :func:`figure_key`) -> the moments behind that figure, in time order."""
    turns: int = 0
    interruptions: int = 0
    monologue_seconds: float = 45.0
    silence_threshold: float = 2.0
    language: str = "en"
    """The session's language: questions are counted with its rules (English, Spanish, German;
    other languages by question marks only, see :func:`tui.core.languages.english_only_note`)."""

    def moments(self, name: str, speaker_id: str | None = None) -> tuple[Moment, ...]:
        return self.figures.get(figure_key(name, speaker_id), ())


FIGURE_NAMES = (
    "questions",
    "questions.open",
    "questions.closed",
    "turns",
    "longest_turn",
    "monologues",
    "interruptions",
    "backchannels",
    "waits",
    "waits.under_3s",
    "waits.rescued",
    "doubtful",
    "overlaps",
    "silences",
)
"""Figure names; all but ``overlaps`` and ``silences`` also exist per speaker. ``doubtful``:
utterances whose speaker the voice model was unsure of (worth a reviewer's look)."""


def figure_key(name: str, speaker_id: str | None = None) -> str:
    """``"questions.open"`` for the session, ``"questions.open.S1"`` for one speaker."""
    return name if speaker_id is None else f"{name}.{speaker_id}"


@dataclass(slots=True)
class _Turn:
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
class _Tally:
    """Mutable counters for one speaker while the session is walked through."""

    turns: list[_Turn] = field(default_factory=list)
    questions: list[Moment] = field(default_factory=list)
    open_questions: list[Moment] = field(default_factory=list)
    closed_questions: list[Moment] = field(default_factory=list)
    backchannels: list[Moment] = field(default_factory=list)
    waits: list[tuple[float, Moment]] = field(default_factory=list)
    rescued: list[Moment] = field(default_factory=list)
    doubtful: list[Moment] = field(default_factory=list)
    words: int = 0


def session_stats(
    transcript: Transcript,
    *,
    duration: float | None = None,
    monologue_seconds: float = 45.0,
    silence_threshold: float = 2.0,
) -> SessionStats:
    """All the figures of one session (definitions in the module docstring)."""
    if not math.isfinite(monologue_seconds) or monologue_seconds <= 0:
        raise DebriefError(f"The monologue length must be a positive number of seconds, not {monologue_seconds!r}.")
    if not math.isfinite(silence_threshold) or silence_threshold < 0:
        raise DebriefError(f"The silence threshold must be zero or more seconds, not {silence_threshold!r}.")
    if duration is not None and (not math.isfinite(duration) or duration < 0):
        raise DebriefError(f"The session duration must be zero or more seconds, not {duration!r}.")
    segments = transcript.segments
    _check_segments(segments)
    order = sorted(range(len(segments)), key=lambda i: (segments[i].start, segments[i].end, i))
    last_end = max((s.end for s in segments), default=0.0)
    known = duration if duration is not None else transcript.duration
    total = max(known if math.isfinite(known) and known > 0 else 0.0, last_end)

    speaker_ids = _speaker_ids(transcript)
    names = {sid: transcript.speaker(sid).label for sid in speaker_ids}
    tallies = {sid: _Tally() for sid in speaker_ids}
    talking = [speech_spans(s) for s in segments]
    bounds = [talk_bounds(s, sp) for s, sp in zip(segments, talking)]
    per_speaker_union = {
        sid: union(span for s, sp in zip(segments, talking) if s.speaker == sid for span in sp) for sid in speaker_ids
    }
    talk = {sid: _length(per_speaker_union[sid]) for sid in speaker_ids}
    speech = union(span for sp in talking for span in sp)
    talk_total = _length(speech)
    overlaps = _overlaps(list(per_speaker_union.values()))

    turns = _turns(segments, bounds, order, tallies, names)
    ending_questions = _count_questions_and_words(segments, order, tallies, transcript.language)
    session_waits = _waits(segments, bounds, order, ending_questions, tallies, names)

    figures: dict[str, tuple[Moment, ...]] = {}
    all_turns = sorted((t for sid in speaker_ids for t in tallies[sid].turns), key=lambda t: t.start)
    monologue_turns = [t for t in all_turns if t.end - t.start > monologue_seconds]
    share_total = sum(talk.values())
    in_doubt = doubtful_share(transcript, talking)
    for i in order:
        if doubtful(segments[i]):
            seg = segments[i]
            label = f"{names[seg.speaker]}? ({seg.speaker_confidence:.0%} sure): {_clip(seg.text)}"
            tallies[seg.speaker].doubtful.append(Moment(seg.start, seg.end, i, label))
    speakers: dict[str, SpeakerStats] = {}
    for sid in speaker_ids:
        tally = tallies[sid]
        spans = [t.end - t.start for t in tally.turns]
        own_monologues = [t for t in monologue_turns if t.speaker == sid]
        interruptions = [t for t in tally.turns if t.interruption]
        longest = max(tally.turns, key=lambda t: t.end - t.start, default=None)
        speaker = transcript.speaker(sid)
        speakers[sid] = SpeakerStats(
            id=sid,
            name=speaker.name,
            role=speaker.role,
            talk_seconds=talk[sid],
            talk_share=talk[sid] / share_total if share_total > 0 else 0.0,
            turns=len(tally.turns),
            mean_turn_seconds=statistics.fmean(spans) if spans else 0.0,
            longest_turn_seconds=max(spans, default=0.0),
            questions=len(tally.questions),
            open_questions=len(tally.open_questions),
            closed_questions=len(tally.closed_questions),
            words=tally.words,
            words_per_minute=tally.words / (talk[sid] / 60.0) if talk[sid] > 0 else 0.0,
            monologues=len(own_monologues),
            interruptions=len(interruptions),
            backchannels=len(tally.backchannels),
            wait_after_questions=_wait_stats(tally.waits, len(tally.rescued)),
            doubtful_share=in_doubt.get(sid, 0.0),
        )
        figures[figure_key("questions", sid)] = _sorted(tally.questions)
        figures[figure_key("questions.open", sid)] = _sorted(tally.open_questions)
        figures[figure_key("questions.closed", sid)] = _sorted(tally.closed_questions)
        figures[figure_key("turns", sid)] = tuple(_turn_moment(t, names) for t in tally.turns)
        figures[figure_key("longest_turn", sid)] = () if longest is None else (_turn_moment(longest, names),)
        figures[figure_key("monologues", sid)] = tuple(_turn_moment(t, names) for t in own_monologues)
        figures[figure_key("interruptions", sid)] = tuple(_interruption_moment(t, names) for t in interruptions)
        figures[figure_key("backchannels", sid)] = _sorted(tally.backchannels)
        figures[figure_key("waits", sid)] = _sorted(m for _, m in tally.waits)
        figures[figure_key("waits.under_3s", sid)] = _sorted(m for w, m in tally.waits if w < SHORT_WAIT_SECONDS)
        figures[figure_key("waits.rescued", sid)] = _sorted(tally.rescued)
        figures[figure_key("doubtful", sid)] = _sorted(tally.doubtful)

    for name in FIGURE_NAMES:
        if name in ("overlaps", "silences"):
            continue
        figures[name] = _sorted(m for sid in speaker_ids for m in figures[figure_key(name, sid)])
    figures["longest_turn"] = tuple(
        _turn_moment(t, names) for t in sorted(all_turns, key=lambda t: t.end - t.start, reverse=True)[:1]
    )
    figures["overlaps"] = _overlap_moments(overlaps, per_speaker_union, segments, order, names)
    figures["silences"] = _silences(speech, total, silence_threshold, segments, order)

    return SessionStats(
        duration=total,
        talk_seconds=talk_total,
        silence_seconds=max(0.0, total - talk_total),
        overlap_seconds=_length(overlaps),
        speakers=speakers,
        wait_after_questions=session_waits,
        figures=figures,
        turns=turns,
        interruptions=sum(s.interruptions for s in speakers.values()),
        monologue_seconds=monologue_seconds,
        silence_threshold=silence_threshold,
        language=transcript.language or "en",
    )


def stats_to_json(stats: SessionStats) -> dict[str, Any]:
    """The ``debrief stats --json`` shape; seconds rounded to milliseconds, no NaN anywhere."""
    return {
        "duration": _round(stats.duration),
        "talk_seconds": _round(stats.talk_seconds),
        "silence_seconds": _round(stats.silence_seconds),
        "overlap_seconds": _round(stats.overlap_seconds),
        "turns": stats.turns,
        "interruptions": stats.interruptions,
        "monologue_threshold_seconds": _round(stats.monologue_seconds),
        "silence_threshold_seconds": _round(stats.silence_threshold),
        "speakers": {
            sid: {
                "name": s.name,
                "role": s.role,
                "talk_seconds": _round(s.talk_seconds),
                "talk_share": round(s.talk_share, 4),
                "turns": s.turns,
                "mean_turn_seconds": _round(s.mean_turn_seconds),
                "longest_turn_seconds": _round(s.longest_turn_seconds),
                "questions": s.questions,
                "open_questions": s.open_questions,
                "closed_questions": s.closed_questions,
                "words": s.words,
                "words_per_minute": round(s.words_per_minute, 1),
                "monologues": s.monologues,
                "interruptions": s.interruptions,
                "backchannels": s.backchannels,
                "wait_after_questions": _wait_json(s.wait_after_questions),
                "doubtful_share": round(s.doubtful_share, 4),
                "approximate": s.approximate,
            }
            for sid, s in stats.speakers.items()
        },
        "wait_after_questions": _wait_json(stats.wait_after_questions),
        "figures": {
            key: [
                {"start": _round(m.start), "end": _round(m.end), "segment_index": m.segment_index, "label": m.label}
                for m in moments
            ]
            for key, moments in stats.figures.items()
        },
    }


class TalkShareIndex:
    """Talk share up to any time in O(speakers · log segments), for a status bar that ticks."""

    __slots__ = ("_speakers",)

    def __init__(self, transcript: Transcript) -> None:
        _check_segments(transcript.segments)
        self._speakers: dict[str, tuple[list[float], list[float], list[float]]] = {}
        for sid in _speaker_ids(transcript):
            intervals = union(span for s in transcript.segments if s.speaker == sid for span in speech_spans(s))
            starts = [a for a, _ in intervals]
            ends = [b for _, b in intervals]
            before = [0.0]
            for a, b in intervals:
                before.append(before[-1] + (b - a))
            self._speakers[sid] = (starts, ends, before)

    def talk_until(self, t: float) -> dict[str, float]:
        """Seconds each speaker has talked between the start and ``t``."""
        talked: dict[str, float] = {}
        for sid, (starts, ends, before) in self._speakers.items():
            k = bisect_right(starts, t)
            seconds = before[k - 1] + max(0.0, min(ends[k - 1], t) - starts[k - 1]) if k else 0.0
            talked[sid] = seconds
        return talked

    def share_until(self, t: float) -> dict[str, float]:
        talked = self.talk_until(t)
        total = sum(talked.values())
        return {sid: (s / total if total > 0 else 0.0) for sid, s in talked.items()}


_share_cache: tuple[Transcript, TalkShareIndex] | None = None


def talk_share_until(transcript: Transcript, t: float) -> dict[str, float]:
    """Each speaker's share of the talk so far (0 for all before anyone spoke).

    The index of the last transcript asked about is kept (by identity), so calling
    this on every playhead tick costs a few bisections, not a pass over the session.
    """
    global _share_cache
    cached = _share_cache
    if cached is None or cached[0] is not transcript:
        cached = (transcript, TalkShareIndex(transcript))
        _share_cache = cached
    return cached[1].share_until(t)


# --- walking the session -------------------------------------------------------------


def _check_segments(segments: Sequence[Segment]) -> None:
    for index, seg in enumerate(segments):
        if not (math.isfinite(seg.start) and math.isfinite(seg.end)):
            raise TranscriptError(
                f"Utterance {index + 1} has a time that is not a number; the transcript is malformed."
            )
        if seg.start < 0 or seg.end < seg.start:
            raise TranscriptError(
                f"Utterance {index + 1} runs from {seg.start:.3f} s to {seg.end:.3f} s, which is not a valid time span."
            )


def _speaker_ids(transcript: Transcript) -> list[str]:
    """Listed speakers first (a listed client who never spoke still shows as 0), then the rest."""
    ids = [sp.id for sp in transcript.speakers]
    for seg in transcript.segments:
        if seg.speaker not in ids:
            ids.append(seg.speaker)
    return list(dict.fromkeys(ids))


def _turns(
    segments: Sequence[Segment],
    bounds: Sequence[Span],
    order: list[int],
    tallies: dict[str, _Tally],
    names: dict[str, str],
) -> int:
    """Group segments into turns (module docstring), noting back-channels and interruptions."""
    current: _Turn | None = None
    count = 0
    for i in order:
        seg = segments[i]
        start, end = bounds[i]
        if current is not None and seg.speaker == current.speaker:
            current.end = max(current.end, end)
            continue
        if current is not None and end <= current.end + _EPSILON:
            label = f"{names[seg.speaker]} over {names[current.speaker]}: {_clip(seg.text)}"
            tallies[seg.speaker].backchannels.append(Moment(start, end, i, label))
            continue
        turn = _Turn(seg.speaker, start, end, i)
        if current is not None and start < current.end - INTERRUPTION_MIN_OVERLAP_SECONDS:
            turn.interrupted_until, turn.interrupted = current.end, current.speaker
        tallies[seg.speaker].turns.append(turn)
        current = turn
        count += 1
    return count


def _count_questions_and_words(
    segments: Sequence[Segment], order: list[int], tallies: dict[str, _Tally], language: str = "en"
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


def _waits(
    segments: Sequence[Segment],
    bounds: Sequence[Span],
    order: list[int],
    ending_questions: dict[int, str],
    tallies: dict[str, _Tally],
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
        question = _clip(ending_questions[i])
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
    return _wait_stats(session, rescued)


def _wait_stats(waits: list[tuple[float, Moment]], rescued: int) -> WaitStats:
    if not waits:
        return WaitStats(0, None, None, None, rescued)
    seconds = [w for w, _ in waits]
    short = sum(1 for w in seconds if w < SHORT_WAIT_SECONDS)
    return WaitStats(len(seconds), statistics.median(seconds), short / len(seconds), statistics.fmean(seconds), rescued)


def _silences(
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


def _overlap_moments(
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


def _turn_moment(turn: _Turn, names: dict[str, str]) -> Moment:
    label = f"{names[turn.speaker]} talked {_span_text(turn.end - turn.start)}"
    return Moment(turn.start, turn.end, turn.first_index, label)


def _interruption_moment(turn: _Turn, names: dict[str, str]) -> Moment:
    until = turn.interrupted_until if turn.interrupted_until is not None else turn.start
    label = f"{names[turn.speaker]} came in over {names.get(turn.interrupted, turn.interrupted)}"
    return Moment(turn.start, max(turn.start, min(until, turn.end)), turn.first_index, label)


def _span_text(seconds: float) -> str:
    """ "52 s" below a minute, "1:05" above: how a reviewer says it."""
    return f"{seconds:.0f} s" if seconds < 59.5 else format_time(round(seconds))


# --- small pieces -----------------------------------------------------------------------


def _length(intervals: Iterable[tuple[float, float]]) -> float:
    return math.fsum(end - start for start, end in intervals)


def _overlaps(unions: list[list[tuple[float, float]]]) -> list[tuple[float, float]]:
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


def _sorted(moments: Iterable[Moment]) -> tuple[Moment, ...]:
    return tuple(sorted(moments, key=lambda m: (m.start, m.segment_index)))


def _clip(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _round(seconds: float) -> float:
    return round(seconds, 3)


def _wait_json(wait: WaitStats) -> dict[str, Any]:
    return {
        "median_seconds": None if wait.median_seconds is None else _round(wait.median_seconds),
        "under_3s_share": None if wait.under_3s_share is None else round(wait.under_3s_share, 4),
        "count": wait.count,
        "mean_seconds": None if wait.mean_seconds is None else _round(wait.mean_seconds),
        "rescued": wait.rescued,
    }
