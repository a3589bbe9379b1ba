"""What Debrief's transcription pipeline costs over bare faster-whisper, and how fast it is.

Both sides use the bundled tiny.en model (int8, 2 threads) and the same decoding options
(VAD, word timestamps, beam 1, no conditioning on previous text, English), on the same
file (5 minutes of real and generated speech from bench/make_data.py; 2 minutes with
--quick), loaded and warmed up before timing, and run alternately in the same process
(the order swapped every repetition; the ratio is the median of the ratios of runs made
next to each other, since the machine's load drifts):

* bare: ``WhisperModel.transcribe(path)``, its segments consumed (decoding included);
* pipeline: ``Transcriber.transcribe(path)`` (decode, stereo check, VAD, transcribe,
  speaker separation) then ``Workspace.save_transcript`` into a temporary library.

The speaker separation inside the pipeline is timed on its own as well, to show where the
difference goes.

    /tmp/dev/bin/python bench/bench_transcribe.py [--quick]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

import make_data  # noqa: E402
from results import row as _row  # noqa: E402

THREADS = 2
WARM_UP = ROOT / "tests" / "data" / "real" / "one_speaker_speech.flac"


def bare_model():
    from faster_whisper import WhisperModel

    from tui.media.model_choice import resolve_model

    return WhisperModel(resolve_model(None).location, device="cpu", compute_type="int8", cpu_threads=THREADS,
                        local_files_only=True)


def bare(model, path: Path) -> tuple[float, float, int]:
    """Wall seconds, CPU seconds (all threads) and segments of one bare transcription."""
    began, cpu = time.perf_counter(), time.process_time()
    segments, _info = model.transcribe(str(path), language="en", vad_filter=True, word_timestamps=True,
                                       condition_on_previous_text=False, beam_size=1)
    count = sum(1 for _ in segments)
    return time.perf_counter() - began, time.process_time() - cpu, count


class DiarizeClock:
    """Wraps ``speakers.diarize`` to add up the time spent in it (behaviour unchanged)."""

    def __init__(self) -> None:
        from tui.media import speakers

        self.module, self.original, self.seconds = speakers, speakers.diarize, 0.0

        def timed(*args, **kwargs):
            began = time.perf_counter()
            try:
                return self.original(*args, **kwargs)
            finally:
                self.seconds += time.perf_counter() - began

        speakers.diarize = timed

    def close(self) -> None:
        self.module.diarize = self.original


def pipeline(transcriber, workspace, clock: DiarizeClock) -> tuple[float, float, int, float]:
    """Wall seconds, CPU seconds, segments and seconds in speaker separation of one pipeline run."""
    clock.seconds = 0.0
    began, cpu = time.perf_counter(), time.process_time()
    transcript = transcriber.transcribe(workspace.recording)
    workspace.save_transcript(transcript)
    return time.perf_counter() - began, time.process_time() - cpu, len(transcript.segments), clock.seconds


def run(quick: bool) -> list[dict]:
    from tui.media.transcribe import Transcriber
    from tui.services.workspace import open_recording

    make_data.ensure()
    source = make_data.REVIEW / ("two_minutes.opus" if quick else "five_minutes.opus")
    reps = 1 if quick else 3
    folder = Path(tempfile.mkdtemp(prefix="debrief-bench-transcribe-"))
    clock = DiarizeClock()
    runs: list[dict] = []
    try:
        recording = folder / source.name
        shutil.copy(source, recording)
        workspace = open_recording(recording)
        seconds = workspace.info.duration
        model = bare_model()
        transcriber = Transcriber(None, threads=THREADS)
        bare(model, WARM_UP)
        transcriber.transcribe(WARM_UP)  # loads the model, as the first file of a batch would
        for rep in range(reps):
            run_ = {}
            for side in (("bare", "pipeline") if rep % 2 == 0 else ("pipeline", "bare")):  # cancel drift
                if side == "bare":
                    run_["bare_s"], run_["bare_cpu_s"], run_["bare_segments"] = bare(model, recording)
                else:
                    (run_["pipeline_s"], run_["pipeline_cpu_s"], run_["pipeline_segments"],
                     run_["diarize_s"]) = pipeline(transcriber, workspace, clock)
            runs.append(run_)
    finally:
        clock.close()
        shutil.rmtree(folder, ignore_errors=True)

    def med(key: str) -> float:
        return statistics.median(r[key] for r in runs)

    ratio = statistics.median(r["pipeline_s"] / r["bare_s"] for r in runs)  # pairs close in time share the noise
    cpu_ratio = statistics.median(r["pipeline_cpu_s"] / r["bare_cpu_s"] for r in runs)
    b, p, d = med("bare_s"), med("pipeline_s"), med("diarize_s")
    details = {"file": source.name, "audio_s": seconds, "reps": reps, "runs": runs, "cpu_ratio": cpu_ratio}
    return [
        _row(f"transcription pipeline vs bare faster-whisper ({seconds / 60:.0f}-min file), wall", p, "s", b,
             "bare WhisperModel.transcribe", "<= 1.10x", ratio <= 1.10, details, ratio=ratio),
        _row("  same, CPU seconds (all threads)", med("pipeline_cpu_s"), "s", med("bare_cpu_s"), "bare", "",
             None, ratio=cpu_ratio),
        _row("transcription speed, pipeline, tiny.en, 2 threads", seconds / p, "x real time", seconds / b,
             "bare faster-whisper", ">= 12x", seconds / p >= 12),
        _row("  same, estimate for an idle machine: audio / (pipeline CPU s / 2 threads)",
             seconds / (med("pipeline_cpu_s") / THREADS), "x real time", seconds / (med("bare_cpu_s") / THREADS),
             "bare, same estimate", "", None),
        _row("  of which speaker separation (diarize)", d, "s", p, "whole pipeline", "", None),
    ]



def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="the 2-minute file, one run each")
    args = parser.parse_args()
    for row in run(args.quick):
        print(json.dumps(row, indent=2))


if __name__ == "__main__":
    main()
