"""What every playback backend offers (Player), and the silent one: a clock without sound.

Why a module of its own: the review session knows players only through this interface,
and the silent player is what a machine with no audio gets; the sound itself is made by
tui.media.child_player and the choice between them is tui.media.playback's.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

from tui.errors import MediaError

if TYPE_CHECKING:
    from tui.media.probe import MediaInfo

MIN_SPEED, MAX_SPEED = 0.5, 2.5


class Player:
    """Plays one recording at a time from a cursor; every method returns at once."""

    backend: str = "silent"
    """Short name for the status bar: "simpleaudio", "paplay", "silent", …"""
    detail: str = ""
    """Why this backend, or what is wrong with the one that was wanted."""

    def play(self, path: Path, start: float, *, speed: float = 1.0, end: float | None = None) -> None:
        raise NotImplementedError

    def pause(self) -> None:
        raise NotImplementedError

    def position(self) -> float | None:
        raise NotImplementedError

    def is_playing(self) -> bool:
        raise NotImplementedError

    def error(self) -> str | None:
        return None

    def close(self) -> None:
        pass

    # -- shared by the backends ------------------------------------------------------
    def _prepare(self, path: Path, start: float, speed: float, end: float | None) -> tuple[MediaInfo, float, float]:
        """Check the request and return (info, start, stop) in media seconds."""
        if not MIN_SPEED <= speed <= MAX_SPEED:
            raise MediaError(f"speed {speed:g}× is outside {MIN_SPEED:g}×–{MAX_SPEED:g}×")
        info = cached_probe(Path(path))
        stop = info.duration if end is None else min(max(0.0, end), info.duration)
        start = min(max(0.0, float(start)), stop)
        return info, start, stop


class SilentPlayer(Player):
    """A clock that moves like playback would: position = start + elapsed × speed."""

    backend = "silent"

    def __init__(self, detail: str = "no sound: the playhead moves without audio") -> None:
        self.detail = detail
        self._start: float | None = None
        self._began = 0.0
        self._speed = 1.0
        self._stop = 0.0
        self._frozen: float | None = None
        self._error: str | None = None

    def play(self, path: Path, start: float, *, speed: float = 1.0, end: float | None = None) -> None:
        info, start, stop = self._prepare(path, start, speed, end)
        self._start, self._stop, self._speed = start, stop, speed
        reaches_break = end is None or end > info.duration
        self._error = info.damage if info.damage and reaches_break else None
        self._began = time.monotonic()
        self._frozen = None

    def pause(self) -> None:
        if self._start is not None and self._frozen is None:
            self._frozen = self._now()

    def position(self) -> float | None:
        if self._start is None:
            return None
        return self._frozen if self._frozen is not None else self._now()

    def is_playing(self) -> bool:
        return self._start is not None and self._frozen is None and self._now() < self._stop

    def error(self) -> str | None:
        """A damaged file's sentence once the clock reaches the break."""
        if self._error and self._start is not None and self.position() >= self._stop:
            return self._error
        return None

    def _now(self) -> float:
        assert self._start is not None
        return min(self._start + (time.monotonic() - self._began) * self._speed, self._stop)



_probe_cache: dict[Path, tuple[int, int, MediaInfo]] = {}
_probe_lock = threading.Lock()


def cached_probe(path: Path) -> MediaInfo:
    """probe(), remembered while the file is unchanged: play() is called on every key press."""
    try:
        stat = path.stat()
        key = (stat.st_mtime_ns, stat.st_size)
    except OSError:
        key = None
    with _probe_lock:
        hit = _probe_cache.get(path)
    if key is not None and hit is not None and hit[:2] == key:
        return hit[2]
    from tui.media.probe import probe  # PyAV: loaded on the first play, not at start-up

    info = probe(path)
    if key is not None:
        with _probe_lock:
            if len(_probe_cache) > 64:
                _probe_cache.clear()
            _probe_cache[path] = (*key, info)
    return info
