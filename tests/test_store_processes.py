"""The store against real processes: kill -9 mid-save, concurrent writers, a lock held too long.

No mocks here: each writer is a separate Python process using the public API, and an
id counts as acknowledged only once the writer printed it after ``add_mark`` returned.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tui.core.model import Mark
from tui.errors import StoreLockedError
from tui.store import Library

HELPERS = Path(__file__).parent / "store_helpers"
ROOT = Path(__file__).resolve().parent.parent
SESSION = "s0"


def spawn(script: str, *args: object) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, str(HELPERS / script), *map(str, args)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def acknowledged(output: str) -> set[str]:
    """Ids on complete lines only: a line cut by the kill was never acknowledged."""
    return {line for line in output.split("\n")[:-1] if line and line != "ready"}


def test_kill_9_at_random_moments_never_loses_an_acknowledged_mark(tmp_path):
    db = tmp_path / "debrief.json"
    rng = random.Random(20240501)
    acked: set[str] = set()
    killed_mid_write = 0
    rounds = 36
    for round_no in range(rounds):
        writer = spawn("writer.py", db, SESSION, f"r{round_no:02d}", 100_000)
        if round_no % 2:
            # Kill anywhere from start-up (folder and index creation) into the save loop.
            time.sleep(rng.uniform(0.0, 0.35))
            first = ""
        else:
            # Kill inside the save loop, at a random point of a random save.
            first = writer.stdout.readline()
            time.sleep(rng.uniform(0.0, 0.03))
        writer.kill()
        rest, _ = writer.communicate()
        acked |= acknowledged(first + rest)
        sessions_dir = tmp_path / "debrief.json.d" / "sessions"
        if sessions_dir.exists() and any(".tmp-" in name for name in os.listdir(sessions_dir)):
            killed_mid_write += 1
        # After every kill the database opens and holds every acknowledged mark.
        saved = {m.id for m in Library.open(db).annotations(SESSION).marks()}
        missing = acked - saved
        assert not missing, f"round {round_no}: acknowledged marks lost: {sorted(missing)[:5]}"
        session_file = sessions_dir / f"{SESSION}.json"
        if session_file.exists():
            json.loads(session_file.read_text())  # plain JSON, readable by any tool
    assert len(acked) > rounds, "the writers should have saved marks in most rounds"
    print(f"\n{rounds} kills, {len(acked)} acknowledged marks all kept, {killed_mid_write} kills left a temp file")


@pytest.mark.parametrize(("writers", "per_writer"), [(2, 200), (4, 100)])
def test_concurrent_writers_lose_no_marks(tmp_path, writers, per_writer):
    db = tmp_path / "debrief.json"
    Library.open(db)
    go = tmp_path / "go"
    procs = [spawn("writer.py", db, SESSION, f"w{n}", per_writer, go) for n in range(writers)]
    for proc in procs:
        assert proc.stdout.readline().strip() == "ready"
    go.touch()
    acked: set[str] = set()
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        acked |= acknowledged(out)
    assert len(acked) == writers * per_writer

    marks = Library.open(db).annotations(SESSION).marks()
    assert {m.id for m in marks} == acked
    # The writers really overlapped in time (otherwise this proves nothing about locking).
    spans = []
    for n in range(writers):
        created = sorted(m.created for m in marks if m.id.startswith(f"w{n}-"))
        spans.append((created[0], created[-1]))
    assert max(start for start, _ in spans) < min(end for _, end in spans)


def test_open_app_sees_marks_another_process_added(tmp_path):
    db = tmp_path / "debrief.json"
    annotations = Library.open(db).annotations(SESSION)
    annotations.add_mark(Mark(id="mine", start=0.7))
    token = annotations.change_token()

    subprocess.run(
        [sys.executable, str(HELPERS / "writer.py"), str(db), SESSION, "other", "3"],
        check=True,
        capture_output=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )

    assert annotations.change_token() != token
    assert [m.id for m in annotations.marks()] == ["other-00000", "other-00001", "mine", "other-00002"]


@pytest.fixture
def lock_holder():
    procs: list[subprocess.Popen[str]] = []

    def hold(path: Path) -> None:
        proc = spawn("hold_lock.py", path)
        procs.append(proc)
        assert proc.stdout.readline().strip() == "held", proc.stderr.read()

    yield hold
    for proc in procs:
        proc.kill()
        proc.communicate()


def test_a_lock_held_too_long_gives_a_clear_error_not_a_hang(tmp_path, lock_holder):
    db = tmp_path / "debrief.json"
    library = Library.open(db, lock_timeout=0.3)
    annotations = library.annotations(SESSION)
    annotations.add_mark(Mark(id="before", start=1.0))
    lock_holder(annotations.path)

    with pytest.raises(StoreLockedError) as caught:
        annotations.add_mark(Mark(id="blocked", start=2.0))
    message = str(caught.value)
    assert str(annotations.path) in message and "0.3 s" in message
    # Reading, and opening the library afresh, never wait for the lock.
    assert [m.id for m in annotations.marks()] == ["before"]
    assert [m.id for m in Library.open(db, lock_timeout=0.3).annotations(SESSION).marks()] == ["before"]


def test_a_locked_index_refuses_library_writes_clearly(tmp_path, lock_holder):
    db = tmp_path / "debrief.json"
    library = Library.open(db, lock_timeout=0.2)
    lock_holder(db)
    with pytest.raises(StoreLockedError, match="debrief.json"):
        library.set("last_session", "s0")
    assert library.get("last_session") is None


def test_a_killed_lock_holder_releases_the_lock(tmp_path):
    db = tmp_path / "debrief.json"
    annotations = Library.open(db, lock_timeout=2.0).annotations(SESSION)
    annotations.add_mark(Mark(id="first", start=1.0))
    holder = spawn("hold_lock.py", annotations.path)
    assert holder.stdout.readline().strip() == "held"
    holder.kill()
    holder.communicate()
    annotations.add_mark(Mark(id="after", start=2.0))
    assert [m.id for m in annotations.marks()] == ["first", "after"]
