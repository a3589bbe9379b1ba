"""Make what the benchmark suite needs, once, under bench/.data/suite/ (gitignored).

Why generated and not committed: the files are large (a two-hour recording, a library of
a hundred transcripts) and fully determined by this script, the real recordings in
tests/data/real/ and the sample sessions in sample_sessions/.

What it makes (every file private: 0600 files, 0700 folders):

    review/two_hours.opus        2 h of speech: real recordings and the generated sample
                                 sessions concatenated, Opus 24 kbit/s mono (PyAV only)
    review/five_minutes.opus     5 min made the same way: the baseline session, and the
                                 file the transcription benchmark transcribes
    review/two_minutes.opus      its first 2 minutes (transcription in --quick runs)
    review/debrief.json (+ .d/)  one library holding both sessions, each with a synthetic
                                 transcript (2,500 utterances with word timings in 2 h,
                                 pro rata in 5 min, 3 named speakers) and marks (300 in
                                 2 h, 12 in 5 min), saved through the store so that the
                                 app opens them without transcribing
    library100/debrief.json      a library of 100 one-hour sessions (transcripts of
                                 ~1,250 utterances, 2-4 speakers, 20 marks each) for search;
                                 the recordings are hard links to one file
    manifest.json                what was made, with which generator version

Needs only the project's own dependencies (PyAV, numpy). Takes a few minutes the first
time; later runs find the manifest and return at once.

    /tmp/dev/bin/python bench/make_data.py [--force]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tui.core.model import Mark, Segment, SessionInfo, Speaker, Transcript, Word  # noqa: E402
from tui.store import Library  # noqa: E402

REAL = ROOT / "tests" / "data" / "real"
SAMPLES = ROOT / "sample_sessions"
DATA = ROOT / "bench" / ".data" / "suite"
REVIEW = DATA / "review"
LIBRARY100 = DATA / "library100"
MANIFEST = DATA / "manifest.json"

REVIEW_VERSION = 4
LIBRARY_VERSION = 5
"""Bump when anything below changes what is made, so that stale data is rebuilt."""
RATE = 48000
BIT_RATE = 24000
TWO_HOURS = 7200.0
FIVE_MINUTES = 300.0
UTTERANCES_PER_HOUR = 1250
MARKS_IN_TWO_HOURS = 300
LIBRARY_SESSIONS = 100
LIBRARY_SESSION_SECONDS = 3600.0
LIBRARY_MARKS = 20

# Real speech first, then the generated two-voice sessions; cycled to the length wanted.
AUDIO_PIECES = (
    REAL / "meeting_four_speakers.wav",
    SAMPLES / "coaching_session.ogg",
    REAL / "two_speakers_phone.wav",
    REAL / "one_speaker_speech.flac",
    SAMPLES / "short_session.ogg",
    REAL / "stereo_two_channels.wav",
)

SPEAKERS = (
    Speaker("S1", "Maria", "coach"),
    Speaker("S2", "Sam", "teacher"),
    Speaker("S3", "Priya", "observer"),
    Speaker("S4", "Dev", "client"),
)

EXTRA_LINES = (
    "Can you say more about what you noticed right then?",
    "I think I rushed the transition because the bell was about to ring.",
    "What would you try differently next time?",
    "They were quiet, so I filled the silence myself.",
    "That sounds like a pattern we have seen before.",
    "How long did you wait after that question?",
    "Maybe three seconds, it felt much longer though.",
    "Let's look at the moment just before the group work started.",
    "I wanted them to own the conclusion, not hear it from me.",
    "Right.",
    "Okay.",
    "Yes, exactly.",
    "What evidence would tell you it worked?",
    "I could collect their exit tickets and sort them by misconception.",
    "Notice how the energy changed once you stepped back.",
    "I felt anxious about the time, to be honest.",
    "What is one thing you want to keep doing?",
    "The think-pair-share at the start, definitely.",
    "Where did you feel most like yourself today?",
    "When I was circulating and listening in on the groups.",
)

RARE_LINES = (
    "My sister moved to Saskatoon last spring.",
    "We used the trampoline analogy for momentum.",
    "The principal mentioned the accreditation visit again.",
    "He brought his grandmother's harmonica to class.",
    "The fire drill interrupted the quadratic equations.",
    "I keep thinking about the sabbatical.",
    "They built a catapult out of popsicle sticks.",
    "The counsellor suggested a mindfulness journal.",
)
"""Mentioned now and then (one utterance in 500): what a reviewer searches for by a rare word."""

NOTES = (
    "Good wait time here; the client filled the silence.",
    "Closed question: could have asked what made it hard.",
    "Strength: reflected the feeling before moving on.",
    "Talked over the end of the answer.",
    "Nice reframe of the goal; check it landed.",
    "Missed the cue about the manager conversation.",
    "Bring this to supervision: rescuing again?",
    "",
)
TAGS = ("growth-edge", "strength", "missed-question", "feedback", "open-question")


# ---------------------------------------------------------------- audio


def _pieces() -> list[np.ndarray]:
    from tui.media.decode import read_pcm

    return [read_pcm(path, rate=RATE, channels=1).astype(np.float32) for path in AUDIO_PIECES]


def make_recording(path: Path, seconds: float, pieces: list[np.ndarray]) -> None:
    """Concatenate the pieces (0.6 s apart) until ``seconds``, streaming into an Opus file."""
    import av

    partial = path.with_name(path.name + ".part")
    gap = np.zeros(int(0.6 * RATE), dtype=np.float32)
    wanted = int(seconds * RATE)
    written = 0
    with av.open(str(partial), "w", format="ogg") as out:
        stream = out.add_stream("libopus", rate=RATE, layout="mono")
        stream.bit_rate = BIT_RATE
        stream.codec_context.options = {"compression_level": "5"}  # half the encoding time, still clear speech
        i = 0
        while written < wanted:
            chunk = np.concatenate([pieces[i % len(pieces)], gap])[: wanted - written]
            i += 1
            frame = av.AudioFrame.from_ndarray(chunk[None, :], format="fltp", layout="mono")
            frame.sample_rate = RATE
            frame.pts = written
            for packet in stream.encode(frame):
                out.mux(packet)
            written += len(chunk)
        for packet in stream.encode(None):
            out.mux(packet)
    partial.chmod(0o600)
    partial.rename(path)


# ---------------------------------------------------------------- transcripts


def sentence_pool() -> list[str]:
    lines = list(EXTRA_LINES)
    for truth in sorted(SAMPLES.glob("*.truth.json")):
        lines += [s["text"] for s in json.loads(truth.read_text())["segments"]]
    return lines


def synthetic_transcript(seconds: float, utterances: int, speakers: int, seed: int, *, rare: bool = False) -> Transcript:
    """``utterances`` turns filling ``seconds``: mostly two people alternating, others now and then."""
    rng = random.Random(seed)
    pool = sentence_pool()
    ids = [s.id for s in SPEAKERS[:speakers]]
    texts, who, lengths = [], [], []
    current = ids[0]
    for _ in range(utterances):
        roll = rng.random()
        if roll < 0.75:
            current = ids[1] if current == ids[0] else ids[0]
        elif roll < 0.9 and len(ids) > 2:
            current = rng.choice(ids[2:])
        text = " ".join(rng.choice(pool) for _ in range(1 if rng.random() < 0.8 else 2))
        if rare and rng.random() < 0.002:
            text += " " + rng.choice(RARE_LINES)
        texts.append(text)
        who.append(current)
        lengths.append(len(text.split()) * rng.uniform(0.28, 0.4))
    gaps = [rng.uniform(0.2, 2.5) for _ in range(utterances)]
    scale = (seconds - 1.0) / (sum(lengths) + sum(gaps))  # fit the session exactly
    segments, t = [], 0.5
    for text, speaker, length, gap in zip(texts, who, lengths, gaps):
        start, end = t + gap * scale * 0.5, t + (gap * 0.5 + length) * scale
        segments.append(Segment(round(start, 3), round(end, 3), text, speaker, _words(text, start, end, rng)))
        t = end + gap * scale * 0.5
    return Transcript(tuple(segments), tuple(SPEAKERS[:speakers]), seconds, "en", "synthetic")


def _words(text: str, start: float, end: float, rng: random.Random) -> tuple[Word, ...]:
    tokens = text.split()
    total = sum(len(w) + 1 for w in tokens)
    words, t = [], start
    for token in tokens:
        span = (end - start) * (len(token) + 1) / total
        words.append(Word(round(t, 3), round(t + span * 0.9, 3), token, round(rng.uniform(0.55, 1.0), 3)))
        t += span
    return tuple(words)


def synthetic_marks(transcript: Transcript, count: int, seed: int) -> list[Mark]:
    rng = random.Random(seed)
    chosen = sorted(rng.sample(range(len(transcript.segments)), count))
    marks = []
    for n, index in enumerate(chosen):
        seg = transcript.segments[index]
        stamp = f"2026-11-02T10:{n // 60 % 60:02d}:{n % 60:02d}.000+00:00"
        marks.append(Mark(
            id=f"{seed:08x}{n:024x}", start=seg.start, end=seg.end if rng.random() < 0.6 else None,
            tag=rng.choice(TAGS), note=rng.choice(NOTES), author=rng.choice(("maria", "mentor")),
            created=stamp, updated=stamp,
        ))
    return marks


def save_session(library: Library, info: SessionInfo, transcript: Transcript, marks: list[Mark]) -> None:
    """Through the store, as the app and the CLI would: session, transcript, speaker names, marks."""
    library.record_session(info)
    library.transcripts.save(info.id, transcript)
    annotations = library.annotations(info.id)
    annotations.set("speakers", {s.id: {"name": s.name, "role": s.role} for s in transcript.speakers})
    for mark in marks:
        annotations.add_mark(mark)


# ---------------------------------------------------------------- the whole set


def _private_folder(path: Path) -> None:
    path.mkdir(parents=True, exist_ok=True)
    path.chmod(0o700)


def make_review_library(pieces: list[np.ndarray], log) -> dict:
    from tui.services.workspace import open_recording

    _private_folder(REVIEW)
    made = {}
    for name, seconds, speakers, marks in (
        ("two_hours.opus", TWO_HOURS, 3, MARKS_IN_TWO_HOURS),
        ("five_minutes.opus", FIVE_MINUTES, 3, round(MARKS_IN_TWO_HOURS * FIVE_MINUTES / TWO_HOURS)),
    ):
        started = time.monotonic()
        path = REVIEW / name
        make_recording(path, seconds, pieces)
        workspace = open_recording(path)  # probes, hashes once (cached by path, size, mtime), records
        utterances = round(UTTERANCES_PER_HOUR * seconds / 3600)
        transcript = synthetic_transcript(workspace.info.duration, utterances, speakers, seed=len(name))
        save_session(workspace.library, workspace.info, transcript, synthetic_marks(transcript, marks, len(name)))
        made[name] = {"seconds": round(workspace.info.duration, 1), "utterances": utterances, "marks": marks,
                      "speakers": speakers, "bytes": path.stat().st_size, "session_id": workspace.info.id}
        log(f"  {name}: {workspace.info.duration:.0f} s, {utterances} utterances, {marks} marks, "
            f"{path.stat().st_size / 1e6:.1f} MB ({time.monotonic() - started:.0f} s)")
    short = REVIEW / "two_minutes.opus"
    make_recording(short, 120.0, pieces)
    made["two_minutes.opus"] = {"seconds": 120.0}
    return made


def make_search_library(log) -> dict:
    started = time.monotonic()
    if LIBRARY100.exists():
        shutil.rmtree(LIBRARY100)
    _private_folder(LIBRARY100)
    library = Library.open(LIBRARY100 / "debrief.json")
    source = REVIEW / "five_minutes.opus"
    utterances = round(UTTERANCES_PER_HOUR * LIBRARY_SESSION_SECONDS / 3600)
    for n in range(LIBRARY_SESSIONS):
        path = LIBRARY100 / f"session-{n:03d}.opus"
        os.link(source, path)
        info = SessionInfo(id=f"bench{n:04d}", path=str(path), title=f"Session {n + 1}",
                           duration=LIBRARY_SESSION_SECONDS, date=f"2026-{1 + n // 28:02d}-{1 + n % 28:02d}")
        transcript = synthetic_transcript(LIBRARY_SESSION_SECONDS, utterances, 2 + n % 3, seed=1000 + n, rare=True)
        save_session(library, info, transcript, synthetic_marks(transcript, LIBRARY_MARKS, 1000 + n))
    log(f"  library100: {LIBRARY_SESSIONS} sessions x {utterances} utterances, {LIBRARY_MARKS} marks each "
        f"({time.monotonic() - started:.0f} s)")
    return {"sessions": LIBRARY_SESSIONS, "utterances_each": utterances, "marks_each": LIBRARY_MARKS,
            "hours": LIBRARY_SESSIONS * LIBRARY_SESSION_SECONDS / 3600}


def ensure(force: bool = False, log=print) -> dict:
    """Make whatever is missing or stale (per the manifest); returns the manifest."""
    manifest = json.loads(MANIFEST.read_text()) if MANIFEST.exists() and not force else {}
    manifest.pop("version", None)  # the single version of earlier manifests
    review_ok = manifest.get("review_version") == REVIEW_VERSION and all(
        (REVIEW / name).exists() for name in ("two_hours.opus", "five_minutes.opus", "two_minutes.opus"))
    library_ok = review_ok and manifest.get("library_version") == LIBRARY_VERSION and (
        LIBRARY100 / "debrief.json").exists()
    if review_ok and library_ok:
        return manifest
    os.umask(0o077)
    log("making benchmark data under bench/.data/suite/ (once):")
    _private_folder(DATA)
    started = time.monotonic()
    if not review_ok:
        if REVIEW.exists():
            shutil.rmtree(REVIEW)
        manifest["review"] = make_review_library(_pieces(), log)
        manifest["review_version"] = REVIEW_VERSION
        manifest["sources"] = [str(p.relative_to(ROOT.parent)) for p in AUDIO_PIECES]
    manifest["library100"] = make_search_library(log)
    manifest["library_version"] = LIBRARY_VERSION
    MANIFEST.write_text(json.dumps(manifest, indent=2))
    MANIFEST.chmod(0o600)
    log(f"  done in {time.monotonic() - started:.0f} s")
    return manifest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--force", action="store_true", help="make everything again")
    args = parser.parse_args()
    print(json.dumps(ensure(args.force), indent=2))


if __name__ == "__main__":
    main()
