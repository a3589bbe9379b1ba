"""A folder of recordings as a library: find, summarise, search, open, come back."""

from __future__ import annotations

import shutil

import pytest
from conftest import SAMPLES, truth_transcript
from textual.widgets import DataTable, OptionList

from app_helpers import make_library_app
from tui.app.screens.library import LibraryScreen
from tui.app.screens.review import ReviewScreen
from tui.services.catalog import find_recordings, looks_like_media, open_library, summarise
from tui.core.search import LibraryIndex, SessionIndex, matching_segments, parse_query
from tui.services.search_index import index_sessions
from tui.services.workspace import open_recording


@pytest.fixture
def library_folder(tmp_path, short_workspace):
    """The short sample (transcribed), a second untranscribed copy in a subfolder, and two impostors."""
    folder = short_workspace.recording.parent
    sub = folder / "term 2"
    sub.mkdir()
    shutil.copy(SAMPLES / "coaching_session.ogg", sub / "recording.bin")  # a recording, whatever its name
    (folder / "notes.mp3").write_text("not audio at all\n")
    (folder / "empty.wav").write_bytes(b"")
    short_workspace.annotations.add_mark(
        __import__("tui.core.model", fromlist=["Mark"]).Mark("k1", 15.6, None, "open-question", "what did you notice", "coach"))
    return folder


def test_recordings_are_found_by_content_not_by_name(library_folder):
    found = [p.name for p in find_recordings(library_folder)]
    assert found == ["short_session.ogg", "recording.bin"]
    assert not looks_like_media(library_folder / "notes.mp3")


def test_summaries_give_state_figures_and_marks(library_folder):
    library = open_library(library_folder)
    rows = {s.path.name: s for s in summarise(library, library_folder)}
    short = rows["short_session.ogg"]
    assert short.transcribed == "yes" and short.marks_by_tag == {"open-question": 1}
    assert {sp.label for sp in short.speakers} == {"Maria", "Sam"}
    assert short.stats.speakers["S1"].questions > 0
    other = rows["recording.bin"]
    assert other.transcribed == "no" and other.info.title.startswith("Coaching debrief")


def test_a_moved_recording_keeps_its_notes(library_folder):
    moved = library_folder / "term 2" / "renamed session.ogg"
    shutil.move(library_folder / "short_session.ogg", moved)
    assert [m.id for m in open_recording(moved).annotations.marks()] == ["k1"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [("recorders", 2), ("recorder", 3), ("RECORDERS much", 1), ('"busy work"', 1), ("speaker:sam recorders", 1),
     ("tag:open-question", 1), ("notice", 2), ("zebra", 0), ('"unclosed', 0)],
)
def test_library_search(library_folder, query, expected):
    index = index_sessions(open_library(library_folder))
    hits = index.search(query)
    assert len(hits) == expected, [h.text for h in hits]


def test_query_parsing():
    q = parse_query('Speaker:Maria "wait time" tag:growth-edge José')
    assert q.speaker == "maria" and q.tag == "growth-edge" and q.terms == ("wait time", "jose")


def test_matching_segments_in_one_transcript():
    transcript, _ = truth_transcript("short_session")
    hits = matching_segments(transcript.segments, "recorders")
    assert [transcript.segments[i].start for i in hits][:1] == [9.512]


def test_library_index_replaces_a_session_on_update():
    transcript, _ = truth_transcript("short_session")
    from tui.core.model import SessionInfo

    info = SessionInfo("abc", "/x.ogg", "t", 74.0)
    index = LibraryIndex()
    index.add(SessionIndex(info, transcript.segments, transcript.speakers, ()))
    index.add(SessionIndex(info, transcript.segments[:1], transcript.speakers, ()))
    assert len(index.search("recorders")) == 0


async def wait_workers(app, pilot):
    await app.workers.wait_for_complete()
    await pilot.pause()


async def test_library_screen_lists_opens_and_comes_back(library_folder):
    app = make_library_app(library_folder)
    async with app.run_test(size=(140, 30)) as pilot:
        await wait_workers(app, pilot)
        assert isinstance(app.screen, LibraryScreen)
        table = app.screen.query_one(DataTable)
        assert table.row_count == 2
        await pilot.press("enter")
        await wait_workers(app, pilot)
        assert isinstance(app.screen, ReviewScreen)
        assert app.review.segments
        await pilot.press("m")
        await wait_workers(app, pilot)
        await pilot.press("escape")
        await wait_workers(app, pilot)
        assert isinstance(app.screen, LibraryScreen)
        summary = app.screen._rows[str(library_folder / "short_session.ogg")]
        assert summary.marks == 2


async def test_library_search_opens_the_session_at_the_moment(library_folder):
    app = make_library_app(library_folder)
    async with app.run_test(size=(140, 30)) as pilot:
        await wait_workers(app, pilot)
        await pilot.press("slash", *"busy work", "enter")
        await pilot.pause()
        hits = app.screen.query_one("#hits", OptionList)
        assert hits.option_count == 1 and hits.has_focus
        await pilot.press("enter")
        await wait_workers(app, pilot)
        assert isinstance(app.screen, ReviewScreen)
        assert "busy work" in app.review.current.text
