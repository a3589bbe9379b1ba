"""Opening a recording and reading its audio packets from any point, exactly.

Why a module of its own: what a file is (a recording, a text file, an image, a truncated WAV)
and where its packets sit in time is asked by the probe as well as by the decoder
(tui.media.decode), which turns the packets into PCM. Constant-bitrate mp3 is positioned by
bytes (see AudioSource).
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path

import av
import av.error

from tui.errors import MediaError


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
