"""Doubt about who spoke is visible, and a re-run keeps each voice's name."""

from __future__ import annotations

from dataclasses import replace

from tui.core.analytics import session_stats
from tui.core.attribution import carry_speaker_ids, doubtful, doubtful_share
from tui.core.corrections import Corrections, apply
from tui.core.model import Segment, Speaker, Transcript, Word


def said(start: float, end: float, speaker: str, confidence: float | None = None) -> Segment:
    return Segment(start, end, "words", speaker, (Word(start, end, "words"),), speaker_confidence=confidence)


def test_only_a_low_confidence_from_the_voice_model_is_doubtful():
    assert doubtful(said(0, 1, "S1", 0.2))
    assert not doubtful(said(0, 1, "S1", 0.9))
    assert not doubtful(said(0, 1, "S1", None))  # one voice per channel, or imported: nobody guessed


def test_a_speaker_whose_talk_is_largely_in_doubt_has_approximate_figures():
    t = Transcript(segments=(said(0, 10, "S1", 0.9), said(10, 12, "S1", 0.3), said(12, 30, "S2", 0.8),
                             said(30, 30.5, "S2", 0.1)), speakers=(Speaker("S1"), Speaker("S2")))
    assert doubtful_share(t) == {"S1": 2 / 12, "S2": 0.5 / 18.5}
    assert {sid for sid, sp in session_stats(t).speakers.items() if sp.approximate} == {"S1"}


def test_the_reviewers_assignment_removes_the_doubt():
    seg = said(0, 4, "S1", 0.2)
    t = Transcript(segments=(seg,), speakers=(Speaker("S1"), Speaker("S2")))
    fixed = apply(t, Corrections().assign(seg, "S2"))
    assert fixed.segments[0].speaker == "S2" and not doubtful(fixed.segments[0])


def test_separating_again_keeps_each_voices_id_and_numbers_a_new_voice_after_the_old():
    before = [said(0, 10, "S1"), said(10, 20, "S2"), said(20, 30, "S1")]
    # The re-run numbers by first appearance, finds the same two voices swapped and a third.
    after = [said(0, 10, "S2"), said(10, 20, "S1"), said(20, 25, "S2"), said(25, 30, "S3")]
    assert [s.speaker for s in carry_speaker_ids(before, after)] == ["S1", "S2", "S1", "S3"]
    fewer = [said(0, 30, "S1")]
    assert [s.speaker for s in carry_speaker_ids(before, fewer)] == ["S1"]


def test_figures_that_rest_on_doubtful_utterances_say_so_and_list_them():
    from tui.core.analytics import session_stats, stats_to_json
    from tui.formats import stats_text

    t = Transcript(segments=(said(0, 10, "S1", 0.9), said(10, 14, "S1", 0.3), said(14, 30, "S2", 0.8)),
                   speakers=(Speaker("S1", "Maria"), Speaker("S2", "Sam")))
    stats = session_stats(t)
    assert [m.start for m in stats.moments("doubtful")] == [10]
    assert stats.moments("doubtful", "S1") == stats.moments("doubtful")
    text = stats_text.render("Session", stats)
    maria = next(line for line in text.splitlines() if line.startswith("Maria"))
    sam = next(line for line in text.splitlines() if line.startswith("Sam"))
    assert "≈" in maria and "≈" not in sam
    assert "1 doubtful utterance" in text
    assert stats_to_json(stats)["speakers"]["S1"]["approximate"] is True
    sure = session_stats(Transcript(segments=(said(0, 10, "S1", 0.9),), speakers=(Speaker("S1"),)))
    assert "≈" not in stats_text.render("Session", sure)


def test_a_mentor_reading_the_export_sees_which_figures_are_approximate():
    from formats_fixtures import make_report

    from tui.formats import html, markdown

    sure = Segment(0.0, 10.0, "We planned the lab.", "S1", (Word(0.0, 10.0, "planned"),), speaker_confidence=0.95)
    unsure = Segment(10.0, 14.0, "Maybe groups?", "S2", (Word(10.0, 14.0, "groups"),), speaker_confidence=0.3)
    report = make_report((sure, unsure))
    page, text = html.render(report), markdown.render(report)
    assert "≈" in text and "uncertain speaker attribution" in text
    assert "≈" in page and "uncertain speaker attribution" in page
    plain = make_report((sure, replace(unsure, speaker_confidence=0.95)))
    assert "≈" not in markdown.render(plain) and "uncertain speaker" not in html.render(plain)
