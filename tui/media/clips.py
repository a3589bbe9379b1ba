"""A marked moment as a small audio file: for the HTML export's players and ``--clips``.

Clips are Opus in Ogg by default: mono at 24 kbit/s, tuned for speech ("voip") at a
middling encoder effort (measured: same size, a third faster than the maximum), keeps
speech clear at about 3 kB a second, so twenty half-minute clips embedded in one HTML page stay near 2 MB, and
every current browser plays them. Spans given in ``mute`` (a redacted name, say) are
silenced completely, with short fades outside them so that no click marks the spot.
Clips carry no metadata from the recording: its title or artist tag could name a client.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Sequence
from pathlib import Path

import av
import av.error
import numpy as np

from tui.core.timefmt import format_time
from tui.errors import MediaError
from tui.media.decode import read_pcm

RATE = 48000
"""Opus works at 48 kHz; decoding straight to it saves a resampling step in the encoder."""

BIT_RATE = 24000
PRE_ROLL_SECONDS = 5.0
POST_ROLL_SECONDS = 10.0
MAX_CLIP_SECONDS = 120.0
"""A mark spanning twenty minutes gets its first two minutes: an HTML page must stay small."""

FADE_SECONDS = 0.01

FORMATS: dict[str, tuple[str, str, str]] = {
    # name: (container, codec, MIME type)
    "ogg": ("ogg", "libopus", "audio/ogg"),
    "webm": ("webm", "libopus", "audio/webm"),
    "mp3": ("mp3", "libmp3lame", "audio/mpeg"),
    "wav": ("wav", "pcm_s16le", "audio/wav"),
}


def clip_mime(fmt: str) -> str:
    return _format(fmt)[2]


def clip_bounds(
    start: float,
    end: float | None = None,
    *,
    pre_roll: float = PRE_ROLL_SECONDS,
    post_roll: float = POST_ROLL_SECONDS,
    duration: float | None = None,
    max_seconds: float = MAX_CLIP_SECONDS,
) -> tuple[float, float]:
    """The stretch of recording a clip of a mark holds: the mark plus its run-up and aftermath."""
    for name, value in (("pre-roll", pre_roll), ("post-roll", post_roll)):
        if not math.isfinite(value) or value < 0:
            raise MediaError(f"The clip {name} must be zero or more seconds, not {value!r}.")
    if not math.isfinite(max_seconds) or max_seconds <= 0:
        raise MediaError(f"The longest clip must be a positive number of seconds, not {max_seconds!r}.")
    last = end if end is not None and end > start else start
    a = max(0.0, start - pre_roll)
    b = last + post_roll
    if duration is not None and duration > 0:
        b = min(b, duration)
    b = min(b, a + max_seconds)
    if b <= a:
        raise MediaError(f"There is nothing to clip at {format_time(start)}: it is past the end of the recording.")
    return a, b


def encode_clip(
    path: Path,
    start: float,
    end: float,
    *,
    mute: Sequence[tuple[float, float]] = (),
    fmt: str = "ogg",
    bit_rate: int = BIT_RATE,
) -> bytes:
    """The recording from ``start`` to ``end`` (media seconds) as a mono audio file in memory.

    ``mute`` spans are in media time, like ``start`` and ``end``; the parts inside the
    clip are silenced. Raises :class:`MediaError` for a bad file or an empty stretch.
    """
    container_name, codec, _ = _format(fmt)
    if not (math.isfinite(start) and math.isfinite(end)) or start < 0 or end <= start:
        raise MediaError(f"A clip must run forwards from a time in the recording, not {start!r} to {end!r}.")
    if end - start > 10 * MAX_CLIP_SECONDS:
        raise MediaError(f"A clip of {format_time(end - start)} is too long; clips hold a moment, not a session.")
    samples = np.array(read_pcm(Path(path), start, end, rate=RATE, channels=1), dtype=np.float32)
    if samples.size == 0:
        raise MediaError(f"There is no audio to clip at {format_time(start)} in {Path(path).name}.")
    samples *= _envelope(samples.size, start, mute)
    return _encode(samples, container_name, codec, bit_rate)


def clip_filename(number: int, start: float, tag: str, fmt: str = "ogg") -> str:
    """``03_12m05s_growth-edge.ogg``: sorts in time order, safe on every file system."""
    minutes, seconds = divmod(max(0, int(start)), 60)
    slug = re.sub(r"[^A-Za-z0-9]+", "-", tag).strip("-").lower()[:40] or "mark"
    return f"{number:02d}_{minutes:02d}m{seconds:02d}s_{slug}.{fmt}"


def _format(fmt: str) -> tuple[str, str, str]:
    try:
        return FORMATS[fmt]
    except KeyError:
        raise MediaError(f"Unknown clip format {fmt!r}; choose one of {', '.join(FORMATS)}.") from None


def _envelope(count: int, start: float, mute: Sequence[tuple[float, float]]) -> np.ndarray:
    """Gain per sample: 0 inside muted spans, fades just outside them and at both ends."""
    gain = np.ones(count, dtype=np.float32)
    fade = max(1, round(FADE_SECONDS * RATE))
    ramp = np.linspace(0.0, 1.0, fade, endpoint=False, dtype=np.float32)
    n = min(fade, count)
    gain[:n] = np.minimum(gain[:n], ramp[:n])
    gain[count - n :] = np.minimum(gain[count - n :], ramp[:n][::-1])
    for a, b in mute:
        if not (math.isfinite(a) and math.isfinite(b)) or b <= a:
            continue
        first = max(0, math.floor((a - start) * RATE))
        last = min(count, math.ceil((b - start) * RATE))
        if last <= 0 or first >= count:
            continue
        gain[first:last] = 0.0
        before = max(0, first - fade)
        gain[before:first] = np.minimum(gain[before:first], ramp[::-1][fade - (first - before) :])
        after = min(count, last + fade)
        gain[last:after] = np.minimum(gain[last:after], ramp[: after - last])
    return gain


def _encode(samples: np.ndarray, container_name: str, codec: str, bit_rate: int) -> bytes:
    buffer = io.BytesIO()
    try:
        # bitexact: no "Lavf…" encoder tag; nothing but the sound goes in the file.
        with av.open(buffer, mode="w", format=container_name, options={"fflags": "+bitexact"}) as out:
            options = {"application": "voip", "compression_level": "5"} if codec == "libopus" else {}
            stream = out.add_stream(codec, rate=RATE, layout="mono", options=options)
            if codec != "pcm_s16le":
                stream.bit_rate = bit_rate
            frame = av.AudioFrame.from_ndarray(np.ascontiguousarray(samples[None, :]), format="flt", layout="mono")
            frame.sample_rate = RATE
            for packet in stream.encode(frame):
                out.mux(packet)
            for packet in stream.encode(None):
                out.mux(packet)
    except (av.error.FFmpegError, ValueError) as exc:
        raise MediaError(f"The clip could not be encoded as {container_name} ({exc}).") from None
    return buffer.getvalue()
