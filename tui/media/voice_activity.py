"""Where the recording holds a voice: Silero VAD frames (shipped with faster-whisper, ONNX).

Why a second pass: the VAD inside faster-whisper pads speech generously (0.4 s) and keeps
pauses under 2 s, which suits recognition, not timing. Talk time, pauses and word
boundaries need the voice itself, so the same model is run with tight padding and short
pauses. It costs about 9 s per audio hour on one core, a few percent of transcription.
"""

from __future__ import annotations

import numpy as np

from tui.core.activity import Span

SAMPLE_RATE = 16000
MIN_SILENCE_MS = 150
"""A silence shorter than this does not end a stretch of speech (a stop consonant, a breath)."""
PAD_MS = 30


def speech_regions(audio: np.ndarray, sample_rate: int = SAMPLE_RATE) -> list[Span]:
    """Stretches of voice in mono ``audio`` at ``sample_rate`` (16 kHz), in seconds, in order."""
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    if sample_rate != SAMPLE_RATE:
        raise ValueError("voice activity needs 16 kHz audio")
    audio = np.asarray(audio, dtype=np.float32)
    if audio.ndim != 1 or audio.size == 0:
        return []
    found = get_speech_timestamps(audio, VadOptions(min_silence_duration_ms=MIN_SILENCE_MS, speech_pad_ms=PAD_MS))
    return [(round(r["start"] / SAMPLE_RATE, 3), round(r["end"] / SAMPLE_RATE, 3)) for r in found]
