"""Small dialogs: naming a speaker, choosing one of a few things, giving a file."""

from __future__ import annotations

from collections.abc import Sequence

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Input, Label, OptionList

from .base import Dialog, DialogProblem


class SpeakerDialog(Dialog[tuple[str, str] | None]):
    """Name and role of a speaker ("Maria", "coach"): `enter` saves, `tab` moves, `esc` cancels."""

    FIRST = "#speaker-name"

    def __init__(self, speaker_id: str, name: str, role: str, recognised: str = "") -> None:
        super().__init__()
        self._speaker_id, self._name, self._role = speaker_id, name, role
        self._recognised = recognised

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            heading = f"Speaker {self._speaker_id}" + (f" — {self._recognised}" if self._recognised else "")
            yield Label(heading, classes="dialog-heading")
            yield Label("Name", classes="dialog-label")
            yield Input(value=self._name, placeholder="e.g. Maria", id="speaker-name")
            yield Label("Role", classes="dialog-label")
            yield Input(value=self._role, placeholder="coach, client, teacher, student…", id="speaker-role")
            yield Label("enter: save (the voice is remembered) · tab: next field · esc: cancel",
                        classes="dialog-hint", id="hint")

    def result(self) -> tuple[str, str]:
        return self.query_one("#speaker-name", Input).value, self.query_one("#speaker-role", Input).value


class ChoiceDialog(Dialog[int | None]):
    """Pick one of ``choices`` with the arrows and `enter`; `esc` cancels."""

    FIRST = "#choices"

    def __init__(self, heading: str, choices: Sequence[str], current: int | None = None) -> None:
        super().__init__()
        self._heading, self._choices, self._current = heading, list(choices), current

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self._heading, classes="dialog-heading")
            yield OptionList(*self._choices, id="choices")
            yield Label("enter: choose · esc: cancel", classes="dialog-hint", id="hint")

    def on_mount(self) -> None:
        super().on_mount()
        if self._current is not None:
            self.query_one(OptionList).highlighted = self._current

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self._finished = True
        self.dismiss(event.option_index)

    def result(self) -> int:
        highlighted = self.query_one(OptionList).highlighted
        if highlighted is None:
            raise DialogProblem("Choose one with the arrows first.")
        return highlighted


class FileDialog(Dialog[str | None]):
    """One file path (``~`` allowed): `enter` takes it, `esc` cancels."""

    FIRST = "#file-path"

    def __init__(self, heading: str, placeholder: str, hint: str) -> None:
        super().__init__()
        self._heading, self._placeholder, self._hint = heading, placeholder, hint

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self._heading, classes="dialog-heading")
            yield Input(placeholder=self._placeholder, id="file-path")
            yield Label(f"enter: {self._hint} · esc: cancel", classes="dialog-hint", id="hint")

    def result(self) -> str:
        path = self.query_one("#file-path", Input).value.strip()
        if not path:
            raise DialogProblem("Type the file's path first (tab completes nothing: paste it).")
        return path
