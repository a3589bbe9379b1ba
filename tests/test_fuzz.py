"""Fuzzing what parses text a user (or another program) hands to Debrief (issue 9).

Hypothesis throws arbitrary and near-valid input at the time parser, the WebVTT/SRT
importer, the search query parser and the store's file reader. The contract is the same
everywhere: either a sensible result or the module's own :class:`DebriefError` with a
one-line message; never another exception, never a hang, never a file changed on the way.
Example counts are kept modest so the whole file runs in a few seconds.
"""

from __future__ import annotations

import json
import math
import re
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from formats_fixtures import make_report
from tui.core.model import Segment
from tui.core.search import matching_segments, parse_query
from tui.core.timefmt import format_range, format_time, parse_time
from tui.errors import StoreError, TimeFormatError, TranscriptError
from tui.formats.subtitles import render_srt, render_vtt
from tui.formats.transcript_import import MAX_SECONDS, load_transcript
from tui.store import Library
from tui.store.annotations import SessionAnnotations

FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FUZZ_SLOW = settings(FUZZ, max_examples=80)
"""For examples that write fsynced files or build a whole report."""


@pytest.fixture(scope="module")
def scratch():
    """One folder for the whole module: hypothesis examples must not each make a temp dir."""
    folder = Path(tempfile.mkdtemp(prefix="debrief-fuzz-"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def one_line(message: str) -> None:
    assert message and "\n" not in message and "\r" not in message, repr(message)
    assert len(message) < 400, f"{len(message)} characters: {message[:100]!r}…"


# -- times ---------------------------------------------------------------------------------

time_like = st.one_of(
    st.text(max_size=30),
    st.text(alphabet="0123456789:. \t\n-+e٣５", max_size=30),
    st.lists(st.integers(0, 10**30).map(str), min_size=1, max_size=4).map(":".join),
    st.builds(lambda digits, frac: f"{digits}.{frac}", st.integers(0, 10**400).map(str), st.integers(0, 10**20)),
)


@FUZZ
@given(time_like, st.one_of(st.none(), st.floats(0, 1e6)))
@example("1" * 400 + ":00:00", None)
@example("9" * 400, None)
@example("0:00:59.99999999999999999", None)
def test_parse_time_gives_seconds_or_one_clear_sentence(text, duration):
    try:
        value = parse_time(text, duration=duration)
    except TimeFormatError as exc:
        one_line(str(exc))
        return
    assert math.isfinite(value) and value >= 0
    if duration is not None:
        assert value <= duration + 1e-6


@FUZZ
@given(st.integers(0, 99), st.integers(0, 59), st.integers(0, 59), st.integers(0, 999))
def test_every_well_formed_time_means_what_it_says(hours, minutes, seconds, millis):
    expected = hours * 3600 + minutes * 60 + seconds + millis / 1000
    text = f"{hours}:{minutes:02d}:{seconds:02d}.{millis:03d}"
    assert parse_time(text) == pytest.approx(expected, abs=1e-9)
    if hours == 0:
        assert parse_time(f"{minutes}:{seconds:02d}.{millis:03d}") == pytest.approx(expected, abs=1e-9)
    assert parse_time(f"  {text}\t") == pytest.approx(expected, abs=1e-9)


@FUZZ
@given(st.floats(allow_nan=True, allow_infinity=True), st.one_of(st.none(), st.floats(allow_nan=True)))
def test_formatting_any_number_never_fails(seconds, end):
    shown = format_time(seconds)
    assert isinstance(shown, str) and "\n" not in shown
    assert isinstance(format_range(seconds, end), str)
    if math.isfinite(seconds) and 0 <= seconds < 10**7:
        assert parse_time(format_time(seconds)) == int(seconds)


# -- transcripts: raw bytes ------------------------------------------------------------------

HEADS = [b"", b"WEBVTT\n\n", b"\xef\xbb\xbfWEBVTT\n\n", b"1\n00:00:01,000 --> 00:00:02,000\n",
         b"WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n", b"\xff\xfe"]


def check_transcript(transcript, duration: float | None) -> None:
    """What any successfully imported transcript must look like."""
    segments = transcript.segments
    assert segments
    starts = [s.start for s in segments]
    assert starts == sorted(starts), "cues come out in time order"
    for seg in segments:
        assert math.isfinite(seg.start) and math.isfinite(seg.end)
        assert 0 <= seg.start <= seg.end <= MAX_SECONDS
        assert seg.text and seg.text == seg.text.strip() and "\n" not in seg.text
        assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]", seg.text), f"control character in {seg.text!r}"
    ids = {sp.id for sp in transcript.speakers}
    assert {seg.speaker for seg in segments} <= ids
    for speaker in transcript.speakers:
        assert not re.search(r"[\x00-\x1f\x7f-\x9f]", speaker.name)
    if duration is not None:
        assert transcript.duration == duration


def import_or_refuse(path: Path, duration: float | None = None):
    try:
        transcript = load_transcript(path, duration=duration)
    except TranscriptError as exc:
        one_line(str(exc))
        assert str(exc).startswith((path.name, str(path))), f"the message names the file: {exc}"
        return None
    check_transcript(transcript, duration)
    return transcript


@FUZZ
@given(st.sampled_from(HEADS), st.binary(max_size=400), st.sampled_from([".vtt", ".srt", ".txt"]))
def test_any_bytes_import_or_are_refused_by_line(scratch, head, body, suffix):
    path = scratch / f"bytes{suffix}"
    path.write_bytes(head + body)
    import_or_refuse(path)


# -- transcripts: near-valid cue soups ---------------------------------------------------------

stamp = st.builds(lambda h, m, s, ms, sep: f"{h:02d}:{m:02d}:{s:02d}{sep}{ms:03d}",
                  st.integers(0, 30), st.integers(0, 65), st.integers(0, 65), st.integers(0, 999),
                  st.sampled_from([",", ".", ":"]))
arrow = st.sampled_from(["-->", "-->", "-->", "->", "--> ", "—>"])
cue_text = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["Maria: Hello there", "<v Sam>Hi</v>", "<b>bold</b> &amp; co", "NOTE not a note", "-->",
                     "\x1b]0;title\x07 text", "<c.loud>x</c>", "Note: something", "{\\an8}top", "", "   "]),
)


def cue(number: str, start: str, arrow_text: str, end: str, text: str, settings_text: str) -> str:
    return f"{number}\n{start} {arrow_text} {end}{settings_text}\n{text}\n"


cues = st.builds(cue, st.sampled_from(["", "1", "2", "x", "-1"]), stamp, arrow, stamp, cue_text,
                 st.sampled_from(["", " align:start", " position:10%"]))


@settings(FUZZ, max_examples=150)
@given(st.lists(cues, max_size=8), st.sampled_from(["", "WEBVTT\n\n", "WEBVTT - Zoom\n\n", "\ufeffWEBVTT\n\n"]),
       st.sampled_from([".vtt", ".srt"]), st.sampled_from(["\n", "\r\n", "\r", "\n\n\n"]),
       st.sampled_from([None, 60.0, 3600.0]))
def test_cue_soups_import_cleanly_or_name_a_line(scratch, cue_list, head, suffix, newline, duration):
    text = head + "\n".join(cue_list)
    path = scratch / f"soup{suffix}"
    path.write_bytes(text.replace("\n", newline).encode("utf-8", "surrogatepass"))
    import_or_refuse(path, duration)


# -- transcripts: what Debrief exports comes back --------------------------------------------

word = st.one_of(
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Zs", "Zl", "Zp", "Cf", "Co", "Cn")),
            min_size=1, max_size=8),
    st.sampled_from(["&", "<", ">", "&amp;", "a:b", "Note:", "1", "00:00:01,000", "WEBVTT", "NOTE", "?", "—"]),
)
name = st.sampled_from(["Maria", "Sam Park", "Dr. Lee", "José", "O'Neil", "Zoë-Ann", "Coach 2"])


@FUZZ_SLOW
@given(st.lists(st.tuples(st.integers(0, 5000), st.integers(1, 4000), st.sampled_from(["S1", "S2"]),
                          st.lists(word, min_size=1, max_size=25).map(" ".join)), min_size=1, max_size=6),
       name, name, st.sampled_from(["vtt", "srt"]))
def test_our_own_subtitles_import_back_with_the_same_words_speakers_and_times(scratch, rows, first, second, fmt):
    assume(first != second)
    segments, clock = [], 0.0
    for gap, length, speaker, text in rows:
        start = round(clock + gap / 1000, 3)
        clock = round(start + length / 1000, 3)
        segments.append(Segment(start, clock, text, speaker))
    if fmt == "srt":  # SRT has no escaping: text that looks like markup is markup there
        assume(not any(re.search(r"<[A-Za-z/\d]|&\w+;", s.text) for s in segments))
    report = make_report(segments, speakers=[("S1", first, "coach"), ("S2", second, "client")])
    path = scratch / f"ours.{fmt}"
    path.write_text((render_vtt if fmt == "vtt" else render_srt)(report), encoding="utf-8")

    back = import_or_refuse(path)
    assert back is not None, "our own export must import"
    names = {sp.id: sp.name for sp in back.speakers}
    said = [(names[s.speaker], s.text) for s in back.segments]
    want = [(first if s.speaker == "S1" else second, s.text) for s in segments]

    def words_by_speaker(pairs):
        out: list[list[str]] = []
        for who, text in pairs:
            text = " ".join(text.split())
            if fmt == "srt":
                text = text.replace("-->", "->")  # an arrow in SRT text would read as a timing line
            if out and out[-1][0] == who:
                out[-1][1] += " " + text
            else:
                out.append([who, text])
        return [(who, " ".join(text.split())) for who, text in out]

    assert words_by_speaker(said) == words_by_speaker(want)
    assert back.segments[0].start == pytest.approx(segments[0].start, abs=0.0011)
    assert back.segments[-1].end == pytest.approx(segments[-1].end, abs=0.0011)


# -- search queries (typed into the app's / box) ---------------------------------------------


@FUZZ
@given(st.text(max_size=40), st.lists(st.text(max_size=30), min_size=1, max_size=5))
@example('"unclosed', ["unclosed quote"])
@example("speaker:", ["x"])
@example("trailing\\", ["x"])
def test_any_search_text_finds_or_does_not_but_never_fails(query, texts):
    segments = [Segment(float(i), float(i) + 1, text, "S1") for i, text in enumerate(texts)]
    parse_query(query)
    hits = matching_segments(segments, query)
    assert all(0 <= i < len(segments) for i in hits)


# -- the store's files, as another program (or a bad sync) may leave them ---------------------

json_value = st.recursive(
    st.none() | st.booleans() | st.integers(-10**6, 10**6) | st.floats(allow_nan=False) | st.text(max_size=6),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=12,
)
mark_like = st.fixed_dictionaries(
    {"start": json_value | st.floats(-5, 100)},
    optional={k: json_value for k in ("id", "end", "tag", "note", "author", "created", "private", "deleted")},
)


def session_document(marks, values):
    return {"_meta": {"schema": {"kind": "debrief-session", "version": 1}}, "marks": marks, "values": values}


session_files = st.one_of(
    st.builds(session_document, st.dictionaries(st.text(min_size=1, max_size=4), mark_like | json_value, max_size=3),
              st.dictionaries(st.text(min_size=1, max_size=4), json_value, max_size=3) | json_value),
    st.builds(lambda docs: {"_default": docs}, st.dictionaries(st.text(min_size=1, max_size=4), mark_like, max_size=3)),
    json_value,
)


@FUZZ_SLOW
@given(session_files)
def test_a_session_file_in_any_shape_is_read_or_refused_and_never_changed_by_reading(scratch, document):
    path = scratch / "session.json"
    raw = json.dumps(document).encode()
    path.write_bytes(raw)
    for leftover in scratch.glob("session.json.*"):
        leftover.unlink()
    try:
        annotations = SessionAnnotations("fuzzed", path)
        marks = annotations.marks(include_deleted=True)
        annotations.get("position")
    except StoreError as exc:
        assert "\n" not in str(exc)
        assert path.read_bytes() == raw, "a file Debrief cannot read is left exactly as it was"
        return
    for mark in marks:
        assert math.isfinite(mark.start)
        format_range(mark.start, mark.end)
    annotations.set("position", 1.5)  # and it can be written to
    assert annotations.get("position") == 1.5


@FUZZ_SLOW
@given(st.one_of(st.binary(max_size=200), json_value.map(lambda v: json.dumps(v).encode()),
                 st.builds(lambda sessions: json.dumps({"_meta": {"schema": {"kind": "debrief-library", "version": 1}},
                                                        "sessions": sessions}).encode(),
                           st.dictionaries(st.text(min_size=1, max_size=4), json_value, max_size=3))))
def test_a_library_index_in_any_shape_opens_or_is_refused_untouched(scratch, raw):
    folder = scratch / "lib"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    db = folder / "debrief.json"
    db.write_bytes(raw)
    try:
        library = Library.open(db)
        for info in library.sessions():
            assert isinstance(info.title, str)
    except StoreError as exc:
        assert "\n" not in str(exc)
        assert db.read_bytes() == raw
