"""The README tells the truth about the keys: the table and the screen's bindings agree.

The keys are declared once, in each screen's and widget's BINDINGS (the footer, `?` and the
command palette read them); the README's table is for people who have not opened the app yet,
so it is checked against them rather than written a second time by hand and left to drift.
"""

from __future__ import annotations

import re
from pathlib import Path

from tui.app.screens.review import ReviewScreen
from tui.app.widgets.transcript import TranscriptView

README = Path(__file__).resolve().parent.parent / "README.md"

SHOWN_AS = {
    "question_mark": "?", "slash": "/", "exclamation_mark": "!", "left_square_bracket": "[",
    "right_square_bracket": "]", "left_curly_bracket": "{", "right_curly_bracket": "}", "plus": "+",
    "minus": "-", "equals_sign": "=", "left": "←", "right": "→", "shift+left": "shift+←",
    "shift+right": "shift+→", "escape": "esc",
}


def readme_keys() -> set[str]:
    """Every key named in the first column of the README's key table."""
    text = README.read_text(encoding="utf-8")
    table = text[text.index("## Keys"):text.index("\n## ", text.index("## Keys") + 1)]
    keys: set[str] = set()
    for row in table.splitlines():
        if row.startswith("| `"):
            first = row.split("|")[1]
            for key in re.findall(r"`([^`]+)`", first):
                keys.add(key)
            if "`1`…`9`" in first:
                keys.update(str(n) for n in range(1, 10))
    return keys


def test_every_key_of_the_review_screen_is_in_the_readme():
    documented = readme_keys()
    missing = []
    for owner in (ReviewScreen, TranscriptView):
        for binding in owner.BINDINGS:
            keys = [SHOWN_AS.get(k, k) for k in binding.key.split(",")]
            if not documented.intersection(keys):
                missing.append(f"{owner.__name__}: {binding.key} ({binding.description})")
    assert not missing, "keys bound but not in the README's table: " + "; ".join(missing)


def test_every_key_in_the_readme_is_bound_somewhere():
    bound = {"tab", "shift+tab", "ctrl+p", "q", "enter", "j", "k", "↓", "↑", "g", "G", "pagedown", "pageup",
             "ctrl+d", "ctrl+u", "esc"}  # Textual's own, the app's and the panes' movement keys
    for owner in (ReviewScreen, TranscriptView):
        for binding in owner.BINDINGS:
            bound.update(SHOWN_AS.get(k, k) for k in binding.key.split(","))
    stale = sorted(readme_keys() - bound)
    assert not stale, f"the README names keys nothing binds: {stale}"
