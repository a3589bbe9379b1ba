"""Test audio made in Python (PyAV + numpy): no sox, no ffmpeg binary, no network.

The signal is a sequence of tones whose pitch changes every 100 ms at random, so that
any stretch of it has one clear best alignment with the rest (cross-correlation finds
where a decode really started) and survives lossy codecs well.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import numpy as np

REAL_DATA = Path(__file__).resolve().parent / "data" / "real"
"""Real recordings shipped with the tests (see SOURCES.md there)."""

# suffix -> (container format, audio codec)
AUDIO_FORMATS: dict[str, tuple[str, str]] = {
    ".wav": ("wav", "pcm_s16le"),
    ".flac": ("flac", "flac"),
    ".mp3": ("mp3", "libmp3lame"),
    ".m4a": ("ipod", "aac"),
    ".ogg": ("ogg", "libopus"),
    ".opus": ("ogg", "libopus"),
    ".mp4": ("mp4", "aac"),
    ".mov": ("mov", "aac"),
    ".webm": ("webm", "libopus"),
}


def tone_steps(seconds: float, rate: int = 48000, *, step: float = 0.1, seed: int = 1) -> np.ndarray:
    """Mono float32 in [-0.5, 0.5]: a new random pitch (250–3000 Hz) every ``step`` seconds."""
    rng = np.random.default_rng(seed)
    n = int(round(seconds * rate))
    per_step = int(round(step * rate))
    steps = -(-n // per_step)
    freqs = np.repeat(rng.uniform(250.0, 3000.0, steps), per_step)[:n]
    phase = 2 * np.pi * np.cumsum(freqs) / rate
    return (0.5 * np.sin(phase)).astype(np.float32)


def tone(seconds: float, freq: float, rate: int = 48000) -> np.ndarray:
    t = np.arange(int(round(seconds * rate))) / rate
    return (0.5 * np.sin(2 * np.pi * freq * t)).astype(np.float32)


def write_audio(path: Path, samples: np.ndarray, rate: int = 48000, *, bit_rate: int | None = None) -> Path:
    """Encode ``samples`` (shape (n,) mono or (channels, n)) into ``path``, format from its suffix."""
    container_format, codec = AUDIO_FORMATS[path.suffix]
    planar = np.atleast_2d(samples).astype(np.float32)
    layout = "mono" if planar.shape[0] == 1 else "stereo"
    if codec == "libopus":
        rate_out = 48000
    else:
        rate_out = rate
    with av.open(str(path), "w", format=container_format) as out:
        stream = out.add_stream(codec, rate=rate_out, layout=layout)
        if bit_rate:
            stream.bit_rate = bit_rate
        _encode(out, stream, planar, rate, layout)
    return path


def write_video(path: Path, seconds: float, *, audio: np.ndarray | None = None, rate: int = 48000) -> Path:
    """A small video (grey frames, 10 fps) with ``audio`` as its sound track, or none."""
    container_format, audio_codec = AUDIO_FORMATS[path.suffix]
    video_codec = "libvpx" if path.suffix == ".webm" else "mpeg4"
    with av.open(str(path), "w", format=container_format) as out:
        video = out.add_stream(video_codec, rate=10)
        video.width, video.height, video.pix_fmt = 64, 48, "yuv420p"
        sound = None
        if audio is not None:
            planar = np.atleast_2d(audio).astype(np.float32)
            layout = "mono" if planar.shape[0] == 1 else "stereo"
            sound = out.add_stream(audio_codec, rate=48000 if audio_codec == "libopus" else rate, layout=layout)
        picture = np.full((48, 64, 3), 128, dtype=np.uint8)
        for index in range(int(seconds * 10)):
            frame = av.VideoFrame.from_ndarray(picture, format="rgb24")
            frame.pts = index
            frame.time_base = Fraction(1, 10)
            for packet in video.encode(frame):
                out.mux(packet)
        for packet in video.encode(None):
            out.mux(packet)
        if sound is not None:
            _encode(out, sound, planar, rate, layout)
    return path


def _encode(out: av.container.OutputContainer, stream, planar: np.ndarray, rate: int, layout: str) -> None:
    block = rate  # one second per frame keeps memory small and the encoder's FIFO busy
    for offset in range(0, planar.shape[1], block):
        part = np.ascontiguousarray(planar[:, offset : offset + block])
        frame = av.AudioFrame.from_ndarray(part, format="fltp", layout=layout)
        frame.sample_rate = rate
        frame.pts = offset
        frame.time_base = Fraction(1, rate)
        for packet in stream.encode(frame):
            out.mux(packet)
    for packet in stream.encode(None):
        out.mux(packet)


def truncate(path: Path, keep: float) -> Path:
    """Cut the file to ``keep`` (0–1) of its bytes, as an interrupted copy would."""
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])
    return path


def offset_of(needle: np.ndarray, haystack: np.ndarray) -> int:
    """Where ``needle`` best matches inside ``haystack`` (samples), by FFT cross-correlation."""
    n = len(haystack) + len(needle)
    size = 1 << (n - 1).bit_length()
    spectrum = np.fft.rfft(haystack, size) * np.conj(np.fft.rfft(needle, size))
    correlation = np.fft.irfft(spectrum, size)[: len(haystack) - len(needle) + 1]
    return int(np.argmax(correlation))


def dominant_frequency(samples: np.ndarray, rate: int) -> float:
    window = samples * np.hanning(len(samples))
    spectrum = np.abs(np.fft.rfft(window))
    return float(np.argmax(spectrum) * rate / len(samples))


ALSA_TO_FILE = 'pcm.!default { type file; slave { pcm { type null } }; file "%s"; format "raw"; truncate false }\n'


def alsa_to_file(home: Path) -> Path:
    """An ALSA configuration that sends everything played on the default device to files.

    It is the whole configuration (point ``ALSA_CONFIG_PATH`` at the returned file), so the
    machine's own ALSA setup — PulseAudio or PipeWire hooks whose plugins the wheel's
    libasound cannot load — never changes what the tests hear. It is also written as
    ``home/.asoundrc`` for tools that only read that. simpleaudio opens the device once per
    buffer; with ``truncate false`` ALSA numbers the files (out.raw, out.raw.0001, …)
    instead of overwriting, and :func:`played` joins them.
    """
    config = ALSA_TO_FILE % (home / "out.raw")
    (home / ".asoundrc").write_text(config)
    (home / "asound.conf").write_text(config)
    return home / "asound.conf"


def played(home: Path) -> bytes:
    """Every byte ALSA was given, in order."""
    parts = sorted(home.glob("out.raw*"), key=lambda path: (len(path.name), path.name))
    return b"".join(path.read_bytes() for path in parts)


def forget_played(home: Path) -> None:
    for path in home.glob("out.raw*"):
        path.unlink()


def s16_to_mono(data: bytes, channels: int) -> np.ndarray:
    samples = np.frombuffer(data[: len(data) // (2 * channels) * 2 * channels], dtype="<i2").astype(np.float32)
    return samples.reshape(-1, channels).mean(axis=1) / 32768.0
