"""Coaching figures for the session, each one a list of moments to walk through."""

from __future__ import annotations

from dataclasses import dataclass

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList, Static
from textual.widgets.option_list import Option

from tui.core.analytics import Moment, SessionStats
from tui.core.model import Speaker
from tui.core.timefmt import format_time

BAR_WIDTH = 20

# (figure name, label): per speaker unless marked session-wide.
PER_SPEAKER = (
    ("questions.open", "open questions"),
    ("questions.closed", "closed questions"),
    ("waits.under_3s", "waits under 3 s after their questions"),
    ("monologues", "monologues"),
    ("longest_turn", "longest turn"),
    ("interruptions", "interruptions"),
    ("backchannels", "back-channels"),
)
SESSION_WIDE = (("doubtful", "utterances whose speaker is uncertain"), ("overlaps", "overlaps (talking at once)"),
                ("silences", "silences"))


@dataclass(frozen=True)
class Walk:
    """A figure the reviewer chose to walk through: its title and its moments."""

    title: str
    moments: tuple[Moment, ...]


def bar(share: float, width: int = BAR_WIDTH) -> str:
    filled = max(0, min(width, round(share * width)))
    return "█" * filled + "·" * (width - filled)


class StatsScreen(ModalScreen[Walk | None]):
    """Talk share, questions, waits, monologues; `enter` on a figure walks its moments."""

    HELP = """
## Figures
Each line is a list of moments. `enter` goes back to the transcript on the first one;
then `n`/`N` step through the rest and `F` shows only them (a thin slice).
"""

    BINDINGS = [Binding("escape,s", "dismiss_none", "Close", id="stats.close")]

    def __init__(self, stats: SessionStats, speakers: tuple[Speaker, ...]) -> None:
        super().__init__()
        self._stats = stats
        self._speakers = speakers
        self._walks: list[Walk] = []

    def compose(self) -> ComposeResult:
        with Vertical(id="stats-body"):
            yield Label("Figures — enter walks through the moments behind one", classes="dialog-heading")
            yield Static(self._table(), id="stats-table")
            yield OptionList(*self._options(), id="figures")
            yield Label("enter: walk these moments · esc: back", classes="dialog-hint")

    def _label(self, speaker_id: str) -> str:
        for sp in self._speakers:
            if sp.id == speaker_id:
                return sp.label
        return speaker_id

    def _table(self) -> Table:
        stats = self._stats
        table = Table(box=None, expand=True, header_style="bold")
        narrow = self.app.size.width < 110
        for column, justify in (("Speaker", "left"), ("Talk share", "left"), ("Talk", "right"), ("Turns", "right"),
                                ("Open/closed q." if narrow else "Questions open/closed", "right"),
                                ("WPM" if narrow else "Words/min", "right")):
            table.add_column(column, justify=justify, no_wrap=True)
        width = 10 if narrow else BAR_WIDTH
        for sid, sp in stats.speakers.items():
            about = "≈" if sp.approximate else ""
            table.add_row(
                self._label(sid), Text(f"{bar(sp.talk_share, width)} {about}{sp.talk_share:.0%}"),
                about + format_time(sp.talk_seconds),
                str(sp.turns), f"{sp.open_questions}/{sp.closed_questions}", f"{sp.words_per_minute:.0f}",
            )
        waits = stats.wait_after_questions
        caption = f"Silence {format_time(stats.silence_seconds)} of {format_time(stats.duration)}"
        if waits.count:
            caption += (f" · wait after questions: median {waits.median_seconds:.1f} s, "
                        f"{waits.under_3s_share:.0%} under 3 s")
        if any(sp.approximate for sp in stats.speakers.values()):
            caption += " · ≈ rests on uncertain speakers: walk them below"
        table.caption = caption
        return table

    def _options(self) -> list[Option]:
        options: list[Option] = []
        for sid in self._stats.speakers:
            for name, label in PER_SPEAKER:
                moments = self._stats.moments(name, sid)
                self._walks.append(Walk(f"{self._label(sid)}: {label}", moments))
                options.append(self._option(self._walks[-1]))
        for name, label in SESSION_WIDE:
            self._walks.append(Walk(label, self._stats.moments(name)))
            options.append(self._option(self._walks[-1]))
        return options

    @staticmethod
    def _option(walk: Walk) -> Option:
        text = Text(f"{walk.title} ({len(walk.moments)})")
        if not walk.moments:
            text.stylize("dim")
        return Option(text, disabled=not walk.moments)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(self._walks[event.option_index])

    def action_dismiss_none(self) -> None:
        self.dismiss(None)
