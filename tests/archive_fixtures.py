"""A small archive of distinct recordings (sessions are known by content, so each must differ)."""

from __future__ import annotations

import shutil
import wave
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHORT = ROOT / "sample_sessions" / "short_session.ogg"
CUTS = ((0.0, 14.0), (14.0, 30.0), (30.0, 45.0), (45.0, 60.0), (60.0, 75.0))


def make_archive(folder: Path, *, full: bool = True) -> list[Path]:
    """The short sample (75 s) and five distinct pieces of it as 16 kHz wav files, in ``folder``."""
    import numpy as np
    from faster_whisper.audio import decode_audio

    folder.mkdir(parents=True, exist_ok=True)
    audio = decode_audio(str(SHORT), sampling_rate=16000)
    made = []
    for number, (start, end) in enumerate(CUTS, 1):
        piece = audio[int(start * 16000):int(end * 16000)]
        path = folder / f"piece_{number}.wav"
        with wave.open(str(path), "wb") as out:
            out.setnchannels(1)
            out.setsampwidth(2)
            out.setframerate(16000)
            out.writeframes((np.clip(piece, -1, 1) * 32767).astype("<i2").tobytes())
        made.append(path)
    if full:
        target = folder / "short_session.ogg"
        shutil.copy(SHORT, target)
        made.append(target)
    return made
