"""Build Debrief's bundled sample sessions (audio + ground truth) from their scripts.

The sample recordings are synthetic so that they can ship with the project: two
espeak-ng voices read a dialogue, with realistic pauses between turns. Because we
place every clip ourselves, we know exactly when each person speaks, and write that
down as ground truth for tests of transcription, speaker assignment and analytics.

Run from anywhere:

    python3 sample_sessions/make_sample.py            # coaching_session.{ogg,truth.json}
    python3 sample_sessions/make_sample.py --short    # short_session.{ogg,truth.json}
    python3 sample_sessions/make_sample.py --all      # both

Needs Python 3.9+ (standard library only) and the Debian packages espeak-ng, sox and
ffmpeg (with libopus). They are needed only to regenerate these files, never to use
Debrief. Output is deterministic: the same script and tools give the same truth JSON
(and the same Ogg bytes).

Dialogue format (<name>.txt): one turn per line, SPEAKER|pause_before_s|text;
lines starting with # and blank lines are ignored.

Truth format (<name>.truth.json):
    {"duration": s, "title": ..., "date": ...,
     "speakers": [{"id": "S1", "name": "Maria", "role": "coach"}, ...],
     "segments": [{"start": s, "end": s, "speaker": "S1", "text": "..."}, ...]}
start/end are the first and last audible sample of each turn in the final file
(espeak's own leading and trailing silence is trimmed before placing the clip).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import wave
from array import array
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
SAMPLE_RATE = 16_000
LEAD_OUT_S = 1.0
# Faint room tone (about -64 dBFS RMS) so that silences are not digital zero, as in a
# real recording; seeded, so the file is the same on every run.
ROOM_TONE_RMS = 20.0
ROOM_TONE_SEED = 20261102
OPUS_BITRATE = "24k"


@dataclass(frozen=True)
class Voice:
    """How one person sounds: espeak-ng voice+variant, words per minute, pitch 0-99."""

    espeak_voice: str
    words_per_minute: int
    pitch: int
    peak_db: float  # level after normalising: two different "microphones"


@dataclass(frozen=True)
class Person:
    speaker_id: str
    name: str
    role: str
    voice: Voice


PEOPLE = {
    "COACH": Person("S1", "Maria", "coach", Voice("en-us+f3", 155, 60, -3.0)),
    "TEACHER": Person("S2", "Sam", "teacher", Voice("en+m3", 160, 38, -4.0)),
}


@dataclass(frozen=True)
class Session:
    name: str
    title: str
    date: str
    album: str


SESSIONS = {
    "coaching_session": Session(
        "coaching_session",
        "Coaching debrief \u2014 7th-grade science",
        "2026-11-02",
        "Instructional coaching: Sam, 2026\u201327",
    ),
    "short_session": Session(
        "short_session",
        "Check-in \u2014 lab group roles",
        "2026-11-09",
        "Instructional coaching: Sam, 2026\u201327",
    ),
}


@dataclass(frozen=True)
class Turn:
    who: str
    pause_before_s: float
    text: str


def read_dialogue(path: Path) -> list[Turn]:
    """Parse SPEAKER|pause|text lines, failing loudly on a typo rather than skipping it."""
    turns = []
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split("|", 2)
        if len(parts) != 3 or parts[0] not in PEOPLE:
            sys.exit(f"{path.name}:{number}: expected SPEAKER|pause_before_s|text with SPEAKER in {sorted(PEOPLE)}")
        try:
            pause = float(parts[1])
        except ValueError:
            sys.exit(f"{path.name}:{number}: pause {parts[1]!r} is not a number of seconds")
        if pause < 0 or not parts[2].strip():
            sys.exit(f"{path.name}:{number}: pause must be >= 0 and the text non-empty")
        turns.append(Turn(parts[0], pause, parts[2].strip()))
    return turns


def run(command: list[str], stdin: str | None = None) -> None:
    result = subprocess.run(command, input=stdin, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"{command[0]} failed ({result.returncode}): {result.stderr.strip()}")


def synthesise(turn: Turn, workdir: Path, index: int) -> array:
    """Speak one turn and return tight 16-bit mono samples at SAMPLE_RATE."""
    voice = PEOPLE[turn.who].voice
    raw = workdir / f"turn{index:03d}_raw.wav"
    clip = workdir / f"turn{index:03d}.wav"
    run(
        ["espeak-ng", "-v", voice.espeak_voice, "-s", str(voice.words_per_minute),
         "-p", str(voice.pitch), "-w", str(raw), "--stdin"],
        stdin=turn.text,
    )
    # Trim both ends at -60 dBFS (sox trims only the start, hence the reverse trick),
    # then normalise the peak. -D: no dither, so the result is the same every run.
    run(
        ["sox", "-D", str(raw), "-r", str(SAMPLE_RATE), "-b", "16", "-e", "signed-integer",
         "-c", "1", str(clip),
         "rate", "-v", str(SAMPLE_RATE),
         "silence", "1", "0.005", "0.1%", "reverse", "silence", "1", "0.005", "0.1%", "reverse",
         "gain", "-n", str(voice.peak_db)],
    )
    with wave.open(str(clip), "rb") as reader:
        if (reader.getframerate(), reader.getsampwidth(), reader.getnchannels()) != (SAMPLE_RATE, 2, 1):
            sys.exit(f"sox produced an unexpected format for turn {index}")
        samples = array("h")
        samples.frombytes(reader.readframes(reader.getnframes()))
    if sys.byteorder == "big":
        samples.byteswap()
    if not samples:
        sys.exit(f"turn {index} came out silent: {turn.text!r}")
    return samples


def seconds(sample_index: int) -> float:
    return round(sample_index / SAMPLE_RATE, 3)


def assemble(turns: list[Turn], workdir: Path) -> tuple[array, list[dict]]:
    """Lay the clips on one timeline with their pauses; return samples and truth segments."""
    mix = array("h")
    segments = []
    for index, turn in enumerate(turns):
        clip = synthesise(turn, workdir, index)
        mix.extend(array("h", bytes(2 * round(turn.pause_before_s * SAMPLE_RATE))))
        start = len(mix)
        mix.extend(clip)
        person = PEOPLE[turn.who]
        segments.append({"start": seconds(start), "end": seconds(len(mix)),
                         "speaker": person.speaker_id, "text": turn.text})
    mix.extend(array("h", bytes(2 * round(LEAD_OUT_S * SAMPLE_RATE))))
    add_room_tone(mix)
    return mix, segments


def add_room_tone(samples: array) -> None:
    noise = random.Random(ROOM_TONE_SEED)
    for i, value in enumerate(samples):
        samples[i] = max(-32768, min(32767, value + round(noise.gauss(0.0, ROOM_TONE_RMS))))


def write_wav(samples: array, path: Path) -> None:
    data = samples
    if sys.byteorder == "big":
        data = array("h", samples)
        data.byteswap()
    with wave.open(str(path), "wb") as writer:
        writer.setnchannels(1)
        writer.setsampwidth(2)
        writer.setframerate(SAMPLE_RATE)
        writer.writeframes(data.tobytes())


def encode_opus(wav: Path, target: Path, session: Session) -> None:
    tags = {
        "TITLE": session.title,
        "DATE": session.date,
        "ARTIST": "Maria (coach); Sam (teacher)",
        "ALBUM": session.album,
        "GENRE": "Speech",
        "COMMENT": "Synthetic sample session (espeak-ng voices), fictional people. "
                   "Made by sample_sessions/make_sample.py.",
    }
    temporary = target.with_name(target.name + ".part")
    command = ["ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-y",
               "-i", str(wav), "-map_metadata", "-1",
               "-c:a", "libopus", "-b:a", OPUS_BITRATE, "-application", "voip",
               "-fflags", "+bitexact", "-flags:a", "+bitexact", "-f", "ogg"]
    for key, value in tags.items():
        command += ["-metadata", f"{key}={value}"]
    run(command + [str(temporary)])
    os.replace(temporary, target)


def write_truth(session: Session, samples: array, segments: list[dict], target: Path) -> None:
    speakers = [{"id": p.speaker_id, "name": p.name, "role": p.role}
                for p in sorted(PEOPLE.values(), key=lambda p: p.speaker_id)]
    truth = {
        "duration": seconds(len(samples)),
        "title": session.title,
        "date": session.date,
        "speakers": speakers,
        "segments": segments,
    }
    temporary = target.with_name(target.name + ".part")
    temporary.write_text(json.dumps(truth, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(temporary, target)


def build(session: Session) -> None:
    turns = read_dialogue(HERE / f"{session.name}.txt")
    with tempfile.TemporaryDirectory(prefix="debrief-sample-") as tmp:
        workdir = Path(tmp)
        samples, segments = assemble(turns, workdir)
        wav = workdir / "mix.wav"
        write_wav(samples, wav)
        ogg = HERE / f"{session.name}.ogg"
        encode_opus(wav, ogg, session)
    write_truth(session, samples, segments, HERE / f"{session.name}.truth.json")
    talk = {p.speaker_id: 0.0 for p in PEOPLE.values()}
    for segment in segments:
        talk[segment["speaker"]] += segment["end"] - segment["start"]
    shares = ", ".join(f"{k} {v:.1f} s" for k, v in talk.items())
    print(f"{ogg.name}: {seconds(len(samples)):.1f} s, {len(turns)} turns, "
          f"{ogg.stat().st_size / 1024:.0f} KiB; talk {shares}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--short", action="store_true", help="build the short (about 75 s) session")
    which.add_argument("--all", action="store_true", help="build every session")
    args = parser.parse_args()
    missing = [tool for tool in ("espeak-ng", "sox", "ffmpeg") if shutil.which(tool) is None]
    if missing:
        sys.exit(f"needs {', '.join(missing)} (Debian: apt-get install espeak-ng sox ffmpeg)")
    if args.all:
        names = list(SESSIONS)
    else:
        names = ["short_session" if args.short else "coaching_session"]
    for name in names:
        build(SESSIONS[name])


if __name__ == "__main__":
    main()
