"""Small wording helpers shared by the screens (times of marks, why there is no sound)."""

from __future__ import annotations

from textual.keys import _character_to_key

from tui.core.timefmt import format_time


def format_mark_range(start: float, end: float | None) -> str:
    """``04:32–04:40``, or just ``04:32`` when the range is shorter than the second shown."""
    first = format_time(start)
    if end is None or end <= start:
        return first
    last = format_time(end)
    return first if last == first else f"{first}–{last}"


def key_name(key: str) -> str:
    """Textual's name for a key typed in the config (``?`` → ``question_mark``; ``a`` stays ``a``)."""
    return _character_to_key(key) if len(key) == 1 and not key.isalnum() else key


def silent_reason(player) -> str:
    """Why there is no sound, in a few words for the status bar ("" when there is sound)."""
    if player.backend != "silent":
        return ""
    detail = (getattr(player, "detail", "") or "").strip()
    if detail.startswith("silent by choice"):
        return "by choice"
    if "no audio command" in detail:
        return "no audio command set"
    if "no audio device" in detail or "ALSA" in detail:
        return "no sound device"
    return detail.split(";", 1)[0].split(":", 1)[0][:30] or "no sound device"
