"""Times as people type and read them: ``SS``, ``MM:SS`` or ``HH:MM:SS``."""

from __future__ import annotations

import math
import re

from tui.errors import TimeFormatError

_TIME = re.compile(r"^\s*(?:(\d+):)?(?:(\d+):)?(\d+(?:\.\d+)?)\s*$")


def parse_time(text: str, *, duration: float | None = None) -> float:
    """Seconds from ``SS``, ``MM:SS`` or ``HH:MM:SS`` (fractions allowed on the seconds).

    With ``duration`` given, a time past the end of the recording is refused.
    """
    match = _TIME.match(text)
    if not match:
        raise TimeFormatError(f"{text!r} is not a time; use SS, MM:SS or HH:MM:SS (for example 1:05:30)")
    first, second, secs = match.groups()
    if second is not None:
        hours, minutes = int(first), int(second)
    elif first is not None:
        hours, minutes = 0, int(first)
    else:
        hours, minutes = 0, 0
    seconds = float(secs)
    if (first is not None and seconds >= 60) or (second is not None and minutes >= 60):
        raise TimeFormatError(f"{text!r} is not a time: minutes and seconds must be below 60")
    total = hours * 3600 + minutes * 60 + seconds
    if not math.isfinite(total):
        raise TimeFormatError(f"{text!r} is not a time")
    if duration is not None and total > duration + 1e-6:
        raise TimeFormatError(f"{format_time(total)} is past the end of the recording ({format_time(duration)})")
    return total


def format_time(seconds: float, *, always_hours: bool = False) -> str:
    """``M:SS`` below an hour (``H:MM:SS`` above, or always with ``always_hours``)."""
    total = max(0, int(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours or always_hours:
        return f"{hours}:{minutes:02d}:{secs:02d}"
    return f"{minutes:02d}:{secs:02d}"


def format_range(start: float, end: float | None) -> str:
    if end is None or end <= start:
        return format_time(start)
    return f"{format_time(start)}–{format_time(end)}"
