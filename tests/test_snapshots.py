"""What the review screen looks like, at the smallest supported size and a comfortable one.

Update baselines deliberately with ``pytest tests/test_snapshots.py --snapshot-update``
and look at the report before committing them.
"""

from __future__ import annotations

import pytest


from tui.app.app import DebriefApp
from tui.core.model import Mark
from tui.media.playback import open_player
from tui.session.review import Review




@pytest.mark.parametrize("size", [(80, 24), (160, 48)], ids=["80x24", "160x48"])
def test_review_screen(snap_compare, review_app, size):
    assert snap_compare(review_app, terminal_size=size, press=["j", "j"])


def test_help_screen(snap_compare, review_app):
    assert snap_compare(review_app, terminal_size=(100, 40), press=["question_mark"])


async def _settle(pilot) -> None:
    for _ in range(3):
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
    for field in pilot.app.screen.query("Input, TextArea"):
        field.cursor_blink = False  # a blinking cursor would make the picture depend on timing
    await pilot.pause()


DIALOGS = {
    "name": ["j", "j", "R"],
    "details": ["I"],
    "reflection": ["i"],
    "note": ["j", "j", "n"],
    "retag": ["j", "j", "t"],
    "slice": ["F"],
    "merge": ["M"],
    "figures": ["s"],
    "help": ["question_mark"],
}


@pytest.mark.parametrize("dialog", list(DIALOGS))
def test_dialog_at_80x24(snap_compare, review_app, dialog):
    async def open_it(pilot):
        await _settle(pilot)
        for key in DIALOGS[dialog]:
            await pilot.press(key)
            await _settle(pilot)

    assert snap_compare(review_app, terminal_size=(80, 24), run_before=open_it)


@pytest.mark.parametrize("size", [(80, 24), (160, 48)], ids=["80x24", "160x48"])
def test_export_dialog(snap_compare, review_app, size):
    async def open_it(pilot):
        await _settle(pilot)
        await pilot.press("e")
        await _settle(pilot)
        pilot.app.screen.query_one("#export-path").value = "exports/short_session-notes.md"  # not the tmp path
        preview = pilot.app.screen.query_one("#export-markdown")
        for _ in range(50):  # the preview is rendered in a worker, then laid out: wait for both
            if preview.source and preview.children:
                break
            await pilot.pause(0.1)
        await _settle(pilot)
        await pilot.pause(0.2)

    assert snap_compare(review_app, terminal_size=size, run_before=open_it)


@pytest.fixture
def library_app(short_workspace):
    from tui.app.screens.library import LibraryContext
    from tui.services.catalog import open_library
    from tui.core.details import SessionDetails
    from tui.services.workspace import open_recording

    short_workspace.library.set("measures", [{"name": "SRS", "low": 0, "high": 40}])
    short_workspace.annotations.set("details", SessionDetails(title="Check-in", date="2026-11-09", consent="yes",
                                                              outcomes={"SRS": 34.0}).to_dict())
    short_workspace.annotations.add_mark(Mark("m1", 15.621, 17.858, "open-question", "", "coach", "2026-11-09T10:00:00Z"))
    folder = short_workspace.recording.parent
    player = open_player("silent")

    def review_of(path):
        ws = open_recording(path)
        return Review.open(ws, player)

    return DebriefApp(library=LibraryContext(folder, open_library(folder), review_of, None, player))


@pytest.mark.parametrize("size", [(80, 24), (160, 48)], ids=["80x24", "160x48"])
def test_library_screen(snap_compare, library_app, size):
    async def settle(pilot):
        await _settle(pilot)
        # The heading names the temporary folder: show a fixed one.
        pilot.app.screen.query_one("#library-heading").update("Library: ~/sessions")
        await pilot.pause()

    assert snap_compare(library_app, terminal_size=size, run_before=settle)
