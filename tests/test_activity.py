"""Talking comes from words and voice activity, not from utterance boxes.

Each case is one a user saw go wrong when figures were read off Whisper's segment
start and end: a listener on their own channel "talking" through 34 s of silence, a
question and its wait inside one row, a first word starting before the voice.
"""

from __future__ import annotations

import pytest

from tui.core.activity import fit_to_speech, speech_spans
from tui.core.analytics import session_stats, talk_share_until
from tui.core.model import Segment, Speaker, Transcript, Word
from tui.core.timeline import lane_coverage
from tui.core.utterances import split_utterances


def words(*spans: tuple[float, float]) -> tuple[Word, ...]:
    return tuple(Word(a, b, f"w{i}") for i, (a, b) in enumerate(spans))


def utterance(speaker: str, *spans: tuple[float, float], text: str = "") -> Segment:
    ws = words(*spans)
    return Segment(spans[0][0], spans[-1][1], text or " ".join(w.text for w in ws), speaker, ws)


def session(*segments: Segment, duration: float = 60.0) -> Transcript:
    return Transcript(segments=segments, speakers=(Speaker("S1"), Speaker("S2")), duration=duration)


def test_a_listener_on_their_own_channel_is_not_talking_through_the_silence():
    # One box of 40 s (as Whisper returned it for a channel), 6 s of words at both ends.
    listener = Segment(0.0, 40.0, "Yes. I see. Right. Go on. Mm. Okay.", "S2",
                       words((0.0, 1.0), (1.1, 2.0), (2.1, 3.0), (37.0, 38.0), (38.1, 39.0), (39.1, 40.0)))
    talker = utterance("S1", (3.5, 36.5))
    stats = session_stats(session(listener, talker))
    assert stats.speakers["S2"].talk_seconds == pytest.approx(6.0)
    assert stats.speakers["S1"].talk_seconds == pytest.approx(33.0)
    assert stats.overlap_seconds == 0.0
    assert stats.figures["overlaps"] == ()


def test_pauses_under_a_third_of_a_second_are_talk_longer_ones_are_not():
    seg = utterance("S1", (0.0, 1.0), (1.2, 2.0), (2.5, 3.0))
    assert speech_spans(seg) == ((0.0, 2.0), (2.5, 3.0))
    assert speech_spans(Segment(4.0, 9.0, "imported line", "S1")) == ((4.0, 9.0),)


def test_talk_share_so_far_counts_words_not_boxes():
    listener = Segment(0.0, 30.0, "Yes. Right.", "S2", words((0.0, 1.0), (29.0, 30.0)))
    talker = utterance("S1", (2.0, 28.0))
    share = talk_share_until(session(listener, talker), 30.0)
    assert share["S1"] == pytest.approx(26 / 28)


def test_the_speaker_timeline_shows_a_pause_inside_an_utterance_as_a_gap():
    seg = utterance("S1", (0.0, 10.0), (50.0, 60.0))
    rows = lane_coverage([seg], 60.0, 6)
    assert [round(r.get("S1", 0.0), 2) for r in rows] == [1.0, 0.0, 0.0, 0.0, 0.0, 1.0]


def test_wait_time_runs_from_the_last_word_of_the_question_to_the_first_word_of_the_reply():
    question = Segment(0.0, 8.0, "What would you change?", "S1", words((0.0, 0.5), (0.6, 1.0), (1.1, 1.5), (1.6, 2.0)))
    reply = Segment(5.0, 9.0, "More time.", "S2", words((6.0, 7.0), (7.1, 8.0)))
    stats = session_stats(session(question, reply))
    assert stats.wait_after_questions.median_seconds == pytest.approx(4.0)


def test_a_long_pause_ends_an_utterance_so_the_wait_after_its_question_is_measured():
    whisper = Segment(0.0, 12.0, "How would you do it? Maybe with groups.", "S1",
                      tuple(Word(a, b, t) for a, b, t in [(0.0, 0.4, "How"), (0.4, 0.8, "would"), (0.8, 1.0, "you"),
                                                          (1.0, 1.2, "do"), (1.2, 1.6, "it?"), (9.0, 9.6, "Maybe"),
                                                          (9.6, 10.0, "with"), (10.0, 12.0, "groups.")]))
    pieces = split_utterances([whisper], sentence_pause=None)
    assert [p.text for p in pieces] == ["How would you do it?", "Maybe with groups."]
    assert [(p.start, p.end) for p in pieces] == [(0.0, 1.6), (9.0, 12.0)]
    stats = session_stats(session(*pieces, Segment(13.0, 14.0, "Yes.", "S2", words((13.0, 14.0)))))
    assert stats.speakers["S1"].wait_after_questions.rescued == 1
    assert split_utterances([utterance("S1", (0.0, 1.0), (2.0, 3.0))], sentence_pause=None)[0].text == "w0 w1"


def test_words_are_trimmed_to_the_voice_and_widened_across_it():
    # Whisper put the first word 0.5 s before the voice and left gaps inside the voice.
    seg = utterance("S1", (0.5, 1.4), (1.6, 2.0), (2.3, 3.5))
    fitted = fit_to_speech([seg], [(1.0, 3.0)])[0]
    assert (fitted.start, fitted.end) == (1.0, 3.0)
    assert speech_spans(fitted) == ((1.0, 3.0),)


def test_widening_stops_at_the_next_speakers_words():
    first = utterance("S1", (1.0, 2.0))
    second = utterance("S2", (2.5, 3.0))
    a, b = fit_to_speech([first, second], [(0.8, 4.0)])
    assert (a.start, a.end) == (0.8, 2.5)
    assert (b.start, b.end) == (2.5, 4.0)


def test_a_word_the_voice_detector_missed_is_kept():
    seg = utterance("S1", (5.0, 5.5))
    assert fit_to_speech([seg], [(0.0, 1.0)])[0] == seg
    assert fit_to_speech([seg], [(0.0, 1.0)], widen=False)[0] == seg
