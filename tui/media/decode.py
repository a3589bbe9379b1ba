"""Decode a recording to PCM from any point, starting at exactly that point.

Seeking lands on a packet boundary somewhere before the cursor, so the decoded frames
are trimmed by their timestamps: the first sample handed out is the one at ``start``.
Timestamps are counted from the stream's own start, which absorbs encoder delay (an mp3's
LAME padding, AAC priming, Opus pre-skip) the same way a decode from the top does, so a
transcript time and a playback time mean the same instant. Work is done in small chunks:
memory does not depend on the recording's length. Opening the file and finding its packets
is tui.media.audio_source's part.
"""

from __future__ import annotations

from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING

import av
import av.error
import av.filter

from tui.core.timefmt import format_time
from tui.errors import MediaError
from tui.media.audio_source import AudioSource

if TYPE_CHECKING:
    import numpy

MIN_SPEED, MAX_SPEED = 0.25, 4.0
"""What the decoder accepts; the player offers the narrower 0.5×–2.5×."""

_PREROLL = 0.2
"""Seconds decoded before the cursor so that codecs with overlapping frames (AAC, Opus'
80 ms pre-roll, the mp3 bit reservoir) are settled when the wanted sample comes out."""

_JITTER = 0.002
"""Timestamp disagreements smaller than this are rounding, not gaps."""

_MAX_GAP = 10.0
"""A hole in the timestamps up to this long is played as silence, keeping the clock true."""

_DAMAGE_MARGIN = 0.5
"""How far short of its stated length a decode may end before the file counts as damaged."""


def iter_pcm(
    path: Path,
    start: float = 0.0,
    *,
    end: float | None = None,
    rate: int = 48000,
    channels: int = 2,
    speed: float = 1.0,
    chunk_seconds: float = 0.25,
) -> PcmStream:
    """Interleaved s16le chunks from ``start`` (media seconds) to ``end`` or the end of the file.

    The result is an iterator of ``bytes`` that also tells, once exhausted, how far the
    file could be decoded and what was wrong with it (see :class:`PcmStream`).
    """
    return PcmStream(
        Path(path), start, end=end, rate=rate, channels=channels, speed=speed,
        chunk_seconds=chunk_seconds, sample_format="s16",
    )


def read_pcm(
    path: Path, start: float = 0.0, end: float | None = None, *, rate: int = 16000, channels: int = 1
) -> numpy.ndarray:
    """A stretch of the recording as float32: shape ``(n,)`` for mono, ``(channels, n)`` otherwise."""
    import numpy as np

    data = bytearray()
    with PcmStream(Path(path), start, end=end, rate=rate, channels=channels, sample_format="flt") as stream:
        for chunk in stream:
            data += chunk
    samples = np.frombuffer(data, dtype="<f4")  # shares the bytearray: no copy
    if channels == 1:
        return samples
    return np.ascontiguousarray(samples.reshape(-1, channels).T)


def tempo_factors(speed: float) -> list[float]:
    """atempo steps whose product is ``speed``, each inside the 0.5–2.0 range every FFmpeg accepts."""
    factors: list[float] = []
    while speed > 2.0:
        factors.append(2.0)
        speed /= 2.0
    while speed < 0.5:
        factors.append(0.5)
        speed /= 0.5
    factors.append(speed)
    return factors



class PcmStream(Iterator[bytes]):
    """Chunks of PCM from a cursor, plus what the decode found on the way.

    After iteration: ``reached`` is the media time of the last sample the file yielded,
    ``damage`` a sentence if the file ended early or broke off, ``skipped`` how many
    damaged packets were stepped over (their time played as silence) and ``skipped_at``
    where the first one was.
    """

    def __init__(
        self,
        path: Path,
        start: float = 0.0,
        *,
        end: float | None = None,
        rate: int = 48000,
        channels: int = 2,
        speed: float = 1.0,
        chunk_seconds: float = 0.25,
        sample_format: str = "s16",
    ) -> None:
        if not MIN_SPEED <= speed <= MAX_SPEED:
            raise MediaError(f"speed {speed:g}× is outside {MIN_SPEED:g}×–{MAX_SPEED:g}×")
        if channels not in (1, 2):
            raise MediaError(f"{channels} output channels are not supported; use 1 or 2")
        if not 4000 <= rate <= 192000:
            raise MediaError(f"an output rate of {rate} Hz is not supported")
        self.path = path
        self.start = max(0.0, float(start))
        self.end = None if end is None else float(end)
        self.rate = rate
        self.channels = channels
        self.speed = speed
        self.layout = "mono" if channels == 1 else "stereo"
        self.sample_format = sample_format
        self.bytes_per_frame = channels * (2 if sample_format == "s16" else 4)
        self.chunk_bytes = max(1, round(chunk_seconds * rate)) * self.bytes_per_frame
        self.reached = 0.0
        self.damage: str | None = None
        self.skipped = 0
        self.skipped_at: float | None = None
        self._source = AudioSource(path)
        self._chunks = self._generate()

    # -- iterator protocol -------------------------------------------------------------
    def __iter__(self) -> PcmStream:
        return self

    def __next__(self) -> bytes:
        return next(self._chunks)

    def close(self) -> None:
        self._chunks.close()
        self._source.close()

    def __enter__(self) -> PcmStream:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- decoding ---------------------------------------------------------------------
    def _generate(self) -> Iterator[bytes]:
        pending = bytearray()
        for block in self._tempo(self._trimmed()):
            pending += block
            while len(pending) >= self.chunk_bytes:
                yield bytes(pending[: self.chunk_bytes])
                del pending[: self.chunk_bytes]
        if pending:
            yield bytes(pending)
        self._source.close()

    def _tempo(self, blocks: Iterator[bytes]) -> Iterator[bytes]:
        """Change speed without changing pitch (atempo); a no-op at 1×."""
        if abs(self.speed - 1.0) < 1e-6:
            yield from blocks
            return
        graph = _tempo_graph(self.rate, self.layout, self.sample_format, self.speed)
        pts = 0
        for block in blocks:
            count = len(block) // self.bytes_per_frame
            if not count:
                continue
            frame = av.AudioFrame(format=self.sample_format, layout=self.layout, samples=count)
            frame.planes[0].update(block[: count * self.bytes_per_frame].ljust(frame.planes[0].buffer_size, b"\0"))
            frame.sample_rate = self.rate
            frame.pts = pts
            frame.time_base = Fraction(1, self.rate)
            pts += count
            graph.push(frame)
            yield from _pull_all(graph, self.bytes_per_frame)
        graph.push(None)
        yield from _pull_all(graph, self.bytes_per_frame)

    def _trimmed(self) -> Iterator[bytes]:
        """Resampled PCM from exactly ``start`` to ``end``, holes filled with silence."""
        first = round(self.start * self.rate)
        last = None if self.end is None else round(self.end * self.rate)
        if last is not None and last <= first:
            return
        jitter = round(_JITTER * self.rate)
        max_gap = round(_MAX_GAP * self.rate)
        preroll = _PREROLL
        seek_to = max(0.0, self.start - preroll) if self.start > 0 else None
        while True:
            frames = self._resampled(seek_to)
            head = next(frames, None)
            if head is None:
                self._finish(None)
                return
            head_at = self._sample_index(head[0], first)
            if head_at <= first + jitter or seek_to == 0.0:
                break
            # The seek landed after the cursor (a sparse index): go further back.
            frames.close()
            preroll *= 8
            seek_to = max(0.0, self.start - preroll)
        cursor = first
        for seconds, data in _chain_first(head, frames):
            at = self._sample_index(seconds, cursor)
            count = len(data) // self.bytes_per_frame
            if abs(at - cursor) <= jitter or abs(at - cursor) > max_gap and cursor > first:
                at = cursor  # rounding, or a timestamp discontinuity: keep counting samples
            if at > cursor:
                gap = at - cursor if last is None else min(at - cursor, last - cursor)
                if gap <= max_gap:
                    yield bytes(gap * self.bytes_per_frame)
                    cursor += gap
                else:
                    cursor = at
                if last is not None and cursor >= last:
                    return
            if at < cursor:
                drop = min(count, cursor - at)
                data = data[drop * self.bytes_per_frame :]
                at += drop
                count -= drop
            if last is not None and at + count > last:
                count = max(0, last - at)
                data = data[: count * self.bytes_per_frame]
            if count:
                yield data
                cursor = at + count
            if last is not None and cursor >= last:
                return

    def _sample_index(self, pts_seconds: float | None, fallback: int) -> int:
        return fallback if pts_seconds is None else round(pts_seconds * self.rate)

    def _resampled(self, seek_to: float | None) -> Iterator[tuple[float | None, bytes]]:
        """(media time, bytes) per resampled frame, from a seek to ``seek_to`` (or the top)."""
        if seek_to is not None:
            self._source.seek(seek_to)
        resampler = av.AudioResampler(format=self.sample_format, layout=self.layout, rate=self.rate)
        for frame in self._decoded():
            for out in resampler.resample(frame):
                yield _frame_time(out), _frame_bytes(out, self.bytes_per_frame)
        try:
            tail = resampler.resample(None)
        except (av.error.FFmpegError, ValueError):
            tail = []
        for out in tail:
            yield _frame_time(out), _frame_bytes(out, self.bytes_per_frame)

    def _decoded(self) -> Iterator[av.AudioFrame]:
        """Decoded frames stamped in media time; packets that fail to decode are skipped."""
        source = self._source
        for packet in source.packets():
            try:
                frames = packet.decode()
            except (av.error.FFmpegError, ValueError):
                if packet.size:
                    self.skipped += 1
                    if self.skipped_at is None:
                        self.skipped_at = source.media_time(packet.pts)
                continue
            for frame in frames:
                seconds = source.media_time(frame.pts)
                if seconds is not None:
                    frame.pts = round(seconds * frame.sample_rate)
                    frame.time_base = Fraction(1, frame.sample_rate)
                    self.reached = max(self.reached, seconds + frame.samples / frame.sample_rate)
                yield frame
        if source.dropped:
            self.skipped += source.dropped
            if source.dropped_at is not None and (self.skipped_at is None or source.dropped_at < self.skipped_at):
                self.skipped_at = source.dropped_at
        self._finish(self.reached, broken=source.broken)

    def _finish(self, reached: float | None, *, broken: bool = False) -> None:
        """Decide, once the file has run out, whether it ran out early."""
        if self.damage is not None:
            return
        reached = self.reached if reached is None else reached
        wanted = self._source.stated_duration()
        if self.end is not None:
            wanted = min(wanted, self.end) if wanted else self.end
        if not broken and (not wanted or reached >= wanted - _DAMAGE_MARGIN):
            return
        if self.start >= reached:
            self.damage = (
                f"the recording is damaged after {format_time(reached)}; "
                f"there is nothing to play at {format_time(self.start)}"
            )
        else:
            self.damage = f"the recording is damaged after {format_time(reached)}; played up to there"


def _chain_first(head: tuple, rest: Iterator[tuple]) -> Iterator[tuple]:
    yield head
    yield from rest


def _frame_time(frame: av.AudioFrame) -> float | None:
    if frame.pts is None or frame.time_base is None:
        return None
    return float(frame.pts * frame.time_base)


def _frame_bytes(frame: av.AudioFrame, bytes_per_frame: int) -> bytes:
    return bytes(frame.planes[0])[: frame.samples * bytes_per_frame]


def _tempo_graph(rate: int, layout: str, sample_format: str, speed: float) -> av.filter.Graph:
    graph = av.filter.Graph()
    node = graph.add_abuffer(format=sample_format, sample_rate=rate, layout=layout, time_base=Fraction(1, rate))
    for factor in tempo_factors(speed):
        step = graph.add("atempo", f"{factor:.6f}")
        node.link_to(step)
        node = step
    sink = graph.add("abuffersink")
    node.link_to(sink)
    graph.configure()
    return graph


def _pull_all(graph: av.filter.Graph, bytes_per_frame: int) -> Iterator[bytes]:
    while True:
        try:
            out = graph.pull()
        except (av.error.BlockingIOError, av.error.EOFError):
            return
        yield _frame_bytes(out, bytes_per_frame)
