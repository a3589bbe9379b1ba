"""Where the recording holds a voice: Silero VAD frames (shipped with faster-whisper, ONNX).

Why two readings of one pass: recognition wants speech padded generously (0.4 s) with pauses
under 2 s kept, so that Whisper hears whole phrases; talk time, pauses and word boundaries want
the voice itself (tight padding, short pauses). The network's speech probabilities are the
costly part (about 9 s per audio hour on one core); turning them into stretches is cheap. So
the network runs once (:func:`speech_probabilities`) and both readings are taken from its
output (:func:`stretches`): recognition no longer runs its own pass inside faster-whisper.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tui.core.activity import Span

SAMPLE_RATE = 16000
FRAME = 512
"""Samples per Silero frame at 16 kHz."""
MIN_SILENCE_MS = 150
"""A silence shorter than this does not end a stretch of speech (a stop consonant, a breath)."""
PAD_MS = 30


@dataclass(frozen=True, slots=True)
class Reading:
    """How speech probabilities become stretches: faster-whisper's ``VadOptions``, the fields we use."""

    min_silence_ms: int
    pad_ms: int
    longest_s: float = float("inf")
    threshold: float = 0.5


VOICE = Reading(MIN_SILENCE_MS, PAD_MS)
"""The voice itself: what the figures and the speaker separation read."""
FOR_SEQUENTIAL = Reading(2000, 400)
"""faster-whisper's default for ``WhisperModel.transcribe(vad_filter=True)``."""
FOR_BATCHED = Reading(160, 400, longest_s=30.0)
"""faster-whisper's default for ``BatchedInferencePipeline.transcribe(vad_filter=True)``."""


def speech_probabilities(audio: np.ndarray) -> np.ndarray:
    """Silero's speech probability for each 512-sample frame of mono 16 kHz ``audio``."""
    from faster_whisper.vad import get_vad_model

    audio = np.asarray(audio, dtype=np.float32)
    if audio.ndim != 1:
        raise ValueError("voice activity needs one channel")
    if audio.size == 0:
        return np.zeros(0, np.float32)
    padded = np.pad(audio, (0, FRAME - audio.shape[0] % FRAME))
    return np.asarray(get_vad_model()(padded), dtype=np.float32).reshape(-1)


def speech_regions(audio: np.ndarray, sample_rate: int = SAMPLE_RATE) -> list[Span]:
    """Stretches of voice in mono ``audio`` at ``sample_rate`` (16 kHz), in seconds, in order."""
    if sample_rate != SAMPLE_RATE:
        raise ValueError("voice activity needs 16 kHz audio")
    audio = np.asarray(audio, dtype=np.float32)
    if audio.ndim != 1 or audio.size == 0:
        return []
    return in_seconds(stretches(speech_probabilities(audio), audio.shape[0], VOICE))


def in_seconds(found: list[dict]) -> list[Span]:
    return [(round(r["start"] / SAMPLE_RATE, 3), round(r["end"] / SAMPLE_RATE, 3)) for r in found]


def stretches(probabilities: np.ndarray, length: int, reading: Reading) -> list[dict]:
    """Speech stretches ({"start", "end"} in samples) from frame probabilities, as faster-whisper finds them.

    The same steps as ``faster_whisper.vad.get_speech_timestamps`` (adapted from silero-vad, MIT),
    without running the network again: a stretch starts above ``threshold``, ends after
    ``min_silence_ms`` below ``threshold - 0.15``, is cut before ``longest_s`` at its last
    silence of 98 ms if it has one, and is padded by ``pad_ms`` (half the gap where two meet).
    """
    threshold = reading.threshold
    negative = max(threshold - 0.15, 0.01)
    pad = SAMPLE_RATE * reading.pad_ms / 1000
    longest = SAMPLE_RATE * reading.longest_s - FRAME - 2 * pad
    min_silence = SAMPLE_RATE * reading.min_silence_ms / 1000
    silence_at_longest = SAMPLE_RATE * 98 / 1000
    triggered = False
    speeches: list[dict] = []
    current: dict = {}
    temp_end = prev_end = next_start = 0
    for i, p in enumerate(probabilities.tolist()):
        here = FRAME * i
        if p >= threshold and temp_end:
            temp_end = 0
            if next_start < prev_end:
                next_start = here
        if p >= threshold and not triggered:
            triggered = True
            current["start"] = here
            continue
        if triggered and here - current["start"] > longest:
            if prev_end:
                current["end"] = prev_end
                speeches.append(current)
                current = {}
                if next_start < prev_end:
                    triggered = False
                else:
                    current["start"] = next_start
                prev_end = next_start = temp_end = 0
            else:
                current["end"] = here
                speeches.append(current)
                current = {}
                prev_end = next_start = temp_end = 0
                triggered = False
                continue
        if p < negative and triggered:
            if not temp_end:
                temp_end = here
            if here - temp_end > silence_at_longest:
                prev_end = temp_end
            if here - temp_end < min_silence:
                continue
            current["end"] = temp_end
            if current["end"] - current["start"] > 0:
                speeches.append(current)
            current = {}
            prev_end = next_start = temp_end = 0
            triggered = False
    if current and length - current["start"] > 0:
        current["end"] = length
        speeches.append(current)
    for i, speech in enumerate(speeches):
        if i == 0:
            speech["start"] = int(max(0, speech["start"] - pad))
        if i != len(speeches) - 1:
            gap = speeches[i + 1]["start"] - speech["end"]
            if gap < 2 * pad:
                speech["end"] += int(gap // 2)
                speeches[i + 1]["start"] = int(max(0, speeches[i + 1]["start"] - gap // 2))
            else:
                speech["end"] = int(min(length, speech["end"] + pad))
                speeches[i + 1]["start"] = int(max(0, speeches[i + 1]["start"] - pad))
        else:
            speech["end"] = int(min(length, speech["end"] + pad))
    return speeches
