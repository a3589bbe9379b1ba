"""A half-typed note survives a dropped connection and is offered on the next open."""

from __future__ import annotations

import os
import signal

from app_helpers import make_app, notifications

from tui.app.screens.note_editor import NoteEditor
from tui.services.workspace import open_recording


async def test_typing_keeps_a_draft_that_the_next_open_offers(short_workspace, short_recording):
    app = make_app(short_workspace)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("j", "j", "n")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, NoteEditor)
        await pilot.press(*"She noticed the recor")
        await pilot.pause(NoteEditor.DRAFT_DELAY + 0.3)
        await app.workers.wait_for_complete()
        draft = open_recording(short_recording).annotations.get("draft")
        assert draft["text"] == "She noticed the recor"
        app.exit()  # as if the session ended without the note being closed

    again = make_app(open_recording(short_recording))
    async with again.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert "unsaved note" in notifications(again)
        assert again.review.cursor == 2
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(again.screen, NoteEditor) and again.screen.text == "She noticed the recor"
        await pilot.press(*"ders", "enter")
        await again.workers.wait_for_complete()
        await pilot.pause()
        assert again.review.marks[0].note == "She noticed the recorders"
    assert open_recording(short_recording).annotations.get("draft") is None


async def test_sighup_while_typing_keeps_every_character(short_workspace, short_recording):
    app = make_app(short_workspace)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("n")
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press(*"typed just before the link dropped")
        os.kill(os.getpid(), signal.SIGHUP)  # no pause: the debounce has not fired
        await pilot.pause()
    draft = open_recording(short_recording).annotations.get("draft")
    assert draft["text"] == "typed just before the link dropped"
    assert app.return_code == 128 + signal.SIGHUP
