"""Bad input, everywhere: every command, every kind of file Debrief opens (issue 9, part 1).

The contract under test, for each row of each table: the command ends with exit status 1
(2 for a usage error), exactly one line on stderr starting ``debrief: error: ``, no
traceback, no "unexpected problem" (that wording means a raw exception escaped and was
caught by the last-resort handler: a bug), and every file that existed before is
byte-for-byte the same afterwards. Most rows run ``tui.cli.main`` in-process with the
file descriptors captured (fast, and C libraries writing to fd 2 are caught too); a few
run the real ``python -m tui.cli`` to prove the same holds for a whole process.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from app_helpers import silent_review

from conftest import ROOT, SAMPLES
from hostile_media import (
    FOUR_HOURS,
    header_only,
    long_mp3,
    not_audio,
    random_bytes,
    silent_video,
    wav_claiming,
    zero_seconds_wav,
)
from media_fixtures import tone_steps, write_audio
from tui.cli import main
from tui.core.model import Mark
from tui.store import Library
from tui.store import files as store_files

ERROR_PREFIX = "debrief: error: "
TOOLS = Path(__file__).resolve().parent / "store_helpers"

GOOD_VTT = "WEBVTT\n\n00:00:01.000 --> 00:00:04.000\n<v Maria>How did it go?\n\n" \
           "00:00:05.000 --> 00:00:08.000\n<v Sam>Better than expected.\n"


# -- running the command and judging the result ----------------------------------------------


@dataclass
class Outcome:
    status: int
    out: str
    err: str


def debrief(capfd, *args: str) -> Outcome:
    """``debrief ARGS`` in this process; a usage error's SystemExit becomes its status."""
    capfd.readouterr()
    try:
        status = main([str(a) for a in args])
    except SystemExit as exc:
        status = exc.code if isinstance(exc.code, int) else 1
    out, err = capfd.readouterr()
    return Outcome(status, out, err)


def debrief_process(*args: str, env: dict[str, str] | None = None, timeout: float = 60) -> Outcome:
    """The real command, as a user runs it (any C library's chatter on fd 2 would show here)."""
    full_env = {**os.environ, "DEBRIEF_AUDIO": "silent", **(env or {})}
    full_env.pop("DEBRIEF_DEBUG", None)
    done = subprocess.run([sys.executable, "-m", "tui.cli", *map(str, args)], capture_output=True, text=True,
                          env=full_env, cwd=ROOT, timeout=timeout)
    return Outcome(done.returncode, done.stdout, done.stderr)


NOTE_PREFIX = "debrief: note: "
"""Advice printed before the work (e.g. consent not recorded) may precede the error line."""


def assert_clean_failure(outcome: Outcome, *fragments: str, status: int = 1) -> str:
    """Exit status and exactly one ``debrief: error:`` line, last on stderr (only notes before it); returns it."""
    assert outcome.status == status, f"exit status {outcome.status}, stderr: {outcome.err!r}"
    lines = outcome.err.splitlines()
    errors = [line for line in lines if line.startswith(ERROR_PREFIX)]
    assert len(errors) == 1, f"expected one error line on stderr, got {len(errors)}: {outcome.err!r}"
    line = lines[-1]
    assert line.startswith(ERROR_PREFIX), f"the error is the last thing said: {outcome.err!r}"
    assert all(other.startswith(NOTE_PREFIX) for other in lines[:-1]), f"stray output on stderr: {outcome.err!r}"
    assert "Traceback" not in outcome.err + outcome.out
    assert "unexpected problem" not in line, f"a raw exception escaped: {line}"
    for fragment in fragments:
        assert fragment.lower() in line.lower(), f"{fragment!r} not in {line!r}"
    return line


def files_under(folder: Path) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file() and not p.is_symlink()}


ALLOWED_NEW = (".lock", ".corrupt-")
"""Files a refused command may leave: empty lock files, and the copy kept of a damaged file."""


def assert_untouched(before: dict[Path, bytes], folder: Path) -> None:
    after = files_under(folder)
    for path, data in before.items():
        assert path in after, f"{path} was removed"
        assert after[path] == data, f"{path} was changed"
    new = [p for p in after if p not in before and not any(mark in p.name for mark in ALLOWED_NEW)]
    assert not new, f"files were created: {new}"
    assert not [p for p in after if ".tmp-" in p.name], "a temporary file was left behind"


@pytest.fixture(autouse=True)
def no_screen(monkeypatch):
    """``debrief REC`` must fail before the screen opens; if it ever gets that far, it returns at once."""
    monkeypatch.setattr("tui.app.app.DebriefApp.run", lambda self, *a, **k: None)


# -- the library a reviewer already has ------------------------------------------------------


@dataclass(frozen=True)
class Lib:
    """A reviewer's library: one transcribed session with a precious mark, and a good WebVTT beside it."""

    folder: Path
    recording: Path
    db: Path
    session_file: Path
    transcript_file: Path
    session_id: str
    vtt: Path

    def workspace(self):
        from tui.services.workspace import open_recording

        return open_recording(self.recording)


@pytest.fixture(scope="module")
def pristine(tmp_path_factory) -> tuple[Lib, Path]:
    """Built once per module (probing and fsyncs add up over a few hundred rows), then restored per test."""
    from conftest import truth_transcript
    from tui.services.workspace import open_recording

    home = tmp_path_factory.mktemp("hostile")
    folder = home / "library"
    folder.mkdir()
    recording = folder / "short_session.ogg"
    shutil.copy2(SAMPLES / "short_session.ogg", recording)
    ws = open_recording(recording, folder / "debrief.json")
    transcript, data = truth_transcript("short_session")
    ws.save_transcript(transcript)
    ws.annotations.set("speakers", {s["id"]: {"name": s["name"], "role": s["role"]} for s in data["speakers"]})
    ws.annotations.add_mark(
        Mark("precious", 15.6, 17.8, "open-question", "Asked what she noticed", "coach", "2026-11-09T10:00:00Z"))
    vtt = home / "good.vtt"
    vtt.write_text(GOOD_VTT)
    lib = Lib(folder, recording, ws.library.db_path, ws.annotations.path,
              ws.library.transcripts.path(ws.info.id), ws.info.id, vtt)
    snapshot = home / "pristine"
    shutil.copytree(folder, snapshot, symlinks=True)
    return lib, snapshot


@pytest.fixture
def lib(pristine) -> Lib:
    """The library exactly as built, at the same path (so no cached identity is recomputed and rewritten)."""
    lib, snapshot = pristine
    shutil.rmtree(lib.folder)
    shutil.copytree(snapshot, lib.folder, symlinks=True)
    return lib


def recording_commands(rec: Path, vtt: Path) -> dict[str, list[str]]:
    return {
        "open": [rec],
        "transcribe": ["transcribe", rec],
        "import": ["import", rec, vtt, "--force"],  # the library's session already has a transcript
        "stats": ["stats", rec],
        "marks": ["marks", rec],
        "mark": ["mark", rec, "--at", "1", "--tag", "growth-edge"],
        "export": ["export", rec, "--format", "md"],
    }


COMMANDS = ("open", "transcribe", "import", "stats", "marks", "mark", "export")


# -- 1. recordings that are not recordings ---------------------------------------------------


def _dangling(folder: Path) -> Path:
    link = folder / "gone.ogg"
    link.symlink_to(folder / "moved-away.ogg")
    return link


def _loop(folder: Path) -> Path:
    (folder / "a.ogg").symlink_to(folder / "b.ogg")
    (folder / "b.ogg").symlink_to(folder / "a.ogg")
    return folder / "a.ogg"


def _fifo(folder: Path) -> Path:
    path = folder / "stream.mp3"
    os.mkfifo(path)
    return path


BAD_RECORDINGS: dict[str, tuple[Callable[[Path], Path], str]] = {
    "missing": (lambda d: d / "missing.ogg", "does not exist"),
    "zero-bytes": (lambda d: _touch(d / "empty.mp3"), "empty"),
    "text-as-mp3": (lambda d: not_audio(d / "notes.mp3"), "not an audio"),
    "text-as-wav": (lambda d: not_audio(d / "notes.wav"), "not an audio"),
    "text-as-ogg": (lambda d: not_audio(d / "notes.ogg"), "not an audio"),
    "text-as-m4a": (lambda d: not_audio(d / "notes.m4a"), "not an audio"),
    "text-as-flac": (lambda d: not_audio(d / "notes.flac"), "not an audio"),
    "random-bytes-mp3": (lambda d: random_bytes(d / "noise.mp3"), "not an audio"),
    "random-bytes-ogg": (lambda d: random_bytes(d / "noise.ogg"), "not an audio"),
    "truncated-wav-header": (lambda d: header_only(d / "cut.wav"), "not an audio"),
    "truncated-ogg-header": (lambda d: header_only(d / "cut.ogg"), "not an audio"),
    "truncated-m4a-header": (lambda d: header_only(d / "cut.m4a"), "not an audio"),
    "video-without-sound": (lambda d: silent_video(d / "screen.mp4"), "no audio track"),
    "zero-seconds": (lambda d: zero_seconds_wav(d / "nothing.wav"), "no sound"),
    "dangling-symlink": (_dangling, "does not exist"),
    "symlink-loop": (_loop, "does not exist"),
    "named-pipe": (_fifo, "not a regular file"),
}


def _touch(path: Path) -> Path:
    path.write_bytes(b"")
    return path


def across(kinds, commands, *, deepest: str, representative: tuple[str, ...]) -> list[tuple[str, str]]:
    """Every kind with the command that goes deepest, and every command with a few representative kinds.

    Every command reaches the file through the same opening code, so the full cross product
    would mostly repeat itself (and cost seconds); this keeps each row meaningful.
    """
    pairs = [(kind, deepest) for kind in kinds]
    pairs += [(kind, command) for kind in representative for command in commands if command != deepest]
    return pairs


@pytest.mark.parametrize(("kind", "command"), across(BAD_RECORDINGS, COMMANDS, deepest="mark",
                                                     representative=("text-as-mp3", "truncated-ogg-header",
                                                                     "zero-seconds", "named-pipe")))
def test_a_bad_recording_gives_one_clear_line_and_creates_nothing(tmp_path, capfd, kind, command):
    make, message = BAD_RECORDINGS[kind]
    folder = tmp_path / "lib"
    folder.mkdir()
    rec = make(folder)
    vtt = tmp_path / "good.vtt"
    vtt.write_text(GOOD_VTT)
    before = files_under(folder)
    line = assert_clean_failure(debrief(capfd, *recording_commands(rec, vtt)[command]), message)
    assert rec.name in line, "the message names the file"
    assert_untouched(before, folder)
    assert not (folder / "debrief.json").exists(), "no library is started for a file that is not a recording"


@pytest.mark.parametrize("command", ["transcribe", "import", "marks", "mark"])
def test_a_folder_where_a_recording_belongs(tmp_path, capfd, command):
    vtt = tmp_path / "good.vtt"
    vtt.write_text(GOOD_VTT)
    assert_clean_failure(debrief(capfd, *recording_commands(tmp_path, vtt)[command]), "folder")


def test_a_device_where_a_recording_belongs_is_refused_at_once(capfd, tmp_path):
    """/dev/zero never ends and /dev/urandom is noise: neither is read (or hashed) forever."""
    for device in ("/dev/zero", "/dev/urandom"):
        assert_clean_failure(debrief(capfd, "mark", device, "--at", "1", "--tag", "x", "--db", tmp_path / "db.json"),
                             "not a regular file")
    assert not (tmp_path / "db.json").exists()


@pytest.mark.parametrize("kind", ["text-as-mp3", "truncated-ogg-header", "video-without-sound", "named-pipe"])
def test_in_a_real_process_too(tmp_path, kind):
    """The whole program, as a user runs it: no FFmpeg chatter on stderr, no traceback, exit 1."""
    make, message = BAD_RECORDINGS[kind]
    rec = make(tmp_path)
    outcome = debrief_process("marks", rec, timeout=30)
    assert_clean_failure(outcome, message)
    assert not (tmp_path / "debrief.json").exists()


def test_the_app_refuses_a_bad_recording_before_drawing_anything(tmp_path):
    """``debrief REC`` with a bad file: one line, exit 1, and no screen was set up (stdout is empty)."""
    rec = not_audio(tmp_path / "notes.mp3")
    outcome = debrief_process(rec, timeout=30)
    assert_clean_failure(outcome, "not an audio")
    assert outcome.out == ""


def test_usage_errors_exit_2_with_one_line(tmp_path):
    for args in (["mark"], ["export", tmp_path / "x.ogg", "--format", "docx"], ["--no-such-option"]):
        assert_clean_failure(debrief_process(*args), status=2)


def test_damaged_but_partly_playable_recordings_open_with_their_real_length(tmp_path, capfd):
    """A truncated recording is not refused: what is there can be reviewed; past the break cannot be marked."""
    rec = wav_claiming(tmp_path / "interrupted copy.wav", claimed_seconds=FOUR_HOURS, real_seconds=1.0)
    assert debrief(capfd, "marks", rec).status == 0
    assert_clean_failure(debrief(capfd, "mark", rec, "--at", "1:00:00", "--tag", "x"), "past the end")
    assert debrief(capfd, "mark", rec, "--at", "0.5", "--tag", "x").status == 0


@pytest.mark.parametrize("suffix", [".mp3", ".ogg"])
def test_a_recording_corrupted_in_the_middle_still_opens(tmp_path, capfd, suffix):
    """Garbage in the middle (a bad sector, a broken sync) costs those seconds, not the session."""
    rec = write_audio(tmp_path / f"damaged{suffix}", tone_steps(20.0))
    data = bytearray(rec.read_bytes())
    middle = slice(len(data) * 2 // 5, len(data) * 3 // 5)
    data[middle] = bytes(random_bytes(tmp_path / "noise", middle.stop - middle.start).read_bytes())
    rec.write_bytes(bytes(data))
    assert debrief(capfd, "mark", rec, "--at", "0:02", "--tag", "strength").status == 0
    assert debrief(capfd, "mark", rec, "--at", "0:18", "--tag", "strength").status == 0
    listed = debrief(capfd, "marks", rec)
    assert listed.status == 0 and len(listed.out.splitlines()) == 2


# -- 2. names and places that are odd but fine -----------------------------------------------


ODD_NAMES = [
    "session with spaces.ogg",
    "Séance – Zoë & José 会议 🎙.ogg",
    "line\nbreak.ogg",
    "tab\tand 'quotes' \"double\".ogg",
    "-starts-with-dash.ogg",
    ".hidden.ogg",
    "x" * 200 + ".ogg",
]


@pytest.mark.parametrize("name", ODD_NAMES, ids=range(len(ODD_NAMES)))
def test_odd_file_names_work_for_every_command(tmp_path, capfd, monkeypatch, name):
    folder = tmp_path / "Folder with späces"
    folder.mkdir()
    rec = folder / name
    shutil.copy(SAMPLES / "short_session.ogg", rec)
    vtt = folder / f"{name}.vtt"
    vtt.write_text(GOOD_VTT)
    monkeypatch.chdir(folder)
    shown = f"./{name}"  # relative, as typed in the folder (a leading dash needs the ./ anyway)
    assert debrief(capfd, "import", shown, vtt).status == 0
    assert debrief(capfd, "mark", shown, "--at", "0:02", "--tag", "strength", "--note", "naming it").status == 0
    listed = debrief(capfd, "marks", shown, "--json")
    assert listed.status == 0 and json.loads(listed.out)[0]["note"] == "naming it"
    exported = debrief(capfd, "export", shown, "--format", "json")
    assert exported.status == 0 and json.loads(exported.out)["marks"][0]["tag"] == "strength"
    assert debrief(capfd, shown).status == 0  # the reviewer opens (screen stubbed out)


def test_a_symlink_to_a_recording_is_the_same_session(lib, tmp_path, capfd):
    link = lib.folder / "shortcut.ogg"
    link.symlink_to(lib.recording)
    listed = debrief(capfd, "marks", link, "--json")
    assert listed.status == 0 and [m["id"] for m in json.loads(listed.out)] == ["precious"]


def test_a_symlinked_database_is_written_through_not_replaced(short_recording, tmp_path, capfd):
    """A database kept elsewhere (a synced folder) and linked into the library keeps being the one written."""
    real = tmp_path / "synced" / "debrief.json"
    real.parent.mkdir()
    link = short_recording.parent / "debrief.json"
    Library.open(real)
    link.symlink_to(real)
    assert debrief(capfd, "mark", short_recording, "--at", "5", "--tag", "strength").status == 0
    assert link.is_symlink(), "the link was replaced by a file of its own"
    assert Library.open(real).sessions(), "the session was recorded in the real database"


@pytest.mark.parametrize("name", ["bad\nname.mp3", "bad\x1b[2Jname.mp3", "bad\x1b]0;retitled\x07.mp3"],
                         ids=["newline", "clear-screen", "window-title"])
def test_control_characters_in_a_name_never_reach_the_terminal(tmp_path, capfd, name):
    rec = not_audio(tmp_path / name)
    outcome = debrief(capfd, "marks", rec)
    assert_clean_failure(outcome, "not an audio")
    assert "\x1b" not in outcome.err and "\x07" not in outcome.err


def test_a_note_with_escape_sequences_is_listed_harmlessly(lib, capfd):
    note = "see \x1b]52;c;ZXZpbA==\x07 and \x1b[2J"
    assert debrief(capfd, "mark", lib.recording, "--at", "5", "--tag", "x", "--note", note).status == 0
    listed = debrief(capfd, "marks", lib.recording)
    assert listed.status == 0
    assert "\x1b" not in listed.out and "\x07" not in listed.out


# -- 3. transcripts that are not transcripts --------------------------------------------------


def _write(path: Path, data: bytes | str) -> Path:
    path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    return path


def _sparse(path: Path, size: int) -> Path:
    with open(path, "wb") as handle:
        handle.truncate(size)
    return path


BAD_TRANSCRIPTS: dict[str, tuple[Callable[[Path], Path], str]] = {
    "missing": (lambda d: d / "missing.vtt", "does not exist"),
    "empty": (lambda d: _write(d / "t.vtt", b""), "empty"),
    "only-blank-lines": (lambda d: _write(d / "t.srt", "\n\n  \n"), "empty"),
    "binary": (lambda d: _write(d / "t.vtt", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR" + bytes(200)), "binary"),
    "latin-1": (lambda d: _write(d / "t.srt", "1\n00:00:01,000 --> 00:00:02,000\nCaf\xe9\n".encode("latin-1")),
                "not UTF-8"),
    "huge": (lambda d: _sparse(d / "t.vtt", 25 * 1024 * 1024), "too large"),
    "a-folder": (lambda d: (d / "t.vtt").mkdir() or d / "t.vtt", "folder"),
    "a-recording": (lambda d: shutil.copy(SAMPLES / "short_session.ogg", d / "t.vtt") and d / "t.vtt", "binary"),
    "json": (lambda d: _write(d / "t.json", '{"segments": []}'), "neither"),
    "vtt-without-header": (lambda d: _write(d / "t.vtt", "00:00:01.000 --> 00:00:02.000\nHi\n"), "WEBVTT"),
    "bad-arrow": (lambda d: _write(d / "t.srt", "1\n00:00:01,000 -> 00:00:02,000\nHi\n"), "line"),
    "ends-before-start": (lambda d: _write(d / "t.vtt", "WEBVTT\n\n00:00:05.000 --> 00:00:02.000\nHi\n"),
                          "before it starts"),
    "out-of-order": (lambda d: _write(d / "t.vtt", "WEBVTT\n\n00:00:09.000 --> 00:00:10.000\nA\n\n"
                                      "00:00:02.000 --> 00:00:03.000\nB\n"), "time order"),
    "past-the-end": (lambda d: _write(d / "t.vtt", "WEBVTT\n\n01:00:00.000 --> 01:00:02.000\nLate\n"),
                     "past the end"),
    "ninety-nine-hours": (lambda d: _write(d / "t.srt", "1\n99:00:00,000 --> 99:00:01,000\nHi\n"), "line"),
    "minutes-over-59": (lambda d: _write(d / "t.vtt", "WEBVTT\n\n00:61:00.000 --> 00:62:00.000\nHi\n"), "line 3"),
    "header-only": (lambda d: _write(d / "t.vtt", "WEBVTT\n"), "no cues"),
    "only-tags": (lambda d: _write(d / "t.vtt", "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n<b></b>\n"), "no words"),
    "nul-in-the-middle": (lambda d: _write(d / "t.srt", "1\n00:00:01,000 --> 00:00:02,000\nHi" + "x" * 5000
                                           + "\0\n"), "NUL"),
    "a-device": (lambda d: Path("/dev/zero"), "too large"),
}


@pytest.mark.parametrize("kind", list(BAD_TRANSCRIPTS))
def test_a_bad_transcript_is_refused_and_the_session_keeps_its_own(lib, tmp_path, capfd, kind):
    make, message = BAD_TRANSCRIPTS[kind]
    source = tmp_path / "incoming"
    source.mkdir()
    transcript = make(source)
    before = files_under(lib.folder)
    line = assert_clean_failure(debrief(capfd, "import", lib.recording, transcript), message)
    assert transcript.name in line
    assert_untouched(before, lib.folder)
    assert json.loads(lib.transcript_file.read_text())["transcript"]["source"] == "truth"


UNUSUAL_BUT_VALID = {
    "unknown-vtt-tags": ("t.vtt", "WEBVTT\n\n00:00:01.000 --> 00:00:03.000\n<v Maria><c.yellow>Hello</c> <foo bar>"
                                  "there</foo> <lang en>friend</lang>\n", "Hello there friend"),
    "karaoke-timestamps": ("t.vtt", "WEBVTT\n\n00:00:01.000 --> 00:00:03.000\n<v Sam>One <00:00:01.500>two "
                                    "<00:00:02.000>three\n", "One two three"),
    "srt-font-and-ass-tags": ("t.srt", '1\n00:00:01,000 --> 00:00:03,000\n{\\an8}<font color="red">Loud</font> '
                                       "<i>and</i> clear\n", "Loud and clear"),
    "entities": ("t.vtt", "WEBVTT\n\n00:00:01.000 --> 00:00:03.000\n<v Maria>Fish &amp; chips &lt;3\n",
                 "Fish & chips <3"),
    "escape-sequences": ("t.vtt", "WEBVTT\n\n00:00:01.000 --> 00:00:03.000\n<v Eve\x1b]0;x\x07>Hi \x1b[2Jthere"
                                  "&#27;[31m\n", "Hi [2Jthere[31m"),
    "crlf-bom-utf16": ("t.srt", "\ufeff1\r\n00:00:01,000 --> 00:00:03,000\r\nGrüße\r\n".encode("utf-16"), "Grüße"),
}


@pytest.mark.parametrize("kind", list(UNUSUAL_BUT_VALID))
def test_unusual_but_valid_transcripts_import_as_clean_text(lib, tmp_path, capfd, kind):
    name, content, text = UNUSUAL_BUT_VALID[kind]
    path = _write(tmp_path / name, content)
    outcome = debrief(capfd, "import", lib.recording, path, "--force")
    assert outcome.status == 0, outcome.err
    assert "\x1b" not in outcome.out, "speaker names are printed without control characters"
    doc = json.loads(debrief(capfd, "export", lib.recording, "--format", "json").out)
    assert doc["segments"][0]["text"] == text
    assert all(ch.isprintable() for sp in doc["speakers"] for ch in sp["name"])


# -- 4. configs that are not configs -----------------------------------------------------------


BAD_CONFIGS: dict[str, tuple[bytes | None, str]] = {
    "not-toml": (b"[playback\nspeed = 1\n", "line 1"),
    "binary": (b"\x00\x01\x02\xff\xfe" * 100, "UTF-8"),
    "latin-1": ("[playback]\n# caf\xe9\n".encode("latin-1"), "not UTF-8"),
    "huge": (b"# " + b"x" * (1024 * 1024 + 10) + b"\n", "MB"),
    "unknown-setting": (b"[playback]\nsped = 1.5\n", "sped"),
    "wrong-type": (b"[playback]\nspeed = \"fast\"\n", "speed"),
    "impossible-value": (b"[playback]\nspeed = 9\n", "speed"),
    "unknown-backend": (b"[audio]\nbackend = \"alsa\"\n", "backend"),
    "bad-tag-colour": (b"[tags.strength]\ncolour = \"not-a-colour\"\n", "colour"),
    "folder": (None, "folder"),
}

CONFIG_COMMANDS = {
    "open": lambda rec: [rec],
    "transcribe": lambda rec: ["transcribe", rec],
    "export": lambda rec: ["export", rec, "--format", "md"],
    "config": lambda rec: ["config"],
}


@pytest.mark.parametrize(("kind", "command"), across(BAD_CONFIGS, CONFIG_COMMANDS, deepest="open",
                                                     representative=("not-toml", "unknown-setting")))
def test_a_broken_config_stops_the_command_with_its_line(lib, tmp_path, capfd, monkeypatch,
                                                          kind, command):
    content, message = BAD_CONFIGS[kind]
    config = tmp_path / "config.toml"
    if content is None:
        config.mkdir()
    else:
        config.write_bytes(content)
    monkeypatch.setenv("DEBRIEF_CONFIG", str(config))
    before = files_under(lib.folder)
    line = assert_clean_failure(debrief(capfd, *CONFIG_COMMANDS[command](lib.recording)), message)
    assert "config.toml" in line
    assert_untouched(before, lib.folder)


def test_doctor_reports_a_broken_config_instead_of_failing_on_it(lib, tmp_path, capfd,
                                                                 monkeypatch):
    config = tmp_path / "config.toml"
    config.write_bytes(b"[playback\n")
    monkeypatch.setenv("DEBRIEF_CONFIG", str(config))
    outcome = debrief(capfd, "doctor", lib.folder, "--no-tone")
    assert outcome.status == 1 and "Traceback" not in outcome.err
    assert "config.toml" in outcome.out


# -- 5. times and tags ------------------------------------------------------------------------


IMPOSSIBLE_TIMES = [
    (["--at", ""], "not a time"),
    (["--at", "abc"], "not a time"),
    (["--at", "-5"], "not a time"),
    (["--at", "1:2:3:4"], "not a time"),
    (["--at", "99:99"], "below 60"),
    (["--at", "1:60"], "below 60"),
    (["--at", "0:00:60"], "below 60"),
    (["--at", "nan"], "not a time"),
    (["--at", "inf"], "not a time"),
    (["--at", "1e3"], "not a time"),
    (["--at", "5:00"], "past the end"),
    (["--at", "1" * 400], "not a time"),
    (["--at", "1" * 400 + ":00:00"], "not a time"),
    (["--at", "1:14.5", "--to", "99"], "past the end"),
    (["--at", "10", "--to", "5"], "must be after"),
    (["--at", "10", "--to", "10"], "must be after"),
    (["--at", "\n"], "not a time"),
    (["--at", "5", "--tag", ""], "tag"),
    (["--at", "5", "--tag", "   "], "tag"),
]


@pytest.mark.parametrize(("args", "message"), IMPOSSIBLE_TIMES, ids=[repr(a)[:40] for a, _ in IMPOSSIBLE_TIMES])
def test_impossible_times_and_tags_are_refused_and_nothing_is_saved(lib, capfd, args, message):
    before = files_under(lib.folder)
    full = ["mark", lib.recording, *args]
    if "--tag" not in args:
        full += ["--tag", "growth-edge"]
    line = assert_clean_failure(debrief(capfd, *full), message)
    assert len(line) < 300, "the message quotes a short piece of what was typed"
    assert_untouched(before, lib.folder)


def test_a_tag_outside_the_vocabulary_is_kept_and_exported(lib, capfd):
    assert debrief(capfd, "mark", lib.recording, "--at", "20", "--tag", "brand-new tag", "--note", "ok").status == 0
    doc = json.loads(debrief(capfd, "export", lib.recording, "--format", "json", "--tag", "brand-new tag").out)
    assert [m["tag"] for m in doc["marks"]] == ["brand-new tag"]


def test_exporting_a_tag_nobody_used_says_so_or_exports_nothing(lib, capfd):
    outcome = debrief(capfd, "export", lib.recording, "--format", "json", "--tag", "never-used")
    if outcome.status == 0:
        assert json.loads(outcome.out)["marks"] == []
    else:
        assert_clean_failure(outcome, "never-used")


def test_a_refused_mark_on_a_new_recording_leaves_no_database(short_recording, capfd):
    before = files_under(short_recording.parent)
    assert_clean_failure(debrief(capfd, "mark", short_recording, "--at", "9:99", "--tag", "x"), "below 60")
    assert_untouched(before, short_recording.parent)


# -- 6. databases in every bad state -----------------------------------------------------------


def _damage_index(lib: Lib, data: bytes) -> None:
    lib.db.write_bytes(data)


DAMAGED_DATABASES: dict[str, tuple[Callable[[object], None], str]] = {
    "index-garbage": (lambda ws: _damage_index(ws, b"{\"sessions\": {\"a\": [1, 2"), "damaged"),
    "index-empty": (lambda ws: _damage_index(ws, b""), "empty"),
    "index-binary": (lambda ws: _damage_index(ws, os.urandom(64) + b"\xff"), "damaged"),
    "index-is-a-list": (lambda ws: _damage_index(ws, b"[1, 2, 3]"), "does not look like"),
    "index-from-newer-debrief": (lambda ws: _damage_index(ws, json.dumps(
        {"_meta": {"schema": {"kind": "debrief-library", "version": 99}}}).encode()), "newer Debrief"),
    "index-is-a-session-file": (lambda ws: _damage_index(ws, ws.session_file.read_bytes()), "not a library"),
    "session-truncated": (lambda ws: ws.session_file.write_bytes(ws.session_file.read_bytes()[:40]), "damaged"),
    "session-mark-without-start": (lambda ws: ws.session_file.write_text(json.dumps(
        {"_meta": {"schema": {"kind": "debrief-session", "version": 1}},
         "marks": {"m": {"id": "m", "start": None}}})), "malformed"),
    "session-mark-with-list-time": (lambda ws: ws.session_file.write_text(json.dumps(
        {"_meta": {"schema": {"kind": "debrief-session", "version": 1}},
         "marks": {"m": {"id": "m", "start": [1, 2]}}})), "malformed"),
    "session-mark-nan": (lambda ws: ws.session_file.write_text(
        '{"_meta": {"schema": {"kind": "debrief-session", "version": 1}}, "marks": {"m": {"id": "m", "start": NaN}}}'),
        "malformed"),
    "index-session-entry-broken": (lambda ws: _damage_index(ws, json.dumps(
        {"_meta": {"schema": {"kind": "debrief-library", "version": 1}},
         "sessions": {ws.session_id: {"title": "no id here", "duration": "long"}}}).encode()), "malformed"),
}

DB_COMMANDS = ("open", "import", "stats", "marks", "mark", "export")


@pytest.mark.parametrize(("kind", "command"), across(
    DAMAGED_DATABASES, DB_COMMANDS, deepest="mark",
    representative=("index-garbage", "index-from-newer-debrief", "session-truncated", "session-mark-without-start")))
def test_a_damaged_database_is_reported_and_left_exactly_as_it_was(lib, tmp_path, capfd,
                                                                    kind, command):
    damage, message = DAMAGED_DATABASES[kind]
    damage(lib)
    before = files_under(lib.folder)
    vtt = lib.vtt
    assert_clean_failure(debrief(capfd, *recording_commands(lib.recording, vtt)[command]), message)
    assert_untouched(before, lib.folder)


def test_a_damaged_transcript_cache_is_only_a_missing_transcript(lib, capfd):
    """The cache is regenerable: a damaged one reads as absent, and a new import replaces it."""
    cache = lib.transcript_file
    cache.write_bytes(b"{\"transcript\": {\"segments\": [{\"start\": ")
    assert_clean_failure(debrief(capfd, "export", lib.recording, "--format", "md"), "no transcript yet")
    assert debrief(capfd, "marks", lib.recording).status == 0
    vtt = lib.folder / "again.vtt"
    vtt.write_text(GOOD_VTT)
    assert debrief(capfd, "import", lib.recording, vtt).status == 0
    assert json.loads(cache.read_text())["transcript"]["segments"]


@pytest.mark.parametrize("where", ["folder", "named-pipe", "missing-folder-file"])
def test_a_database_path_that_cannot_be_a_database(short_recording, tmp_path, capfd, where):
    if where == "folder":
        db = tmp_path / "db-folder"
        db.mkdir()
        message = "folder"
    elif where == "named-pipe":
        db = tmp_path / "db.json"
        os.mkfifo(db)
        message = "not a regular file"
    else:
        blocker = tmp_path / "a-file"
        blocker.write_text("x")
        db = blocker / "debrief.json"
        message = "Not a directory"
    outcome = debrief(capfd, "mark", short_recording, "--at", "5", "--tag", "x", "--db", db)
    assert_clean_failure(outcome, message)


def deny_writes_under(monkeypatch, folder: Path) -> None:
    """What the system says to a user without write permission (root ignores chmod, so ask os.access)."""
    real_access = os.access

    def access(path, mode, *args, **kwargs):
        if mode & os.W_OK and os.path.abspath(path).startswith(str(folder)):
            return False
        return real_access(path, mode, *args, **kwargs)

    monkeypatch.setattr(os, "access", access)


def test_a_read_only_library_can_be_read_but_never_written(lib, tmp_path, capfd, monkeypatch):
    before = files_under(lib.folder)
    deny_writes_under(monkeypatch, lib.folder)
    listed = debrief(capfd, "marks", lib.recording, "--json")
    assert listed.status == 0 and [m["id"] for m in json.loads(listed.out)] == ["precious"]
    assert debrief(capfd, "stats", lib.recording).status == 0
    assert debrief(capfd, "export", lib.recording, "--format", "md").status == 0
    assert debrief(capfd, lib.recording).status == 0  # the reviewer opens, read-only
    assert_clean_failure(debrief(capfd, "mark", lib.recording, "--at", "5", "--tag", "x"), "read-only")
    vtt = lib.vtt
    assert_clean_failure(debrief(capfd, "import", lib.recording, vtt), "read-only")
    assert_untouched(before, lib.folder)


def test_a_read_only_file_system_refuses_the_write_and_says_so(lib, capfd, monkeypatch):
    """os.access says yes but the write fails (a read-only mount, an immutable file)."""
    before = files_under(lib.folder)

    def refuse(src, dst):
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(store_files.os, "replace", refuse)
    assert_clean_failure(debrief(capfd, "mark", lib.recording, "--at", "5", "--tag", "x"), "Read-only file system")
    monkeypatch.undo()
    assert_untouched(before, lib.folder)


@pytest.fixture
def disk_full(monkeypatch):
    """Every write of a temporary file fails with ENOSPC, as on a full disk."""
    real_write = store_files.os.write

    def write(fd, data):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            target = ""
        if store_files.TEMP_MARKER in target:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_write(fd, data)

    monkeypatch.setattr(store_files.os, "write", write)


@pytest.mark.parametrize("command", ["mark", "import", "export-to-file"])
def test_a_full_disk_loses_nothing_and_says_so(lib, tmp_path, capfd, disk_full, command):
    vtt = lib.vtt
    existing_export = lib.folder / "for-mentor.md"
    existing_export.write_text("last week's export\n")
    before = files_under(lib.folder)
    args = {
        "mark": ["mark", lib.recording, "--at", "5", "--tag", "x", "--note", "a thought"],
        "import": ["import", lib.recording, vtt, "--force"],
        "export-to-file": ["export", lib.recording, "--format", "md", "-o", existing_export],
    }[command]
    assert_clean_failure(debrief(capfd, *args), "full")
    assert_untouched(before, lib.folder)


def test_a_locked_session_refuses_a_write_after_waiting_but_can_still_be_read(lib, capfd, monkeypatch):
    """Another process holds the session's lock (a stuck writer): reading works, writing waits, then fails clearly."""
    from tui.store import locking

    real_init = locking.FileLock.__init__

    def impatient(self, data_path, *, timeout, modes):  # the 5 s default wait, shortened for the test
        real_init(self, data_path, timeout=min(timeout, 0.5), modes=modes)

    monkeypatch.setattr(locking.FileLock, "__init__", impatient)
    holder = subprocess.Popen([sys.executable, str(TOOLS / "hold_lock.py"), str(lib.session_file)],
                              stdout=subprocess.PIPE, text=True, cwd=ROOT,
                              env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        assert holder.stdout.readline().strip() == "held"
        before = files_under(lib.folder)
        listed = debrief(capfd, "marks", lib.recording, "--json")
        assert listed.status == 0 and [m["id"] for m in json.loads(listed.out)] == ["precious"]
        began = time.monotonic()
        assert_clean_failure(debrief(capfd, "mark", lib.recording, "--at", "5", "--tag", "x"), "lock")
        assert time.monotonic() - began < 30, "it gives up rather than hanging"
        assert_untouched(before, lib.folder)
    finally:
        holder.kill()
        holder.wait()


def test_a_locked_index_does_not_stop_anyone_reading(lib, capfd):
    holder = subprocess.Popen([sys.executable, str(TOOLS / "hold_lock.py"), str(lib.db)],
                              stdout=subprocess.PIPE, text=True, cwd=ROOT,
                              env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        assert holder.stdout.readline().strip() == "held"
        for args in (["marks", lib.recording], ["stats", lib.recording],
                     ["export", lib.recording, "--format", "md"]):
            outcome = debrief(capfd, *args)
            assert outcome.status == 0, outcome.err
        assert debrief(capfd, "mark", lib.recording, "--at", "5", "--tag", "x").status == 0, \
            "a mark goes to the session's own file, which nobody holds"
    finally:
        holder.kill()
        holder.wait()


# -- 7. where exports go --------------------------------------------------------------------


def test_export_to_impossible_places_says_why(lib, tmp_path, capfd):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    folder = tmp_path / "a-folder"
    folder.mkdir()
    for target, message in ((folder, "cannot write"), (blocker / "out.md", "Not a directory")):
        assert_clean_failure(debrief(capfd, "export", lib.recording, "--format", "md", "-o", target), message)
    assert blocker.read_text() == "not a folder" and list(folder.iterdir()) == []
    outcome = debrief(capfd, "export", lib.recording, "--format", "html", "--clips", blocker)
    assert outcome.status == 1 and "Traceback" not in outcome.err and blocker.read_text() == "not a folder"


def test_export_into_folders_that_do_not_exist_yet_makes_them_private(lib, tmp_path, capfd):
    target = tmp_path / "for mentor" / "week 3" / "notes.md"
    assert debrief(capfd, "export", lib.recording, "--format", "md", "-o", target).status == 0
    assert (target.stat().st_mode & 0o777) == 0o600
    assert (target.parent.stat().st_mode & 0o777) == 0o700 and (target.parent.parent.stat().st_mode & 0o777) == 0o700


@pytest.mark.parametrize("victim", ["recording", "database"])
def test_export_never_overwrites_the_recording_or_the_database(lib, capfd, victim):
    target = lib.recording if victim == "recording" else lib.db
    before = files_under(lib.folder)
    assert_clean_failure(debrief(capfd, "export", lib.recording, "--format", "md", "-o", target))
    assert_untouched(before, lib.folder)


# -- 8. files that change or vanish while in use -----------------------------------------------


def test_a_recording_that_disappears_while_it_is_being_opened(short_recording, capfd, monkeypatch):
    import tui.services.workspace as workspace

    real_probe = workspace.probe

    def probe_then_vanish(path):
        info = real_probe(path)
        Path(path).unlink()
        return info

    monkeypatch.setattr(workspace, "probe", probe_then_vanish)
    assert_clean_failure(debrief(capfd, "mark", short_recording, "--at", "5", "--tag", "x"), short_recording.name)


def test_a_recording_replaced_by_a_folder_while_it_is_being_opened(short_recording, capfd, monkeypatch):
    import tui.services.workspace as workspace

    real_probe = workspace.probe

    def probe_then_swap(path):
        info = real_probe(path)
        Path(path).unlink()
        Path(path).mkdir()
        return info

    monkeypatch.setattr(workspace, "probe", probe_then_swap)
    assert_clean_failure(debrief(capfd, "marks", short_recording), "regular file")


async def test_in_the_app_a_vanished_recording_is_a_notification_not_a_crash(lib):
    from tui.app.app import DebriefApp

    workspace = lib.workspace()
    review = silent_review(workspace)
    app = DebriefApp(review)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        lib.recording.unlink()
        await pilot.press("j", "space")
        await pilot.pause()
        messages = [n.message for n in app._notifications]
        assert any(lib.recording.name in m or "does not exist" in m for m in messages), messages
        assert app.is_running


async def test_in_the_app_a_full_disk_is_a_notification_and_the_marks_are_intact(lib, disk_full):
    from tui.app.app import DebriefApp

    workspace = lib.workspace()
    before = lib.session_file.read_bytes()
    app = DebriefApp(silent_review(workspace))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("j", "m")
        await app.workers.wait_for_complete()
        await pilot.pause()
        messages = [n.message for n in app._notifications]
        assert any("full" in m for m in messages), messages
        assert app.is_running
    assert lib.session_file.read_bytes() == before
    assert not [p for p in lib.folder.rglob("*") if ".tmp-" in p.name]


def test_a_library_folder_with_a_damaged_index_is_reported_by_every_folder_command(lib, capfd):
    lib.db.write_bytes(b"{ not json")
    before = files_under(lib.folder)
    for args in (["stats", lib.folder], ["export", lib.folder, "--format", "md"], [lib.folder]):
        assert_clean_failure(debrief(capfd, *args), "damaged")
    assert_untouched(before, lib.folder)


async def test_in_the_app_a_session_file_damaged_by_someone_else_is_reported_and_kept(lib):
    from tui.app.app import DebriefApp

    workspace = lib.workspace()
    review = silent_review(workspace)
    app = DebriefApp(review)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        damaged = b'{"marks": {"precious": {"start": 15.6, '
        lib.session_file.write_bytes(damaged)
        await pilot.pause(1.3)  # the app looks for other writers' changes every second
        messages = [n.message for n in app._notifications]
        assert any("damaged" in m for m in messages), messages
        assert app.is_running
        await pilot.press("q")
    assert lib.session_file.read_bytes() == damaged, "the damaged file is evidence: left exactly as it was"


# -- 9. a four-hour session -------------------------------------------------------------------


@pytest.fixture(scope="module")
def four_hours(tmp_path_factory) -> Path:
    """A real 4-hour CBR mp3 (8 kHz mono, 8 kbit/s, 14 MB), made once for this module in under a second."""
    return long_mp3(tmp_path_factory.mktemp("long") / "whole afternoon.mp3")


def test_a_four_hour_recording_opens_and_can_be_marked_near_its_end(four_hours, tmp_path, capfd):
    rec = tmp_path / four_hours.name
    shutil.copy(four_hours, rec)
    assert debrief(capfd, "mark", rec, "--at", "3:59:50", "--tag", "strength", "--note", "the last word").status == 0
    assert_clean_failure(debrief(capfd, "mark", rec, "--at", "4:00:30", "--tag", "x"), "past the end", "4:00:05")
    listed = debrief(capfd, "marks", rec)
    assert listed.status == 0 and listed.out.startswith("3:59:50")
    assert_clean_failure(debrief(capfd, "export", rec, "--format", "md"), "no transcript yet")
    assert debrief(capfd, rec).status == 0


# -- 10. what the screen draws comes from files anyone may have written ------------------------


async def test_the_screen_never_draws_control_characters_from_a_transcript(lib):
    from tui.app.app import DebriefApp
    from tui.core.model import Segment, Speaker, Transcript

    workspace = lib.workspace()
    hostile = Transcript(
        segments=(Segment(1.0, 3.0, "Hello \x1b]0;retitled\x07 there \x1b[2J", "S1"),
                  Segment(4.0, 6.0, "Fine\x07 thanks", "S2")),
        speakers=(Speaker("S1", "Eve\x1b[31m"), Speaker("S2", "Bob")), duration=74.0, source="hand-edited")
    workspace.save_transcript(hostile)
    app = DebriefApp(silent_review(workspace))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        drawn = "".join(segment.text for strip in app.screen._compositor.render_strips() for segment in strip)
        assert "Hello" in drawn
        assert not [ch for ch in drawn if ord(ch) < 0x20 or 0x7F <= ord(ch) < 0xA0]


# -- 11. no network, not even from native code ---------------------------------------------------


def test_the_speech_runtime_keeps_no_telemetry_and_calls_no_one(tmp_path):
    """Native code is out of reach of conftest's socket guard, so look for what its telemetry leaves behind.

    Measured with strace: about 9 s after the VAD model starts, onnxruntime resolves
    mobile.events.data.microsoft.com; meanwhile it queues events (OS, executable path,
    network type, a device id) in ~/.cache/Microsoft/DeveloperTools/.onnxruntime/ and writes a
    world-writable ``.ses`` file in the temp folder. With ORT_DISABLE_TELEMETRY=1 set before
    the import, none of this happens.
    """
    home, temp = tmp_path / "home", tmp_path / "tmp"
    home.mkdir()
    temp.mkdir()
    env = {**os.environ, "HOME": str(home), "XDG_CACHE_HOME": str(home / ".cache"), "TMPDIR": str(temp),
           "PYTHONPATH": str(ROOT)}
    env.pop("ORT_DISABLE_TELEMETRY", None)
    code = ("import tui.media.transcribe\n"  # what `debrief transcribe` and the app import first
            "from faster_whisper.vad import get_speech_timestamps\n"
            "import numpy\n"
            "get_speech_timestamps(numpy.zeros(16000, dtype=numpy.float32))\n")
    done = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    left = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if p.is_file())
    assert left == [], f"telemetry traces: {left}"
