"""Transcribing a whole library from its screen (`t`), through the same loop as `debrief transcribe`."""

from __future__ import annotations

import shutil
from pathlib import Path

from app_helpers import make_library_app
from tui.app.app import DebriefApp
from tui.app.screens.library import LibraryScreen
from tui.core.model import Segment, Speaker, Transcript
from tui.errors import TranscriptError

SAMPLES = Path(__file__).resolve().parent.parent / "sample_sessions"


class FakeTranscriber:
    """Says one line per recording; refuses the ones named in ``broken``; can stop like the user pressing x."""

    def __init__(self, broken: tuple[str, ...] = (), stop_during: str = "") -> None:
        self.broken = broken
        self.stop_during = stop_during
        self.asked: list[str] = []

    def transcribe(self, path, *, num_speakers=None, voices=None, on_progress=None, cancel=None):
        self.asked.append(Path(path).name)
        if Path(path).name in self.broken:
            raise TranscriptError("the recording could not be decoded")
        if on_progress:
            on_progress(5.0, 10.0)
        if Path(path).name == self.stop_during and cancel is not None:
            cancel.set()
            return Transcript(duration=10.0, complete=False)
        return Transcript(segments=(Segment(0.0, 1.0, "hello", "S1"),), speakers=(Speaker("S1"),), duration=10.0)


def library_app(tmp_path: Path, transcriber: FakeTranscriber) -> tuple[DebriefApp, Path]:
    folder = tmp_path / "library"
    folder.mkdir()
    for name in ("coaching_session.ogg", "short_session.ogg"):
        shutil.copy(SAMPLES / name, folder / name)
    return make_library_app(folder, lambda: transcriber), folder


def transcribed(app: DebriefApp) -> dict[str, str]:
    return {Path(key).name: row.transcribed for key, row in app.screen._rows.items()}


async def transcribe_all(app: DebriefApp, pilot) -> list[str]:
    shown: list[str] = []
    real_notify = app.notify
    app.notify = lambda message, **kwargs: (shown.append(str(message)), real_notify(message, **kwargs))[1]
    await app.workers.wait_for_complete()
    await pilot.pause()
    assert isinstance(app.screen, LibraryScreen)
    await pilot.press("t")
    await app.workers.wait_for_complete()
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()
    return shown


async def test_a_recording_that_fails_is_reported_and_the_rest_are_still_transcribed(tmp_path):
    transcriber = FakeTranscriber(broken=("coaching_session.ogg",))
    app, _ = library_app(tmp_path, transcriber)
    async with app.run_test(size=(140, 30)) as pilot:
        shown = await transcribe_all(app, pilot)
        assert transcriber.asked == ["coaching_session.ogg", "short_session.ogg"]
        assert transcribed(app) == {"coaching_session.ogg": "no", "short_session.ogg": "yes"}
        assert any("coaching_session.ogg: not transcribed: the recording could not be decoded" in m for m in shown)
        assert "Transcribed 1 session(s)." in shown
        assert not app.screen.query_one("#batch").display


async def test_stopping_keeps_nothing_half_done_and_starts_no_other_recording(tmp_path):
    transcriber = FakeTranscriber(stop_during="coaching_session.ogg")
    app, _ = library_app(tmp_path, transcriber)
    async with app.run_test(size=(140, 30)) as pilot:
        shown = await transcribe_all(app, pilot)
        assert transcriber.asked == ["coaching_session.ogg"]
        assert transcribed(app) == {"coaching_session.ogg": "no", "short_session.ogg": "no"}
        assert "Transcribed 0 session(s) (stopped)." in shown
