"""Time to the first transcript row on screen when a user opens a new 1-hour recording (issue #21).

What a user sees: ``debrief REC`` on a recording no library has seen opens the review screen
and starts transcribing; rows appear as they are heard. Measured in a real pseudo-terminal
(bench_app's ``PtyProcess``, 160x48), from the fork until the first row's first words are in
the bytes the app wrote. The recording is copied into a fresh folder for every run, so it is
always new, and the config holds only ``[transcription] batch_size``.

Baseline, same run: the same ``Transcriber`` in a child process without the app, timed from
the process start to its first ``on_segment`` (which also gives the words to wait for). The
difference is what the app adds (start-up, the worker, drawing).

    .venv/bin/python bench/bench_first_row.py [--seconds 3600] [--reps 3] [--batch 0 8]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from bench_app import PtyProcess, app_environment, debrief_argv  # noqa: E402
from bench_batched import long_file  # noqa: E402

CHILD = r"""
import json, sys, threading, time
began = time.perf_counter()
from tui.media.transcribe import Transcriber
cancel = threading.Event()
first = {}
def arrived(seg):
    if not first:
        first.update(s=time.perf_counter() - began, text=seg.text)
        cancel.set()
Transcriber(batch_size=int(sys.argv[2])).transcribe(sys.argv[1], on_segment=arrived, cancel=cancel)
print(json.dumps(first))
"""


def without_app(recording: Path, batch: int) -> dict:
    """Seconds from a child process's start to its first recognised row, and that row's text."""
    began = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", CHILD, str(recording), str(batch)], check=True,
                         capture_output=True, text=True, cwd=ROOT)
    got = json.loads(out.stdout.strip().splitlines()[-1])
    got["process_s"] = time.perf_counter() - began
    return got


def in_app(recording: Path, batch: int, needle: bytes, timeout: float = 300.0) -> dict:
    """Seconds from the fork to the app's first frame ("Transcribing") and to the first row on screen."""
    with tempfile.TemporaryDirectory(prefix="debrief-first-row-") as folder:
        home = Path(folder)
        (home / "debrief").mkdir()
        (home / "debrief" / "config.toml").write_text(f"[transcription]\nbatch_size = {batch}\n")
        copy = home / f"new{recording.suffix}"
        shutil.copyfile(recording, copy)
        app = PtyProcess(debrief_argv() + [str(copy), "--audio", "silent"], app_environment(home))
        try:
            frame = app.wait_for([b"Transcribing"], 60)
            row = app.wait_for([needle], timeout)
            peak = app.peak_rss_mib()
        finally:
            app.close()
    if row is None:
        tail = bytes(app.buffer[-400:]).decode("utf-8", "replace")
        raise RuntimeError(f"no first row within {timeout} s; last output: {tail!r}")
    return {"frame_s": frame, "row_s": row, "peak_rss_mib_at_row": peak}


def measure(recording: Path, batches: list[int], reps: int) -> list[dict]:
    rows = []
    for batch in batches:
        bare = [without_app(recording, batch) for _ in range(reps)]
        needle = " ".join(bare[0]["text"].split()[:2]).encode()
        app = [in_app(recording, batch, needle) for _ in range(reps)]
        rows.append({
            "batch": batch,
            "first row on screen, median s": round(statistics.median(a["row_s"] for a in app), 2),
            "first frame, median s": round(statistics.median(a["frame_s"] for a in app), 2),
            "first row without the app, median s": round(statistics.median(b["s"] for b in bare), 2),
            "app / without": round(statistics.median(a["row_s"] for a in app)
                                   / statistics.median(b["s"] for b in bare), 2),
            "peak RSS at the first row, MiB": round(max(a["peak_rss_mib_at_row"] for a in app)),
            "first words": needle.decode(),
            "load": round(os.getloadavg()[0], 1),
        })
        print(json.dumps(rows[-1]), flush=True)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=3600, help="length of the new recording")
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--batch", type=int, nargs="+", default=[0, 8], help="batch sizes (0: sequential)")
    args = parser.parse_args()
    measure(long_file(args.seconds), args.batch, args.reps)


if __name__ == "__main__":
    main()
