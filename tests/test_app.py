"""Driving the reviewer from the keyboard, as a coach would."""

from __future__ import annotations


from tui.app.app import DebriefApp
from tui.app.screens.help import HelpScreen
from tui.app.screens.note_editor import NoteEditor
from tui.app.widgets.notes import NotesPane
from tui.app.widgets.timeline import SpeakerTimeline
from tui.app.widgets.transcript import TranscriptView
from tui.media.playback import open_player
from tui.session.review import Review

from app_helpers import make_app, notifications, screen_text, silent_review
from tui.services.workspace import open_recording


async def test_the_screen_shows_transcript_timeline_notes_and_status(short_workspace):
    app = make_app(short_workspace)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        transcript = app.query_one(TranscriptView)
        assert transcript.has_focus
        assert app.query_one(SpeakerTimeline).region.width > 0
        assert app.query_one(NotesPane).region.width > 0
        shot = screen_text(app)
        assert "Hi Sam. Quick check in" in shot
        assert "Maria" in shot and "Sam" in shot
        assert "audio:" in shot and "silent" in shot


async def test_moving_with_j_and_k_changes_the_cursor_row(short_workspace):
    app = make_app(short_workspace)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("j", "j", "down")
        assert app.review.cursor == 3
        await pilot.press("k")
        assert app.review.cursor == 2
        await pilot.press("G")
        assert app.review.cursor == len(app.review.segments) - 1
        await pilot.press("g")
        assert app.review.cursor == 0


async def test_m_marks_the_cursor_row_durably_and_it_survives_reopening(short_workspace, short_recording):
    app = make_app(short_workspace)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("j", "j")
        target = app.review.current
        await pilot.press("m")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert [m.start for m in app.review.marks] == [target.start]
        assert "growth-edge" in screen_text(app)
        await pilot.press("q")
    reopened = open_recording(short_recording)
    marks = reopened.annotations.marks()
    assert len(marks) == 1
    assert marks[0].start == target.start and marks[0].end == target.end
    assert marks[0].tag == "growth-edge" and marks[0].author


async def test_n_writes_a_note_on_the_mark_and_esc_asks_before_discarding_it(short_workspace, short_recording):
    app = make_app(short_workspace)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("j", "m")
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, NoteEditor)
        await pilot.press(*"I rushed in")
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, NoteEditor)  # typed text is never dropped on one esc
        assert "esc again discards" in screen_text(app)
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.review.marks[0].note == "I rushed in"
    assert open_recording(short_recording).annotations.marks()[0].note == "I rushed in"


async def test_n_on_an_unmarked_row_marks_it_and_opens_the_note(short_workspace):
    app = make_app(short_workspace)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("n")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, NoteEditor)
        await pilot.press(*"good open question", "enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert [m.note for m in app.review.marks] == ["good open question"]


async def test_space_plays_from_the_cursor_and_the_playing_row_advances(short_workspace):
    app = make_app(short_workspace)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("j")
        start = app.review.current.start
        await pilot.press("space")
        assert app.review.playing
        await pilot.pause(0.5)
        assert app.review.playhead > start
        await pilot.press("space")
        assert not app.review.playing
        stopped = app.review.playhead
        await pilot.pause(0.3)
        assert app.review.playhead == stopped
        assert "paused" in screen_text(app)


async def test_follow_mode_moves_the_cursor_with_the_audio(short_workspace):
    app = make_app(short_workspace)
    async with app.run_test(size=(100, 30)) as pilot:
        app.review.speed = 2.5
        first = app.review.segments[0]
        second = app.review.segments[1]
        app.review.go_to_index(0)
        await pilot.press("space")
        await pilot.pause((second.start - first.start) / 2.5 + 0.6)
        assert app.review.cursor >= 1


async def test_delete_and_undo_a_mark(short_workspace):
    app = make_app(short_workspace)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("m")
        await app.workers.wait_for_complete()
        await pilot.press("d")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.review.marks == ()
        await pilot.press("u")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert len(app.review.marks) == 1


async def test_jumping_between_marks(short_workspace):
    app = make_app(short_workspace)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("j", "m")
        await app.workers.wait_for_complete()
        await pilot.press("G", "m")
        await app.workers.wait_for_complete()
        await pilot.press("g", "right_square_bracket")
        assert app.review.cursor == 1
        await pilot.press("right_square_bracket")
        assert app.review.cursor == len(app.review.segments) - 1
        await pilot.press("left_square_bracket")
        assert app.review.cursor == 1


async def test_the_notes_pane_follows_the_cursor_to_the_current_note(short_workspace):
    from tui.app.screens.review import NOTES_FOLLOW_SECONDS
    from tui.core.model import Mark

    for i, seg in enumerate(short_workspace.cached_transcript().segments):
        short_workspace.annotations.add_mark(
            Mark(f"m{i}", seg.start, None, "strength", f"note {i} " + "detail " * 8, "coach", "2026-11-09T10:00:00Z"))
    app = make_app(short_workspace)
    async with app.run_test(size=(100, 24)) as pilot:
        notes = app.query_one(NotesPane)
        await pilot.press("G")
        await pilot.pause(NOTES_FOLLOW_SECONDS * 2)  # the reviewer stopped: the pane catches up
        last = len(app.review.segments) - 1
        assert notes.highlighted_mark.id == f"m{last}"
        assert f"note {last} " in screen_text(app)  # scrolled into view, not just highlighted
        await pilot.press("g", "j", "j")
        await pilot.pause(NOTES_FOLLOW_SECONDS * 2)
        assert notes.highlighted_mark.id == "m2"
        assert "note 2 " in screen_text(app)
        await pilot.press("tab", "tab")  # the reviewer goes to the notes pane and picks another
        assert notes.has_focus
        await pilot.press("down")
        assert notes.highlighted_mark.id == "m3"


async def test_the_notes_pane_waits_for_the_cursor_to_rest(short_workspace, monkeypatch):
    from tui.app.screens.review import screen as review_screen
    from tui.core.model import Mark

    monkeypatch.setattr(review_screen, "NOTES_FOLLOW_SECONDS", 3600.0)  # never rests, in this test
    for i, seg in enumerate(short_workspace.cached_transcript().segments[:3]):
        short_workspace.annotations.add_mark(Mark(f"m{i}", seg.start, None, "strength", "", "coach", "2026-11-09T10:00:00Z"))
    app = make_app(short_workspace)
    async with app.run_test(size=(100, 24)) as pilot:
        notes = app.query_one(NotesPane)
        assert notes.highlighted_mark.id == "m0"  # in place from the first frame
        await pilot.press("j", "j")
        await pilot.pause(0.5)
        assert app.review.cursor == 2
        assert notes.highlighted_mark.id == "m0"  # holding a key costs no notes redraws


async def test_question_mark_lists_every_key(short_workspace):
    app = make_app(short_workspace)
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        listed = {(key, k.description) for k in app.screen._keys for key in k.keys.split(", ")}
        for keys, description in (("space", "Play"), ("m", "Mark"), ("n", "Note"), ("j", "Next"),
                                  ("q", "Quit"), ("?", "Help"), ("/", "Search"), ("e", "Export")):
            assert (keys, description) in listed, listed
        assert "Next — Next utterance" in screen_text(app)
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)


async def test_every_binding_is_in_the_command_palette(short_workspace):
    app = make_app(short_workspace)
    async with app.run_test(size=(100, 30)):
        titles = {cmd.title for cmd in app.get_system_commands(app.screen)}
        for title in ("play: Play", "mark: Mark", "mark: Note", "move: Next"):
            assert title in titles


async def test_palette_command_runs_the_action(short_workspace):
    app = make_app(short_workspace)
    async with app.run_test(size=(100, 30)) as pilot:
        command = next(c for c in app.get_system_commands(app.screen) if c.title == "mark: Mark")
        await command.callback()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert len(app.review.marks) == 1


async def test_timeline_moves_the_transcript_cursor(short_workspace):
    app = make_app(short_workspace)
    async with app.run_test(size=(100, 30)) as pilot:
        app.query_one(SpeakerTimeline).focus()
        for _ in range(12):
            await pilot.press("j")
        await pilot.pause()
        assert app.review.cursor > 3


async def test_marks_added_by_another_process_appear(short_workspace, short_recording):
    app = make_app(short_workspace)
    async with app.run_test(size=(100, 30)) as pilot:
        other = open_recording(short_recording)
        from tui.core.model import Mark
        other.annotations.add_mark(Mark("elsewhere", 30.0, None, "strength", "from the mentor", "mentor"))
        await pilot.pause(1.3)
        assert any(m.id == "elsewhere" for m in app.review.marks)
        assert "from the mentor" in screen_text(app)


async def test_position_is_remembered(short_workspace, short_recording):
    app = make_app(short_workspace)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("j", "j", "j", "space")
        await pilot.pause(0.3)
        await pilot.press("space", "q")
    review = Review(open_recording(short_recording), open_player("silent"),
                    transcript=short_workspace.cached_transcript())
    assert review.cursor == 3


async def test_an_untranscribed_recording_is_transcribed_in_the_app(short_recording):
    from tui.media.transcribe import Transcriber

    workspace = open_recording(short_recording)
    review = silent_review(workspace)
    app = DebriefApp(review, transcriber_factory=lambda: Transcriber(threads=2))
    seen_while_running: list[int] = []
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause(0.2)
        assert app.screen.query_one("#transcribing").display
        while any(w.group == "transcribe" and w.is_running for w in app.workers):
            seen_while_running.append(len(app.review.segments))
            await pilot.pause(0.2)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert not app.screen.query_one("#transcribing").display
        assert len(app.review.segments) >= 10
        assert "recorders" in screen_text(app)
    assert any(0 < n for n in seen_while_running), "utterances appear while transcription runs"
    cached = open_recording(short_recording).cached_transcript()
    assert cached is not None and cached.complete and len(cached.segments) == len(app.review.segments)


async def test_slash_searches_and_n_steps_through_hits_then_escape_gives_n_back_to_notes(short_workspace):
    app = make_app(short_workspace)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("slash", *"notes", "enter")
        await pilot.pause()
        first = app.review.cursor
        assert "notes" in app.review.current.text
        await pilot.press("n")
        second = app.review.cursor
        assert second > first and "notes" in app.review.current.text
        await pilot.press("N")
        assert app.review.cursor == first
        assert "“notes” 1/" in screen_text(app)
        await pilot.press("escape", "n")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, NoteEditor)


async def test_a_search_with_no_hits_says_so(short_workspace):
    app = make_app(short_workspace)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("j", "slash", *"zebra", "enter")
        await pilot.pause(0.3)
        assert app.review.cursor == 1
        assert "No utterance contains" in notifications(app)


async def test_loop_plays_the_utterance_again_and_again(short_workspace):
    app = make_app(short_workspace)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("j", "j")  # "What did you notice about the recorders?" 15.6–17.9 s
        seg = app.review.current
        app.review.speed = 2.5
        await pilot.press("o")
        assert app.review.loop == (seg.start, seg.end)
        positions = []
        for _ in range(20):
            await pilot.pause(0.1)
            positions.append(app.review.playhead)
        assert all(seg.start - 0.01 <= p <= seg.end + 0.1 for p in positions)
        assert any(b < a for a, b in zip(positions, positions[1:])), "it jumped back to the start"
        await pilot.press("o")
        assert app.review.loop is None


async def test_replay_goes_back_five_seconds(short_workspace):
    app = make_app(short_workspace)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("G")
        start = app.review.current.start
        await pilot.press("space", "r")
        assert app.review.playing
        assert start - 5.05 <= app.review.playhead < start - 3.5


async def test_skipping_silences(short_workspace):
    app = make_app(short_workspace)
    app.review.skip_silence = 1.0
    async with app.run_test(size=(100, 30)) as pilot:
        first, second = app.review.segments[0], app.review.segments[1]  # a 2.9 s pause between them
        app.review.speed = 2.5
        await pilot.press("space")
        await pilot.pause((first.end - first.start) / 2.5 + 0.5)
        assert app.review.playhead >= second.start - 0.35


async def test_figures_open_and_walk_the_moments_behind_them(short_workspace):
    from tui.app.screens.stats import StatsScreen

    app = make_app(short_workspace)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("s")
        await pilot.pause()
        assert isinstance(app.screen, StatsScreen)
        text = screen_text(app)
        assert "Maria" in text and "closed questions" in text and "█" in text
        # The first enabled figure is Maria's open questions.
        await pilot.press("enter")
        await pilot.pause()
        assert not isinstance(app.screen, StatsScreen)
        walked = [app.review.current.text]
        for _ in range(3):
            await pilot.press("n")
            walked.append(app.review.current.text)
        assert all(app.review.current.speaker == "S1" for _ in walked)
        assert all("?" in t for t in walked)
        assert "open questions" in screen_text(app)


async def test_thin_slice_shows_only_the_last_minutes_and_escape_restores(short_workspace):
    from tui.app.screens.dialogs import ChoiceDialog

    app = make_app(short_workspace)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("F")
        await pilot.pause()
        assert isinstance(app.screen, ChoiceDialog)
        # Options: marked moments, last 15 min, first 15 min, everything. The whole session is 74 s,
        # so "last 15 minutes" shows everything; use marked moments (none) to see an empty slice.
        await pilot.press("enter")
        await pilot.pause()
        assert "Nothing in this slice" in screen_text(app)
        await pilot.press("escape")
        await pilot.pause()
        assert "Hi Sam" in screen_text(app)


async def test_slice_to_a_tag_then_move_within_it(short_workspace):
    app = make_app(short_workspace)
    async with app.run_test(size=(100, 30)) as pilot:
        for key in ("j", "m", "j", "j", "j", "m"):
            await pilot.press(key)
            await app.workers.wait_for_complete()
        await pilot.press("g", "F")
        await pilot.pause()
        await pilot.press("down", "enter")  # "Only the tag growth-edge"
        await pilot.pause()
        assert app.review.cursor == 1
        await pilot.press("j")
        assert app.review.cursor == 4
        text = screen_text(app)
        assert "Better than I" in text and "busy work" not in text


async def test_export_from_the_app_previews_then_writes_a_private_file(short_workspace, tmp_path):
    from textual.widgets import Checkbox, Input, Markdown

    from tui.app.screens.export import ExportScreen

    app = make_app(short_workspace)
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.press("j", "m")
        await app.workers.wait_for_complete()
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, ExportScreen)
        await app.workers.wait_for_complete()
        await pilot.pause()
        preview = app.screen.query_one(Markdown).source
        assert "Sam" in preview and "growth-edge" in preview
        app.screen.query_one("#export-deidentify", Checkbox).value = True
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        preview = app.screen.query_one(Markdown).source
        assert "Sam" not in preview and "Maria" not in preview, "the preview shows the de-identified text"
        target = tmp_path / "for mentor.md"
        app.screen.query_one("#export-path", Input).value = str(target)
        await pilot.press("ctrl+s")
        await app.workers.wait_for_complete()
        await pilot.pause()
    assert target.exists() and (target.stat().st_mode & 0o777) == 0o600
    assert "Sam" not in target.read_text() and "growth-edge" in target.read_text()


async def test_reflection_is_saved_and_heads_every_export(short_workspace):
    from tui.app.screens.reflection import ReflectionScreen

    app = make_app(short_workspace)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("i")
        await pilot.pause()
        assert isinstance(app.screen, ReflectionScreen)
        await pilot.press(*"Wait 5 s", "tab", *"Do I rescue?", "tab", *"I waited more", "ctrl+s")
        await app.workers.wait_for_complete()
        await pilot.pause()
    report = short_workspace.report()
    assert (report.focus_goal, report.intention, report.summary) == ("Wait 5 s", "Do I rescue?", "I waited more")
    from tui.formats import markdown

    text = markdown.render(report)
    assert text.index("Wait 5 s") < text.index("Key figures")


async def test_session_details_are_saved_from_the_app(short_workspace):
    from textual.widgets import Input, Select

    from tui.app.screens.details import DetailsScreen

    app = make_app(short_workspace)
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.press("I")
        await pilot.pause()
        assert isinstance(app.screen, DetailsScreen)
        app.screen.query_one("#details-consent", Select).value = "yes"
        app.screen.query_one("#measure-0", Input).value = "31.5"
        app.screen.query_one("#details-tags", Input).value = "science, term 2"
        await pilot.press("ctrl+s")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert not isinstance(app.screen, DetailsScreen)
        await pilot.press("I")
        await pilot.pause()
        app.screen.query_one("#measure-1", Input).value = "55"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, DetailsScreen), "an out-of-range value keeps the dialog open"
        assert "between 0 and 40" in notifications(app)
    details = short_workspace.details()
    assert details.consent == "yes" and details.outcomes == {"ORS": 31.5} and details.tags == ("science", "term 2")


async def test_a_read_only_library_shows_a_banner_and_refuses_marks_clearly(short_workspace):
    from tui.store import Library
    from tui.services.workspace import Workspace

    library = Library.open(short_workspace.library.db_path, read_only=True)
    workspace = Workspace.of_known_session(library, short_workspace.info, short_workspace.recording)
    review = silent_review(workspace)
    app = DebriefApp(review)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert "Read-only" in screen_text(app)
        await pilot.press("m")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "read-only" in notifications(app)
        assert review.marks == ()
    assert short_workspace.annotations.marks() == []


async def test_typing_letters_that_are_keys_in_a_note_types_them(short_workspace):
    """q, m, n, j, space… are commands on the transcript, but text in the note dialog."""
    app = make_app(short_workspace)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("n")
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press(*"quite a jump, mostly questions?", "enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.is_running
        assert app.review.marks[0].note == "quite a jump, mostly questions?"
