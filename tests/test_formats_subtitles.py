"""SRT and WebVTT export: valid files, speaker names, readable cues."""

from __future__ import annotations

import io

import pytest
import srt
import webvtt

from formats_fixtures import make_report
from tui.errors import DebriefError
from tui.formats.subtitles import render, render_srt, render_vtt

SEGMENTS = [
    (1.0, 3.5, "S1", "Hi Sam. How did <it> go & why?"),
    (4.0, 6.25, "S2", "Fine --> really fine."),
    (3661.5, 3663.0, "S1", "Late in the session."),
]


def test_vtt_has_voice_spans_escaped_text_and_valid_timings():
    text = render_vtt(make_report(SEGMENTS, speakers=(("S1", "Maria <Coach>", "coach"), ("S2", "Sam", "teacher"))))
    assert text.startswith("WEBVTT\n\n")
    assert "00:00:01.000 --> 00:00:03.500\n<v Maria &lt;Coach&gt;>Hi Sam. How did &lt;it&gt; go &amp; why?" in text
    assert "01:01:01.500 --> 01:01:03.000" in text
    parsed = webvtt.from_buffer(io.StringIO(text))  # an independent reader agrees
    assert [c.voice for c in parsed] == ["Maria &lt;Coach&gt;", "Sam", "Maria &lt;Coach&gt;"]
    assert [c.text for c in parsed][1] == "Fine --&gt; really fine."
    assert len(parsed) == 3


def test_srt_numbers_cues_and_puts_names_before_the_text():
    text = render_srt(make_report(SEGMENTS))
    subs = list(srt.parse(text))
    assert [s.index for s in subs] == [1, 2, 3]
    assert subs[0].content == "Maria: Hi Sam. How did <it> go & why?"
    assert subs[1].content == "Sam: Fine -> really fine."  # an arrow would read as a timing line
    assert subs[2].start.total_seconds() == 3661.5
    assert "00:00:04,000 --> 00:00:06,250" in text


def test_the_reflection_goes_in_a_note_at_the_top_of_webvtt():
    text = render_vtt(make_report(SEGMENTS, intention="Look for waits", summary="Next: --> plan\n\nquestions"))
    head = text.split("\n\n")[1]
    assert head == "NOTE\nIntention: Look for waits\nSummary: Next: -> plan questions"
    assert len(webvtt.from_buffer(io.StringIO(text))) == 3


def test_unnamed_speakers_use_their_ids_and_empty_text_is_skipped():
    report = make_report([(0, 1, "S7", "  "), (1, 2, "S7", "words")], speakers=())
    assert render_srt(report) == "1\n00:00:01,000 --> 00:00:02,000\nS7: words\n"


def test_a_series_is_refused_and_an_unknown_format_too():
    report = make_report(SEGMENTS)
    with pytest.raises(DebriefError, match="one session at a time"):
        render_vtt([report, report])
    with pytest.raises(DebriefError, match="choose srt or vtt"):
        render(report, fmt="ass")
