"""What a reviewer relies on: marks and notes saved, found again, undoable, and kept apart."""

from __future__ import annotations

import json
import math
import os
import tempfile
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tui.core.model import Mark, SessionInfo, Segment, Speaker, Transcript
from tui.errors import MediaError, StoreError, StoreSchemaError
from tui.store import Library, new_mark_id, utc_now
from tui.store import library as library_module


@pytest.fixture
def library(tmp_path) -> Library:
    return Library.open(tmp_path / "debrief.json")


def reopen(library: Library) -> Library:
    """A second, independent handle: what another process or a restarted app would see."""
    return Library.open(library.db_path)


def test_a_saved_mark_is_there_after_reopening_with_every_field(library):
    saved = library.annotations("s1").add_mark(
        Mark(id="", start=61.5, end=75.0, tag="strength", note="Good open question", author="coach", private=True)
    )
    assert saved.id and saved.created and saved.updated == saved.created
    [found] = reopen(library).annotations("s1").marks()
    assert found == saved


def test_marks_come_back_in_time_order(library):
    ann = library.annotations("s1")
    for start in (300.0, 12.0, 95.5):
        ann.add_mark(Mark(id="", start=start))
    assert [m.start for m in reopen(library).annotations("s1").marks()] == [12.0, 95.5, 300.0]


def test_editing_a_note_keeps_the_rest_and_records_when(library):
    ann = library.annotations("s1")
    mark = ann.add_mark(Mark(id="m1", start=10.0, tag="feedback", note="draft", created="2020-01-01T00:00:00+00:00"))
    edited = ann.update_mark("m1", note="final wording", end=14.0)
    assert edited == mark.with_changes(note="final wording", end=14.0, updated=edited.updated)
    assert edited.updated > mark.created
    assert reopen(library).annotations("s1").mark("m1") == edited


def test_deleting_a_mark_can_be_undone(library):
    ann = library.annotations("s1")
    ann.add_mark(Mark(id="keep", start=1.0))
    ann.add_mark(Mark(id="oops", start=2.0, note="precious words"))
    ann.delete_mark("oops")
    assert [m.id for m in reopen(library).annotations("s1").marks()] == ["keep"]
    recoverable = reopen(library).annotations("s1").marks(include_deleted=True)
    assert [(m.id, m.deleted, m.note) for m in recoverable] == [("keep", False, ""), ("oops", True, "precious words")]
    ann.restore_mark("oops")
    assert [m.id for m in reopen(library).annotations("s1").marks()] == ["keep", "oops"]


def test_changing_an_unknown_mark_says_so(library):
    ann = library.annotations("s1")
    with pytest.raises(StoreError, match="no mark nope"):
        ann.update_mark("nope", note="x")
    with pytest.raises(StoreError, match="no mark nope"):
        ann.delete_mark("nope")
    with pytest.raises(TypeError):
        ann.update_mark("nope", colour="red")


def test_a_mark_id_is_never_reused(library):
    ann = library.annotations("s1")
    ann.add_mark(Mark(id="m1", start=1.0, note="first"))
    with pytest.raises(StoreError, match="already exists"):
        ann.add_mark(Mark(id="m1", start=2.0, note="second"))
    assert [m.note for m in ann.marks()] == ["first"]


@pytest.mark.parametrize(
    "bad",
    [Mark(id="", start=-1.0), Mark(id="", start=math.nan), Mark(id="", start=5.0, end=4.0), Mark(id="", start=math.inf)],
)
def test_impossible_times_are_refused_and_nothing_is_saved(library, bad):
    ann = library.annotations("s1")
    with pytest.raises(StoreError):
        ann.add_mark(bad)
    assert ann.marks(include_deleted=True) == []


def test_session_values_persist(library):
    ann = library.annotations("s1")
    ann.set("position", 125.25)
    ann.set("speakers", {"S1": {"name": "Ana", "role": "Coach"}})
    ann.set("position", 130.0)
    again = reopen(library).annotations("s1")
    assert again.get("position") == 130.0
    assert again.get("speakers") == {"S1": {"name": "Ana", "role": "Coach"}}
    assert again.get("missing", "default") == "default"
    with pytest.raises(StoreError, match="not plain JSON"):
        ann.set("bad", object())


def test_saving_a_mark_rewrites_only_that_sessions_file(library):
    for sid in ("a", "b"):
        library.annotations(sid).add_mark(Mark(id="", start=1.0))
        library.transcripts.save(sid, Transcript(segments=(Segment(0.0, 2.0, "hello"),)))
    library.record_session(SessionInfo(id="a", path="/x/a.ogg", title="A", duration=2.0))
    untouched = [library.db_path, library.annotations("b").path, library.transcripts.path("a")]
    before = {p: os.stat(p) for p in untouched}
    library.annotations("a").add_mark(Mark(id="", start=1.5))
    after = {p: os.stat(p) for p in untouched}
    assert all((before[p].st_ino, before[p].st_mtime_ns) == (after[p].st_ino, after[p].st_mtime_ns) for p in untouched)


def test_session_ids_must_be_safe_file_names(library):
    for bad in ("../escape", "", "a/b", "x" * 200, ".hidden"):
        with pytest.raises(StoreError, match="not a valid session id"):
            library.annotations(bad)


def test_sessions_are_upserted_in_the_index(library):
    library.record_session(SessionInfo(id="s2", path="/r/b.ogg", title="Second", duration=10.0, date="2024-02-01"))
    library.record_session(SessionInfo(id="s1", path="/r/a.ogg", title="First", duration=5.0, date="2024-01-01"))
    library.record_session(SessionInfo(id="s1", path="/r/a.ogg", title="First, renamed", duration=5.0, date="2024-01-01"))
    sessions = reopen(library).sessions()
    assert [(s.id, s.title) for s in sessions] == [("s1", "First, renamed"), ("s2", "Second")]
    assert reopen(library).session("s2").path == "/r/b.ogg"
    assert library.session("unknown") is None


def test_a_moved_recording_keeps_its_id_and_is_hashed_once(library, tmp_path, monkeypatch):
    recording = tmp_path / "session.ogg"
    recording.write_bytes(os.urandom(300_000))
    hashed: list[Path] = []
    real_hash = library_module.hash_recording
    monkeypatch.setattr(library_module, "hash_recording", lambda p: hashed.append(p) or real_hash(p))

    first = library.session_id(recording)
    assert reopen(library).session_id(recording) == first
    assert len(hashed) == 1, "an unchanged file is identified from the cache"

    moved = tmp_path / "renamed.ogg"
    recording.rename(moved)
    assert library.session_id(moved) == first
    other = tmp_path / "other.ogg"
    other.write_bytes(b"different content")
    assert library.session_id(other) != first
    assert len(first) >= 16


def test_an_edited_recording_is_hashed_again(library, tmp_path):
    recording = tmp_path / "session.ogg"
    recording.write_bytes(b"take one")
    first = library.session_id(recording)
    recording.write_bytes(b"take two, longer")
    assert library.session_id(recording) != first


def test_identifying_a_missing_recording_is_a_media_error(library, tmp_path):
    with pytest.raises(MediaError, match="nothing.ogg"):
        library.session_id(tmp_path / "nothing.ogg")
    with pytest.raises(MediaError, match="not a regular file"):
        library.session_id(tmp_path)


def test_library_values_persist(library):
    library.set("voices", {"Ana": [0.1, 0.2]})
    assert reopen(library).get("voices") == {"Ana": [0.1, 0.2]}


def test_transcripts_round_trip(library):
    transcript = Transcript(
        segments=(Segment(0.0, 1.5, "How are you?", "S1"), Segment(1.8, 3.0, "Fine.", "S2")),
        speakers=(Speaker("S1", "Ana", "Coach"), Speaker("S2")),
        duration=3.0,
        source="tiny.en",
    )
    assert library.transcripts.load("s1") is None
    library.transcripts.save("s1", transcript)
    assert reopen(library).transcripts.load("s1") == transcript
    assert library.transcripts.path("s1").parent == library.db_path.parent / "debrief.json.d" / "transcripts"


def test_a_damaged_transcript_cache_is_just_missing(library):
    path = library.transcripts.path("s1")
    path.write_text('{"_meta": {"schema": {"kind": "debrief-transcript", "ver')
    assert library.transcripts.load("s1") is None
    library.transcripts.save("s1", Transcript(segments=(Segment(0.0, 1.0, "again"),)))
    assert library.transcripts.load("s1").segments[0].text == "again"


def test_an_old_bare_transcript_still_loads(library):
    transcript = Transcript(segments=(Segment(0.0, 1.0, "old format"),))
    library.transcripts.path("s1").write_text(json.dumps(transcript.to_dict()))
    assert library.transcripts.load("s1") == transcript


def test_a_transcript_from_a_newer_debrief_is_refused_not_overwritten(library):
    path = library.transcripts.path("s1")
    newer = {"_meta": {"schema": {"kind": "debrief-transcript", "version": 99}}, "transcript": {}}
    path.write_text(json.dumps(newer))
    with pytest.raises(StoreSchemaError, match="newer Debrief"):
        library.transcripts.load("s1")
    with pytest.raises(StoreSchemaError):
        library.transcripts.save("s1", Transcript())
    assert json.loads(path.read_text()) == newer


def test_ids_and_times_look_right():
    assert new_mark_id() != new_mark_id() and len(new_mark_id()) >= 16
    assert utc_now().endswith("+00:00")


# --- model-based: any sequence of edits leaves exactly what a plain dict would --------------

operations = st.lists(
    st.tuples(
        st.sampled_from(["add", "update", "delete", "restore"]),
        st.integers(0, 5),
        st.floats(0, 3600, allow_nan=False),
        st.text(max_size=20),
    ),
    max_size=12,
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=operations)
def test_any_sequence_of_edits_matches_a_simple_model(ops):
    with tempfile.TemporaryDirectory() as folder:
        ann = Library.open(Path(folder) / "debrief.json").annotations("s1")
        model: dict[str, tuple[float, str, bool]] = {}
        for op, n, start, note in ops:
            mark_id = f"m{n}"
            if op == "add":
                if mark_id in model:
                    with pytest.raises(StoreError):
                        ann.add_mark(Mark(id=mark_id, start=start, note=note))
                else:
                    ann.add_mark(Mark(id=mark_id, start=start, note=note))
                    model[mark_id] = (start, note, False)
            elif mark_id not in model:
                with pytest.raises(StoreError):
                    ann.update_mark(mark_id, note=note)
            elif op == "update":
                ann.update_mark(mark_id, note=note)
                model[mark_id] = (model[mark_id][0], note, model[mark_id][2])
            else:
                getattr(ann, f"{op}_mark")(mark_id)
                model[mark_id] = (model[mark_id][0], model[mark_id][1], op == "delete")
        again = Library.open(Path(folder) / "debrief.json").annotations("s1")
        stored = {m.id: (m.start, m.note, m.deleted) for m in again.marks(include_deleted=True)}
        assert stored == model
        visible = [m.id for m in again.marks()]
        assert sorted(visible) == sorted(k for k, v in model.items() if not v[2])


def test_recording_an_unchanged_session_does_not_rewrite_the_index(library):
    info = SessionInfo(id="s1", path="/r/a.ogg", title="First", duration=5.0, tags=("intake",))
    library.record_session(info)
    token = library.change_token()
    library.record_session(info)
    assert library.change_token() == token
    library.record_session(replace(info, tags=("intake", "week 2")))
    assert library.change_token() != token
