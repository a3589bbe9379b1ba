"""`?`: every key that works here, the focused pane's first, with what each does."""

from __future__ import annotations

from dataclasses import dataclass

from rich.table import Table
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Markdown, Static


@dataclass(frozen=True)
class KeyHelp:
    owner: str
    keys: str
    description: str
    tooltip: str


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,question_mark", "dismiss", "Close help", id="help.close")]

    def __init__(self, pane_help: str, keys: list[KeyHelp]) -> None:
        super().__init__()
        self._pane_help = pane_help
        self._keys = keys

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-body"):
            if self._pane_help:
                yield Markdown(self._pane_help.strip(), id="help-pane")
            table = Table(box=None, expand=True, show_header=True, header_style="bold")
            table.add_column("Key", no_wrap=True, style="bold cyan")
            table.add_column("Does")
            table.add_column("Where", style="dim", no_wrap=True)
            for k in self._keys:
                does = k.description + (f" — {k.tooltip}" if k.tooltip and k.tooltip != k.description else "")
                table.add_row(k.keys, does, k.owner)
            yield Static(table, id="help-keys")
            yield Static("esc: close · ctrl+p: every command by name", id="help-hint")
