"""Writing the note of a mark: what is typed is always kept."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label


class NoteEditor(ModalScreen[str]):
    """A one-field dialog; `enter` and `escape` both keep the text (nothing typed is lost)."""

    BINDINGS = [Binding("escape", "keep", "Keep note and close", id="note.keep")]

    def __init__(self, heading: str, note: str) -> None:
        super().__init__()
        self._heading = heading
        self._note = note

    def compose(self) -> ComposeResult:
        with Vertical(id="note-dialog"):
            yield Label(self._heading, id="note-heading")
            yield Input(value=self._note, placeholder="What happened here? What would you try next time?", id="note-input")
            yield Label("enter or esc: keep the note", id="note-hint")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value)

    def action_keep(self) -> None:
        self.dismiss(self.query_one(Input).value)
