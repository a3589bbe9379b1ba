"""Generate the hard cases the end-to-end truth benchmark scores: where utterance boxes lie.

Why: the real recordings in tests/data/real/ are the judge, but they are short and none
has one voice per channel with long listening pauses, a long pause inside a turn, or a
three-person talk with a question left waiting. espeak-ng voices placed by this script
give those cases with *exact* speech activity: every clip's audible stretches (frames
above the clip's own noise floor, pauses under 0.3 s bridged) are written to the truth,
not the clip's start and end.

Cases (bench/.data/hard/<name>.wav + <name>.truth.json, same truth format as the
sample sessions, plus "activity": {speaker: [[start, end], ...]}):

    stereo_listening   one voice per channel; each listens for long stretches (talk time
                       from utterance boxes would count the listening)
    pause_in_turn      two people; a 6 s wait after a question, a 5 s pause inside a turn
    three_people       three voices, turns of 2-15 s, one monologue over 45 s
    overlap            two voices; back-channels and a 1.5 s overlap at a hand-over

Needs espeak-ng (Debian package); numpy. Deterministic for a given espeak-ng version.

    python3 bench/make_hard_cases.py [--out DIR]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / ".data" / "hard"
SR = 16_000
FRAME = 160  # 10 ms
BRIDGE_S = 0.3
ROOM_TONE_RMS = 20.0 / 32768


@dataclass(frozen=True)
class Voice:
    espeak: str
    wpm: int
    pitch: int
    gain: float


VOICES = {
    "A": Voice("en-us+f3", 155, 60, 0.7),
    "B": Voice("en+m3", 160, 38, 0.6),
    "C": Voice("en-gb-x-rp+m1", 150, 50, 0.65),
}
NAMES = {"A": ("S1", "Ana", "coach"), "B": ("S2", "Ben", "teacher"), "C": ("S3", "Cleo", "colleague")}

# (who, start offset after the previous clip's end in seconds (negative = overlap), text)
CASES: dict[str, list[tuple[str, float, str]]] = {
    "stereo_listening": [
        ("A", 0.8, "Thanks for calling in. Tell me how the week went with the new reading groups."),
        ("B", 0.9, "It was a long week. The first two days were chaotic, honestly. The groups kept "
                   "changing because three students were out sick. By Wednesday I had a rhythm. "
                   "I started each group with a two minute warm up, and that helped a lot. "
                   "The quieter kids actually talked more than I expected."),
        ("A", 1.2, "What do you think made the difference for them?"),
        ("B", 4.0, "I think it was the warm up. Nobody had to perform right away. "
                   "They could just say one word about the picture."),
        ("A", 0.7, "Mm hmm."),
        ("B", 0.6, "And I stopped calling on the same hands. I waited longer. It felt uncomfortable "
                   "at first, but it worked. By Friday even Leo answered a question."),
        ("A", 1.0, "That is a real change. Let's keep that wait time as our focus next week."),
    ],
    "pause_in_turn": [
        ("A", 0.8, "I want to start with the lab on Tuesday."),
        ("B", 0.8, "Sure."),
        ("A", 0.7, "What would you do differently if you taught it again?"),
        ("B", 6.0, "Honestly, I would give them more time with the materials before asking for predictions."),
        ("A", 0.9, "Say more about that."),
        ("B", 0.8, "They rushed. Some groups did not even touch the candle before they wrote."),
        ("B", 5.0, "Actually, one group did, and their predictions were much better."),
        ("A", 1.0, "So time with the objects changed the thinking. How could you build that in?"),
        ("B", 2.5, "Maybe a short exploration station at the start of every lab."),
    ],
    "three_people": [
        ("A", 0.8, "Welcome, both of you. Cleo is joining us today to share her rubric."),
        ("C", 0.9, "Thanks for having me."),
        ("B", 0.7, "Glad you could come. We have been stuck on how to grade the lab reports."),
        ("C", 1.0, "Here is what worked for my classes. I split the rubric into three parts. "
                   "The first part is the question the students are asking. The second part is "
                   "the evidence they collected, and whether it actually answers that question. "
                   "The third part is what they would change next time. I give most of the points "
                   "to the second part, because that is where the thinking shows. Students "
                   "complained at first, but after two labs they started planning their evidence "
                   "before they started the experiment, which is exactly what I wanted. "
                   "I also added a short self assessment at the end of each report."),
        ("A", 1.0, "How long did it take you to grade with it?"),
        ("C", 1.2, "About five minutes per report."),
        ("B", 0.8, "That is faster than what I do now."),
        ("A", 0.9, "Ben, which part would you try first?"),
        ("B", 3.0, "The evidence part. That is where my students struggle most."),
    ],
    "overlap": [
        ("A", 0.8, "Can you walk me through the moment when the discussion fell apart?"),
        ("B", 0.6, "Yes. Two students started arguing about the answer, and the rest of the class "
                   "just watched them. I tried to redirect, but nobody wanted to speak after that."),
        ("A", -1.5, "Right, I saw that."),
        ("B", 0.5, "So I moved on to the worksheet."),
        ("A", 0.8, "What might have happened if you had asked the class to vote first?"),
        ("B", 1.5, "Maybe more of them would have committed to an answer."),
        ("A", -0.8, "Exactly."),
        ("B", 0.4, "I will try that on Monday."),
    ],
}
STEREO = {"stereo_listening"}


def speak(voice: Voice, text: str, folder: Path) -> np.ndarray:
    """One clip from espeak-ng, trimmed to its audible part, scaled to the voice's gain."""
    path = folder / "clip.wav"
    subprocess.run(["espeak-ng", "-v", voice.espeak, "-s", str(voice.wpm), "-p", str(voice.pitch),
                    "-w", str(path), text], check=True, capture_output=True)
    with wave.open(str(path)) as w:
        rate = w.getframerate()
        raw = np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16).astype(np.float32) / 32768
    if rate != SR:  # linear resampling is enough for synthetic speech
        raw = np.interp(np.arange(0, len(raw) * SR / rate) * rate / SR, np.arange(len(raw)), raw).astype(np.float32)
    active = np.flatnonzero(np.abs(raw) > 0.01)
    raw = raw[active[0]: active[-1] + 1]
    return (raw / max(1e-6, np.abs(raw).max()) * voice.gain).astype(np.float32)


def audible(clip: np.ndarray, offset: float) -> list[list[float]]:
    """The clip's speech stretches in seconds: frames above -40 dB of its peak, pauses < 0.3 s bridged."""
    n = len(clip) // FRAME
    level = np.sqrt(np.mean(clip[: n * FRAME].reshape(n, FRAME) ** 2, axis=1) + 1e-12)
    on = level > level.max() * 0.01
    spans: list[list[float]] = []
    for i in np.flatnonzero(on):
        t = offset + i * FRAME / SR
        if spans and t - spans[-1][1] <= BRIDGE_S:
            spans[-1][1] = t + FRAME / SR
        else:
            spans.append([t, t + FRAME / SR])
    return [[round(a, 3), round(b, 3)] for a, b in spans]


def build(name: str, script: list[tuple[str, float, str]], out: Path) -> Path:
    stereo = name in STEREO
    with tempfile.TemporaryDirectory() as tmp:
        clips = [(who, gap, text, speak(VOICES[who], text, Path(tmp))) for who, gap, text in script]
    placed = []
    cursor = 0.0
    for who, gap, text, clip in clips:
        start = max(0.0, cursor + gap)
        placed.append((who, start, text, clip))
        cursor = max(cursor, start + len(clip) / SR)
    total = int((cursor + 1.0) * SR)
    rng = np.random.default_rng(20261206)
    channels = 2 if stereo else 1
    mix = rng.normal(0, ROOM_TONE_RMS, (channels, total)).astype(np.float32)
    order = sorted({w for w, *_ in script})
    segments, activity = [], {NAMES[w][0]: [] for w in order}
    for who, start, text, clip in placed:
        at = int(start * SR)
        channel = order.index(who) if stereo else 0
        mix[channel, at: at + len(clip)] += clip
        spans = audible(clip, at / SR)
        activity[NAMES[who][0]].extend(spans)
        segments.append({"start": spans[0][0], "end": spans[-1][1], "speaker": NAMES[who][0], "text": text})
    pcm = (np.clip(mix, -1, 1) * 32767).astype(np.int16).T.copy()
    path = out / f"{name}.wav"
    with wave.open(str(path), "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(2)
        w.setframerate(SR)
        w.writeframes(pcm.tobytes())
    truth = {
        "duration": round(total / SR, 3),
        "title": name.replace("_", " "),
        "speakers": [{"id": NAMES[w][0], "name": NAMES[w][1], "role": NAMES[w][2]} for w in order],
        "segments": sorted(segments, key=lambda s: s["start"]),
        "activity": activity,
    }
    (out / f"{name}.truth.json").write_text(json.dumps(truth, indent=1) + "\n")
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    for name, script in CASES.items():
        print(build(name, script, args.out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
