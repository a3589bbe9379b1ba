"""Issue #21 part C: do word probabilities find the chunks batched recognition mishears?

* capture: every recording with reference text, recognised sequentially and batched (8); for
  each batched chunk its batched words *and* the words of the same clip decoded again
  sequentially (as a failed chunk is today), plus the words of each unsure stretch decoded again;
  written to ``--out`` (JSON) so that every rule can be judged offline on the same decodings.
  ``--trims`` also recognises copies with 0.8, 1.6, 2.4 s cut off the start, so that the chunks
  fall elsewhere and no rule is judged on one placement.
* analyse: the word probabilities of correct and wrong words in both modes, and for each rule
  (A share, B run, C mean, D stretch: stated before any probability was looked at; E unheard
  voice; F too few words, post hoc) recall / precision / WER per recording, mean over the
  placements, and the chunks it decodes again; a sweep of the thresholds. "all redone" (every
  chunk decoded again sequentially) is the most any chunk re-check can do.
* ab: CPU and wall seconds on the 5-min file, one child process per run, alternating: bare
  sequential faster-whisper, the sequential pipeline, batched, batched with a re-check rule.

    python bench/bench_unsure.py capture [--out F] [--batch 8] [--chunk 30]
    python bench/bench_unsure.py analyse [--out F]
    python bench/bench_unsure.py ab [--reps N] [--rule share]
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from bench_batched import REAL, SAMPLES, THREADS, bag, long_file, normal_words, reference_of, wer  # noqa: E402

HARD = Path(os.environ.get("DEBRIEF_HARD", ROOT / "bench" / ".data" / "hard"))
OUT = Path("/work/scratch-batchcheck/capture.json")


def recordings() -> list[Path]:
    return [REAL / "one_speaker_speech.flac", REAL / "meeting_four_speakers.wav", SAMPLES / "short_session.ogg",
            SAMPLES / "coaching_session.ogg"] + sorted(HARD.glob("*.wav"))


TRIMS = Path("/work/scratch-batchcheck/trims")


def variants(trims: list[float]) -> list[tuple[str, Path]]:
    """(key, file): each recording, and copies with ``trims`` seconds cut off its start (JFK whole)."""
    found = []
    for path in recordings():
        for t in trims if path.name != "one_speaker_speech.flac" else [0.0]:
            if not t:
                found.append((path.name, path))
                continue
            TRIMS.mkdir(parents=True, exist_ok=True)
            target = TRIMS / f"{path.stem}@{t:.1f}.wav"
            if not target.exists():
                subprocess.run(["ffmpeg", "-v", "error", "-y", "-ss", str(t), "-i", str(path), "-c:a", "pcm_s16le",
                                str(target)], check=True)
            found.append((f"{path.name}@{t:.1f}", target))
    return found


def original(key: str) -> Path:
    return next(p for p in recordings() if p.name == key.split("@")[0])


def reference(path: Path) -> tuple[list[str], bool]:
    if path.parent == HARD:
        truth = json.loads(path.with_suffix(".truth.json").read_text())
        segs = sorted(truth["segments"], key=lambda s: s["start"])
        return normal_words(" ".join(s["text"] for s in segs)), True
    return reference_of(path.name)


def _words(seg_or_piece, offset: float = 0.0) -> list[list]:
    return [[round(float(w.start) + offset, 3), round(float(w.end) + offset, 3), w.word.strip() if hasattr(w, "word")
             else w.text, round(float(w.probability), 4)] for w in (seg_or_piece.words or ())
            if (w.word if hasattr(w, "word") else w.text).strip()]


def patch_capture(chunks: list[dict], chunk_s: float, stretch_rule) -> None:
    """Replace ``Transcriber._batched_segments`` by a copy that records each chunk's alternatives."""
    from tui.media import transcribe as tr
    from tui.media.recognition_audio import SAMPLE_RATE, restore_times, speech_only
    from tui.media.voice_activity import FOR_BATCHED, stretches
    from dataclasses import replace as dc_replace

    reading = dc_replace(FOR_BATCHED, longest_s=chunk_s)

    def batched(self, model, window, offset, probabilities):
        kwargs = tr.language_kwargs(self.choice.english_only, self.language)
        found = stretches(probabilities, window.shape[0], reading)
        if not found:
            return
        if self._batched is None:
            from faster_whisper import BatchedInferencePipeline
            self._batched = BatchedInferencePipeline(model)
        joined, clips = speech_only(window, found, reading.longest_s)
        pieces, info = self._batched.transcribe(joined, vad_filter=False, clip_timestamps=clips,
                                                word_timestamps=True, beam_size=1, batch_size=self.batch_size,
                                                **kwargs)
        pieces = list(restore_times(pieces, found))
        length = window.shape[0] / SAMPLE_RATE

        def again(start, end):
            clip = window[int(start * SAMPLE_RATE):int(end * SAMPLE_RATE)]
            return [w for s in self._segments(model, clip, offset + start) for w in _words(s)]

        for i, piece in enumerate(pieces):
            start = max(pieces[i - 1].end if i else 0.0, piece.start - 0.5)
            end = min(pieces[i + 1].start if i + 1 < len(pieces) else length, piece.end + 0.5)
            words = _words(piece, offset)
            redo = again(start, end) if end - start > 0.2 else []
            stretches_again = []
            for a, b in stretch_rule([w[3] for w in words]):
                s = max(start, piece.words[a - 1].end if a else start)
                e = min(end, piece.words[b].start if b < len(piece.words) else end)
                stretches_again.append({"first": a, "stop": b, "words": again(s, e) if e - s > 0.2 else []})
            voice = [[round(offset + a / SAMPLE_RATE, 3), round(offset + b / SAMPLE_RATE, 3)]
                     for a, b in ((f["start"], f["end"]) for f in found)
                     if b / SAMPLE_RATE > piece.start and a / SAMPLE_RATE < piece.end]
            before = pieces[i - 1].end if i else 0.0
            after = pieces[i + 1].start if i + 1 < len(pieces) else length
            between = sum(max(0, min(f["end"], after * SAMPLE_RATE) - max(f["start"], before * SAMPLE_RATE))
                          for f in found) / SAMPLE_RATE
            chunks.append({"start": round(offset + piece.start, 3), "end": round(offset + piece.end, 3),
                           "voice": voice, "voice_between": round(between, 3),
                           "failed": tr._failed(piece), "avg_logprob": round(piece.avg_logprob, 4),
                           "compression": round(piece.compression_ratio, 3), "batched": words, "redo": redo,
                           "stretches": stretches_again})
            if tr._failed(piece):
                yield from self._segments(model, window[int(start * SAMPLE_RATE):int(end * SAMPLE_RATE)],
                                          offset + start)
                continue
            seg = tr._segment(piece, offset)
            if seg is not None:
                yield seg

    tr.Transcriber._batched_segments = batched


def transcript_word_list(transcript) -> list[list]:
    words = sorted((w for s in transcript.segments for w in s.words), key=lambda w: w.start)
    return [[w.start, w.end, w.text, w.probability] for w in words]


def capture(out: Path, batch: int, chunk_s: float, label: str, trims: list[float]) -> None:
    from tui.media.transcribe import Transcriber
    from unsure_rules import unsure_stretches

    chunks: list[dict] = []
    patch_capture(chunks, chunk_s, unsure_stretches)
    data = json.loads(out.read_text()) if out.exists() else {}
    seq, bat = Transcriber(threads=THREADS, batch_size=0), Transcriber(threads=THREADS, batch_size=batch)
    for key, path in variants(trims):
        entry = data.setdefault(key, {})
        if "sequential" not in entry:
            entry["sequential"] = transcript_word_list(seq.transcribe(path))
        chunks.clear()
        entry[label] = {"transcript": transcript_word_list(bat.transcribe(path)), "chunks": list(chunks)}
        print(key, len(entry["sequential"]), len(entry[label]["transcript"]), len(chunks), flush=True)
        out.write_text(json.dumps(data))


# --- analysis -----------------------------------------------------------------------------------

def tokens(words: list[list]) -> list[tuple[str, float]]:
    return [(t, w[3]) for w in sorted(words, key=lambda w: w[0]) for t in normal_words(w[2])]


def correctness(ref: list[str], ordered: bool, hyp: list[str]) -> list[bool]:
    """Whether each recognised word is right: aligned to the same reference word (ordered), or
    still in the reference's bag of words (the meeting, whose speakers' words have no common order)."""
    if not ordered:
        left = collections.Counter(ref)
        marks = []
        for h in hyp:
            marks.append(left[h] > 0)
            left[h] -= 1
        return marks
    n, m = len(ref), len(hyp)
    d = [[0] * (m + 1) for _ in range(n + 1)]
    for i in range(n + 1):
        d[i][0] = i
    for j in range(m + 1):
        d[0][j] = j
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (ref[i - 1] != hyp[j - 1]))
    marks = [False] * m
    i, j = n, m
    while i and j:
        if d[i][j] == d[i - 1][j - 1] + (ref[i - 1] != hyp[j - 1]):
            marks[j - 1] = ref[i - 1] == hyp[j - 1]
            i, j = i - 1, j - 1
        elif d[i][j] == d[i][j - 1] + 1:
            j -= 1
        else:
            i -= 1
    return marks


def scores(ref: list[str], ordered: bool, hyp: list[str]) -> dict:
    recall, precision = bag(ref, hyp)
    return {"recall": round(recall, 3), "precision": round(precision, 3),
            "wer": round(wer(ref, hyp), 3) if ordered else None}


def assemble(chunks: list[dict], decide, how: str = "chunk") -> tuple[list[list], int]:
    """The words a rule gives: each chunk's batched words, or its sequential redo where ``decide`` says."""
    words, redone = [], 0
    for c in chunks:
        if c["failed"]:
            words += c["redo"]
            redone += 1
        elif how == "stretch" and c["stretches"]:
            keep = list(c["batched"])
            for s in sorted(c["stretches"], key=lambda s: -s["first"]):
                keep[s["first"]:s["stop"]] = s["words"]
            words += keep
            redone += 1
        elif how == "chunk" and decide(c):
            words += c["redo"]
            redone += 1
        else:
            words += c["batched"]
    return words, redone


def quantiles(values: list[float]) -> str:
    if not values:
        return "-"
    q = statistics.quantiles(values, n=10) if len(values) > 1 else [values[0]] * 9
    return f"n={len(values):4d} mean={statistics.mean(values):.2f} p10={q[0]:.2f} median={q[4]:.2f}"


def analyse(out: Path, label: str) -> None:
    import unsure_rules as uw

    data = json.loads(out.read_text())
    print("## word probability, correct vs wrong")
    pooled: dict = collections.defaultdict(list)
    for name, entry in data.items():
        ref, ordered = reference(original(name))
        for mode, words in (("sequential", entry["sequential"]), ("batched", assemble(entry[label]["chunks"],
                                                                                   lambda p: False)[0])):
            toks = tokens(words)
            marks = correctness(ref, ordered, [t for t, _ in toks])
            right = [p for (_, p), ok in zip(toks, marks) if ok]
            wrong = [p for (_, p), ok in zip(toks, marks) if not ok]
            pooled[mode, True] += right
            pooled[mode, False] += wrong
            print(f"{name:28s} {mode:10s} right {quantiles(right)} | wrong {quantiles(wrong)}")
    for mode in ("sequential", "batched"):
        print(f"{'ALL':28s} {mode:10s} right {quantiles(pooled[mode, True])} | wrong {quantiles(pooled[mode, False])}")
        for p in (0.3, 0.5, 0.7):
            r = sum(x < p for x in pooled[mode, True]) / max(1, len(pooled[mode, True]))
            w = sum(x < p for x in pooled[mode, False]) / max(1, len(pooled[mode, False]))
            print(f"    share below {p}: right {r:.2f}, wrong {w:.2f}")

    def voice_rule(seconds: float = 3.0):
        return lambda c: uw.unheard_voice(c.get("voice", []), [(w[0], w[1]) for w in c["batched"]]) > seconds

    def on_probs(rule):
        return lambda c: rule([w[3] for w in c["batched"]])

    def rate_rule(per_second: float = 1.0):
        # The voice between the neighbours' words (as the patch reads it) where captured; a chunk's
        # own times end with its last word, so its own span misses a chunk that stopped early.
        return lambda c: uw.too_few_words(len(c["batched"]), c.get("voice_between", sum(
            b - a for a, b in c.get("voice", []))), per_second)

    share, run, mean, voice = on_probs(uw.share_rule()), on_probs(uw.run_rule()), on_probs(uw.mean_rule()), voice_rule()
    rate = rate_rule()
    rules = {"batched": (lambda c: False, "chunk"), "A share": (share, "chunk"), "B run": (run, "chunk"),
             "C mean": (mean, "chunk"), "D stretch": (None, "stretch"), "E voice": (voice, "chunk"),
             "A or E": (lambda c: share(c) or voice(c), "chunk"), "F rate (post hoc)": (rate, "chunk"),
             "C or F": (lambda c: mean(c) or rate(c), "chunk"), "all redone": (lambda c: True, "chunk")}
    for below in (0.3, 0.5, 0.7):
        for frac in (0.05, 0.1, 0.2, 0.3):
            rules[f"sweep share p<{below} >{frac:.0%}"] = (on_probs(uw.share_rule(below, frac)), "chunk")
    for sec in (1.0, 2.0, 5.0):
        rules[f"sweep voice >{sec}s"] = (voice_rule(sec), "chunk")
    per: dict = collections.defaultdict(lambda: collections.defaultdict(list))
    detail = []
    for name, entry in data.items():
        ref, ordered = reference(original(name))
        base = name.split("@")[0]
        seq = scores(ref, ordered, [t for t, _ in tokens(entry["sequential"])])
        per[base]["sequential"].append((seq, 0, 0))
        chunks = entry[label]["chunks"]
        detail.append(f"{name}: {len(chunks)} chunks ({sum(c['failed'] for c in chunks)} failed); sequential {seq}")
        for rule, (decide, how) in rules.items():
            words, redone = assemble(chunks, decide, how)
            got = scores(ref, ordered, [t for t, _ in tokens(words)])
            per[base][rule].append((got, redone, len(chunks)))
            detail.append(f"    {rule:24s} {got} redone {redone}")
    (out.parent / f"{out.stem}.detail.txt").write_text("\n".join(detail))
    print("\n## per recording, mean over start trims: recall / precision / WER; chunks redone / chunks;"
          " trims where recall >= sequential's")
    totals: dict = collections.defaultdict(lambda: [0, 0, 0, 0])
    for base, by_rule in per.items():
        seq_recalls = [g["recall"] for g, _, _ in by_rule["sequential"]]
        print(f"{base} ({len(seq_recalls)} placements)")
        for rule, got in by_rule.items():
            r = statistics.mean(g["recall"] for g, _, _ in got)
            p = statistics.mean(g["precision"] for g, _, _ in got)
            w = [g["wer"] for g, _, _ in got if g["wer"] is not None]
            ok = sum(g["recall"] >= s for (g, _, _), s in zip(got, seq_recalls))
            redone, count = sum(x for _, x, _ in got), sum(n for _, _, n in got)
            totals[rule][0] += redone
            totals[rule][1] += count
            totals[rule][2] += r >= statistics.mean(seq_recalls) - 1e-9
            totals[rule][3] += 1
            print(f"    {rule:24s} {r:.3f} / {p:.3f} / {statistics.mean(w) if w else float('nan'):.3f}"
                  f"  redone {redone}/{count}  >=seq {ok}/{len(got)}")
    print("\n## over all recordings: chunks redone; recordings whose mean recall >= sequential's")
    for rule, (redone, count, ok, n) in totals.items():
        print(f"    {rule:24s} redone {redone:3d}/{count:3d} ({redone / max(1, count):.0%})  recordings >= seq {ok}/{n}")


CHILD = r"""
import json, resource, sys, time
from tui.media import transcribe as tr
import unsure_rules as uw
side = sys.argv[2]
cpu = lambda: (lambda u: u.ru_utime + u.ru_stime)(resource.getrusage(resource.RUSAGE_SELF))
t = tr.Transcriber(threads=2, batch_size=0 if side in ("bare", "sequential") else 8)
if side == "mean":  # rule C: a chunk whose words' mean probability is under 0.75 is decoded again
    failed, mean = tr._failed, uw.mean_rule()
    tr._failed = lambda piece: failed(piece) or mean([w.probability for w in piece.words or ()])
elif side == "all":  # every chunk decoded again: the most a chunk re-check can cost
    tr._failed = lambda piece: True
model = t._load()
began, began_cpu = time.perf_counter(), cpu()
if side == "bare":
    pieces, _ = model.transcribe(sys.argv[1], language="en", vad_filter=True, word_timestamps=True,
                                 condition_on_previous_text=False, beam_size=1)
    sum(1 for _ in pieces)
else:
    t.transcribe(sys.argv[1])
print(json.dumps({"wall": time.perf_counter() - began, "cpu": cpu() - began_cpu}))
"""


def ab(reps: int) -> None:
    """Wall and CPU seconds of each side on the 5-min file, one child each, order reversed every other rep."""
    path = long_file(300)
    sides = ["bare", "sequential", "batched", "mean", "all"]
    runs = []
    for r in range(reps):
        run: dict = {}
        for side in sides if r % 2 == 0 else sides[::-1]:
            out = subprocess.run([sys.executable, "-c", CHILD, str(path), side], check=True, capture_output=True,
                                 text=True, cwd=ROOT)
            run[side] = json.loads(out.stdout.strip().splitlines()[-1])
        run["load"] = round(os.getloadavg()[0], 2)
        runs.append(run)
        print(json.dumps(run), flush=True)
    for side in sides[1:]:
        ratios = [[round(x[side][k] / x[ref][k], 3) for x in runs] for ref in ("bare", "sequential") for k in ("wall", "cpu")]
        print(f"{side:10s} vs bare wall {statistics.median(ratios[0]):.3f} cpu {statistics.median(ratios[1]):.3f}"
              f" | vs sequential wall {statistics.median(ratios[2]):.3f} cpu {statistics.median(ratios[3]):.3f}"
              f"  (cpu vs sequential per rep {ratios[3]})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("parts", nargs="*", default=["capture", "analyse"])
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--chunk", type=float, default=30.0)
    parser.add_argument("--label", default="batched")
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--trims", default="0")
    args = parser.parse_args()
    if "capture" in args.parts:
        capture(args.out, args.batch, args.chunk, args.label, [float(t) for t in args.trims.split(",")])
    if "analyse" in args.parts:
        analyse(args.out, args.label)
    if "ab" in args.parts:
        ab(args.reps)


if __name__ == "__main__":
    main()
