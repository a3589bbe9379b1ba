"""Writing the note of a mark: what is typed is always kept."""

from __future__ import annotations

from collections.abc import Callable

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Input, Label

from .base import Dialog


class NoteEditor(Dialog[str | None]):
    """A one-field dialog: `enter` saves, `esc` cancels (asking first when the note was changed).

    While typing, the text is kept as a draft, so a dropped connection loses nothing.
    """

    FIRST = "#note-input"

    DRAFT_DELAY = 0.4
    """Seconds of no typing after which the text so far is kept as a draft."""

    def __init__(self, heading: str, note: str, on_draft: Callable[[str], None] | None = None,
                 save_draft_now: Callable[[str], None] | None = None) -> None:
        """``on_draft`` keeps the text in the background; ``save_draft_now`` does it at once (on hang-up)."""
        super().__init__()
        self._heading = heading
        self._note = note
        self._on_draft = on_draft
        self._save_draft_now = save_draft_now
        self._draft_timer = None

    def flush_draft(self) -> None:
        """The connection is dropping: keep what was typed, now."""
        if self._save_draft_now is not None and self.text != self._note:
            self._save_draft_now(self.text)

    @property
    def text(self) -> str:
        return self.query_one(Input).value

    def on_input_changed(self, event: Input.Changed) -> None:
        """Keep the text so far as a draft, so a dropped connection loses nothing."""
        self._typed()
        if self._on_draft is None:
            return
        if self._draft_timer is not None:
            self._draft_timer.stop()
        self._draft_timer = self.set_timer(self.DRAFT_DELAY, lambda: self._on_draft(event.value))

    def compose(self) -> ComposeResult:
        with Vertical(id="note-dialog"):
            yield Label(self._heading, id="note-heading")
            yield Input(value=self._note, placeholder="What happened here? What would you try next time?",
                        id="note-input", select_on_focus=False)
            yield Label("enter: save · esc: cancel", classes="dialog-hint", id="hint")

    def result(self) -> str:
        if self._draft_timer is not None:
            self._draft_timer.stop()
        return self.query_one(Input).value
