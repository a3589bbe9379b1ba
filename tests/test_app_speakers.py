"""Doubt about who spoke, in the reviewer: seen on the row, reached in one key, fixed in one."""

from __future__ import annotations

from dataclasses import replace

from app_helpers import make_app, notifications, screen_text



def with_doubt(workspace, index: int, confidence: float = 0.2):
    """The workspace's transcript with one utterance the voice model was unsure of."""
    transcript = workspace.cached_transcript()
    segments = list(transcript.segments)
    segments[index] = replace(segments[index], speaker_confidence=confidence)
    workspace.save_transcript(replace(transcript, segments=tuple(segments)))
    return segments[index]


async def test_an_uncertain_speaker_is_shown_and_reached_with_bang_then_fixed_with_a_number(short_workspace):
    doubtful = with_doubt(short_workspace, 4)
    app = make_app(short_workspace)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert "≈" + app.review.transcript.speaker(doubtful.speaker).label[:7] in screen_text(app)
        await pilot.press("exclamation_mark")
        await pilot.pause()
        assert app.review.cursor == 4
        other = "2" if doubtful.speaker == "S1" else "1"
        await pilot.press(other)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "≈" not in screen_text(app)
        await pilot.press("exclamation_mark")
        await pilot.pause()
        assert "No utterance with an uncertain speaker" in notifications(app)


async def test_bang_is_in_help_and_in_the_palette(short_workspace):
    from tui.app.screens.help import HelpScreen

    app = make_app(short_workspace)
    async with app.run_test(size=(100, 40)) as pilot:
        titles = {cmd.title for cmd in app.get_system_commands(app.screen)}
        assert "move: Check speaker" in titles
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        listed = {(key, k.description) for k in app.screen._keys for key in k.keys.split(", ")}
        assert ("!", "Check speaker") in listed, listed


async def test_separating_again_with_one_person_relabels_every_row_and_keeps_marks(tmp_path):
    import shutil

    from conftest import REAL
    from tui.media.transcribe import Transcriber
    from tui.services.workspace import open_recording

    recording = tmp_path / "call.wav"
    shutil.copy(REAL / "two_speakers_phone.wav", recording)
    workspace = open_recording(recording)
    workspace.save_transcript(Transcriber(threads=2).transcribe(recording))
    assert len(workspace.cached_transcript().speakers) == 2
    app = make_app(workspace)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("m")
        await app.workers.wait_for_complete()
        await pilot.press("P")
        await pilot.pause()
        await pilot.press("down", "enter")  # "1 person"
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert len({s.speaker for s in app.review.segments}) == 1
        assert "1 speaker(s)" in notifications(app)
        assert len(app.review.marks) == 1
    assert len({s.speaker for s in open_recording(recording).cached_transcript().segments}) == 1
