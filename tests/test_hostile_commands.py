"""Issue 18, one test per finding: the terminal, replacing, refused commands, symlinks, modes, numbers.

Each refused command is checked the way the rest of the hostile-input suite checks it:
one ``debrief: error:`` line, no traceback, and not one byte of the store changed
(every file of the library hashed before and after).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import stat

import pytest

from conftest import SAMPLES
from hostile_media import random_bytes
from test_hostile_inputs import (  # noqa: F401  (lib and pristine are fixtures)
    GOOD_VTT,
    assert_clean_failure,
    assert_untouched,
    debrief,
    debrief_process,
    files_under,
    lib,
    pristine,
)

RAW = ("\x1b", "\x07", "\x9b", "\x9d")

OSC_NOTE = "x \x1b]52;c;ZWNobyBwd25lZA==\x07 \x1b[2J \x1b]0;PWNED\x07"
"""The note of the issue: a clipboard write, a screen clear and a window title."""


def no_raw_controls(*texts: str) -> bool:
    return not any(c in text for text in texts for c in RAW)


# -- 1. escape sequences in notes and tags -----------------------------------------------------


def test_the_issue_s_note_is_stored_as_typed_and_exported_harmless(lib, tmp_path, capfd):
    assert debrief(capfd, "mark", lib.recording, "--at", "5", "--tag", "growth-edge", "--note", OSC_NOTE).status == 0
    stored = json.loads(debrief(capfd, "marks", lib.recording, "--json").out)
    assert OSC_NOTE in [m["note"] for m in stored], "the stored note is exactly what was typed"
    shown = debrief(capfd, "export", lib.recording, "--format", "md")
    assert shown.status == 0 and no_raw_controls(shown.out, shown.err)
    assert "␛]52;c;ZWNobyBwd25lZA==␇ ␛[2J ␛]0;PWNED␇" in re.sub(r"\\(.)", r"\1", shown.out)  # Markdown escapes [ ]
    for fmt in ("md", "csv", "html"):
        target = tmp_path / f"notes.{fmt}"
        assert debrief(capfd, "export", lib.recording, "--format", fmt, "-o", target).status == 0
        assert no_raw_controls(target.read_text(encoding="utf-8")), f"raw ESC in the {fmt} file"


def test_the_issue_s_commands_in_a_real_process_send_no_escape_byte(lib, tmp_path):
    """The whole process, as a user runs it: every byte on stdout and stderr (fd level, any library)."""
    assert debrief_process("mark", lib.recording, "--at", "5", "--tag", "growth-edge", "--note", OSC_NOTE).status == 0
    for args in (["export", lib.recording, "--format", "md"], ["marks", lib.recording],
                 ["mark", lib.recording, "--at", "5", "--tag", "a\n\x1b[31mb"]):
        outcome = debrief_process(*args)
        assert no_raw_controls(outcome.out, outcome.err), args


@pytest.mark.parametrize("tag", ["a\n\x1b[31mb", "x\x1b]0;t\x07", "tab\there", "right\u202eleft", "zero\u200bwidth",
                                 "bom\ufeff", "c1\x9b2J"],
                         ids=["newline-csi", "osc", "tab", "bidi", "zero-width", "bom", "c1"])
def test_a_tag_with_control_bidi_or_hidden_characters_is_refused_at_the_door(lib, capfd, tag):
    before = files_under(lib.folder)
    outcome = debrief(capfd, "mark", lib.recording, "--at", "5", "--tag", tag)
    line = assert_clean_failure(outcome, "--tag", "U+")
    assert no_raw_controls(outcome.err) and "\u202e" not in line and "\u200b" not in line
    assert_untouched(before, lib.folder)


# -- 2. paths printed raw ----------------------------------------------------------------------


EVIL_DIR = "evil\x1b]0;PWNED\x07\x1b[2Jdir"


def test_doctor_and_export_show_a_hostile_folder_name_harmlessly(lib, tmp_path, capfd):
    evil = tmp_path / EVIL_DIR
    evil.mkdir()
    shutil.copy(lib.recording, evil / "session.ogg")
    shutil.copy(lib.vtt, evil / "t.vtt")
    assert debrief(capfd, "import", evil / "session.ogg", evil / "t.vtt").status == 0
    doctor = debrief(capfd, "doctor", evil, "--no-tone")
    assert no_raw_controls(doctor.out, doctor.err), "doctor printed the folder name raw"
    assert "evil␛]0;PWNED␇␛[2Jdir" in doctor.out
    exported = debrief(capfd, "export", evil / "session.ogg", "--format", "md", "-o", evil / "out.md")
    assert exported.status == 0 and no_raw_controls(exported.out, exported.err), "`wrote …` printed the path raw"
    assert "evil␛]0;PWNED␇␛[2Jdir" in exported.err
    clips = debrief(capfd, "export", evil / "session.ogg", "--format", "md", "--clips", evil / "clips")
    assert clips.status == 0 and no_raw_controls(clips.err)


# -- 3. import replaces a transcript only when asked, and keeps the old one ----------------------


ONE_CUE = "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n<v Eve>Only this.\n"


def test_import_over_a_transcript_is_refused_without_force(lib, tmp_path, capfd):
    one = tmp_path / "one.vtt"
    one.write_text(ONE_CUE)
    before = files_under(lib.folder)
    line = assert_clean_failure(debrief(capfd, "import", lib.recording, one), "--force", "already has a transcript")
    assert "15 utterances" in line, "the error says what would be replaced"
    assert_untouched(before, lib.folder)


def test_import_with_force_keeps_the_replaced_transcript_and_says_so(lib, tmp_path, capfd):
    one = tmp_path / "one.vtt"
    one.write_text(ONE_CUE)
    old = lib.transcript_file.read_bytes()
    outcome = debrief(capfd, "import", lib.recording, one, "--force")
    assert outcome.status == 0, outcome.err
    assert "replaced 15 utterances" in outcome.out
    kept = [p for p in lib.transcript_file.parent.iterdir() if ".replaced-" in p.name]
    assert len(kept) == 1 and kept[0].read_bytes() == old, "the replaced transcript is kept byte for byte"
    assert kept[0].name in outcome.out
    assert stat.S_IMODE(kept[0].stat().st_mode) == 0o600
    assert len(json.loads(lib.transcript_file.read_text())["transcript"]["segments"]) == 1


def test_a_damaged_transcript_is_replaced_without_force_but_still_kept(lib, tmp_path, capfd):
    damaged = b'{"transcript": {"segments": [{"start": '
    lib.transcript_file.write_bytes(damaged)
    one = tmp_path / "one.vtt"
    one.write_text(ONE_CUE)
    outcome = debrief(capfd, "import", lib.recording, one)
    assert outcome.status == 0, outcome.err
    kept = [p for p in lib.transcript_file.parent.iterdir() if ".replaced-" in p.name]
    assert [p.read_bytes() for p in kept] == [damaged] and "damaged" in outcome.out


def test_an_identical_copy_shares_the_session_and_the_refusal_says_so(lib, tmp_path, capfd):
    copy = lib.folder / "copy of session.ogg"
    shutil.copy(lib.recording, copy)
    assert debrief(capfd, "mark", lib.recording, "--at", "3", "--tag", "x").status == 0  # both paths known
    assert debrief(capfd, "mark", copy, "--at", "4", "--tag", "x").status == 0
    one = tmp_path / "one.vtt"
    one.write_text(ONE_CUE)
    before = files_under(lib.folder)
    line = assert_clean_failure(debrief(capfd, "import", copy, one), "--force")
    assert lib.recording.name in line, "the error names the other recording whose transcript would go too"
    assert_untouched(before, lib.folder)


# -- 4. a failed or read-only command writes nothing --------------------------------------------


def test_a_failed_import_does_not_touch_the_database(tmp_path, capfd):
    folder = tmp_path / "lib"
    folder.mkdir()
    recording = folder / "my session.ogg"
    shutil.copy(SAMPLES / "short_session.ogg", recording)
    assert debrief(capfd, "mark", recording, "--at", "5", "--tag", "x").status == 0
    image = random_bytes(folder / "image.mp3")
    os.utime(recording, ns=(1, 1))  # a changed file: opening it again would re-record its identity
    before = files_under(folder)
    assert_clean_failure(debrief(capfd, "import", recording, image))
    assert_untouched(before, folder)


def test_a_failed_import_into_a_new_folder_creates_no_database(tmp_path, capfd):
    recording = tmp_path / "new.ogg"
    shutil.copy(SAMPLES / "short_session.ogg", recording)
    image = random_bytes(tmp_path / "image.mp3")
    assert_clean_failure(debrief(capfd, "import", recording, image))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["image.mp3", "new.ogg"]


@pytest.mark.parametrize("command", [["marks"], ["stats"], ["export", "--format", "md"]])
def test_a_reading_command_on_a_new_recording_creates_nothing(tmp_path, capfd, command):
    recording = tmp_path / "new.ogg"
    shutil.copy(SAMPLES / "short_session.ogg", recording)
    outcome = debrief(capfd, command[0], recording, *command[1:])
    assert outcome.status in (0, 1) and "Traceback" not in outcome.err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["new.ogg"]


def test_doctor_writes_nothing_into_the_library(lib, capfd):
    before = files_under(lib.folder)
    stamps = {p: p.stat().st_mtime_ns for p in before}
    outcome = debrief(capfd, "doctor", lib.folder, "--no-tone")
    assert "Traceback" not in outcome.err and "database lock" in outcome.out
    assert_untouched(before, lib.folder)
    assert {p: p.stat().st_mtime_ns for p in before} == stamps, "doctor rewrote a file (same bytes, new time)"


# -- 5. a symlinked database never makes files beside its target ---------------------------------


def test_a_symlink_to_a_file_that_is_no_database_leaves_its_folder_alone(short_recording, tmp_path, capfd):
    system = tmp_path / "etc"
    system.mkdir()
    target = system / "passwd"
    target.write_text("root:x:0:0:root:/root:/bin/bash\n")
    link = short_recording.parent / "debrief.json"
    link.symlink_to(target)
    outcome = debrief(capfd, "mark", short_recording, "--at", "5", "--tag", "x")
    assert_clean_failure(outcome, "damaged")
    assert sorted(p.name for p in system.iterdir()) == ["passwd"], "a file was made beside the link's target"
    assert target.read_text() == "root:x:0:0:root:/root:/bin/bash\n"
    assert not (short_recording.parent / "debrief.json.d").exists(), "the refused command made the data folder"


# -- 6. an export over an existing file is private afterwards -------------------------------------


@pytest.mark.parametrize("mode", [0o666, 0o644, 0o640])
def test_an_export_over_an_existing_file_is_0600(lib, tmp_path, capfd, mode):
    target = tmp_path / "for-mentor.md"
    target.write_text("last week\n")
    os.chmod(target, mode)
    assert debrief(capfd, "export", lib.recording, "--format", "md", "-o", target).status == 0
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


# -- 7. numbers, dashes, config, hidden characters in names -----------------------------------------


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "1e308", "-5", "601", "١٥", "abc"])
@pytest.mark.parametrize("option", ["--context", "--pre-roll", "--post-roll"])
def test_impossible_seconds_for_an_export_are_refused(lib, capfd, option, value):
    outcome = debrief(capfd, "export", lib.recording, "--format", "md", "--tag", "open-question", f"{option}={value}")
    assert_clean_failure(outcome, option, status=2)


def test_a_negative_context_is_refused_even_when_there_are_no_marks(tmp_path, capfd):
    from conftest import truth_transcript
    from tui.services.workspace import open_recording

    recording = tmp_path / "s.ogg"
    shutil.copy(SAMPLES / "short_session.ogg", recording)
    open_recording(recording).save_transcript(truth_transcript("short_session")[0])
    assert_clean_failure(debrief(capfd, "export", recording, "--format", "md", "--context", "-5"), "--context",
                         status=2)


@pytest.mark.parametrize("at", ["٣", "３", "1:٠٥", "𝟓"])
def test_a_time_in_other_digits_is_refused_not_misread(lib, capfd, at):
    before = files_under(lib.folder)
    assert_clean_failure(debrief(capfd, "mark", lib.recording, "--at", at, "--tag", "x"), "not a time", "0-9")
    assert_untouched(before, lib.folder)


def test_output_dash_is_standard_output(lib, tmp_path, capfd, monkeypatch):
    monkeypatch.chdir(tmp_path)
    outcome = debrief(capfd, "export", lib.recording, "--format", "md", "-o", "-")
    assert outcome.status == 0 and outcome.out.startswith("# ")
    assert not (tmp_path / "-").exists(), "a file named - was written"


def test_a_recording_named_with_a_leading_dash_gets_a_way_out(tmp_path, capfd, monkeypatch):
    monkeypatch.chdir(tmp_path)
    shutil.copy(SAMPLES / "short_session.ogg", tmp_path / "-dash.ogg")
    line = assert_clean_failure(debrief(capfd, "mark", "-dash.ogg", "--at", "5", "--tag", "x"), status=2)
    assert "./-dash.ogg" in line
    assert debrief(capfd, "mark", "./-dash.ogg", "--at", "5", "--tag", "x").status == 0


@pytest.mark.parametrize("command", [["mark", "--at", "5", "--tag", "x"], ["marks"], ["stats"], ["import"]])
def test_every_command_refuses_a_broken_config(lib, tmp_path, capfd, monkeypatch, command):
    config = tmp_path / "config.toml"
    config.write_bytes(b"[playback\n")
    monkeypatch.setenv("DEBRIEF_CONFIG", str(config))
    args = [command[0], lib.recording, *command[1:]]
    if command[0] == "import":
        args += [lib.vtt, "--force"]
    before = files_under(lib.folder)
    line = assert_clean_failure(debrief(capfd, *args))
    assert "config.toml" in line
    assert_untouched(before, lib.folder)


def test_a_zero_width_space_in_a_name_does_not_stop_a_deidentified_export(lib, capfd):
    ws = lib.workspace()
    names = ws.speaker_names()
    first = sorted(names)[0]
    names[first] = {**names[first], "name": "Li\u200bSa"}
    ws.annotations.set("speakers", names)
    for fmt in ("html", "md", "csv", "json"):
        outcome = debrief(capfd, "export", lib.recording, "--format", fmt, "--deidentify")
        assert outcome.status == 0, outcome.err
        assert "LiSa" not in outcome.out.replace("\u200b", "").replace("<U+200B>", "")


def test_a_refusal_names_a_hidden_character_instead_of_hiding_it(lib, capfd):
    outcome = debrief(capfd, "export", lib.recording, "--format", "md", "--deidentify", "--redact", "J\u200b")
    line = assert_clean_failure(outcome, "too short")
    assert "U+200B ZERO WIDTH SPACE" in line and "\u200b" not in line


def test_the_store_refuses_a_hostile_tag_from_any_route_but_keeps_a_planted_one_editable(lib):
    """The app saves marks through the same store: the door is there, not only in the CLI."""
    from tui.core.model import Mark
    from tui.errors import StoreError

    annotations = lib.workspace().annotations
    before = files_under(lib.folder)
    with pytest.raises(StoreError, match="U\\+202E"):
        annotations.add_mark(Mark("new", 5.0, None, "right\u202eleft"))
    with pytest.raises(StoreError, match="U\\+001B"):
        annotations.update_mark("precious", tag="\x1b[2J")
    assert_untouched(before, lib.folder)
    data = json.loads(lib.session_file.read_text())
    data["marks"]["precious"]["tag"] = "old\x1b[31m"  # written by an older Debrief, or by hand
    lib.session_file.write_text(json.dumps(data))
    assert annotations.update_mark("precious", note="still editable").note == "still editable"
