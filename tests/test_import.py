"""Importing WebVTT and SRT transcripts: speakers kept, malformed files named by line."""

from __future__ import annotations

import json

import pytest

from conftest import SAMPLES
from formats_fixtures import make_report
from tui.core.model import Segment, Word
from tui.errors import TranscriptError
from tui.formats.subtitles import render_srt, render_vtt
from tui.formats.transcript_import import MAX_BYTES, load_transcript

ZOOM = """WEBVTT

1
00:00:00.500 --> 00:00:03.200
Jane Doe: Hello everyone, thanks for joining.

2
00:00:03.400 --> 00:00:06.000
John Smith: Happy to be here. Note: I'm a bit late.

3
00:00:06.100 --> 00:00:08.000
Jane Doe: Great &amp; welcome, John.
"""

TEAMS = """WEBVTT

8a3f1c2e-1d2b-4c1e/12-0
00:00:00.000 --> 00:00:02.520
<v Jane Doe>Hello everyone.</v>

8a3f1c2e-1d2b-4c1e/15-0
00:00:02.600 --> 00:00:05.000
<v John Smith>Hi Jane, <b>good</b> to
see you.</v>

NOTE a comment between cues

8a3f1c2e-1d2b-4c1e/17-0
00:00:05.100 --> 00:00:06.000 align:start position:10%
<v.loud Jane Doe>Shall we start?</v>
"""

SRT = (
    "1\r\n00:00:01,000 --> 00:00:02,000\r\nMaria: Hello <i>there</i>\r\n\r\n"
    "2\r\n00:00:03,000 --> 00:00:04,500\r\nSam: Hi,\r\nsecond line\r\n\r\n"
    "3\r\n00:00:05,000 --> 00:00:06,000\r\nMaria: Good.\r\n"
)


def write(tmp_path, name, content, encoding="utf-8"):
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding=encoding, newline="")
    return path


def rows(transcript):
    return [(s.start, s.end, s.speaker, s.text) for s in transcript.segments]


def test_zoom_labels_become_named_speakers(tmp_path):
    t = load_transcript(write(tmp_path, "zoom.vtt", ZOOM))
    assert rows(t) == [
        (0.5, 3.2, "S1", "Hello everyone, thanks for joining."),
        (3.4, 6.0, "S2", "Happy to be here. Note: I'm a bit late."),
        (6.1, 8.0, "S1", "Great & welcome, John."),
    ]
    assert [(s.id, s.name) for s in t.speakers] == [("S1", "Jane Doe"), ("S2", "John Smith")]
    assert t.source == "import:zoom.vtt" and t.complete


def test_teams_voice_spans_become_named_speakers(tmp_path):
    t = load_transcript(write(tmp_path, "teams.vtt", TEAMS))
    assert rows(t) == [
        (0.0, 2.52, "S1", "Hello everyone."),
        (2.6, 5.0, "S2", "Hi Jane, good to see you."),
        (5.1, 6.0, "S1", "Shall we start?"),
    ]
    assert [s.name for s in t.speakers] == ["Jane Doe", "John Smith"]


def test_srt_with_labels_crlf_and_tags(tmp_path):
    t = load_transcript(write(tmp_path, "call.srt", SRT))
    assert rows(t) == [(1.0, 2.0, "S1", "Hello there"), (3.0, 4.5, "S2", "Hi, second line"), (5.0, 6.0, "S1", "Good.")]
    assert [s.name for s in t.speakers] == ["Maria", "Sam"]


def test_unlabelled_captions_are_one_unnamed_speaker(tmp_path):
    text = "WEBVTT\n\n00:01.000 --> 00:02.000\nJust words.\n\n00:02.500 --> 00:03.000\nNote: not a name.\n"
    t = load_transcript(write(tmp_path, "plain.vtt", text))
    assert [(s.speaker, s.text) for s in t.segments] == [("S1", "Just words."), ("S1", "Note: not a name.")]
    assert [(s.id, s.name) for s in t.speakers] == [("S1", "")]


def test_content_decides_over_the_extension(tmp_path):
    assert rows(load_transcript(write(tmp_path, "really_vtt.srt", ZOOM)))[0][2] == "S1"
    assert rows(load_transcript(write(tmp_path, "captions.txt", SRT)))[0][3] == "Hello there"


def test_utf8_bom_and_utf16_are_read(tmp_path):
    assert load_transcript(write(tmp_path, "bom.vtt", "\ufeff" + ZOOM)).speakers[0].name == "Jane Doe"
    assert load_transcript(write(tmp_path, "wide.srt", SRT, encoding="utf-16")).speakers[1].name == "Sam"


def test_duration_is_the_recordings_when_given(tmp_path):
    path = write(tmp_path, "zoom.vtt", ZOOM)
    assert load_transcript(path).duration == 8.0
    assert load_transcript(path, duration=9.5).duration == 9.5


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("bad_time.vtt", "WEBVTT\n\n00:01.000 --> 00:02.000\nfine\n\n00:03.000 --> 00:0x.000\nbad\n",
         r"bad_time.vtt line 6: '00:03.000 --> 00:0x.000' is not a cue timing"),
        ("no_blank.vtt", "WEBVTT\n\n00:01.000 --> 00:02.000\nfine\n00:03.000 --> 00:04.000\nno blank line\n",
         r"no_blank.vtt line 5: this cue is malformed"),
        ("backwards.vtt", "WEBVTT\n\n00:05.000 --> 00:06.000\na\n\n00:03.000 --> 00:04.000\nb\n",
         r"backwards.vtt line 6: the cue starts at 00:03.000, before the cue on line 3"),
        ("inverted.vtt", "WEBVTT\n\n00:05.000 --> 00:04.000\nends first\n",
         r"inverted.vtt line 3: the cue ends \(00:04.000\) before it starts"),
        ("absurd.vtt", "WEBVTT\n\n99:00:00.000 --> 99:00:01.000\nlate\n", r"absurd.vtt line 3: .*later than any session"),
        ("no_header.vtt", "00:01.000 --> 00:02.000\nhello\n", r"no_header.vtt line 1: a WebVTT file must start"),
        ("arrow.srt", "1\n00:00:01,000 --> 00:00:02,000\nHello\n\n2\n00:00:05,000 -> 00:00:06,000\nBad\n",
         r"arrow.srt line 6: '00:00:05,000 -> 00:00:06,000' is not a cue timing"),
        ("junk.srt", "garbage first\n1\n00:00:01,000 --> 00:00:02,000\nHello\n",
         r"junk.srt line 1: 'garbage first' is not part of any cue"),
        ("middle.srt", "1\n00:00:01,000 --> 00:00:02,000\nA\n\n2\n00:00:03,000 --> 00:00:xx,000\nB\n",
         r"middle.srt line 6: .* is not a cue timing"),
        ("nocues.vtt", "WEBVTT\n\nNOTE only a comment\n", r"nocues.vtt has no cues"),
        ("prose.txt", "Dear diary,\ntoday was long.\n", r"prose.txt is neither a WebVTT nor an SRT"),
    ],
)
def test_malformed_files_are_refused_with_the_line(tmp_path, name, content, message):
    with pytest.raises(TranscriptError, match=message):
        load_transcript(write(tmp_path, name, content))


def test_empty_binary_non_utf8_and_huge_files_are_refused(tmp_path):
    with pytest.raises(TranscriptError, match="empty.vtt is empty"):
        load_transcript(write(tmp_path, "empty.vtt", b""))
    with pytest.raises(TranscriptError, match="is a binary file"):
        load_transcript(SAMPLES / "short_session.ogg")
    with pytest.raises(TranscriptError, match=r"latin.srt line 3: the text is not UTF-8"):
        load_transcript(write(tmp_path, "latin.srt", "1\n00:00:01,000 --> 00:00:02,000\nCafé\n", encoding="latin-1"))
    huge = tmp_path / "huge.vtt"
    with huge.open("wb") as handle:
        handle.truncate(MAX_BYTES + 1)
    with pytest.raises(TranscriptError, match="too large"):
        load_transcript(huge)
    with pytest.raises(TranscriptError, match="does not exist"):
        load_transcript(tmp_path / "missing.vtt")
    with pytest.raises(TranscriptError, match="is a folder"):
        load_transcript(tmp_path)


def test_cues_past_the_end_of_the_recording_are_refused(tmp_path):
    with pytest.raises(TranscriptError, match=r"zoom.vtt line 12: the cue at 00:06 is past the end of the recording"):
        load_transcript(write(tmp_path, "zoom.vtt", ZOOM), duration=3.5)


@pytest.mark.parametrize("render", [render_vtt, render_srt])
def test_our_own_subtitles_import_back_unchanged(tmp_path, render):
    data = json.loads((SAMPLES / "coaching_session.truth.json").read_text())
    segments = [(s["start"], s["end"], s["speaker"], s["text"]) for s in data["segments"]]
    report = make_report(segments, speakers=[(s["id"], s["name"], s["role"]) for s in data["speakers"]])
    suffix = ".vtt" if render is render_vtt else ".srt"
    t = load_transcript(write(tmp_path, "back" + suffix, render(report)))
    names = {sp.id: sp.name for sp in t.speakers}
    assert _merge_runs(t.segments, names) == _merge_runs(
        report.transcript.segments, {sp.id: sp.label for sp in report.speakers}
    )
    assert t.segments[0].start == pytest.approx(report.transcript.segments[0].start, abs=0.001)
    assert t.segments[-1].end == pytest.approx(report.transcript.segments[-1].end, abs=0.001)


def test_long_utterances_split_into_readable_cues_that_import_as_one_speaker(tmp_path):
    text = " ".join(f"word{i}" for i in range(60))
    seg = Segment(10.0, 40.0, text, "S1", tuple(Word(10.0 + i * 0.5, 10.4 + i * 0.5, f" word{i}") for i in range(60)))
    report = make_report([seg], speakers=(("S1", "Maria", "coach"),))
    vtt = render_vtt(report)
    cue_lines = [line for line in vtt.splitlines() if line and "-->" not in line and line != "WEBVTT"]
    assert all(len(line.replace("<v Maria>", "")) <= 42 for line in cue_lines)
    t = load_transcript(write(tmp_path, "long.vtt", vtt))
    assert len(t.segments) > 1 and {s.speaker for s in t.segments} == {"S1"}
    assert " ".join(s.text for s in t.segments) == text
    assert t.segments[1].start == pytest.approx(seg.words[len(t.segments[0].text.split())].start)


def _merge_runs(segments, names):
    """Consecutive text by speaker name: what survives a round trip whatever the cue splitting."""
    out: list[list[str]] = []
    for seg in segments:
        name = names[seg.speaker]
        if out and out[-1][0] == name:
            out[-1][1] += " " + seg.text
        else:
            out.append([name, seg.text])
    return [(n, " ".join(t.split())) for n, t in out]
