"""Times as people type and read them: ``SS``, ``MM:SS`` or ``HH:MM:SS``."""

from __future__ import annotations

import math
import re

from tui.errors import TimeFormatError

_TIME = re.compile(r"^\s*(?:(\d+):)?(?:(\d+):)?(\d+(?:\.\d+)?)\s*$", re.ASCII)
"""ASCII digits only: Python's \\d also matches other scripts' digits ("٣" would read as 3 s)."""

_SHOWN_CHARACTERS = 40
"""An error quotes this much of what was typed: a pasted page must not become the message."""

_NO_TIME = "--:--"

_LONGEST_SECONDS = 1e9
"""About 31 years: anything longer was mistyped, and would print as a wall of digits."""


def parse_time(text: str, *, duration: float | None = None) -> float:
    """Seconds from ``SS``, ``MM:SS`` or ``HH:MM:SS`` (fractions allowed on the seconds).

    With ``duration`` given, a time past the end of the recording is refused.
    """
    match = _TIME.match(text)
    if not match:
        raise TimeFormatError(f"{_shown(text)} is not a time; use SS, MM:SS or HH:MM:SS (for example 1:05:30)")
    first, second, secs = match.groups()
    if second is not None:
        hours, minutes = int(first), int(second)
    elif first is not None:
        hours, minutes = 0, int(first)
    else:
        hours, minutes = 0, 0
    seconds = float(secs)
    if (first is not None and seconds >= 60) or (second is not None and minutes >= 60):
        raise TimeFormatError(f"{_shown(text)} is not a time: minutes and seconds must be below 60")
    try:
        total = hours * 3600 + minutes * 60 + seconds
    except OverflowError:  # more hours than a float holds
        total = math.inf
    if not math.isfinite(total) or total > _LONGEST_SECONDS:
        raise TimeFormatError(f"{_shown(text)} is not a time: it is far longer than any recording")
    if duration is not None and total > duration + 1e-6:
        raise TimeFormatError(f"{format_time(total)} is past the end of the recording ({format_time(duration)})")
    return total


def format_time(seconds: float, *, always_hours: bool = False) -> str:
    """``M:SS`` below an hour (``H:MM:SS`` above, or always with ``always_hours``).

    A time that is not a number (NaN, infinity) shows as ``--:--`` rather than failing:
    a damaged file's figure must not stop a screen or a message from being shown.
    """
    if not math.isfinite(seconds):
        return _NO_TIME
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


def _shown(text: str) -> str:
    """What was typed, quoted and cut short, control characters escaped (``repr`` does that)."""
    if len(text) > _SHOWN_CHARACTERS:
        return repr(text[:_SHOWN_CHARACTERS]) + "…"
    return repr(text)
