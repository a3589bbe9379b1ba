"""Bad states: damaged, truncated, foreign, newer, older and read-only files, and a full disk.

The rule under test: precious data is never overwritten by something Debrief does not
understand, and the user is told which file, what is wrong, and what was kept.
"""

from __future__ import annotations

import errno
import json
import os
from pathlib import Path

import pytest
from tinydb import TinyDB

from tui.core.model import Mark, SessionInfo, Transcript
from tui.errors import StoreCorruptError, StoreError, StoreReadOnlyError, StoreSchemaError
from tui.store import Library
from tui.store import files as files_module

RUNNING_AS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


@pytest.fixture
def db(tmp_path) -> Path:
    return tmp_path / "debrief.json"


def session_with_marks(db: Path, count: int = 5):
    ann = Library.open(db).annotations("s1")
    for i in range(count):
        ann.add_mark(Mark(id=f"m{i}", start=float(i), note=f"note {i}"))
    return ann


# --- damaged files ----------------------------------------------------------------------------


def test_a_truncated_session_file_is_reported_and_never_overwritten(db):
    ann = session_with_marks(db)
    damaged = ann.path.read_bytes()[: ann.path.stat().st_size // 2]
    ann.path.write_bytes(damaged)

    with pytest.raises(StoreCorruptError) as caught:
        ann.add_mark(Mark(id="new", start=9.0))
    error = caught.value
    message = str(error)
    assert str(ann.path) in message
    assert f"line {error.line}, column {error.column}" in message
    assert str(error.backup) in message and error.backup.name.startswith("s1.json.corrupt-")
    assert error.backup.read_bytes() == damaged
    assert ann.path.read_bytes() == damaged, "the damaged file was left exactly as it was"
    assert oct(error.backup.stat().st_mode & 0o777) == "0o600"

    with pytest.raises(StoreCorruptError):
        Library.open(db).annotations("s1")
    with pytest.raises(StoreCorruptError):
        ann.marks()
    copies = [p for p in ann.path.parent.iterdir() if ".corrupt-" in p.name]
    assert copies == [error.backup], "re-reading the same damage keeps one copy, not one per look"


def test_a_damaged_index_stops_the_library_from_opening(db):
    Library.open(db).record_session(SessionInfo(id="s1", path="/a.ogg", title="A", duration=1.0))
    db.write_text(db.read_text().replace('"sessions"', '"sessions" oops'))
    with pytest.raises(StoreCorruptError, match=r"debrief\.json is damaged: its JSON breaks at line \d+, column \d+"):
        Library.open(db)
    assert "oops" in db.read_text()


@pytest.mark.parametrize(
    ("content", "what"),
    [(b"", "empty"), (b"\n  \n", "empty"), (b"\xff\xfe\x00garbage", "not UTF-8")],
)
def test_empty_or_binary_files_are_damage_not_a_fresh_start(db, content, what):
    ann = session_with_marks(db, 1)
    ann.path.write_bytes(content)
    with pytest.raises(StoreCorruptError, match=what):
        ann.marks()
    assert ann.path.read_bytes() == content


@pytest.mark.parametrize("content", ["[1, 2, 3]", '{"marks": [1, 2]}', '{"marks": {"m1": "text"}}'])
def test_json_that_is_not_a_database_is_refused(db, content):
    ann = session_with_marks(db, 1)
    ann.path.write_text(content)
    with pytest.raises(StoreCorruptError, match="does not look like a session's annotations"):
        ann.add_mark(Mark(id="x", start=1.0))
    assert ann.path.read_text() == content


def test_pointing_at_the_wrong_kind_of_file_says_what_it_is(db):
    ann = session_with_marks(db, 1)
    with pytest.raises(StoreError, match="is a session's annotations, not a library database"):
        Library.open(ann.path)


# --- schema versions --------------------------------------------------------------------------


def test_a_file_from_a_newer_debrief_is_refused_and_left_alone(db):
    ann = session_with_marks(db, 2)
    data = json.loads(ann.path.read_text())
    data["_meta"]["schema"]["version"] = 7
    ann.path.write_text(json.dumps(data))
    before = ann.path.read_bytes()
    with pytest.raises(StoreSchemaError, match=r"newer Debrief \(schema 7, this one reads up to 1\)"):
        Library.open(db).annotations("s1")
    with pytest.raises(StoreSchemaError):
        ann.add_mark(Mark(id="x", start=1.0))
    assert ann.path.read_bytes() == before


def test_a_newer_index_is_refused(db):
    Library.open(db)
    data = json.loads(db.read_text())
    data["_meta"]["schema"]["version"] = 2
    db.write_text(json.dumps(data))
    with pytest.raises(StoreSchemaError, match="debrief.json"):
        Library.open(db)


def test_an_unversioned_tinydb_session_file_is_migrated_with_a_backup(db):
    """A file written by plain TinyDB (numbered documents, no schema) before Debrief stamped files."""
    path = db.parent / "debrief.json.d" / "sessions" / "s1.json"
    path.parent.mkdir(parents=True)
    with TinyDB(path) as old:
        old.table("marks").insert({"id": "a", "start": 5.0, "note": "from the old days"})
        old.table("marks").insert({"start": 1.0, "tag": "strength"})
        old.table("values").insert({"value": 12.5})
    original = path.read_bytes()

    marks = Library.open(db).annotations("s1").marks()

    assert [(m.start, m.note) for m in marks] == [(1.0, ""), (5.0, "from the old days")]
    assert all(m.id for m in marks)
    data = json.loads(path.read_text())
    assert data["_meta"]["schema"]["version"] == 1
    assert set(data["marks"]) == {m.id for m in marks}
    backup = path.with_name("s1.json.v0.bak")
    assert backup.read_bytes() == original
    # Marks added afterwards go into the migrated file.
    Library.open(db).annotations("s1").add_mark(Mark(id="b", start=2.0))
    assert [m.start for m in Library.open(db).annotations("s1").marks()] == [1.0, 2.0, 5.0]


def test_an_unversioned_index_is_migrated_with_a_backup(db):
    with TinyDB(db) as old:
        old.table("sessions").insert({"id": "abc123", "path": "/r/a.ogg", "title": "Old", "duration": 3.0})
    original = db.read_bytes()
    library = Library.open(db)
    assert [s.title for s in library.sessions()] == ["Old"]
    assert db.with_name("debrief.json.v0.bak").read_bytes() == original
    assert json.loads(db.read_text())["_meta"]["schema"]["version"] == 1


def test_an_old_file_opened_read_only_is_read_but_not_rewritten(db):
    with TinyDB(db) as old:
        old.table("sessions").insert({"id": "abc123", "path": "/r/a.ogg", "title": "Old", "duration": 3.0})
    original = db.read_bytes()
    library = Library.open(db, read_only=True)
    assert [s.title for s in library.sessions()] == ["Old"]
    assert db.read_bytes() == original
    assert not db.with_name("debrief.json.v0.bak").exists()


# --- read-only --------------------------------------------------------------------------------


def deny_writes_under(monkeypatch, folder: Path) -> None:
    """What os.access answers for a user without write permission (root ignores chmod)."""
    real_access = os.access

    def access(path, mode, *args, **kwargs):
        if mode & os.W_OK and str(os.path.abspath(path)).startswith(str(folder)):
            return False
        return real_access(path, mode, *args, **kwargs)

    monkeypatch.setattr(os, "access", access)


def test_a_database_the_user_cannot_write_opens_read_only(db, monkeypatch):
    session_with_marks(db, 2)
    before = {p: p.read_bytes() for p in db.parent.rglob("*.json")}
    deny_writes_under(monkeypatch, db.parent)

    library = Library.open(db)
    assert library.read_only
    assert "debrief.json is not writable by you" in library.read_only_reason
    ann = library.annotations("s1")
    assert ann.read_only and [m.id for m in ann.marks()] == ["m0", "m1"]
    with pytest.raises(StoreReadOnlyError, match="read-only"):
        ann.add_mark(Mark(id="x", start=1.0))
    with pytest.raises(StoreReadOnlyError):
        library.record_session(SessionInfo(id="s1", path="/a", title="A", duration=1.0))
    with pytest.raises(StoreReadOnlyError):
        library.transcripts.save("s1", Transcript())
    assert {p: p.read_bytes() for p in db.parent.rglob("*.json")} == before


def test_a_library_in_a_folder_the_user_cannot_write_opens_empty_and_read_only(tmp_path, monkeypatch):
    deny_writes_under(monkeypatch, tmp_path)
    library = Library.open(tmp_path / "lib" / "debrief.json")
    assert library.read_only and "not writable" in library.read_only_reason
    assert library.sessions() == [] and library.annotations("s1").marks() == []
    assert list(tmp_path.iterdir()) == [], "nothing was created"


def test_read_only_on_request_creates_nothing_and_takes_no_lock(db):
    session_with_marks(db, 1)
    before = sorted(p.name for p in db.parent.rglob("*"))
    library = Library.open(db, read_only=True)
    assert library.read_only_reason == "opened read-only"
    assert [m.id for m in library.annotations("s1").marks()] == ["m0"]
    with pytest.raises(StoreReadOnlyError):
        library.annotations("s1").set("position", 3.0)
    assert sorted(p.name for p in db.parent.rglob("*")) == before


@pytest.mark.skipif(RUNNING_AS_ROOT, reason="root can write files whatever their mode; covered via os.access above")
def test_a_chmod_read_only_database_opens_read_only(db):
    ann = session_with_marks(db, 1)
    db.chmod(0o400)
    ann.path.chmod(0o400)
    try:
        library = Library.open(db)
        assert library.read_only
        with pytest.raises(StoreReadOnlyError):
            library.annotations("s1").add_mark(Mark(id="x", start=1.0))
    finally:
        db.chmod(0o600)
        ann.path.chmod(0o600)


def test_a_write_refused_by_the_system_turns_the_session_read_only(db, monkeypatch):
    ann = session_with_marks(db, 1)

    def refuse(src, dst):
        raise PermissionError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(StoreReadOnlyError, match="Read-only file system"):
        ann.add_mark(Mark(id="x", start=1.0))
    assert ann.read_only and "Read-only file system" in ann.read_only_reason
    assert not [p for p in ann.path.parent.iterdir() if ".tmp-" in p.name]


# --- full disk --------------------------------------------------------------------------------


def test_a_full_disk_leaves_the_old_file_intact(db, monkeypatch):
    ann = session_with_marks(db, 3)
    before = ann.path.read_bytes()

    def disk_full(fd, data):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(files_module.os, "write", disk_full)
    with pytest.raises(StoreError, match="disk holding .*s1.json is full") as caught:
        ann.add_mark(Mark(id="lost", start=9.0))
    assert not isinstance(caught.value, StoreReadOnlyError)
    monkeypatch.undo()

    assert ann.path.read_bytes() == before
    assert not [p for p in ann.path.parent.iterdir() if ".tmp-" in p.name], "the half-written temp file is gone"
    assert [m.id for m in ann.marks()] == ["m0", "m1", "m2"]
    ann.add_mark(Mark(id="later", start=9.0))  # once space is back, saving works again
    assert "later" in {m.id for m in Library.open(db).annotations("s1").marks()}


def test_a_full_disk_during_fsync_is_also_caught(db, monkeypatch):
    ann = session_with_marks(db, 1)
    before = ann.path.read_bytes()
    monkeypatch.setattr(files_module.os, "fsync", lambda fd: (_ for _ in ()).throw(OSError(errno.EDQUOT, "Quota")))
    with pytest.raises(StoreError, match="is full"):
        ann.set("draft", "some words")
    monkeypatch.undo()
    assert ann.path.read_bytes() == before


# --- leftovers from a crash -------------------------------------------------------------------


def test_temp_files_left_by_a_killed_writer_are_swept_on_the_next_save(db):
    ann = session_with_marks(db, 1)
    stale = ann.path.with_name(f".{ann.path.name}.tmp-99999-deadbeef")
    stale.write_text("{half a fi")
    Library.open(db).annotations("s1").add_mark(Mark(id="next", start=2.0))
    assert not stale.exists()
    assert [m.id for m in ann.marks()] == ["m0", "next"]


def test_a_folder_given_as_the_database_is_refused(tmp_path):
    with pytest.raises(StoreError, match="is a folder"):
        Library.open(tmp_path)
