"""Small dialogs: naming a speaker, choosing one of a few things."""

from __future__ import annotations

from collections.abc import Sequence

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList


class SpeakerDialog(ModalScreen[tuple[str, str] | None]):
    """Name and role of a speaker ("Maria", "coach"); `esc` cancels."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="dialog.cancel")]

    def __init__(self, speaker_id: str, name: str, role: str, recognised: str = "") -> None:
        super().__init__()
        self._speaker_id, self._name, self._role = speaker_id, name, role
        self._recognised = recognised

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            heading = f"Speaker {self._speaker_id}" + (f" — {self._recognised}" if self._recognised else "")
            yield Label(heading, classes="dialog-heading")
            yield Input(value=self._name, placeholder="Name (e.g. Maria)", id="speaker-name")
            yield Input(value=self._role, placeholder="Role (coach, client, teacher, student…)", id="speaker-role")
            yield Label("enter: save (the voice is remembered for new sessions) · esc: cancel",
                        classes="dialog-hint")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.input.id == "speaker-name":
            self.query_one("#speaker-role", Input).focus()
            return
        self.dismiss((self.query_one("#speaker-name", Input).value, self.query_one("#speaker-role", Input).value))

    def action_cancel(self) -> None:
        self.dismiss(None)


class ChoiceDialog(ModalScreen[int | None]):
    """Pick one of ``choices`` with the arrows and `enter`; `esc` cancels."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="dialog.cancel")]

    def __init__(self, heading: str, choices: Sequence[str]) -> None:
        super().__init__()
        self._heading, self._choices = heading, list(choices)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self._heading, classes="dialog-heading")
            yield OptionList(*self._choices, id="choices")
            yield Label("enter: choose · esc: cancel", classes="dialog-hint")

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option_index)

    def action_cancel(self) -> None:
        self.dismiss(None)
