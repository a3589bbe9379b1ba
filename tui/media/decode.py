"""Decode a recording to PCM from any point, starting at exactly that point.

Seeking lands on a packet boundary somewhere before the cursor, so the decoded frames
are trimmed by their timestamps: the first sample handed out is the one at ``start``.
Timestamps are counted from the stream's own start, which absorbs encoder delay (an mp3's
LAME padding, AAC priming, Opus pre-skip) the same way a decode from the top does, so a
transcript time and a playback time mean the same instant. Work is done in small chunks:
memory does not depend on the recording's length.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING

import av
import av.error
import av.filter

from tui.core.timefmt import format_time
from tui.errors import MediaError

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


def open_audio(path: Path) -> tuple[av.container.InputContainer, av.audio.stream.AudioStream]:
    """The file's container and its first audio stream, or a MediaError saying why not."""
    path = Path(path)
    name = str(path)
    if not path.exists():
        raise MediaError(f"{name} does not exist")
    if path.is_dir():
        raise MediaError(f"{name} is a folder, not a recording")
    try:
        mode = os.stat(path).st_mode
    except OSError as exc:
        raise MediaError(f"{name} cannot be read ({exc.strerror or exc})") from None
    if not stat.S_ISREG(mode):
        # A pipe would block the open forever and a device (/dev/zero) never ends.
        raise MediaError(f"{name} is not a regular file (a pipe, socket or device), so it cannot be a recording")
    try:
        with open(path, "rb") as handle:
            empty = not handle.read(1)
    except PermissionError:
        raise MediaError(f"{name} cannot be read (permission denied)") from None
    except OSError as exc:
        raise MediaError(f"{name} cannot be read ({exc.strerror or exc})") from None
    if empty:
        raise MediaError(f"{name} is empty")
    try:
        container = av.open(name, mode="r")
    except PermissionError:
        raise MediaError(f"{name} cannot be read (permission denied)") from None
    except (av.error.FFmpegError, OSError, ValueError, UnicodeDecodeError):
        raise MediaError(f"{name} is not an audio or video file Debrief can read (or it is damaged)") from None
    if not container.streams.audio:
        has_video = bool(container.streams.video)
        kind = _not_a_recording(container.format.name)
        container.close()
        if kind:
            raise MediaError(f"{name} is {kind}, not a recording")
        if has_video:
            raise MediaError(f"{name} has no audio track (it is a video without sound)")
        raise MediaError(f"{name} has no audio track")
    return container, container.streams.audio[0]


def _not_a_recording(format_names: str) -> str:
    """What FFmpeg took a non-media file for: it reads any text as a "tty" video and images as
    one-frame videos, which would otherwise be reported as "a video without sound"."""
    names = set(format_names.split(","))
    if "tty" in names:
        return "a text file"
    if names & {"image2", "gif", "apng", "ico", "bmp_pipe", "svg_pipe"} or any(n.endswith("_pipe") for n in names):
        return "an image"
    return ""


def stated_duration(container: av.container.InputContainer, stream: av.audio.stream.AudioStream, path: Path) -> float:
    """The length the file claims to have, which a truncated file no longer does.

    FFmpeg quietly shortens a truncated WAV/AIFF to the data present, so for those the
    header's own figure is read with mutagen.
    """
    seconds = 0.0
    if stream.duration is not None and stream.time_base is not None:
        seconds = float(stream.duration * stream.time_base)
    elif container.duration is not None:
        seconds = container.duration / 1_000_000
    if container.format.name in ("wav", "aiff", "w64"):
        header = _mutagen_length(path)
        if header and header > seconds:
            seconds = header
    return max(0.0, seconds)


def _mutagen_length(path: Path) -> float | None:
    try:
        import mutagen

        found = mutagen.File(path)
    except Exception:  # mutagen raises many types for odd files; the length is only a hint
        return None
    info = getattr(found, "info", None)
    length = getattr(info, "length", None)
    return float(length) if length else None


class AudioSource:
    """A recording's first audio stream, opened to be read from any point exactly.

    ``packets()`` yields packets with the stream's own timestamps (those a decode from the
    top would give) and ``media_time`` turns them into seconds from the start of the sound.

    Constant-bitrate mp3, what most voice recorders write, has no index: FFmpeg's exact
    seek reads the whole file up to the target (about a third of a second, 1¾ hours into
    a 2-hour file) and its fast seek guesses timestamps tens of milliseconds off. Its
    frames all have the same length in bytes, though, so a frame's byte offset says exactly
    which frame it is: such files are positioned by bytes and stamped from offsets.
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.container, self.stream = open_audio(self.path)
        self.time_base: Fraction = self.stream.time_base or Fraction(1, self.stream.sample_rate or 48000)
        self.origin: int = self.stream.start_time or 0
        self.broken = False
        """Set when the demuxer kept failing: the file breaks off there."""
        self.dropped = 0
        """Damaged mp3 frames left out (the rest keep their true times)."""
        self.dropped_at: float | None = None
        self._just_sought = False
        self._pending: list[av.Packet] = []
        self._grid: _FrameGrid | None = None
        if self.container.format.name == "mp3":
            self._grid = _FrameGrid.measure(self.path, self.container, self.stream, self._pending)

    def media_time(self, pts: int | None) -> float | None:
        return None if pts is None else float((pts - self.origin) * self.time_base)

    def stated_duration(self) -> float:
        return stated_duration(self.container, self.stream, self.path)

    def seek(self, seconds: float) -> None:
        """Position so that the next packets start at or a little before ``seconds``."""
        self._pending.clear()
        self._just_sought = True
        ticks = self.origin + int(max(0.0, seconds) / self.time_base)
        try:
            if self._grid is not None:
                self.container.seek(self._grid.byte_before(ticks), unsupported_byte_offset=True)
            else:
                self.container.seek(ticks, stream=self.stream, backward=True)
        except (av.error.FFmpegError, OSError):
            try:  # unseekable or a damaged index: read from the top (slow but right)
                self.container.seek(0, stream=self.stream, backward=True)
            except (av.error.FFmpegError, OSError):
                pass
        try:
            self.stream.codec_context.flush_buffers()
        except (av.error.FFmpegError, AttributeError):
            pass

    def packets(self) -> Iterator[av.Packet]:
        """Packets from the current position; a few demuxer failures are stepped over."""
        while self._pending:
            yield self._pending.pop(0)
        failures = 0
        demuxed = self.container.demux(self.stream)
        while True:
            try:
                packet = next(demuxed)
            except StopIteration:
                return
            except (av.error.FFmpegError, OSError):
                failures += 1
                if failures > 3:
                    self.broken = True
                    return
                demuxed = self.container.demux(self.stream)
                continue
            failures = 0
            if self._grid is not None and packet.size:
                ticks = self._grid.ticks_at(packet)
                if ticks is None:  # the tail of a frame cut by the byte seek, or noise
                    if not self._just_sought:
                        self.dropped += 1
                        if self.dropped_at is None:
                            self.dropped_at = self.media_time(self._grid.nearest_ticks(packet))
                    self._just_sought = False
                    continue
                packet.pts = packet.dts = ticks
            self._just_sought = False
            yield packet

    def close(self) -> None:
        self.container.close()


class _FrameGrid:
    """Where each frame of a constant-bitrate mp3 starts: first + index × bytes per frame."""

    def __init__(self, first: int, frame_bytes: float, frame_ticks: int) -> None:
        self.first = first
        self.frame_bytes = frame_bytes
        self.frame_ticks = frame_ticks

    @classmethod
    def measure(
        cls, path: Path, container: av.container.InputContainer, stream: av.audio.stream.AudioStream,
        keep: list[av.Packet],
    ) -> _FrameGrid | None:
        """The grid if the opening frames sit on one (read packets are kept for the caller)."""
        try:
            import mutagen.mp3

            mode = mutagen.mp3.MP3(path).info.bitrate_mode
            if mode in (mutagen.mp3.BitrateMode.VBR, mutagen.mp3.BitrateMode.ABR):
                return None
        except Exception:  # mutagen's view is a hint; the frame check below decides
            pass
        try:
            for packet in container.demux(stream):
                keep.append(packet)
                if len(keep) >= 40 or not packet.size:
                    break
        except (av.error.FFmpegError, OSError):
            return None
        frames = [packet for packet in keep if packet.size and packet.pos is not None and packet.pos >= 0]
        if len(frames) < 20 or not frames[0].duration:
            return None
        # The exact length (a measured average would drift by frames over an hour):
        # samples per frame × bit rate / 8 / sample rate, e.g. 1152 × 64000 / 8 / 44100.
        frame_ticks = frames[0].duration
        rate = stream.sample_rate or stream.codec_context.sample_rate
        bit_rate = stream.codec_context.bit_rate
        if not rate or not bit_rate:
            return None
        samples_per_frame = float(frame_ticks * stream.time_base * rate)
        frame_bytes = samples_per_frame * bit_rate / 8 / rate
        measured = (frames[-1].pos - frames[0].pos) / (len(frames) - 1)
        if abs(measured - frame_bytes) > 0.5:
            return None
        grid = cls(frames[0].pos, frame_bytes, frame_ticks)
        if any(packet.duration != frame_ticks for packet in frames):
            return None
        if any(grid.ticks_at(packet) != index * frame_ticks for index, packet in enumerate(frames)):
            return None  # variable bitrate after all
        return grid

    def byte_before(self, ticks: int) -> int:
        """A byte offset a frame before the one holding ``ticks`` (the seek lands mid-frame)."""
        index = max(0, ticks // self.frame_ticks - 1)
        return self.first + int(index * self.frame_bytes)

    def nearest_ticks(self, packet: av.Packet) -> int:
        return max(0, round((packet.pos - self.first) / self.frame_bytes)) * self.frame_ticks

    def ticks_at(self, packet: av.Packet) -> int | None:
        """The packet's timestamp from its offset, or None if it does not start on the grid."""
        if packet.pos is None or packet.pos < 0:
            return None
        index = round((packet.pos - self.first) / self.frame_bytes)
        on_grid = abs(packet.pos - self.first - index * self.frame_bytes) <= 1.5
        whole = abs(packet.size - self.frame_bytes) <= 1.5
        return index * self.frame_ticks if index >= 0 and on_grid and whole else None


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
