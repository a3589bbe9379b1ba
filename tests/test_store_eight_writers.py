"""Eight reviewers saving into one session at once lose nothing (the figure in bench/README.md).

``tests/test_store_processes.py`` runs 2 and 4 writers; the hostile-input audit (issue 18)
ran 8, and its result is kept here as a test: 8 separate processes, started together,
each saving 60 marks through the public API; every id a writer printed after
``add_mark`` returned must be in the file, and no other.
"""

from __future__ import annotations

from test_store_processes import SESSION, acknowledged, spawn
from tui.store import Library

WRITERS = 8
PER_WRITER = 60


def test_eight_concurrent_writers_lose_no_acknowledged_mark(tmp_path):
    db = tmp_path / "debrief.json"
    Library.open(db)
    go = tmp_path / "go"
    procs = [spawn("writer.py", db, SESSION, f"w{n}", PER_WRITER, go) for n in range(WRITERS)]
    for proc in procs:
        assert proc.stdout.readline().strip() == "ready"
    go.touch()
    acked: set[str] = set()
    for proc in procs:
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
        acked |= acknowledged(out)
    saved = {m.id for m in Library.open(db).annotations(SESSION).marks()}
    lost = acked - saved
    print(f"\n{WRITERS} writers, {len(acked)} acknowledged marks, {len(lost)} lost, "
          f"{len(saved - acked)} unacknowledged extra")
    assert len(acked) == WRITERS * PER_WRITER
    assert not lost and saved == acked
