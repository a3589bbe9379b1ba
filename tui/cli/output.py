"""What every command prints through: names, notes and paths shown, never sent to the terminal raw.

Why a module of its own: every command group prints names, notes and paths the user did not
write here; they all go through tui.core.safe_text the same way.
"""

from __future__ import annotations

import json

from tui.core.safe_text import json_safe, visible


def shown(text: object) -> str:
    """One line for the terminal: control, bidi and zero-width characters shown, never sent raw."""
    return visible(str(text))


def shown_lines(text: str) -> str:
    return "\n".join(shown(line) for line in text.split("\n"))


def as_json(value: object) -> str:
    """JSON for the terminal: lossless, with every hostile character as a \\u escape."""
    return json_safe(json.dumps(value, indent=2, ensure_ascii=False))
