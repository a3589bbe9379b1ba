"""What a recording is, before anyone listens to it: length, format, title and date.

Every way a file can fail to be a recording (missing, a folder, empty, unreadable, not
media at all, a video without sound) becomes one :class:`~tui.errors.MediaError` sentence,
because these are the mistakes a user makes when typing a path.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import av
import av.error

from tui.core.timefmt import format_time
from tui.errors import MediaError
from tui.media.audio_source import AudioSource

_TAIL_SLACK = 3.0
"""A seek may land on a packet up to this far before the requested time (less in short
files) and still count as 'there': past the end of the data it lands on the last packet."""

_MAX_TAG_LENGTH = 1000


@dataclass(frozen=True)
class MediaInfo:
    path: Path
    duration: float
    """Seconds that can actually be played (a damaged file reports where it breaks off)."""
    sample_rate: int
    channels: int
    codec: str
    container: str
    title: str
    date: str
    tags: dict[str, str] = field(default_factory=dict, hash=False)
    damage: str = ""
    """Empty for a sound file; otherwise one sentence saying where the recording breaks off."""


def probe(path: Path) -> MediaInfo:
    """Open the file once, check it holds decodable audio, and describe it."""
    source = AudioSource(Path(path))
    try:
        _first_frame(source)
        stated = source.stated_duration()
        playable = _playable_end(source, stated)
        damage = ""
        if playable is not None and stated - playable > 0.5:
            damage = (
                f"the recording is damaged after {format_time(playable)} "
                f"(it should last {format_time(stated)})"
            )
        duration = stated if playable is None else min(stated, playable)
        container, stream = source.container, source.stream
        tags = _tags(source.path, container, stream)
        context = stream.codec_context
        return MediaInfo(
            path=source.path,
            duration=duration,
            sample_rate=int(stream.sample_rate or context.sample_rate or 0),
            channels=int(context.channels or 0),
            codec=_codec_name(context.codec.name),
            container=_container_name(container.format.name, source.path),
            title=tags.get("title", ""),
            date=tags.get("date") or tags.get("creation_time", ""),
            tags=tags,
            damage=damage,
        )
    finally:
        source.close()


def _first_frame(source: AudioSource) -> None:
    """Decode until one frame of audio comes out: a file that never yields one is not audio."""
    failures = 0
    for packet in source.packets():
        try:
            if packet.decode():
                return
        except (av.error.FFmpegError, ValueError):
            failures += 1
            if failures > 20:
                break
    if failures:
        raise MediaError(f"{source.path} has an audio track that cannot be decoded")
    if not (source.stream.sample_rate or source.stream.codec_context.channels):
        # FFmpeg guessed a format from the name alone (text saved as .flac): no real track.
        raise MediaError(f"{source.path} is not an audio or video file Debrief can read (or it is damaged)")
    raise MediaError(f"{source.path} has an audio track with no sound in it")


def _playable_end(source: AudioSource, stated: float) -> float | None:
    """Where the audio really ends if the file is shorter than it claims, else None.

    A healthy file has packets near its stated end (one seek). A truncated one does not:
    bisect with seeks for the last region that has packets, then read to its end.
    """
    if stated <= 1.0:
        return None
    slack = min(_TAIL_SLACK, 0.1 * stated + 0.1)

    def packet_end(packet: av.Packet) -> float | None:
        start = source.media_time(packet.pts)
        return None if start is None else start + float((packet.duration or 0) * source.time_base)

    def packet_after(seconds: float) -> float | None:
        source.seek(seconds)
        for packet in source.packets():
            if packet.size:
                return packet_end(packet)
            return None
        return None

    near_end = packet_after(stated - 1.0)
    if near_end is not None and near_end >= stated - 1.0 - slack:
        return None
    low, high = 0.0, stated
    for _ in range(24):
        if high - low < 0.5:
            break
        middle = (low + high) / 2
        found = packet_after(middle)
        if found is not None and found >= middle - slack:
            low = max(low, min(middle, found))
        else:
            high = middle
    end = low
    source.seek(low - 1.0)
    for packet in source.packets():
        found = packet_end(packet) if packet.size else None
        if found is not None:
            end = max(end, found)
    return end


def _tags(path: Path, container: av.container.InputContainer, stream: av.audio.stream.AudioStream) -> dict[str, str]:
    """Container tags as FFmpeg reads them, overlaid with mutagen's (which knows more formats' names)."""
    tags: dict[str, str] = {}
    for source in (stream.metadata, container.metadata):
        for key, value in source.items():
            tags.setdefault(key.lower(), str(value)[:_MAX_TAG_LENGTH])
    try:
        import mutagen

        found = mutagen.File(path, easy=True)
        items = list(found.tags.items()) if found is not None and found.tags is not None else []
    except Exception:  # tags are a courtesy; a file mutagen dislikes still plays
        items = []
    for key, value in items:
        if isinstance(value, list):
            value = "; ".join(str(part) for part in value)
        if isinstance(value, str) and value:
            tags[str(key).lower()] = value[:_MAX_TAG_LENGTH]
    tags.pop("encoder", None)
    return tags


def _codec_name(decoder: str) -> str:
    for suffix in ("float", "_fixed"):
        if decoder.endswith(suffix) and len(decoder) > len(suffix):
            return decoder[: -len(suffix)]
    return decoder


def _container_name(names: str, path: Path) -> str:
    choices = names.split(",")
    suffix = path.suffix.lower().lstrip(".")
    return suffix if suffix in choices else choices[0]

