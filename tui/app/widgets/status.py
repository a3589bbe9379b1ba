"""The status bar: where the audio is, how fast, following or not, through what, and talk share."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from tui.core.timefmt import format_time


class StatusBar(Static):
    """One line of facts about playback; redrawn only when one of them changes."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("", id=id)
        self._facts: tuple = ()

    def show(
        self,
        *,
        playhead: float,
        duration: float,
        playing: bool,
        speed: float,
        follow: bool,
        backend: str,
        talk_share: str = "",
        note: str = "",
    ) -> None:
        facts = (int(playhead), int(duration), playing, speed, follow, backend, talk_share, note)
        if facts == self._facts:
            return
        self._facts = facts
        text = Text()
        text.append("▶ playing " if playing else "‖ paused  ", style="bold")
        text.append(f"{format_time(playhead)} / {format_time(duration)}", style="bold")
        if note:
            text.append(f"  {note}", style="italic")
        text.append(f"  {speed:g}×")
        text.append("  follow" if follow else "  free", style="" if follow else "dim")
        text.append(f"  audio: {backend}")
        if talk_share:
            text.append(f"  talk so far: {talk_share}")
        self.update(text, layout=False)  # one line, fixed height: never re-lay out the screen
