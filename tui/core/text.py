"""Text that is safe to show on a terminal."""

from __future__ import annotations

_CONTROL = {**dict.fromkeys(range(32)), **dict.fromkeys(range(0x7F, 0xA0)), 9: " ", 10: " ", 13: " "}


def printable(text: str) -> str:
    """``text`` without control characters: a file name, transcript or note must never
    move the cursor, split an error line or retitle the terminal (tabs and newlines
    become spaces, other controls are dropped)."""
    return text if text.isprintable() else text.translate(_CONTROL)
