"""How long saving one mark takes, and whether it stays flat as the library grows.

Builds temporary libraries of 10, 100 and 1000 sessions x 200 marks (files written
directly, so building is fast), then times ``SessionAnnotations.add_mark`` (lock, re-read,
atomic fsynced replace, folder fsync) on sessions chosen at random. As a baseline in the
same run it times TinyDB's stock ``JSONStorage`` inserting one mark into a single file
holding the same data, which is what the store would cost without sharding.

    python bench/bench_store.py [--quick] [--dir FOLDER]

Target: median <= 15 ms on the 2-core development machine, flat across library sizes.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from tinydb import TinyDB

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tui.core.model import Mark, SessionInfo  # noqa: E402
from tui.store import Library  # noqa: E402
from tui.store import schema  # noqa: E402
from tui.store.files import FileModes, atomic_write  # noqa: E402
from tui.store.storage import encode  # noqa: E402

MARKS_PER_SESSION = 200


def sample_mark(session: int, n: int) -> Mark:
    return Mark(
        id=f"{session:05d}{n:05d}{'0' * 22}",
        start=n * 17.5,
        end=n * 17.5 + 12.0,
        tag=("growth-edge", "strength", "missed-question")[n % 3],
        note=f"Client paused after the question about goals; follow-up #{n} could have been more open.",
        author="coach",
        created="2024-05-01T10:00:00.000+00:00",
        updated="2024-05-01T10:00:00.000+00:00",
    )


def build_library(folder: Path, sessions: int) -> Path:
    """Write a library of ``sessions`` x 200 marks straight to disk, in the store's own format."""
    db = folder / "debrief.json"
    Library.open(db)
    index: dict[str, dict] = {"sessions": {}}
    for s in range(sessions):
        sid = f"session{s:05d}"
        marks = {m.id: m.to_dict() for m in (sample_mark(s, n) for n in range(MARKS_PER_SESSION))}
        path = folder / "debrief.json.d" / "sessions" / f"{sid}.json"
        path.write_bytes(encode(schema.stamp(schema.SESSION, {"marks": marks}), path, 1))
        info = SessionInfo(id=sid, path=f"/lib/{sid}.ogg", title=f"Session {s}", duration=3600.0)
        index["sessions"][sid] = info.to_dict()
    atomic_write(db, encode(schema.stamp(schema.LIBRARY, index), db, 1), FileModes())
    return db


def build_single_file(path: Path, sessions: int) -> None:
    """The same marks in one stock TinyDB file (integer ids, session id as a field)."""
    docs, doc_id = {}, 1
    for s in range(sessions):
        for n in range(MARKS_PER_SESSION):
            docs[str(doc_id)] = {**sample_mark(s, n).to_dict(), "session_id": f"session{s:05d}"}
            doc_id += 1
    path.write_text(json.dumps({"marks": docs}))


def summarise(times: list[float]) -> tuple[float, float]:
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
    return statistics.median(ordered) * 1000, p95 * 1000


def time_sharded_interleaved(dbs: dict[int, Path], reps: int, rng: random.Random) -> dict[int | str, list[float]]:
    """Time add_mark for every library size in turn, plus the bare disk cost of the same bytes
    (write, fsync, replace, fsync folder), so that machine noise hits all of them alike."""
    handles = {}
    for sessions, db in dbs.items():
        library = Library.open(db)
        chosen = [f"session{rng.randrange(sessions):05d}" for _ in range(reps)]
        handles[sessions] = [library.annotations(sid) for sid in chosen]  # the app has its session open
    first = next(iter(handles.values()))[0].path
    floor_path = first.with_name("disk-floor.json")
    payload = b"x" * first.stat().st_size
    times: dict[int | str, list[float]] = {sessions: [] for sessions in dbs}
    times["floor"] = []
    order = list(dbs)
    for i in range(reps):
        order = order[1:] + order[:1]  # rotate, so no size always goes first
        for sessions in order:
            mark = Mark(id="", start=float(i), tag="strength", note="A new mark from the benchmark.")
            start = time.perf_counter()
            handles[sessions][i].add_mark(mark)
            times[sessions].append(time.perf_counter() - start)
        start = time.perf_counter()
        atomic_write(floor_path, payload, FileModes())
        times["floor"].append(time.perf_counter() - start)
    return times


def time_stock_single_file(path: Path, sessions: int, reps: int) -> list[float]:
    times = []
    with TinyDB(path) as db:
        table = db.table("marks")
        for i in range(reps):
            doc = {**Mark(id=f"new{i}", start=float(i), note="A new mark.").to_dict(), "session_id": "session00000"}
            start = time.perf_counter()
            table.insert(doc)
            times.append(time.perf_counter() - start)
    return times


def run(quick: bool, folder: Path | None = None) -> list[dict]:
    """One row per library size: sharded store vs stock single-file TinyDB, times in ms."""
    sizes = (10, 100) if quick else (10, 100, 1000)
    reps = 30 if quick else 100
    baseline_reps = {10: 20, 100: 5 if quick else 10, 1000: 3}
    rng = random.Random(7)
    with tempfile.TemporaryDirectory(dir=folder) as tmp:
        root = Path(tmp)
        dbs = {sessions: build_library(root / f"lib{sessions}" / "library", sessions) for sessions in sizes}
        sharded = time_sharded_interleaved(dbs, reps, rng)
        floor = summarise(sharded["floor"])
        stock = {}
        for sessions in sizes:
            single = root / f"single{sessions}.json"
            build_single_file(single, sessions)
            stock[sessions] = time_stock_single_file(single, sessions, baseline_reps[sessions])
            single.unlink()
    rows = []
    for sessions in sizes:
        median, p95 = summarise(sharded[sessions])
        base_median, base_p95 = summarise(stock[sessions])
        rows.append(
            {
                "name": "store.add_mark",
                "sessions": sessions,
                "marks": sessions * MARKS_PER_SESSION,
                "reps": reps,
                "median_ms": round(median, 2),
                "p95_ms": round(p95, 2),
                "disk_floor_median_ms": round(floor[0], 2),
                "baseline": "tinydb JSONStorage, one file",
                "baseline_reps": baseline_reps[sessions],
                "baseline_median_ms": round(base_median, 2),
                "baseline_p95_ms": round(base_p95, 2),
                "baseline_over_store": round(base_median / median, 1),
            }
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10 and 100 sessions only, fewer repetitions")
    parser.add_argument("--dir", type=Path, default=None, help="where to build the temporary libraries")
    args = parser.parse_args()
    rows = run(args.quick, args.dir)
    print(f"{'sessions':>8} {'marks':>8} | {'store median':>12} {'p95':>7} | {'stock 1-file median':>19} {'p95':>8} | ratio")
    for r in rows:
        print(
            f"{r['sessions']:>8} {r['marks']:>8} | {r['median_ms']:>9.2f} ms {r['p95_ms']:>7.2f} | "
            f"{r['baseline_median_ms']:>16.2f} ms {r['baseline_p95_ms']:>8.2f} | {r['baseline_over_store']:>5.1f}x"
        )
    print(f"disk floor (same bytes: write, fsync, replace, fsync folder): {rows[0]['disk_floor_median_ms']:.2f} ms median")
    flat = rows[-1]["median_ms"] / rows[0]["median_ms"]
    print(f"store median at {rows[-1]['sessions']} sessions / at {rows[0]['sessions']}: {flat:.2f}x (1.0 = flat)")


if __name__ == "__main__":
    main()
