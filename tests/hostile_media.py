"""Recordings a user should never have to think about: broken, empty, endless, odd.

Made in Python (PyAV, numpy, the ``wave`` module); nothing here needs ffmpeg or sox.
"""

from __future__ import annotations

import wave
from pathlib import Path

import av
import numpy as np

from media_fixtures import tone_steps, write_audio, write_video

FOUR_HOURS = 4 * 3600.0


def not_audio(path: Path) -> Path:
    """A text file wearing an audio extension (a renamed note, a mis-saved download)."""
    path.write_bytes(b"These are my private session notes, not a recording.\n" * 40)
    return path


def random_bytes(path: Path, size: int = 40_000) -> Path:
    path.write_bytes(np.random.default_rng(7).integers(0, 256, size, dtype=np.uint8).tobytes())
    return path


def header_only(path: Path) -> Path:
    """The first 64 bytes of a real recording: a copy that stopped at once."""
    write_audio(path, tone_steps(2.0))
    path.write_bytes(path.read_bytes()[:64])
    return path


def zero_seconds_wav(path: Path) -> Path:
    """A well-formed WAV with no samples at all."""
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(16000)
        out.writeframes(b"")
    return path


def silent_video(path: Path) -> Path:
    """A video with no sound track (someone picked the screen recording, not the audio)."""
    return write_video(path, 1.0)


def wav_claiming(path: Path, claimed_seconds: float, real_seconds: float = 1.0, rate: int = 8000) -> Path:
    """A WAV whose header promises ``claimed_seconds`` but which holds ``real_seconds``.

    This is what an interrupted copy of a long WAV looks like: the header was written
    first, with the full length, and the data stops early.
    """
    samples = (tone_steps(real_seconds, rate) * 32767).astype("<i2").tobytes()
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(samples)
    data = bytearray(path.read_bytes())
    claimed = int(claimed_seconds * rate) * 2
    data[4:8] = (36 + claimed).to_bytes(4, "little")  # RIFF size
    data[40:44] = claimed.to_bytes(4, "little")  # data chunk size
    path.write_bytes(bytes(data))
    return path


def long_mp3(path: Path, seconds: float = FOUR_HOURS, *, block_seconds: float = 10.0) -> Path:
    """A real constant-bitrate mp3 of ``seconds`` (8 kHz mono, 8 kbit/s: 14 MB for 4 hours).

    Encoding four hours would take minutes, so ten seconds are encoded once (no ID3 tag,
    no Xing header, so the block is nothing but frames) and the block is repeated: a
    sequence of whole mp3 frames is a valid mp3, and LAME's first frame never borrows
    from a previous one, so every repetition decodes.
    """
    block = path.with_name(path.name + ".block.mp3")
    rate = 8000
    with av.open(str(block), "w", format="mp3", options={"write_xing": "0", "id3v2_version": "0"}) as out:
        stream = out.add_stream("libmp3lame", rate=rate, layout="mono")
        stream.bit_rate = 8000
        samples = np.atleast_2d(tone_steps(block_seconds, rate))
        frame = av.AudioFrame.from_ndarray(np.ascontiguousarray(samples), format="fltp", layout="mono")
        frame.sample_rate = rate
        for packet in stream.encode(frame):
            out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    with av.open(str(block)) as probe:
        block_duration = float(sum(packet.duration or 0 for packet in probe.demux(probe.streams.audio[0]))
                               * probe.streams.audio[0].time_base)
    data = block.read_bytes()
    block.unlink()
    repeats = int(np.ceil(seconds / block_duration))
    with open(path, "wb") as out:
        for _ in range(repeats):
            out.write(data)
    return path

