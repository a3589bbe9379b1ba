"""Session figures on transcripts whose right answers are known by construction."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tui.core.analytics import (
    FIGURE_NAMES,
    Moment,
    SessionStats,
    figure_key,
    session_stats,
    stats_to_json,
    talk_share_until,
)
from conftest import REAL
from tui.core.model import Segment, Speaker, Transcript, Word
from tui.errors import DebriefError, TranscriptError

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_TRUTH = ROOT / "sample_sessions" / "coaching_session.truth.json"

COACH = Speaker("S1", "Maria", "coach")
CLIENT = Speaker("S2", "Sam", "client")


def seg(
    start: float, end: float, speaker: str, text: str = "Some words here.", words: tuple[Word, ...] = ()
) -> Segment:
    return Segment(start, end, text, speaker, words)


def transcript(*segments: Segment, duration: float = 0.0) -> Transcript:
    return Transcript(segments=segments, speakers=(COACH, CLIENT), duration=duration)


def texts(stats: SessionStats, transcript_: Transcript, key: str) -> list[str]:
    """The utterances a reviewer lands on when opening a figure."""
    return [transcript_.segments[m.segment_index].text for m in stats.figures[key]]


# --- a short coaching exchange, worked out by hand ---------------------------------------

EXCHANGE = transcript(
    seg(0.0, 10.0, "S1", "Hi Sam. How was the week?"),  # open, wait 2 s
    seg(12.0, 20.0, "S2", "Busy. Really busy. Do you want the long version?"),  # closed, wait 1 s
    seg(21.0, 25.0, "S1", "Tell me more about that."),  # open, but not ending in "?": a question, wait 5 s
    seg(30.0, 40.0, "S2", "Well, it started on Monday and then nothing worked all week long."),
    seg(40.0, 44.0, "S1", "Did you talk to your manager? You said she was away."),  # closed, mid-segment: no wait
    seg(45.0, 50.0, "S2", "No."),
    duration=60.0,
)


def test_talk_time_share_and_silence() -> None:
    stats = session_stats(EXCHANGE)
    coach, client = stats.speakers["S1"], stats.speakers["S2"]
    assert coach.talk_seconds == pytest.approx(18.0)
    assert client.talk_seconds == pytest.approx(23.0)
    assert coach.talk_share == pytest.approx(18 / 41)
    assert client.talk_share == pytest.approx(23 / 41)
    assert stats.duration == 60.0
    assert stats.talk_seconds == pytest.approx(41.0)
    assert stats.silence_seconds == pytest.approx(19.0)
    assert stats.overlap_seconds == 0.0
    # Gaps over 2 s: 25-30 and the 10 s after the last word; the 2 s gap at 10-12 is not over.
    assert [(m.start, m.end) for m in stats.figures["silences"]] == [(25.0, 30.0), (50.0, 60.0)]
    assert stats.figures["silences"][0].segment_index == 2  # opens at what was said just before


def test_turns_names_and_roles() -> None:
    stats = session_stats(EXCHANGE)
    coach = stats.speakers["S1"]
    assert (coach.name, coach.role) == ("Maria", "coach")
    assert coach.turns == 3 and stats.speakers["S2"].turns == 3 and stats.turns == 6
    assert coach.mean_turn_seconds == pytest.approx(6.0)
    assert coach.longest_turn_seconds == pytest.approx(10.0)
    # Both speakers' longest turns last 10 s; the session's longest is the earlier one.
    assert [m.segment_index for m in stats.figures["longest_turn"]] == [0]
    assert [m.segment_index for m in stats.figures[figure_key("longest_turn", "S2")]] == [3]
    assert stats.figures[figure_key("longest_turn", "S1")][0].segment_index == 0


def test_questions_open_and_closed_open_their_utterances() -> None:
    stats = session_stats(EXCHANGE)
    coach = stats.speakers["S1"]
    assert (coach.questions, coach.open_questions, coach.closed_questions) == (3, 2, 1)
    assert (stats.speakers["S2"].questions, stats.speakers["S2"].closed_questions) == (1, 1)
    assert [m.label for m in stats.figures["questions.closed"]] == [
        "Do you want the long version?",
        "Did you talk to your manager?",
    ]
    assert texts(stats, EXCHANGE, "questions.open.S1") == ["Hi Sam. How was the week?", "Tell me more about that."]
    assert len(stats.figures["questions"]) == 4


def test_waits_after_questions() -> None:
    stats = session_stats(EXCHANGE)
    waits = stats.wait_after_questions
    # 2 s (coach), 1 s (client), 5 s (coach); "Did you talk…" is followed by more talk in its segment.
    assert waits.count == 3
    assert waits.median_seconds == pytest.approx(2.0)
    assert waits.mean_seconds == pytest.approx(8 / 3)
    assert waits.under_3s_share == pytest.approx(2 / 3)
    assert [(m.start, m.end) for m in stats.figures["waits"]] == [(10.0, 12.0), (20.0, 21.0), (25.0, 30.0)]
    assert texts(stats, EXCHANGE, "waits.under_3s") == [EXCHANGE.segments[0].text, EXCHANGE.segments[1].text]
    coach_waits = stats.speakers["S1"].wait_after_questions
    assert (coach_waits.count, coach_waits.median_seconds) == (2, pytest.approx(3.5))


def test_words_per_minute_from_text_or_word_timings() -> None:
    words = tuple(Word(30 + i * 0.5, 30 + i * 0.5 + 0.4, w) for i, w in enumerate([" One", " two", " three", " four", " —"]))
    t = transcript(
        seg(0.0, 30.0, "S1", "one two three ... four five six"),  # six words, "..." is not one
        seg(30.0, 60.0, "S2", "this text is ignored in favour of words", words),
    )
    stats = session_stats(t)
    assert stats.speakers["S1"].words == 6
    assert stats.speakers["S1"].words_per_minute == pytest.approx(12.0)
    assert stats.speakers["S2"].words == 4
    # Timed words: the minutes are the ones spent talking (30.0-32.4 s), not the utterance's 30 s.
    assert stats.speakers["S2"].words_per_minute == pytest.approx(4 / (2.4 / 60))


def test_question_moment_uses_word_timings_when_they_match_the_text() -> None:
    text = "Okay then. What happened next?"
    words = tuple(Word(10 + i, 10.5 + i, w) for i, w in enumerate(text.split()))
    stats = session_stats(transcript(seg(10.0, 15.0, "S1", text, words)))
    (moment,) = stats.figures["questions"]
    assert (moment.start, moment.end) == (12.0, 14.5)


# --- overlaps, interruptions, back-channels, monologues ----------------------------------


def test_overlap_interruption_and_backchannel() -> None:
    t = transcript(
        seg(0.0, 20.0, "S1", "A long stretch of talk from the coach."),
        seg(5.0, 6.0, "S2", "Mm-hmm."),  # inside the coach's utterance: a back-channel
        seg(18.0, 30.0, "S2", "Sorry, can I jump in here?"),  # starts 2 s before the coach stops
        seg(29.9, 35.0, "S1", "Of course."),  # 0.1 s early: an ordinary hand-over, not an interruption
        duration=40.0,
    )
    stats = session_stats(t)
    assert stats.overlap_seconds == pytest.approx(3.1)
    assert [(m.start, m.end) for m in stats.figures["overlaps"]] == [(5.0, 6.0), (18.0, 20.0), (29.9, 30.0)]
    assert stats.figures["overlaps"][1].segment_index == 2
    assert "Maria" in stats.figures["overlaps"][1].label and "Sam" in stats.figures["overlaps"][1].label
    client = stats.speakers["S2"]
    assert client.talk_seconds == pytest.approx(13.0)
    assert stats.talk_seconds == pytest.approx(35.0)
    assert client.backchannels == 1 and client.turns == 1 and client.interruptions == 1
    assert stats.speakers["S1"].turns == 2 and stats.speakers["S1"].interruptions == 0
    assert stats.interruptions == 1
    (interruption,) = stats.figures["interruptions"]
    assert (interruption.start, interruption.end, interruption.segment_index) == (18.0, 20.0, 2)


def test_backchannel_does_not_split_a_monologue() -> None:
    t = transcript(
        seg(0.0, 40.0, "S1"),
        seg(10.0, 10.5, "S2", "Yeah."),
        seg(40.5, 62.0, "S1"),
        seg(63.0, 64.0, "S2", "Right."),
    )
    stats = session_stats(t)
    assert stats.speakers["S1"].turns == 1
    assert stats.speakers["S1"].monologues == 1
    assert stats.speakers["S1"].longest_turn_seconds == pytest.approx(62.0)


def test_sixty_second_monologue_is_listed() -> None:
    t = transcript(
        seg(0.0, 5.0, "S2", "I'm not sure where to start."),
        seg(6.0, 36.0, "S1", "Let me explain the model first."),
        seg(38.0, 66.0, "S1", "And then there is the second part of the model."),  # silence inside the turn
        seg(67.0, 70.0, "S2", "Okay."),
        seg(71.0, 100.0, "S1", "Shorter."),
    )
    stats = session_stats(t)
    assert stats.speakers["S1"].monologues == 1
    (moment,) = stats.figures["monologues"]
    assert (moment.start, moment.end, moment.segment_index) == (6.0, 66.0, 1)
    assert "Maria" in moment.label
    assert stats.figures[figure_key("monologues", "S2")] == ()
    assert session_stats(t, monologue_seconds=90).speakers["S1"].monologues == 0
    assert session_stats(t, monologue_seconds=25).speakers["S1"].monologues == 2


def test_wait_is_not_ended_by_a_backchannel_under_the_question() -> None:
    t = transcript(
        seg(0.0, 10.0, "S1", "When you think about last week, what stands out?"),
        seg(4.0, 4.5, "S2", "Mm."),
        seg(14.0, 20.0, "S2", "The meeting on Friday."),
    )
    waits = session_stats(t).wait_after_questions
    assert (waits.count, waits.median_seconds) == (1, pytest.approx(4.0))


def test_reply_that_starts_before_the_question_ends_waits_zero() -> None:
    t = transcript(seg(0.0, 10.0, "S1", "Did it work?"), seg(9.0, 15.0, "S2", "Yes, it did."))
    waits = session_stats(t).wait_after_questions
    assert (waits.count, waits.median_seconds, waits.under_3s_share) == (1, 0.0, 1.0)


def test_asker_who_speaks_again_before_a_reply_is_counted_as_rescued() -> None:
    t = transcript(
        seg(0.0, 3.0, "S1", "What do you make of that?"),
        seg(4.0, 8.0, "S1", "I mean, it was a strange moment."),
        seg(9.0, 12.0, "S2", "It was."),
        seg(12.5, 14.0, "S1", "How did you feel?"),  # nobody replies before the end: no wait
    )
    stats = session_stats(t)
    assert stats.wait_after_questions.count == 1
    assert stats.wait_after_questions.median_seconds == pytest.approx(6.0)  # until another speaker starts
    assert stats.wait_after_questions.rescued == 1
    assert [m.segment_index for m in stats.figures["waits.rescued"]] == [0]


# --- edges ------------------------------------------------------------------------------


def test_empty_transcript() -> None:
    stats = session_stats(Transcript())
    assert (stats.duration, stats.talk_seconds, stats.silence_seconds, stats.overlap_seconds) == (0, 0, 0, 0)
    assert stats.speakers == {}
    assert stats.wait_after_questions.count == 0 and stats.wait_after_questions.median_seconds is None
    assert stats.figures["silences"] == ()
    data = stats_to_json(stats)
    assert data["wait_after_questions"] == {
        "median_seconds": None,
        "under_3s_share": None,
        "count": 0,
        "mean_seconds": None,
        "rescued": 0,
    }
    json.dumps(data, allow_nan=False)


def test_empty_recording_with_a_duration_is_all_silence() -> None:
    stats = session_stats(Transcript(speakers=(COACH,)), duration=90.0)
    assert stats.silence_seconds == 90.0
    assert stats.speakers["S1"].talk_seconds == 0 and stats.speakers["S1"].talk_share == 0
    assert [(m.start, m.end, m.segment_index) for m in stats.figures["silences"]] == [(0.0, 90.0, -1)]


def test_zero_duration_segments_and_session() -> None:
    t = Transcript(segments=(seg(0.0, 0.0, "S1", "Hi?"),), duration=0.0)
    stats = session_stats(t)
    assert stats.duration == 0.0 and stats.speakers["S1"].talk_share == 0.0
    assert stats.speakers["S1"].words_per_minute == 0.0
    assert stats.speakers["S1"].questions == 1
    json.dumps(stats_to_json(stats), allow_nan=False)


def test_single_speaker() -> None:
    t = Transcript(
        segments=(seg(1.0, 31.0, "S1", "Today I want to think out loud."), seg(33.0, 53.0, "S1", "So what now?"))
    )
    stats = session_stats(t)
    solo = stats.speakers["S1"]
    assert (solo.talk_share, solo.turns, solo.longest_turn_seconds, solo.monologues) == (1.0, 1, 52.0, 1)
    assert stats.wait_after_questions.count == 0  # nobody else to answer
    assert stats.duration == 53.0 and stats.silence_seconds == pytest.approx(3.0)


def test_listed_speaker_who_never_spoke_shows_as_zero() -> None:
    stats = session_stats(transcript(seg(0.0, 5.0, "S1")))
    assert list(stats.speakers) == ["S1", "S2"]
    assert stats.speakers["S2"].talk_seconds == 0 and stats.speakers["S2"].turns == 0
    assert stats.figures[figure_key("longest_turn", "S2")] == ()


def test_duration_shorter_than_the_speech_is_stretched_to_it() -> None:
    stats = session_stats(transcript(seg(0.0, 50.0, "S1")), duration=30.0)
    assert stats.duration == 50.0 and stats.silence_seconds == 0.0


@pytest.mark.parametrize(
    "segment",
    [Segment(5.0, 4.0, "backwards"), Segment(-1.0, 2.0, "before zero"), Segment(0.0, math.nan, "nan")],
)
def test_malformed_segment_is_a_clear_transcript_error(segment: Segment) -> None:
    with pytest.raises(TranscriptError, match="Utterance 2"):
        session_stats(Transcript(segments=(Segment(0.0, 1.0, "fine"), segment)))


@pytest.mark.parametrize(
    "options", [{"monologue_seconds": 0}, {"silence_threshold": -1}, {"duration": math.inf}, {"duration": -5.0}]
)
def test_bad_options_are_user_errors(options: dict[str, float]) -> None:
    with pytest.raises(DebriefError):
        session_stats(EXCHANGE, **options)


# --- JSON and figures -------------------------------------------------------------------


def test_json_shape_keeps_the_documented_keys() -> None:
    data = json.loads(json.dumps(stats_to_json(session_stats(EXCHANGE)), allow_nan=False))
    assert {"duration", "silence_seconds", "speakers", "wait_after_questions"} <= set(data)
    assert data["duration"] == 60.0 and data["silence_seconds"] == 19.0
    assert set(data["speakers"]["S1"]) >= {
        "name", "role", "talk_seconds", "talk_share", "turns", "longest_turn_seconds",
        "questions", "open_questions", "closed_questions", "words_per_minute",
    }  # fmt: skip
    assert data["speakers"]["S1"]["name"] == "Maria" and data["speakers"]["S1"]["open_questions"] == 2
    assert data["wait_after_questions"]["median_seconds"] == 2.0
    assert data["wait_after_questions"]["under_3s_share"] == pytest.approx(0.6667)
    assert data["wait_after_questions"]["count"] == 3
    assert data["figures"]["questions.closed"][0] == {
        "start": 12.0,
        "end": 20.0,
        "segment_index": 1,
        "label": "Do you want the long version?",
    }


def test_every_figure_exists_for_the_session_and_each_speaker_in_time_order() -> None:
    stats = session_stats(EXCHANGE)
    for name in FIGURE_NAMES:
        assert name in stats.figures
        if name not in ("overlaps", "silences"):
            for sid in ("S1", "S2"):
                assert figure_key(name, sid) in stats.figures
                assert stats.moments(name, sid) == stats.figures[f"{name}.{sid}"]
    for key, moments in stats.figures.items():
        assert list(moments) == sorted(moments, key=lambda m: m.start), key
        assert all(isinstance(m, Moment) and 0 <= m.segment_index < len(EXCHANGE.segments) for m in moments)


# --- talk share for the status bar -------------------------------------------------------


def test_talk_share_so_far() -> None:
    assert talk_share_until(EXCHANGE, 0.0) == {"S1": 0.0, "S2": 0.0}
    assert talk_share_until(EXCHANGE, 10.0) == {"S1": 1.0, "S2": 0.0}
    assert talk_share_until(EXCHANGE, 16.0) == pytest.approx({"S1": 10 / 14, "S2": 4 / 14})
    final = session_stats(EXCHANGE)
    assert talk_share_until(EXCHANGE, 1e9) == pytest.approx({sid: s.talk_share for sid, s in final.speakers.items()})


def test_talk_share_follows_a_new_transcript() -> None:
    talk_share_until(EXCHANGE, 30.0)
    other = transcript(seg(0.0, 10.0, "S2"))
    assert talk_share_until(other, 30.0) == {"S1": 0.0, "S2": 1.0}


# --- properties and real data -----------------------------------------------------------

tenths = st.integers(min_value=0, max_value=300)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(tenths, st.integers(min_value=0, max_value=80), st.sampled_from("ABC")), max_size=25))
def test_times_agree_with_counting_tenths_of_a_second(raw: list[tuple[int, int, str]]) -> None:
    """Talk, overlap and silence equal a brute-force count over 0.1 s slots."""
    segments = tuple(Segment(a / 10, (a + n) / 10, "x", sp) for a, n, sp in raw)
    stats = session_stats(Transcript(segments=segments), duration=40.0)
    slots: list[set[str]] = [set() for _ in range(400)]
    for a, n, sp in raw:
        for k in range(a, a + n):
            slots[k].add(sp)
    for sp in {sp for _, _, sp in raw}:
        assert stats.speakers[sp].talk_seconds == pytest.approx(sum(sp in s for s in slots) / 10, abs=1e-6)
    assert stats.overlap_seconds == pytest.approx(sum(len(s) >= 2 for s in slots) / 10, abs=1e-6)
    assert stats.silence_seconds == pytest.approx(sum(not s for s in slots) / 10, abs=1e-6)
    assert sum(s.turns for s in stats.speakers.values()) == stats.turns
    if stats.speakers and stats.talk_seconds > 0:
        assert sum(s.talk_share for s in stats.speakers.values()) == pytest.approx(1.0)


def _rttm(path: Path) -> Transcript:
    segments = []
    for line in path.read_text().splitlines():
        fields = line.split()
        start, length = float(fields[3]), float(fields[4])
        segments.append(Segment(start, start + length, "", fields[7]))
    return Transcript(segments=tuple(sorted(segments, key=lambda s: s.start)))


@pytest.mark.skipif(not (REAL / "meeting_four_speakers.rttm").exists(), reason="real data not present")
def test_real_meeting_overlap_matches_its_annotation() -> None:
    """SOURCES.md: the AMI excerpt has 7.5 s of overlapping speech among four speakers."""
    stats = session_stats(_rttm(REAL / "meeting_four_speakers.rttm"))
    assert stats.overlap_seconds == pytest.approx(7.5, abs=0.1)
    assert set(stats.speakers) == {"FEE013", "FEE016", "MEE014", "MEO015"}
    # Five floor changes; the short "yeah"s under someone else's talk are back-channels.
    assert stats.turns == 5
    assert sum(s.backchannels for s in stats.speakers.values()) == 12


@pytest.mark.skipif(not (REAL / "two_speakers_phone.rttm").exists(), reason="real data not present")
def test_real_phone_call_backchannel_at_18s() -> None:
    """SOURCES.md: a short overlap at 18 s, speaker91 saying something under speaker90."""
    stats = session_stats(_rttm(REAL / "two_speakers_phone.rttm"))
    (backchannel,) = stats.figures["backchannels"]
    assert backchannel.start == pytest.approx(18.15)
    assert stats.speakers["speaker91"].backchannels == 1


@pytest.mark.skipif(not SAMPLE_TRUTH.exists(), reason="sample session not generated")
def test_sample_coaching_session_matches_a_hand_count() -> None:
    """Hand count of sample_sessions/coaching_session.txt (Maria = S1 coach, Sam = S2 teacher).

    Maria asks 12 questions. Open (6): "How are you feeling about Tuesday's lesson?",
    "What did you notice when…", "What do you think made them care so much?", "How did
    it feel to stand there…", "What would you listen for…", "So what is one thing you
    want to try this week?". Closed (6): "Did you plan the prediction step, or…",
    "Is that something you want to keep…", "When you asked, why did the candle float,
    how long do you think you waited…" (asks for a number), "Did you notice who talked
    the most…", "Is Thursday's lesson a good place…", "Would it help if I came in…".
    Sam's "Maybe two seconds? Three?" are two closed questions. Maria's one long
    explanation (about 53 s) is the only monologue over 45 s. Turns alternate
    strictly, 21 for Maria and 20 for Sam. The script puts 3 s or more of silence
    after 6 of Maria's 12 questions.
    """
    truth = Transcript.from_dict(json.loads(SAMPLE_TRUTH.read_text()))
    stats = session_stats(truth)
    maria, sam = stats.speakers["S1"], stats.speakers["S2"]
    assert (maria.questions, maria.open_questions, maria.closed_questions) == (12, 6, 6)
    assert (sam.questions, sam.open_questions, sam.closed_questions) == (2, 0, 2)
    assert (maria.turns, sam.turns, maria.monologues, sam.monologues) == (21, 20, 1, 0)
    assert maria.talk_seconds == pytest.approx(sum(s.duration for s in truth.segments if s.speaker == "S1"))
    assert maria.wait_after_questions.count == 12
    assert maria.wait_after_questions.under_3s_share == pytest.approx(0.5)


def test_core_analytics_does_not_import_textual() -> None:
    code = "import sys, tui.core.analytics, tui.core.questions; assert 'textual' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)
