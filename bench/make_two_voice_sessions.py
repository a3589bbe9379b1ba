"""Generate synthetic conversations with known speakers, for bench_diarization.py.

Why: the real recordings in tests/data/real/ are few and short; speaker attribution
needs many sessions with varied voice pairs (male/female and same-gender) whose truth is
known by construction.

Needs espeak-ng and sox (Debian packages); only this bench script does, never the tests or
the app. Writes to bench/.data/sessions/ (gitignored):

    <name>.wav          16 kHz mono conversation
    <name>.truth.json   {"speakers": [...], "utterances": [{"speaker", "start", "end", "text"}]}
    <name>.rttm         the same truth as RTTM

Usage: /tmp/dev/bin/python bench/make_two_voice_sessions.py [--force]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import tempfile
import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np

SAMPLE_RATE = 16000
OUT_DIR = Path(__file__).resolve().parent / ".data" / "sessions"

LINES = [
    "So how did the week go for you?",
    "Honestly, it was harder than I expected.",
    "What made it harder?",
    "I kept putting off the conversation with my manager.",
    "Yes.",
    "Mm-hm, right.",
    "What do you think was stopping you?",
    "I suppose I was worried she would say no before I had finished.",
    "That sounds familiar from last time.",
    "It does, doesn't it.",
    "Tell me more about that.",
    "Well, every time I prepare, I imagine the worst answer first.",
    "And then what happens?",
    "Then I talk myself out of it and wait another week.",
    "Okay.",
    "If you did raise it on Monday, what would a good outcome look like?",
    "A clear yes or no about the new role, and a date.",
    "How confident do you feel about asking for that, from one to ten?",
    "Maybe a six today.",
    "What would make it a seven?",
    "Writing down the first sentence, so I do not freeze.",
    "Shall we try that now?",
    "Sure, let me think for a moment.",
    "Take your time.",
    "I would like to talk about where my role is going next year.",
    "How did that feel to say out loud?",
    "Strange, but better than I thought.",
    "I noticed your voice got steadier at the end.",
    "Really? I did not notice that at all.",
    "Let us come back to the plan for the reading group.",
    "The students read the first chapter and most of them enjoyed it.",
    "Which part did they find difficult?",
    "The vocabulary in the middle section slowed them down a lot.",
    "Could you pre-teach some of those words on Tuesday?",
    "That is a good idea, I will make a short list.",
    "Great.",
    "Anything else before we finish today?",
    "No, I think that covers it, thank you.",
    "See you next week then.",
    "Bye for now.",
]


@dataclass(frozen=True)
class Voice:
    name: str  # espeak-ng voice, e.g. "en-us+m3"
    pitch: int  # espeak -p, 0..99
    speed: int  # espeak -s, words per minute


@dataclass(frozen=True)
class SessionPlan:
    name: str
    voices: tuple[Voice, ...]
    utterances: int
    phone_band: bool = False
    noise_db: float | None = None  # signal-to-noise ratio of added white noise


def plans() -> list[SessionPlan]:
    m = lambda n, p, s=165: Voice(n, p, s)  # noqa: E731
    return [
        SessionPlan("mf_us", (m("en-us+m3", 40), m("en-us+f3", 65)), 22),
        SessionPlan("mf_gb", (m("en-gb+m1", 35), m("en-gb-x-rp+f2", 60, 150)), 22),
        SessionPlan("fm_scot", (m("en-gb-scotland+f4", 55), m("en-us+m7", 45, 175)), 22),
        SessionPlan("mm_us_gb", (m("en-us+m1", 40), m("en-gb+m4", 50, 150)), 24),
        SessionPlan("mm_same_accent", (m("en-us+m2", 45), m("en-us+m6", 38, 180)), 24),
        SessionPlan("ff_us_gb", (m("en-us+f1", 60), m("en-gb-x-rp+f5", 70, 155)), 24),
        SessionPlan("ff_same_accent", (m("en-us+f2", 62), m("en-us+f4", 55, 150)), 24),
        SessionPlan("mf_phone", (m("en-us+m3", 42), m("en-gb+f3", 66)), 22, phone_band=True),
        SessionPlan("mm_phone", (m("en-gb+m3", 45), m("en-us+m5", 40, 175)), 22, phone_band=True),
        SessionPlan("ff_noisy", (m("en-us+f5", 58), m("en-gb+f1", 64, 150)), 22, noise_db=20.0),
        SessionPlan("mf_noisy_phone", (m("en-029+m2", 40), m("en-us+f4", 60)), 22, True, 25.0),
        SessionPlan("mm_klatt", (m("en-us+klatt", 45), m("en-gb+m2", 40, 150)), 22),
        SessionPlan("one_voice_m", (m("en-us+m3", 40),), 14),
        SessionPlan("one_voice_f", (m("en-gb+f2", 62),), 14),
        SessionPlan("three_voices", (m("en-us+m3", 40), m("en-gb+f3", 65), m("en-us+m7", 50, 175)), 24),
        # More sessions for checking the speaker-count estimate, not for tuning it.
        SessionPlan("one_voice_m2", (m("en-gb+m4", 45, 150),), 14),
        SessionPlan("one_voice_f2", (m("en-us+f1", 58),), 14, noise_db=25.0),
        SessionPlan("three_voices_f", (m("en-us+f2", 62), m("en-gb-x-rp+f5", 70, 150), m("en-gb+m1", 38)), 24),
        SessionPlan("four_voices", (m("en-us+m2", 42), m("en-gb+f4", 60, 150), m("en-gb-scotland+m5", 48),
                                    m("en-us+f5", 66, 175)), 28),
    ]


def speak(voice: Voice, text: str, pitch_jitter: int, speed_jitter: int, tmp: Path) -> np.ndarray:
    raw = tmp / "raw.wav"
    out = tmp / "out.wav"
    subprocess.run(
        ["espeak-ng", "-v", voice.name, "-p", str(voice.pitch + pitch_jitter),
         "-s", str(voice.speed + speed_jitter), "-w", str(raw), text],
        check=True, capture_output=True,
    )
    # Resample, trim the synthesiser's leading/trailing silence.
    subprocess.run(
        ["sox", str(raw), "-r", str(SAMPLE_RATE), "-c", "1", "-b", "16", str(out),
         "silence", "1", "0.02", "0.5%", "reverse", "silence", "1", "0.02", "0.5%", "reverse"],
        check=True, capture_output=True,
    )
    return read_wav(out)


def read_wav(path: Path) -> np.ndarray:
    with wave.open(str(path), "rb") as w:
        data = np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16)
    return data.astype(np.float32) / 32768.0


def write_wav(path: Path, audio: np.ndarray) -> None:
    pcm = (np.clip(audio, -1.0, 1.0) * 32767).astype(np.int16)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(SAMPLE_RATE)
        w.writeframes(pcm.tobytes())


def phone_band(audio: np.ndarray, tmp: Path) -> np.ndarray:
    src, dst = tmp / "band_in.wav", tmp / "band_out.wav"
    write_wav(src, audio)
    subprocess.run(["sox", str(src), str(dst), "sinc", "300-3400", "gain", "-n", "-3"],
                   check=True, capture_output=True)
    return read_wav(dst)


def make_session(plan: SessionPlan, seed: int) -> None:
    rng = random.Random(seed)
    lines = LINES[:]
    rng.shuffle(lines)
    pieces: list[np.ndarray] = [np.zeros(int(0.5 * SAMPLE_RATE), np.float32)]
    cursor = 0.5
    utterances = []
    speaker = 0
    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        for i in range(plan.utterances):
            if i > 0 and len(plan.voices) > 1:
                # Mostly alternate; sometimes the same person speaks twice in a row.
                if rng.random() < 0.8:
                    speaker = (speaker + rng.randrange(1, len(plan.voices))) % len(plan.voices)
            voice = plan.voices[speaker]
            text = lines[i % len(lines)]
            audio = speak(voice, text, rng.randint(-6, 6), rng.randint(-15, 15), tmp)
            audio *= 10 ** (rng.uniform(-4, 2) / 20)  # loudness varies between utterances
            utterances.append({"speaker": f"spk{speaker + 1}", "voice": voice.name,
                               "start": round(cursor, 3), "end": round(cursor + len(audio) / SAMPLE_RATE, 3),
                               "text": text})
            pieces.append(audio)
            cursor += len(audio) / SAMPLE_RATE
            gap = rng.uniform(0.25, 0.9)
            pieces.append(np.zeros(int(gap * SAMPLE_RATE), np.float32))
            cursor += int(gap * SAMPLE_RATE) / SAMPLE_RATE
        mix = np.concatenate(pieces)
        if plan.phone_band:
            mix = phone_band(mix, tmp)
        if plan.noise_db is not None:
            speech_power = float(np.mean(mix[np.abs(mix) > 0.01] ** 2))
            noise = np.random.default_rng(seed).normal(0, 1, len(mix)).astype(np.float32)
            mix = mix + noise * np.sqrt(speech_power / 10 ** (plan.noise_db / 10))
    mix = mix / max(1e-6, float(np.max(np.abs(mix)))) * 0.8
    write_wav(OUT_DIR / f"{plan.name}.wav", mix)
    truth = {"speakers": [v.name for v in plan.voices], "phone_band": plan.phone_band,
             "noise_db": plan.noise_db, "utterances": utterances}
    (OUT_DIR / f"{plan.name}.truth.json").write_text(json.dumps(truth, indent=1))
    with open(OUT_DIR / f"{plan.name}.rttm", "w") as f:
        for u in utterances:
            f.write(f"SPEAKER {plan.name} 1 {u['start']:.3f} {u['end'] - u['start']:.3f} "
                    f"<NA> <NA> {u['speaker']} <NA> <NA>\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--force", action="store_true", help="regenerate sessions that exist")
    args = parser.parse_args()
    os.umask(0o077)  # generated sessions stand in for confidential ones: keep the habit
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    os.chmod(OUT_DIR, 0o700)
    for seed, plan in enumerate(plans()):
        if (OUT_DIR / f"{plan.name}.wav").exists() and not args.force:
            continue
        make_session(plan, seed)
        print(f"wrote {plan.name}")


if __name__ == "__main__":
    main()
