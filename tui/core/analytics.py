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
from typing import Any

from tui.core.activity import speech_spans, talk_bounds, union
from tui.core.attribution import doubtful, doubtful_share
from tui.core.model import Transcript
from tui.core.session_walk import (
    Tally,
    check_segments,
    clip,
    count_questions_and_words,
    find_silences,
    find_turns,
    find_waits,
    interruption_moment,
    ordered_speaker_ids,
    overlap_moments,
    overlap_spans,
    sorted_moments,
    total_length,
    turn_moment,
    wait_stats,
)
from tui.core.stats_model import (
    FIGURE_NAMES,
    SHORT_WAIT_SECONDS,
    Moment,
    SessionStats,
    SpeakerStats,
    WaitStats,
    figure_key,
)
from tui.errors import DebriefError

__all__ = [
    "FIGURE_NAMES",
    "SHORT_WAIT_SECONDS",
    "Moment",
    "SessionStats",
    "SpeakerStats",
    "TalkShareIndex",
    "WaitStats",
    "figure_key",
    "session_stats",
    "stats_to_json",
    "talk_share_until",
]
"""The data classes live in tui.core.stats_model (so that the walk can build them); callers
import them from here with the functions that make them."""


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
    check_segments(segments)
    order = sorted(range(len(segments)), key=lambda i: (segments[i].start, segments[i].end, i))
    last_end = max((s.end for s in segments), default=0.0)
    known = duration if duration is not None else transcript.duration
    total = max(known if math.isfinite(known) and known > 0 else 0.0, last_end)

    speaker_ids = ordered_speaker_ids(transcript)
    names = {sid: transcript.speaker(sid).label for sid in speaker_ids}
    tallies = {sid: Tally() for sid in speaker_ids}
    talking = [speech_spans(s) for s in segments]
    bounds = [talk_bounds(s, sp) for s, sp in zip(segments, talking)]
    per_speaker_union = {
        sid: union(span for s, sp in zip(segments, talking) if s.speaker == sid for span in sp) for sid in speaker_ids
    }
    talk = {sid: total_length(per_speaker_union[sid]) for sid in speaker_ids}
    speech = union(span for sp in talking for span in sp)
    talk_total = total_length(speech)
    overlaps = overlap_spans(list(per_speaker_union.values()))

    turns = find_turns(segments, bounds, order, tallies, names)
    ending_questions = count_questions_and_words(segments, order, tallies, transcript.language)
    session_waits = find_waits(segments, bounds, order, ending_questions, tallies, names)

    figures: dict[str, tuple[Moment, ...]] = {}
    all_turns = sorted((t for sid in speaker_ids for t in tallies[sid].turns), key=lambda t: t.start)
    monologue_turns = [t for t in all_turns if t.end - t.start > monologue_seconds]
    share_total = sum(talk.values())
    in_doubt = doubtful_share(transcript, talking)
    for i in order:
        if doubtful(segments[i]):
            seg = segments[i]
            label = f"{names[seg.speaker]}? ({seg.speaker_confidence:.0%} sure): {clip(seg.text)}"
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
            wait_after_questions=wait_stats(tally.waits, len(tally.rescued)),
            doubtful_share=in_doubt.get(sid, 0.0),
        )
        figures[figure_key("questions", sid)] = sorted_moments(tally.questions)
        figures[figure_key("questions.open", sid)] = sorted_moments(tally.open_questions)
        figures[figure_key("questions.closed", sid)] = sorted_moments(tally.closed_questions)
        figures[figure_key("turns", sid)] = tuple(turn_moment(t, names) for t in tally.turns)
        figures[figure_key("longest_turn", sid)] = () if longest is None else (turn_moment(longest, names),)
        figures[figure_key("monologues", sid)] = tuple(turn_moment(t, names) for t in own_monologues)
        figures[figure_key("interruptions", sid)] = tuple(interruption_moment(t, names) for t in interruptions)
        figures[figure_key("backchannels", sid)] = sorted_moments(tally.backchannels)
        figures[figure_key("waits", sid)] = sorted_moments(m for _, m in tally.waits)
        figures[figure_key("waits.under_3s", sid)] = sorted_moments(m for w, m in tally.waits if w < SHORT_WAIT_SECONDS)
        figures[figure_key("waits.rescued", sid)] = sorted_moments(tally.rescued)
        figures[figure_key("doubtful", sid)] = sorted_moments(tally.doubtful)

    for name in FIGURE_NAMES:
        if name in ("overlaps", "silences"):
            continue
        figures[name] = sorted_moments(m for sid in speaker_ids for m in figures[figure_key(name, sid)])
    figures["longest_turn"] = tuple(
        turn_moment(t, names) for t in sorted(all_turns, key=lambda t: t.end - t.start, reverse=True)[:1]
    )
    figures["overlaps"] = overlap_moments(overlaps, per_speaker_union, segments, order, names)
    figures["silences"] = find_silences(speech, total, silence_threshold, segments, order)

    return SessionStats(
        duration=total,
        talk_seconds=talk_total,
        silence_seconds=max(0.0, total - talk_total),
        overlap_seconds=total_length(overlaps),
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
        check_segments(transcript.segments)
        self._speakers: dict[str, tuple[list[float], list[float], list[float]]] = {}
        for sid in ordered_speaker_ids(transcript):
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
