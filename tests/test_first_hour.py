"""A new user's first hour (issue #17): tags, naming, dialogs, 80×24, messages, small wrongs.

Keys are sent the way a paste or a slow SSH link delivers them: in one burst, every key
queued before the app has handled the first (Pilot's ``press`` waits for idle between keys,
which hides the bugs a burst shows).
"""

from __future__ import annotations

import unicodedata

import pytest
from textual import events
from textual.keys import _get_unicode_name_from_key
from textual.keys import REPLACED_KEYS, _character_to_key

from tui.app.screens.details import DetailsScreen
from tui.app.screens.dialogs import ChoiceDialog, SpeakerDialog
from tui.app.screens.export import ExportScreen
from tui.app.screens.note_editor import NoteEditor
from tui.app.screens.reflection import ReflectionScreen
from tui.app.widgets.notes import NotesPane
from tui.app.widgets.status import StatusBar
from tui.app.widgets.timeline import SpeakerTimeline
from tui.app.widgets.transcript import TranscriptView
from tui.config import Config, Tag
from tui.core.model import Mark

from app_helpers import make_app, make_library_app, screen_text
from app_helpers import notifications as all_notifications
from tui.services.workspace import open_recording

SIZES = pytest.mark.parametrize("size", [(80, 24), (160, 48)], ids=["80x24", "160x48"])


def notifications(app) -> str:
    return all_notifications(app, titles=True)


def hint(app) -> str:
    """The dialog's hint line, checked to be wholly on screen."""
    label = app.screen.query_one("#hint")
    assert label.region.height > 0 and app.screen.region.contains_region(label.region), label.region
    return str(label.content)


def burst(app, *keys: str) -> None:
    """Queue every key at once, as a terminal does with a paste or a slow link."""
    for key in keys:
        if len(key) == 1 and not key.isalnum():
            key = _character_to_key(key)
        try:
            char = unicodedata.lookup(_get_unicode_name_from_key(REPLACED_KEYS.get(key, key)))
        except KeyError:
            char = key if len(key) == 1 else None
        event = events.Key(key, char)
        event.set_sender(app)
        app._driver.send_message(event)


async def open_dialog(app, pilot, key: str) -> None:
    """Open a dialog and let it appear: what is typed next is typed into it."""
    burst(app, key)
    await settle(app, pilot)


async def settle(app, pilot) -> None:
    for _ in range(3):
        await pilot.pause()
        await app.workers.wait_for_complete()
    await pilot.pause()


# -- item 2: tags from the config work in the app ----------------------------------------


TAGS = (Tag("growth-edge", key="m"), Tag("strength", key="a"), Tag("missed-question"))


@SIZES
async def test_a_tag_key_from_the_config_marks_with_that_tag_and_shows_in_help(short_workspace, short_recording, size):
    app = make_app(short_workspace, Config(tags=TAGS))
    async with app.run_test(size=size) as pilot:
        burst(app, "j", "a")
        await settle(app, pilot)
        assert [m.tag for m in app.review.marks] == ["strength"]
        assert "strength" in screen_text(app)
        burst(app, "question_mark")
        await settle(app, pilot)
        help_keys = [(k.keys, k.description) for k in app._key_help(app.screen_stack[0])]
        assert ("a", "strength") in help_keys
    assert [m.tag for m in open_recording(short_recording).annotations.marks()] == ["strength"]


async def test_tag_keys_are_in_the_command_palette(short_workspace):
    app = make_app(short_workspace, Config(tags=TAGS))
    async with app.run_test(size=(80, 24)):
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert "mark: strength" in titles
        assert "mark: Tag" in titles


@SIZES
async def test_t_changes_the_tag_of_the_mark_at_the_cursor(short_workspace, short_recording, size):
    app = make_app(short_workspace, Config(tags=TAGS))
    async with app.run_test(size=size) as pilot:
        burst(app, "j", "m")
        await settle(app, pilot)
        assert [m.tag for m in app.review.marks] == ["growth-edge"]
        burst(app, "t")
        await settle(app, pilot)
        assert isinstance(app.screen, ChoiceDialog)
        burst(app, "down", "enter")
        await settle(app, pilot)
        assert [m.tag for m in app.review.marks] == ["strength"]
        assert "now strength" in notifications(app)
    assert [m.tag for m in open_recording(short_recording).annotations.marks()] == ["strength"]


# -- item 3: naming a speaker remembers the voice under the new name -----------------------


@SIZES
async def test_naming_a_speaker_remembers_their_voice_under_the_new_name(short_workspace, size):
    app = make_app(short_workspace)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        speaker = app.review.current.speaker
        old = app.review.speaker_label(speaker)
        await open_dialog(app, pilot, "R")
        burst(app, "ctrl+a", "ctrl+k", *"Samuel", "enter")
        await settle(app, pilot)
        assert app.review.speaker_label(speaker) == "Samuel"
        assert "Voice not remembered" not in notifications(app)
        assert "Samuel's voice will be recognised" in notifications(app)
        voices = short_workspace.library.get("voices") or {}
        assert "Samuel" in voices and old not in voices


# -- item 4: one rule for every dialog; keys in one burst land where they were meant --------


@SIZES
async def test_session_details_has_its_first_field_focused_and_enter_saves(short_workspace, size):
    app = make_app(short_workspace)
    async with app.run_test(size=size) as pilot:
        await open_dialog(app, pilot, "I")
        burst(app, *"Week 3", "tab", *"2026-11-09", "enter")
        await settle(app, pilot)
        assert not isinstance(app.screen, DetailsScreen)
        details = short_workspace.details()
        assert (details.title, details.date) == ("Week 3", "2026-11-09")


@SIZES
async def test_name_dialog_enter_saves_and_later_keys_never_become_the_role(short_workspace, size):
    app = make_app(short_workspace)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        speaker = app.review.current.speaker
        await open_dialog(app, pilot, "R")
        burst(app, "ctrl+a", "ctrl+k", *"Mia", "enter", "j", "R", "k", "R")
        await settle(app, pilot)
        names = short_workspace.speaker_names()
        assert names[speaker]["name"] == "Mia"
        assert names[speaker]["role"] not in ("R", "kR", "jRkR")
        assert "R" not in names[speaker]["role"]


@SIZES
async def test_name_dialog_tab_moves_to_the_role_in_a_burst(short_workspace, size):
    app = make_app(short_workspace)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        speaker = app.review.current.speaker
        await open_dialog(app, pilot, "R")
        burst(app, "ctrl+a", "ctrl+k", *"Ana", "tab", "ctrl+a", "ctrl+k", *"mentor", "enter")
        await settle(app, pilot)
        assert short_workspace.speaker_names()[speaker] == {"name": "Ana", "role": "mentor"}


@SIZES
async def test_reflection_text_and_tab_in_one_burst_fill_each_field(short_workspace, size):
    app = make_app(short_workspace)
    async with app.run_test(size=size) as pilot:
        await open_dialog(app, pilot, "i")
        burst(app, *"Wait longer", "tab", *"my questions", "tab", *"I waited", "ctrl+s")
        await settle(app, pilot)
        assert not isinstance(app.screen, ReflectionScreen)
        assert app.review.reflection() == ("Wait longer", "my questions", "I waited")


DIALOG_KEYS = {"R": SpeakerDialog, "I": DetailsScreen, "i": ReflectionScreen, "e": ExportScreen, "n": NoteEditor}


@pytest.mark.parametrize("key", list(DIALOG_KEYS))
async def test_every_dialog_focuses_its_first_field_and_esc_cancels_asking_when_typed(short_workspace, key):
    app = make_app(short_workspace)
    async with app.run_test(size=(80, 24)) as pilot:
        burst(app, key)
        await settle(app, pilot)
        dialog = app.screen
        assert isinstance(dialog, DIALOG_KEYS[key])
        assert dialog.focused is not None and dialog.focused.id is not None
        assert "esc: cancel" in hint(app)
        burst(app, "escape")  # nothing typed: closes at once
        await settle(app, pilot)
        assert not isinstance(app.screen, DIALOG_KEYS[key])
        burst(app, key)
        await settle(app, pilot)
        if key == "e":
            burst(app, "tab", "tab", "tab")  # to the tag field
        burst(app, *"xyz", "escape")
        await settle(app, pilot)
        assert isinstance(app.screen, DIALOG_KEYS[key]), "one esc must not drop what was typed"
        assert "esc again discards" in hint(app)
        burst(app, "escape")
        await settle(app, pilot)
        assert not isinstance(app.screen, DIALOG_KEYS[key])


# -- item 5: 80×24 ---------------------------------------------------------------------


async def test_at_80x24_the_transcript_is_the_widest_pane(short_workspace):
    app = make_app(short_workspace)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        transcript = app.query_one(TranscriptView).content_region.width
        assert transcript >= 44
        assert transcript > app.query_one(SpeakerTimeline).region.width
        assert transcript > app.query_one(NotesPane).region.width


async def test_at_80x24_the_timeline_names_every_speaker_in_full(short_workspace):
    app = make_app(short_workspace)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        timeline = app.query_one(SpeakerTimeline)
        shown = "\n".join(timeline.render_line(y).text for y in range(timeline.size.height))
        assert "Maria" in shown and "Sam" in shown


async def test_at_80x24_the_status_bar_is_not_cut(short_workspace):
    app = make_app(short_workspace)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("j", "j", "j", "j")
        await pilot.pause()
        status = app.query_one(StatusBar)
        line = status.content.plain
        assert "audio: silent" in line and "follow" in line
        assert len(line) <= status.content_region.width, line


@pytest.mark.parametrize("size", [(80, 24), (160, 48)], ids=["80x24", "160x48"])
async def test_the_export_dialog_shows_save_as_and_its_keys_and_whole_labels(short_workspace, size):
    app = make_app(short_workspace)
    async with app.run_test(size=size) as pilot:
        burst(app, "e")
        await settle(app, pilot)
        shot = screen_text(app)
        assert "Save as" in shot and "ctrl+s: export" in shot
        assert "De-identify (names → roles, redact)" in shot
        assert " " not in app.screen.query_one("#export-path").value.rsplit("/", 1)[-1]


@pytest.mark.parametrize("key", list(DIALOG_KEYS))
async def test_every_dialog_fits_at_80x24(short_workspace, key):
    app = make_app(short_workspace)
    async with app.run_test(size=(80, 24)) as pilot:
        burst(app, key)
        await settle(app, pilot)
        assert "esc: cancel" in hint(app)
        box = app.screen.query_one("#hint").parent
        assert app.screen.region.contains_region(box.region)


# -- item 6: messages ------------------------------------------------------------------


async def test_status_bar_says_why_there_is_no_sound(short_workspace):
    app = make_app(short_workspace)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        assert "audio: silent (by choice)" in screen_text(app)


async def test_status_bar_says_typing_not_playing_while_a_note_is_written(short_workspace):
    app = make_app(short_workspace)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.press("j", "space")
        await pilot.pause(0.2)
        await pilot.press("n")
        await settle(app, pilot)
        assert isinstance(app.screen, NoteEditor)
        status = str(app.screen_stack[0].query_one(StatusBar).render())
        assert "playing" not in status and "typing" in status


# -- item 7: small wrongs ----------------------------------------------------------------


async def test_the_palette_offers_debriefs_quit_only(short_workspace):
    app = make_app(short_workspace)
    async with app.run_test(size=(80, 24)):
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert sum("Quit" in t for t in titles) == 1
        assert not {"Keys", "Maximize", "Screenshot", "Quit"} & set(titles)


async def test_enter_in_the_timeline_goes_to_the_transcript_there(short_workspace):
    app = make_app(short_workspace)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("tab")
        assert app.query_one(SpeakerTimeline).has_focus
        await pilot.press("j", "j", "j", "enter")
        await pilot.pause()
        assert app.query_one(TranscriptView).has_focus
        assert app.review.cursor > 0


async def test_a_thin_slice_is_shown_in_the_status_bar(short_workspace):
    app = make_app(short_workspace)
    async with app.run_test(size=(160, 48)) as pilot:
        burst(app, "j", "m")
        await settle(app, pilot)
        burst(app, "F")
        await settle(app, pilot)
        burst(app, "enter")  # "Only marked moments"
        await settle(app, pilot)
        assert "slice: marked moments (1)" in screen_text(app)


async def test_a_short_mark_by_another_reviewer_shows_one_time_not_a_range(short_workspace):
    short_workspace.annotations.add_mark(Mark("x1", 272.1, 272.6, "strength", "", "lee", "2026-11-09T10:00:00Z"))
    app = make_app(short_workspace)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        shot = screen_text(app)
        assert "04:32–04:32" not in shot and "04:32" in shot


async def test_marks_are_by_the_reviewer_named_in_the_config(short_workspace):
    app = make_app(short_workspace, Config(reviewer_name="Maria Lopez"))
    async with app.run_test(size=(80, 24)) as pilot:
        burst(app, "m")
        await settle(app, pilot)
        assert [m.author for m in app.review.marks] == ["Maria Lopez"]



# -- the library ---------------------------------------------------------------------------


@pytest.fixture
def one_session_library(short_workspace):
    """A library of one transcribed session with an outcome measure (SRS) and consent recorded."""
    from tui.core.details import SessionDetails

    short_workspace.library.set("measures", [{"name": "SRS", "low": 0, "high": 40},
                                             {"name": "ORS", "low": 0, "high": 40}])
    short_workspace.annotations.set("details", SessionDetails(
        title="Coaching debrief — 7th-grade science, week 3", consent="yes",
        outcomes={"SRS": 34.0, "ORS": 28.0}).to_dict())
    for i, tag in enumerate(("growth-edge", "open-question", "missed-question", "strength")):
        short_workspace.annotations.add_mark(Mark(f"t{i}", 10.0 * i + 1, None, tag, "", "coach"))
    return short_workspace.recording.parent


async def test_library_at_160_columns_keeps_the_consent_and_measure_columns(one_session_library):
    from textual.widgets import DataTable

    app = make_library_app(one_session_library)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(app, pilot)
        table = app.screen.query_one(DataTable)
        assert table.virtual_size.width <= table.content_region.width
        shot = screen_text(app)
        assert "Consent" in shot and "SRS" in shot and "ORS" in shot


async def test_library_draws_no_bar_without_a_trend_and_its_wait_matches_the_table(one_session_library):
    from textual.widgets import DataTable, Sparkline

    app = make_library_app(one_session_library)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(app, pilot)
        assert not app.screen.query(Sparkline), "one session is no trend: no full bar"
        assert "a trend needs two sessions" in screen_text(app)
        table = app.screen.query_one(DataTable)
        wait_cell = str(table.get_row_at(0)[table.get_column_index("wait")])
        goal = str(app.screen.query_one("#goal").content)
        assert wait_cell.removesuffix(" s") in goal, (wait_cell, goal)


# -- item 6: the command line -------------------------------------------------------------


@pytest.mark.parametrize(("typed", "meant"), [("transcibe", "transcribe"), ("doctr", "doctor"), ("exprt", "export")])
def test_a_mistyped_command_gets_a_did_you_mean(typed, meant, capsys, tmp_path, monkeypatch):
    from tui.cli import main

    monkeypatch.chdir(tmp_path)
    assert main([typed, "x"]) == 2
    err = capsys.readouterr().err
    assert f"did you mean `debrief {meant}`" in err and err.count("\n") == 1


def test_a_file_named_like_a_command_still_opens_as_a_path(capsys, tmp_path, monkeypatch):
    from tui.cli import _mistyped_command

    monkeypatch.chdir(tmp_path)
    (tmp_path / "doctr").write_text("")
    assert _mistyped_command("doctr") is None


def test_transcribe_help_describes_path_and_db(capsys):
    from tui.cli import main

    with pytest.raises(SystemExit):
        main(["transcribe", "--help"])
    out = capsys.readouterr().out
    path_help = out.split("PATH", 2)[-1]
    assert "recordings, or folders" in path_help
    assert "--db DB" in out and "library database" in out
