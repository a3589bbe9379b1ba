"""Confidential recordings: everything the store creates is private unless sharing is asked for."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from tui.core.model import Mark, Segment, Transcript
from tui.store import Library


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(params=[0o022, 0o000], ids=["umask-022", "umask-000"])
def umask(request):
    """Modes must not depend on the user's umask, even a permissive one."""
    old = os.umask(request.param)
    yield request.param
    os.umask(old)


def populate(library: Library) -> None:
    ann = library.annotations("s1")
    ann.add_mark(Mark(id="", start=1.0, note="confidential"))
    library.transcripts.save("s1", Transcript(segments=(Segment(0.0, 1.0, "private words"),)))
    library.session_id(Path(__file__))


def test_everything_created_is_private(tmp_path, umask):
    library = Library.open(tmp_path / "new-folder" / "debrief.json")
    populate(library)
    created = list((tmp_path / "new-folder").rglob("*")) + [tmp_path / "new-folder"]
    files = [p for p in created if p.is_file()]
    folders = [p for p in created if p.is_dir()]
    assert len(files) >= 5 and len(folders) == 4  # index, lock files, session, transcript
    assert {p.name: oct(mode(p)) for p in files} == {p.name: "0o600" for p in files}
    assert {p.name: oct(mode(p)) for p in folders} == {p.name: "0o700" for p in folders}


def test_the_temporary_file_already_has_the_final_mode(tmp_path, monkeypatch, umask):
    library = Library.open(tmp_path / "debrief.json")
    seen: list[int] = []
    real_replace = os.replace

    def spy(src, dst):
        seen.append(mode(Path(src)))
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", spy)
    library.annotations("s1").add_mark(Mark(id="", start=1.0))
    assert seen and all(m == 0o600 for m in seen)


def test_shared_group_mode_lets_a_mentor_in_the_group_write(tmp_path, umask):
    library = Library.open(tmp_path / "shared" / "debrief.json", shared_group=True)
    populate(library)
    session_file = library.annotations("s1").path
    assert oct(mode(session_file)) == "0o660"
    assert oct(mode(library.db_path)) == "0o660"
    assert oct(mode(library.sessions_dir)) == "0o2770"  # setgid: new files keep the folder's group


def test_a_deliberately_shared_file_keeps_its_mode_but_never_becomes_world_readable(tmp_path):
    library = Library.open(tmp_path / "debrief.json")
    ann = library.annotations("s1")
    ann.add_mark(Mark(id="a", start=1.0))
    ann.path.chmod(0o640)
    ann.add_mark(Mark(id="b", start=2.0))
    assert oct(mode(ann.path)) == "0o640"
    ann.path.chmod(0o644)
    ann.add_mark(Mark(id="c", start=3.0))
    assert oct(mode(ann.path)) == "0o640"
