"""The status bar: where the audio is, how fast, following or not, through what, and talk share."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from tui.core.timefmt import format_time


class StatusBar(Static):
    """One line of facts about playback; redrawn only when one of them changes.

    When the line is narrower than every fact, the least useful ones go first (talk share,
    then the words around the others), so the state, the time and why there is no sound stay.
    """

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
        typing: bool = False,
        why_silent: str = "",
        slice_label: str = "",
    ) -> None:
        width = max(20, self.size.width - 2) if self.size.width else 200
        facts = (int(playhead), int(duration), playing, speed, follow, backend, talk_share, note, typing,
                 why_silent, slice_label, width)
        if facts == self._facts:
            return
        self._facts = facts
        state = "▶ playing " if playing else ("‖ typing  " if typing else "‖ paused  ")
        audio = f"audio: {backend}" + (f" ({why_silent})" if why_silent else "")
        for compact in (0, 1, 2, 3):
            parts: list[tuple[str, str]] = [(state, "bold"),
                                            (f"{format_time(playhead)} / {format_time(duration)}", "bold")]
            if slice_label:
                parts.append((f"  slice: {slice_label}" if compact < 2 else f"  ◧ {slice_label}", "reverse"))
            if note:
                parts.append((f"  {note}", "italic"))
            parts.append((f"  {speed:g}×", ""))
            parts.append(("  follow" if follow else "  free", "" if follow else "dim"))
            parts.append((f"  {audio}" if compact < 3 else f"  {backend}", ""))
            if talk_share and compact < 2:
                parts.append((f"  talk so far: {talk_share}" if compact == 0 else f"  talk: {talk_share}", ""))
            if sum(len(p) for p, _ in parts) <= width:
                break
        text = Text()
        for part, style in parts:
            text.append(part, style=style)
        self.update(text, layout=False)  # one line, fixed height: never re-lay out the screen

    def on_resize(self) -> None:
        if self._facts:
            facts = self._facts
            self._facts = ()
            keys = ("playhead", "duration", "playing", "speed", "follow", "backend", "talk_share", "note", "typing",
                    "why_silent", "slice_label")
            self.show(**dict(zip(keys, facts[:11])))
