"""An archive on Dask: `--cluster local:N` against `--jobs N` and one process, on the same recordings.

Ten distinct recordings (the two sample sessions cut into pieces of about 35 s, 5.7 min of
audio in all) are transcribed from scratch, each run into its own fresh library, in one
process so the ratios share the machine's load:

* sequential: ``batch.run(jobs=1)`` (one model, 2 threads);
* jobs 2: ``batch.run(jobs=2)`` (a spawn process pool, 1 thread each: a model per recording);
* cluster local:2: ``cluster.run`` on a LocalCluster of 2 worker processes (1 thread each,
  the model loaded once per worker), timed from before the cluster starts, and again from
  the moment the client is connected;
* cluster local:1: one worker with 2 threads: its wall time after connecting, minus the
  sequential run's, over the ten tasks, is the engine's overhead per task (scatter, schedule,
  result back, save);
* cluster local:2 with a worker killed (SIGKILL) once the first transcript is in: its wall
  time, and every recording saved once.

Each run is repeated (``--runs``, default 2; order rotated) and the median reported.

    .venv/bin/python bench/bench_cluster.py [--runs N]
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import sys
import tempfile
import threading
import time
import wave
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT)]

SOURCES = (ROOT / "sample_sessions" / "coaching_session.ogg", ROOT / "sample_sessions" / "short_session.ogg")
PIECES = 10


def make_recordings(folder: Path) -> tuple[list[Path], float]:
    """Ten distinct wav pieces of the two sample sessions; (paths, seconds of audio in all)."""
    import numpy as np
    from faster_whisper.audio import decode_audio

    audio = np.concatenate([decode_audio(str(s), sampling_rate=16000) for s in SOURCES])
    size = len(audio) // PIECES
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for n in range(PIECES):
        path = folder / f"piece_{n + 1:02}.wav"
        with wave.open(str(path), "wb") as out:
            out.setnchannels(1)
            out.setsampwidth(2)
            out.setframerate(16000)
            out.writeframes((np.clip(audio[n * size:(n + 1) * size], -1, 1) * 32767).astype("<i2").tobytes())
        paths.append(path)
    return paths, size * PIECES / 16000


def fresh_library(source: list[Path], where: Path) -> Path:
    where.mkdir(parents=True)
    for path in source:
        os.link(path, where / path.name)  # same content, a new library each run
    return where


def run_batch(folder: Path, jobs: int) -> dict:
    from tui.services import batch

    began = time.perf_counter()
    todo = batch.plan([folder], None, None, False).todo
    done = batch.run(todo, db=None, model=None, threads=2 if jobs == 1 else 1, speakers=None, jobs=jobs, device="cpu")
    return {"wall": time.perf_counter() - began, "done": done}


def run_cluster(folder: Path, workers: int, threads: int, kill: bool = False) -> dict:
    from tui.services import batch, cluster

    began = time.perf_counter()
    todo = batch.plan([folder], None, None, False).todo
    target = cluster.Target(local_workers=workers)
    seen: list[Path] = []
    worker_seconds: list[float] = []
    first = threading.Event()
    killed: dict = {}
    with cluster.session(target) as client:
        connected = time.perf_counter()

        def killer():
            first.wait(300)
            while not killed:
                busy = [a for a, keys in client.processing().items() if keys]
                if busy:
                    pid = client.run(os.getpid, workers=[busy[0]])[busy[0]]
                    os.kill(pid, signal.SIGKILL)
                    killed["pid"] = pid
                    killed["at"] = time.perf_counter() - connected
                    return
                time.sleep(0.05)

        if kill:
            threading.Thread(target=killer, daemon=True).start()

        def on_done(result):
            seen.append(result.path)
            first.set()

        done = cluster.run(todo, target=target, model=None, threads=threads, speakers=None, device="cpu",
                           client=client, on_done=on_done,
                           on_result=lambda p, info: worker_seconds.append(info["seconds"]))
        ended = time.perf_counter()
    once = all(c == 1 for c in Counter(seen).values()) and len(seen) == PIECES
    return {"wall": time.perf_counter() - began, "after_connect": ended - connected,
            "startup": connected - began, "done": done, "once": once, "worker_seconds": worker_seconds,
            "killed": killed}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=2)
    args = parser.parse_args()
    base = Path(tempfile.mkdtemp(prefix="debrief-bench-cluster-"))
    recordings, audio_seconds = make_recordings(base / "source")
    kinds = {
        "sequential (1 process, 2 threads)": lambda f: run_batch(f, 1),
        "--jobs 2 (1 thread each)": lambda f: run_batch(f, 2),
        "--cluster local:2 (1 thread each)": lambda f: run_cluster(f, 2, 1),
        "--cluster local:1 (2 threads)": lambda f: run_cluster(f, 1, 2),
        "--cluster local:2, a worker killed": lambda f: run_cluster(f, 2, 1, kill=True),
    }
    results: dict[str, list[dict]] = {k: [] for k in kinds}
    names = list(kinds)
    for rep in range(args.runs):
        order = names[rep % len(names):] + names[:rep % len(names)]
        for name in order:
            folder = fresh_library(recordings, base / f"run{rep}-{names.index(name)}")
            result = kinds[name](folder)
            assert result["done"] == PIECES, (name, result)
            results[name].append(result)
            print(f"  run {rep + 1}: {name}: {result['wall']:.1f} s", flush=True)
    med = {k: statistics.median(r["wall"] for r in v) for k, v in results.items()}
    seq = med["sequential (1 process, 2 threads)"]
    print(f"\n{PIECES} recordings, {audio_seconds / 60:.1f} min of audio; load average {os.getloadavg()}")
    print(f"{'run':40} {'wall s':>8} {'vs sequential':>14} {'x real time':>12}")
    for name, wall in med.items():
        print(f"{name:40} {wall:8.1f} {wall / seq:13.2f}x {audio_seconds / wall:11.1f}x")
    local2 = results["--cluster local:2 (1 thread each)"]
    local1 = results["--cluster local:1 (2 threads)"]
    startup = statistics.median(r["startup"] for r in local2)
    print(f"LocalCluster start (2 workers): {startup:.1f} s; local:2 after connect: "
          f"{statistics.median(r['after_connect'] for r in local2):.1f} s")
    overhead = (statistics.median(r["after_connect"] for r in local1) - seq) / PIECES
    print(f"engine overhead per task (local:1 after connect - sequential) / {PIECES}: {overhead * 1000:.0f} ms")
    idle = statistics.median((r["after_connect"] * 2 - sum(r["worker_seconds"])) / PIECES for r in local2)
    print(f"idle worker time per task in local:2 ((wall after connect x 2 - sum of task seconds) / {PIECES}; "
          f"scheduling, results back, saving, and the last task alone): {idle:.2f} s")
    per_task = [s for r in local2 for s in r["worker_seconds"]]
    rate = audio_seconds / PIECES / statistics.median(per_task)
    print(f"per worker (1 core, local:2): median task {statistics.median(per_task):.2f} s for "
          f"{audio_seconds / PIECES:.0f} s of audio = {rate:.1f}x real time")
    for run in results["--cluster local:2, a worker killed"]:
        print(f"killed worker pid {run['killed'].get('pid')} at {run['killed'].get('at', 0):.1f} s: "
              f"{run['done']} saved, each once: {run['once']}")


if __name__ == "__main__":
    main()
