"""A mentor's feedback, imported with `debrief import`, as the coach finds it in the app."""

from __future__ import annotations

import json

from app_helpers import make_app, notifications
from test_feedback import feedback
from tui.app.widgets.notes import NotesPane
from tui.cli import main
from tui.services.feedback import unread_feedback


def import_from_page(workspace, tmp_path, capfd) -> None:
    path = tmp_path / "Downloads" / "session.feedback.json"
    path.parent.mkdir()
    path.write_text(json.dumps(feedback(workspace.info.id)))
    assert main(["import", str(path), "--db", str(workspace.library.db_path)]) == 0
    assert "4" in capfd.readouterr().out


async def test_the_coach_sees_the_mentors_comments_as_hers_and_can_take_her_practice(short_workspace, tmp_path, capfd):
    import_from_page(short_workspace, tmp_path, capfd)
    app = make_app(short_workspace)
    async with app.run_test(size=(120, 36)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        told = notifications(app)
        assert "4 comment(s) from Dana Mentor" in told
        assert "Count to five after each question." in told
        notes = app.query_one(NotesPane)
        shown = [str(notes.get_option_at_index(i).prompt) for i in range(notes.option_count)]
        mentor_rows = [row for row in shown if "from Dana Mentor" in row]
        assert len(mentor_rows) == 4
        assert any("Ask: what did you notice?" in row for row in mentor_rows)
        assert unread_feedback(short_workspace.annotations) == 0  # opened: the library's count clears

        await pilot.press("i", "ctrl+g", "ctrl+s")
        await app.workers.wait_for_complete()
        await pilot.pause()
    assert short_workspace.reflection()[0] == "Count to five after each question."


async def test_the_coachs_own_marks_are_not_shown_as_a_mentors(short_workspace):
    app = make_app(short_workspace, author="coach")
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("m")
        await app.workers.wait_for_complete()
        await pilot.pause()
        notes = app.query_one(NotesPane)
        shown = [str(notes.get_option_at_index(i).prompt) for i in range(notes.option_count)]
        assert shown and not any(" from " in row for row in shown)
        assert "Feedback from your mentor" not in notifications(app, titles=True)


async def test_the_library_imports_feedback_shows_it_unread_and_adopts_the_practice(short_workspace, tmp_path):
    from textual.widgets import DataTable, Static

    from app_helpers import make_library_app
    from test_library import wait_workers
    from tui.app.screens.library import LibraryScreen
    from tui.app.screens.review import ReviewScreen

    folder = short_workspace.recording.parent
    saved = tmp_path / "Downloads" / "from-dana.json"
    saved.parent.mkdir()
    saved.write_text(json.dumps(feedback(short_workspace.info.id)))
    app = make_library_app(folder)
    row = str(short_workspace.recording)
    async with app.run_test(size=(160, 40)) as pilot:
        await wait_workers(app, pilot)
        await pilot.press("i")
        await pilot.pause()
        for char in str(saved):
            await pilot.press(char)
        await pilot.press("enter")
        await wait_workers(app, pilot)
        await wait_workers(app, pilot)
        assert "imported Dana Mentor's feedback" in notifications(app)
        table = app.screen.query_one(DataTable)
        assert "✉ 4 new" in str(table.get_cell(row, "marks"))
        goal = str(app.screen.query_one("#goal", Static).content)
        assert "Dana Mentor suggests as next practice: “Count to five after each question.”" in goal

        await pilot.press("a")
        await wait_workers(app, pilot)
        assert short_workspace.reflection()[0] == "Count to five after each question."
        assert "suggests" not in str(app.screen.query_one("#goal", Static).content)

        await pilot.press("enter")  # open the session: the comments are read
        await wait_workers(app, pilot)
        assert isinstance(app.screen, ReviewScreen)
        await pilot.press("escape")
        await wait_workers(app, pilot)
        await wait_workers(app, pilot)
        assert isinstance(app.screen, LibraryScreen)
        assert "✉" not in str(app.screen.query_one(DataTable).get_cell(row, "marks"))
