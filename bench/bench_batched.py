"""Batched recognition (issue #21): accuracy, speed, first row and memory, sequential vs batched.

Same machine, same run, same model (bundled tiny.en, int8, 2 threads), alternating A/B; the
machine is shared, so only ratios measured next to each other mean anything.

* accuracy: the words of Debrief's transcript (``Transcriber.transcribe``) against the reference
  text of the real recordings (tests/data/real: the 11 s speech, the 60 s AMI meeting whose
  reference is the words of each person without timings) and of the sample sessions
  (generated voices): WER (the words in time order; not for the meeting, whose speakers'
  words cannot be put in one order) and word recall / precision as bags of words (all);
  sequential (``batch_size=0``) and batched (several batch sizes).
* speed: bare sequential ``WhisperModel.transcribe`` (as bench_transcribe.py) vs Debrief's
  whole pipeline with batched recognition, on the same file.
* hour: a 1-hour file (the sample sessions end to end, made into bench/.data/ with ffmpeg):
  time to the first row (``on_segment``), time to review-ready (transcript + speakers +
  figures), in a child process with its peak RSS; and the same for 2 hours (memory).
* ab: another checkout's pipeline (``--root``, e.g. the commit before) against this one's, and
  bare sequential faster-whisper, on the same file (``--seconds`` of the sample sessions), one
  child process each, alternating, ``--reps`` times: review-ready wall and CPU seconds.
* windows: sequential recognition over the whole file against sequential in windows
  (``--windows 60+600:voice,60+600:quiet``: first+later seconds, cut in a pause of the voice or
  at the quietest point) on ``--files``, in one process, alternating: CPU seconds, words, and
  every attempt at decoding a 30 s frame (temperature fallbacks) from faster-whisper's log.

    python bench/bench_batched.py [accuracy] [speed] [hour] [ab] [windows] [--reps N] [--batch 0,4,8,16]
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

REAL = ROOT / "tests" / "data" / "real"
SAMPLES = ROOT / "sample_sessions"
DATA = ROOT / "bench" / ".data"
THREADS = 2


def normal_words(text: str) -> list[str]:
    text = text.lower().replace("-", " ").replace("_", " ")
    return re.findall(r"[a-z0-9]+(?:'[a-z]+)?", text)


def reference_of(name: str) -> tuple[list[str], bool]:
    """(reference words, ordered?)."""
    if name == "one_speaker_speech.flac":
        return normal_words("And so my fellow Americans, ask not what your country can do for you, ask what you can "
                            "do for your country."), True
    if name == "meeting_four_speakers.wav":
        text = (REAL / "meeting_four_speakers.words.txt").read_text()
        return normal_words(re.sub(r"\[[A-D]\]", " ", text)), False
    lines = (SAMPLES / name).with_suffix(".txt").read_text().splitlines()
    return normal_words(" ".join(line.split("|", 2)[2] for line in lines
                                 if line.strip() and not line.startswith("#"))), True


def wer(ref: list[str], hyp: list[str]) -> float:
    row = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        prev, row[0] = row[0], i
        for j, h in enumerate(hyp, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (r != h))
    return row[-1] / max(1, len(ref))


def bag(ref: list[str], hyp: list[str]) -> tuple[float, float]:
    common = sum((collections.Counter(ref) & collections.Counter(hyp)).values())
    return common / max(1, len(ref)), common / max(1, len(hyp))


def transcript_words(transcript) -> list[str]:
    words = sorted((w for s in transcript.segments for w in s.words), key=lambda w: w.start)
    return normal_words(" ".join(w.text for w in words))


def accuracy(batches: list[int]) -> list[dict]:
    from tui.media.transcribe import Transcriber

    files = [REAL / "one_speaker_speech.flac", REAL / "meeting_four_speakers.wav",
             SAMPLES / "short_session.ogg", SAMPLES / "coaching_session.ogg"]
    transcribers = {b: Transcriber(threads=THREADS, batch_size=b) for b in batches}
    for t in transcribers.values():
        t.transcribe(files[0])  # loaded and warm
    rows = []
    for path in files:
        ref, ordered = reference_of(path.name)
        for b, t in transcribers.items():
            began = time.perf_counter()
            transcript = t.transcribe(path)
            hyp = transcript_words(transcript)
            recall, precision = bag(ref, hyp)
            rows.append({"file": path.name, "batch": b, "wer": round(wer(ref, hyp), 4) if ordered else None,
                         "recall": round(recall, 4), "precision": round(precision, 4), "ref_words": len(ref),
                         "hyp_words": len(hyp), "rows": len(transcript.segments),
                         "speakers": len(transcript.speakers), "seconds": round(time.perf_counter() - began, 2)})
            print(json.dumps(rows[-1]), flush=True)
    return rows


def speed(reps: int, batch: int) -> dict:
    import make_data
    from bench_transcribe import WARM_UP, bare, bare_model

    from tui.media.transcribe import Transcriber

    make_data.ensure()
    source = make_data.REVIEW / "five_minutes.opus"
    model = bare_model()
    transcriber = Transcriber(None, threads=THREADS, batch_size=batch)
    sequential = Transcriber(None, threads=THREADS, batch_size=0)
    bare(model, WARM_UP)
    transcriber.transcribe(WARM_UP)
    sequential.transcribe(WARM_UP)
    runs = []
    for rep in range(reps):
        run = {}
        order = ("bare", "batched", "sequential")
        for side in (order if rep % 2 == 0 else order[::-1]):
            began, cpu = time.perf_counter(), time.process_time()
            if side == "bare":
                bare(model, source)
            else:
                (transcriber if side == "batched" else sequential).transcribe(source)
            run[side] = time.perf_counter() - began
            run[side + "_cpu"] = time.process_time() - cpu
        runs.append(run)
        print(json.dumps(run), flush=True)
    result = {"file": source.name, "reps": reps, "batch": batch, "runs": runs}
    for side in ("batched", "sequential"):
        result[f"{side}_vs_bare"] = statistics.median(r[side] / r["bare"] for r in runs)
        result[f"{side}_vs_bare_cpu"] = statistics.median(r[side + "_cpu"] / r["bare_cpu"] for r in runs)
    return result


CHILD = r"""
import json, os, resource, sys, time, threading
began = time.perf_counter()
from tui.core.analytics import session_stats
from tui.media.transcribe import Transcriber
batch, only_first = sys.argv[2], sys.argv[4] == "1"
t = Transcriber(threads=int(sys.argv[3])) if batch in ("base", "bare") else Transcriber(
    threads=int(sys.argv[3]), batch_size=int(batch))
cpu = lambda: (lambda u: u.ru_utime + u.ru_stime)(resource.getrusage(resource.RUSAGE_SELF))
model = t._load()
loaded, loaded_cpu = time.perf_counter(), cpu()
first = []
if batch == "bare":  # faster-whisper alone, as bench_transcribe.py runs it
    pieces, _ = model.transcribe(sys.argv[1], language="en", vad_filter=True, word_timestamps=True,
                                 condition_on_previous_text=False, beam_size=1)
    count = sum(1 for _ in pieces)
    print(json.dumps({"review_ready_s": time.perf_counter() - loaded, "work_cpu_s": cpu() - loaded_cpu,
                      "rows": count}))
    sys.exit(0)

def row(segment):
    if not first:
        first.append(time.perf_counter())
        if only_first:  # time to the first row only; RSS so far
            print(json.dumps({"first_row_s": first[0] - loaded, "first_row": segment.text[:60],
                              "peak_rss_mb_so_far": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
            sys.stdout.flush()
            os._exit(0)

transcript = t.transcribe(sys.argv[1], on_segment=row)
session_stats(transcript)
done = time.perf_counter()
print(json.dumps({"load_s": loaded - began, "first_row_s": first[0] - loaded if first else None,
                  "review_ready_s": done - loaded, "rows": len(transcript.segments),
                  "speakers": len(transcript.speakers), "duration": transcript.duration,
                  "cpu_s": cpu(), "work_cpu_s": cpu() - loaded_cpu,
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def long_file(seconds: int) -> Path:
    """The sample sessions end to end, cut at ``seconds`` (mono Opus, 16 kHz), in bench/.data/."""
    target = DATA / f"long_{seconds}s.ogg"
    if not target.exists():
        DATA.mkdir(parents=True, exist_ok=True)
        listing = DATA / "long_list.txt"
        one = (SAMPLES / "coaching_session.ogg", SAMPLES / "short_session.ogg")
        listing.write_text("".join(f"file '{p}'\n" for _ in range(seconds // 340 + 1) for p in one))
        subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "concat", "-safe", "0", "-i", str(listing), "-t",
                        str(seconds), "-c:a", "libopus", "-b:a", "32k", "-ac", "1", "-ar", "16000", str(target)],
                       check=True)
    return target


def hour(batches: list[str], seconds: int, root: Path = ROOT, first_only: bool = False) -> list[dict]:
    """One child process per batch size ("base": the code in ``root`` as it was, without the setting)."""
    path = long_file(seconds)
    rows = []
    for b in batches:
        out = subprocess.run([sys.executable, "-c", CHILD, str(path), str(b), str(THREADS), str(int(first_only))],
                             check=True, capture_output=True, text=True, cwd=root)
        rows.append({"file": path.name, "batch": b, **json.loads(out.stdout.strip().splitlines()[-1])})
        print(json.dumps(rows[-1]), flush=True)
    return rows


def ab(other: Path, batches: list[str], seconds: int, reps: int) -> dict:
    """Review-ready time and CPU of ``other``'s pipeline and this one's, per batch size, vs bare faster-whisper.

    Same file, one child process per run, the order reversed every other repetition; ratios are
    taken within a repetition (the machine is shared) and their median reported.
    """
    path = long_file(seconds)
    sides = [("bare", ROOT, "bare")] + [(f"{name} {b}", root, b) for b in batches
                                        for name, root in (("before", other), ("after", ROOT))]
    runs = []
    for r in range(reps):
        run = {}
        for label, root, b in (sides if r % 2 == 0 else sides[::-1]):
            out = subprocess.run([sys.executable, "-c", CHILD, str(path), b, str(THREADS), "0"], check=True,
                                 capture_output=True, text=True, cwd=root)
            got = json.loads(out.stdout.strip().splitlines()[-1])
            run[label] = (got["review_ready_s"], got["work_cpu_s"])
        run["load"] = os.getloadavg()[0]
        runs.append(run)
        print(json.dumps(run), flush=True)
    result: dict = {"file": path.name, "reps": reps, "load": [r["load"] for r in runs]}
    for b in batches:
        for name in ("before", "after"):
            label = f"{name} {b}"
            result[f"{label} vs bare (wall, cpu)"] = [round(statistics.median(r[label][i] / r["bare"][i] for r in runs), 3)
                                                      for i in (0, 1)]
        result[f"after vs before {b} (wall, cpu)"] = [
            round(statistics.median(r[f"after {b}"][i] / r[f"before {b}"][i] for r in runs), 3) for i in (0, 1)]
    print(json.dumps(result), flush=True)
    return result


class _Attempts:
    """faster-whisper's own debug log, read as: windows (transcribe calls), 30 s frames, failed attempts."""

    def __init__(self):
        import logging

        self.windows: list[dict] = []
        handler = logging.Handler()
        handler.emit = self._record  # type: ignore[method-assign]
        log = logging.getLogger("faster_whisper")
        log.setLevel(logging.DEBUG)
        log.addHandler(handler)

    def window(self, seconds: float) -> None:
        self.windows.append({"speech_s": round(seconds, 1), "frames": [], "failed": []})

    def _record(self, record) -> None:
        message = record.getMessage()
        if not self.windows:
            return
        here = self.windows[-1]
        if message.startswith("Processing segment at"):
            here["frames"].append(message.rsplit(" ", 1)[-1])
        elif "threshold is not met with temperature" in message:
            here["failed"].append((len(here["frames"]) - 1, message.split("temperature ")[1].split(" ")[0],
                                   "cr" if message.startswith("Compression") else "lp"))


def windows(files: list[Path], sizes: list[tuple[float, float, str]], reps: int) -> list[dict]:
    """Sequential recognition over the whole file against sequential in windows: CPU, attempts, words.

    One process, model loaded once, the sides alternating; every attempt at decoding a 30 s frame
    (the first at temperature 0, each fallback one more) is counted from faster-whisper's log.
    """
    from tui.media import recognition_audio
    from tui.media import transcribe as module
    from tui.media.transcribe import Transcriber

    cuts = {"voice": recognition_audio.silence_cut, "quiet": recognition_audio._quiet_point}

    t = Transcriber(threads=THREADS, batch_size=0)
    model = t._load()
    attempts = _Attempts()
    plain = model.transcribe

    def counted(audio, **kwargs):
        attempts.window(audio.shape[0] / 16000)
        return plain(audio, **kwargs)

    model.transcribe = counted
    t.transcribe(REAL / "one_speaker_speech.flac")  # warm
    rows = []
    for path in files:
        inf = float("inf")
        sides = [("whole", (inf, inf, "voice"))] + [(f"{a:g}+{b:g} {c}", (a, b, c)) for a, b, c in sizes]
        for rep in range(reps):
            for label, (first, later, cut) in (sides if rep % 2 == 0 else sides[::-1]):
                module.FIRST_WINDOW_SECONDS, module.SEQUENTIAL_WINDOW_SECONDS = first, later
                module.silence_cut = cuts[cut]
                attempts.windows.clear()
                began, cpu = time.perf_counter(), time.process_time()
                transcript = t.transcribe(path)
                wall, cpu = time.perf_counter() - began, time.process_time() - cpu
                frames = sum(len(w["frames"]) for w in attempts.windows)
                failed = sum(len(w["failed"]) for w in attempts.windows)
                last = sum(1 for w in attempts.windows for f, _, _ in w["failed"] if f == len(w["frames"]) - 1)
                hyp = transcript_words(transcript)
                ref, ordered = reference_of(path.name) if path.resolve().parent in (REAL, SAMPLES) else ([], False)
                row = {"file": path.name, "side": label, "rep": rep, "wall_s": round(wall, 2), "cpu_s": round(cpu, 2),
                       "windows": len(attempts.windows), "frames": frames, "failed_attempts": failed,
                       "failed_in_last_frame": last, "words": len(hyp),
                       "per_window": [(w["speech_s"], len(w["frames"]), w["failed"]) for w in attempts.windows],
                       "load": round(os.getloadavg()[0], 2), "hyp": " ".join(hyp)}
                if ref:
                    recall, precision = bag(ref, hyp)
                    row.update(wer=round(wer(ref, hyp), 4) if ordered else None, recall=round(recall, 4),
                               precision=round(precision, 4))
                rows.append(row)
                print(json.dumps(row), flush=True)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("parts", nargs="*", default=["accuracy", "speed", "hour"])
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--batch", default="0,8")
    parser.add_argument("--seconds", type=int, default=3600)
    parser.add_argument("--root", type=Path, default=ROOT, help="hour: run another checkout's code (e.g. the "
                        "commit before, exported with git archive), batch size 'base'")
    parser.add_argument("--first-only", action="store_true", help="hour: stop at the first row")
    parser.add_argument("--files", default="300", help="windows: files (a number: that many seconds of the samples)")
    parser.add_argument("--windows", default="60+600", help="windows: first+later window seconds[:voice|quiet] (where a window is cut), comma-separated")
    parser.add_argument("--other", type=Path, help="ab: the checkout to compare with (the code before)")
    args = parser.parse_args()
    batches = [b for b in args.batch.split(",")]
    if "accuracy" in args.parts:
        accuracy([int(b) for b in batches])
    if "speed" in args.parts:
        print(json.dumps({k: v for k, v in speed(args.reps, max(int(b) for b in batches)).items() if k != "runs"}))
    if "hour" in args.parts:
        hour(batches, args.seconds, args.root.resolve(), args.first_only)
    if "windows" in args.parts:
        files = [Path(f) if "/" in f else long_file(int(f)) for f in args.files.split(",")]
        sizes = [(float(side.split("+")[0]), float(side.split("+")[1].split(":")[0]),
                  side.split(":")[1] if ":" in side else "voice") for side in args.windows.split(",")]
        windows(files, sizes, args.reps)  # type: ignore[arg-type]
    if "ab" in args.parts:
        ab(args.other.resolve(), batches, args.seconds, args.reps)


if __name__ == "__main__":
    main()
