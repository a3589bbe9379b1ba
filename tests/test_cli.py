"""The command line contract: what users and scripts rely on."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tui.cli import main


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """The real `debrief` command in a child process, as a user would run it."""
    env = {**os.environ, "DEBRIEF_AUDIO": "silent"}
    return subprocess.run([sys.executable, "-m", "tui.cli", *args], capture_output=True, text=True, cwd=cwd, env=env)


def test_mark_then_list_then_export(short_workspace, short_recording, capsys):
    rec = str(short_recording)
    assert main(["mark", rec, "--at", "0:16", "--to", "0:18", "--tag", "open-question", "--note", "Good one"]) == 0
    assert main(["mark", rec, "--at", "5", "--tag", "growth-edge"]) == 0
    capsys.readouterr()

    assert main(["marks", rec]) == 0
    listing = capsys.readouterr().out.splitlines()
    assert listing[0].startswith("00:05  growth-edge")
    assert listing[1].startswith("00:16–00:18  open-question") and "Good one" in listing[1]

    assert main(["marks", rec, "--json"]) == 0
    marks = json.loads(capsys.readouterr().out)
    assert [(m["start"], m["end"], m["tag"]) for m in marks] == [(5.0, None, "growth-edge"), (16.0, 18.0, "open-question")]

    assert main(["export", rec, "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["session"]["duration"] == pytest.approx(74.2, abs=0.5)
    assert {s["name"] for s in doc["speakers"]} == {"Maria", "Sam"}
    assert doc["segments"][0]["text"].startswith("Hi Sam")
    assert set(doc["marks"][0]) >= {"start", "end", "tag", "note", "author", "created"}
    assert doc["marks"][1]["note"] == "Good one"


def test_markdown_export_to_a_private_file(short_workspace, short_recording, tmp_path):
    rec = str(short_recording)
    assert main(["mark", rec, "--at", "15.7", "--tag", "open-question", "--note", "Asked *what* not why"]) == 0
    out = tmp_path / "for-mentor.md"
    assert main(["export", rec, "--format", "md", "-o", str(out)]) == 0
    text = out.read_text()
    assert (out.stat().st_mode & 0o777) == 0o600
    assert text.startswith("# ")
    assert "### 00:15 · open-question" in text
    assert "Asked \\*what\\* not why" in text
    assert "Maria:** What did you notice about the recorders?" in text  # the line around the mark
    assert "| Maria |" in text  # key figures


def test_command_line_runs_as_a_program(short_workspace, short_recording):
    done = run("marks", str(short_recording))
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "no marks"


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda d: d / "missing.ogg", "does not exist"),
        (lambda d: _write(d / "empty.mp3", b""), "empty"),
        (lambda d: _write(d / "notes.mp3", b"these are my private notes, not audio\n" * 50), "not"),
        (lambda d: d, "folder"),
    ],
    ids=["missing", "empty", "not-audio", "folder"],
)
def test_bad_recordings_give_one_clear_line_and_touch_nothing(tmp_path, make, message):
    target = make(tmp_path)
    done = run("mark", str(target), "--at", "1", "--tag", "x")
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("debrief: error: "), done.stderr
    assert message in lines[0]
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "debrief.json").exists()


@pytest.mark.parametrize(("at", "to", "message"), [("9:99", None, "not a time"), ("5:00", None, "past the end"),
                                                    ("10", "5", "must be after"), ("10", "2:00", "past the end")])
def test_impossible_times_are_refused_and_nothing_is_saved(short_workspace, short_recording, at, to, message, capsys):
    args = ["mark", str(short_recording), "--at", at, "--tag", "x"] + (["--to", to] if to else [])
    assert main(args) == 1
    err = capsys.readouterr().err
    assert err.startswith("debrief: error: ") and message in err
    assert short_workspace.annotations.marks() == []


def test_export_before_transcription_says_what_to_do(short_recording, capsys):
    assert main(["export", str(short_recording), "--format", "md"]) == 1
    assert "debrief transcribe" in capsys.readouterr().err


def test_usage_errors_are_one_line_too():
    done = run("mark")
    assert done.returncode == 2
    assert done.stderr.startswith("debrief: error:") and "Traceback" not in done.stderr


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def test_stats_of_a_recording_as_json(short_workspace, short_recording, capsys):
    assert main(["stats", str(short_recording), "--json"]) == 0
    stats = json.loads(capsys.readouterr().out)
    maria, sam = stats["speakers"]["S1"], stats["speakers"]["S2"]
    assert maria["name"] == "Maria" and maria["role"] == "coach" and sam["name"] == "Sam"
    for key in ("talk_seconds", "talk_share", "turns", "longest_turn_seconds", "questions", "open_questions",
                "closed_questions", "words_per_minute"):
        assert key in maria
    assert maria["talk_share"] + sam["talk_share"] == pytest.approx(1.0)
    assert maria["questions"] == maria["open_questions"] + maria["closed_questions"] > 0
    assert set(stats["wait_after_questions"]) >= {"median_seconds", "under_3s_share", "count"}
    assert stats["duration"] > stats["silence_seconds"] > 0


def test_stats_of_a_library_folder(short_workspace, short_recording, capsys):
    assert main(["stats", str(short_recording.parent)]) == 0
    out = capsys.readouterr().out
    assert "Check-in — lab group roles" in out and "Maria" in out and "wait after questions" in out


def test_config_shows_where_the_file_is_and_init_writes_a_private_one(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DEBRIEF_CONFIG", str(tmp_path / "conf" / "config.toml"))
    assert main(["config"]) == 0
    assert "config.toml" in capsys.readouterr().out
    assert main(["config", "--init"]) == 0
    written = tmp_path / "conf" / "config.toml"
    assert (written.stat().st_mode & 0o777) == 0o600
    assert main(["config", "--init"]) == 1  # never overwrites
    assert "debrief: error:" in capsys.readouterr().err


def test_a_broken_config_stops_the_app_with_the_line(tmp_path, monkeypatch, short_workspace, short_recording):
    conf = tmp_path / "config.toml"
    conf.write_text("[playback]\nspeed = 9\n")
    monkeypatch.setenv("DEBRIEF_CONFIG", str(conf))
    done = run(str(short_recording))
    assert done.returncode == 1
    assert done.stderr.startswith("debrief: error:") and "line 2" in done.stderr and "speed" in done.stderr


@pytest.mark.parametrize("fmt", ["md", "html", "csv", "json", "srt", "vtt"])
def test_every_export_format_is_written_private_and_holds_the_mark(short_workspace, short_recording, tmp_path, fmt):
    rec = str(short_recording)
    assert main(["mark", rec, "--at", "15.7", "--tag", "open-question", "--note", "asked what she noticed"]) == 0
    out = tmp_path / f"export.{fmt}"
    assert main(["export", rec, "--format", fmt, "-o", str(out)]) == 0
    text = out.read_text()
    assert (out.stat().st_mode & 0o777) == 0o600
    assert "recorders" in text  # the transcript travels (around the mark, or whole)
    if fmt not in ("srt", "vtt"):
        assert "asked what she noticed" in text
    if fmt == "vtt":
        assert text.startswith("WEBVTT") and "<v Maria>" in text


def test_deidentified_html_with_clips_leaks_no_name(short_workspace, short_recording, tmp_path):
    rec = str(short_recording)
    assert main(["mark", rec, "--at", "9.5", "--to", "15", "--tag", "growth-edge", "--note", "Sam mentions Jayden"]) == 0
    out, clips = tmp_path / "safe.html", tmp_path / "clips"
    assert main(["export", rec, "--format", "html", "--deidentify", "--redact", "Jayden", "--clips", str(clips),
                 "-o", str(out)]) == 0
    page = out.read_text()
    for name in ("Sam", "Maria", "Jayden", str(short_recording)):
        assert name not in page
    assert "data:audio/ogg;base64," in page
    files = list(clips.iterdir())
    assert len(files) == 1 and (files[0].stat().st_mode & 0o777) == 0o600


def test_a_series_of_a_library_folder_by_tag(short_workspace, short_recording, capsys):
    rec = str(short_recording)
    main(["mark", rec, "--at", "5", "--tag", "growth-edge"])
    main(["mark", rec, "--at", "20", "--tag", "strength", "--note", "clear next step"])
    capsys.readouterr()
    assert main(["export", str(short_recording.parent), "--format", "md", "--tag", "strength"]) == 0
    text = capsys.readouterr().out
    assert "All strength moments" in text and "clear next step" in text and "growth-edge" not in text


def test_import_attaches_a_webvtt_transcript_with_speaker_names(short_recording, tmp_path, capsys):
    vtt = tmp_path / "zoom.vtt"
    vtt.write_text("WEBVTT\n\n1\n00:00:01.000 --> 00:00:04.000\nMaria Lopez: How did it go?\n\n"
                   "2\n00:00:05.000 --> 00:00:08.000\nSam Park: Better than expected.\n")
    assert main(["import", str(short_recording), str(vtt)]) == 0
    assert "attached 2 utterances (Maria Lopez, Sam Park)" in capsys.readouterr().out
    assert main(["export", str(short_recording), "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert {s["name"] for s in doc["speakers"]} == {"Maria Lopez", "Sam Park"}
    assert doc["segments"][1]["text"] == "Better than expected."


def test_a_malformed_transcript_names_the_line_and_changes_nothing(short_workspace, short_recording, tmp_path, capsys):
    bad = tmp_path / "bad.srt"
    bad.write_text("1\n00:00:01,000 --> 00:00:02,000\nHello\n\n2\n00:00:03,000 -> nonsense\nWorld\n")
    assert main(["import", str(short_recording), str(bad)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("debrief: error:") and "line" in err
    assert short_workspace.cached_transcript().source == "truth"


def test_transcribing_a_folder_does_each_recording_once(tmp_path):
    import shutil

    from conftest import REAL

    (tmp_path / "term 1").mkdir()
    shutil.copy(REAL / "one_speaker_speech.flac", tmp_path / "term 1" / "speech.flac")
    (tmp_path / "notes.mp3").write_text("not a recording\n")
    first = run("transcribe", str(tmp_path))
    assert first.returncode == 0, first.stderr
    assert "speech.flac: 2 utterances" in first.stdout or "speech.flac: 1 utterance," in first.stdout
    again = run("transcribe", str(tmp_path))
    assert again.returncode == 0 and "already transcribed" in again.stdout
    assert "notes.mp3" not in first.stdout + again.stdout


def test_two_jobs_transcribe_a_folder_and_a_damaged_file_does_not_hold_back_the_rest(tmp_path):
    """``--jobs 2``: each recording in its own process, all saved; a damaged one is named, the exit code says so."""
    import shutil

    from conftest import REAL

    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        shutil.copy(REAL / "one_speaker_speech.flac", tmp_path / folder / "speech.flac")
    (tmp_path / "cut.flac").write_bytes((REAL / "one_speaker_speech.flac").read_bytes()[:3000])
    first = run("transcribe", str(tmp_path), "--jobs", "2")
    assert first.returncode == 1
    assert first.stdout.count("speech.flac: 1 utterance, 1 speaker(s)") == 2, first.stdout
    assert "cut.flac: not transcribed:" in first.stdout and "damaged" in first.stdout
    assert "1 of 3 recording(s) could not be transcribed" in first.stderr and "Traceback" not in first.stderr
    again = run("transcribe", str(tmp_path), "--jobs", "2")
    assert again.stdout.count("already transcribed") == 2


def test_a_damaged_recording_named_on_the_command_line_fails_before_any_work(tmp_path):
    from conftest import REAL

    (tmp_path / "cut.flac").write_bytes((REAL / "one_speaker_speech.flac").read_bytes()[:3000])
    (tmp_path / "whole.flac").write_bytes((REAL / "one_speaker_speech.flac").read_bytes())
    refused = run("transcribe", str(tmp_path / "whole.flac"), str(tmp_path / "cut.flac"))
    assert refused.returncode == 1 and refused.stderr.startswith("debrief: error:") and "cut.flac" in refused.stderr
    assert "saved" not in refused.stdout


def test_the_configured_batch_size_and_expected_people_reach_the_transcriber(short_recording, tmp_path, monkeypatch):
    """[transcription] batch_size and [speakers] expected are not just listed: transcribe uses them."""
    import tui.services.batch as batch

    config = tmp_path / "config.toml"
    config.write_text("[transcription]\nbatch_size = 8\n\n[speakers]\nexpected = 2\n")
    monkeypatch.setenv("DEBRIEF_CONFIG", str(config))
    seen: dict = {}
    real = batch.Transcriber

    def spy(*args, **kwargs):
        seen.update(kwargs)
        return real(*args, **kwargs)

    monkeypatch.setattr(batch, "Transcriber", spy)
    asked: dict = {}
    monkeypatch.setattr(batch, "transcribe_one", lambda *a, **k: asked.update(speakers=a[4]) or
                        batch.Done(a[0], 1, 2, "en", None))
    assert main(["transcribe", str(short_recording)]) == 0
    assert seen["batch_size"] == 8 and asked["speakers"] == 2
