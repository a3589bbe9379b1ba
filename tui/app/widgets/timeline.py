"""The speaker timeline: the whole session at a glance, time running down.

One lane per speaker, shaded by how much of each slice of time they talk; a glyph where
a mark is; the playhead and the cursor's place. Drawn line by line; while playing only
the two rows the playhead leaves and enters are redrawn.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.segment import Segment as RichSegment
from rich.style import Style
from textual.binding import Binding
from textual.geometry import Region
from textual.message import Message
from textual.strip import Strip
from textual.widget import Widget

from tui.core.model import Segment
from tui.core.timefmt import format_time
from tui.core.timeline import lane_coverage
from tui.core.safe_text import visible

SHADES = ((0.66, "█"), (0.33, "▓"), (0.1, "▒"), (0.0001, "░"))
LABEL_WIDTH = 6
HEADER_ROWS = 1


def shade(fraction: float) -> str:
    for floor, glyph in SHADES:
        if fraction >= floor:
            return glyph
    return " "


class SpeakerTimeline(Widget, can_focus=True):
    """Who spoke when, for the whole session, in the height of the pane.

    Its keys are in :attr:`BINDINGS` (the footer, `?` and the palette show them).

    | Component class | What |
    |---|---|
    | `timeline--playhead` | The row holding the playhead |
    | `timeline--cursor` | The row holding the transcript cursor |
    | `timeline--label` | Time labels |
    | `timeline--mark` | Mark glyphs |
    """

    PANE_NAME = "timeline"
    """How the help screen names this pane."""

    HELP = """
## Speaker timeline
The whole session from top to bottom, one lane per speaker (darker = more talk in that
slice of time). `▶` is the playhead, `◆` a mark. Moving here moves the transcript cursor;
`enter` goes back to the transcript there. In a narrow pane the lanes are numbered (the
number is the key that gives an utterance to that speaker) and named at the bottom.
"""

    BINDINGS = [
        Binding("j,down", "move(1)", "Later", id="timeline.later", show=False),
        Binding("k,up", "move(-1)", "Earlier", id="timeline.earlier", show=False),
        Binding("enter", "choose", "Go there", id="timeline.choose", tooltip="Read the transcript at this time"),
    ]

    COMPONENT_CLASSES = {"timeline--playhead", "timeline--cursor", "timeline--label", "timeline--mark"}

    DEFAULT_CSS = """
    SpeakerTimeline > .timeline--playhead { color: $accent; text-style: bold; }
    SpeakerTimeline > .timeline--cursor { background: $primary 40%; }
    SpeakerTimeline:focus > .timeline--cursor { background: $primary 70%; }
    SpeakerTimeline > .timeline--label { color: $text-muted; }
    SpeakerTimeline > .timeline--mark { color: $warning; }
    """

    class TimeSelected(Message):
        """The reviewer moved to another time in the timeline."""

        def __init__(self, seconds: float) -> None:
            super().__init__()
            self.seconds = seconds

    class Chosen(Message):
        """The reviewer wants to read the transcript at the timeline's cursor (`enter`)."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._segments: tuple[Segment, ...] = ()
        self._lanes: list[tuple[str, str, str]] = []  # (speaker id, label, colour)
        self._duration = 0.0
        self._label_width = LABEL_WIDTH
        """Widened for sessions over an hour, so every row's lanes start in the same column."""
        self._mark_times: tuple[float, ...] = ()
        self._playhead = 0.0
        self._cursor_time = 0.0
        self._coverage: list[dict[str, float]] = []
        self._marks_by_row: set[int] = set()
        self._strips: dict[tuple, Strip] = {}

    # -- state pushed down by the screen -------------------------------------------

    def set_content(self, segments: Sequence[Segment], lanes: list[tuple[str, str, str]], duration: float) -> None:
        self._segments = tuple(segments)
        self._lanes = [(sid, visible(label), colour) for sid, label, colour in lanes]
        self._duration = max(duration, segments[-1].end if segments else 0.0, 0.001)
        self._label_width = max(LABEL_WIDTH, len(format_time(self._duration)) + 1)
        self._recompute()

    def set_marks(self, mark_times: Sequence[float]) -> None:
        self._mark_times = tuple(mark_times)
        self._recompute()

    def set_playhead(self, seconds: float) -> None:
        """Called on every playhead tick: a row spans many seconds, so most ticks draw nothing."""
        old, self._playhead = self.row_of(self._playhead), seconds
        new = self.row_of(seconds)
        if new != old:
            self._refresh_rows(old, new)

    def set_cursor_time(self, seconds: float) -> None:
        old, self._cursor_time = self.row_of(self._cursor_time), seconds
        new = self.row_of(seconds)
        if new != old:
            self._refresh_rows(old, new)

    # -- geometry --------------------------------------------------------------------

    @property
    def _legend(self) -> bool:
        """Names do not fit over their lanes: number the lanes and name them at the bottom."""
        lane = self._lane_width()
        return any(len(label) > max(1, lane - 1) for _sid, label, _colour in self._lanes)

    @property
    def _legend_rows(self) -> int:
        return len(self._lanes) if self._legend and self.size.height > 2 * len(self._lanes) + 4 else 0

    @property
    def rows(self) -> int:
        return max(1, self.size.height - HEADER_ROWS - self._legend_rows)

    @property
    def step(self) -> float:
        return self._duration / self.rows

    def row_of(self, seconds: float) -> int:
        return max(0, min(self.rows - 1, int(seconds / self.step))) if self._duration else 0

    def _recompute(self) -> None:
        self._coverage = lane_coverage(self._segments, self._duration, self.rows)
        self._marks_by_row = {self.row_of(t) for t in self._mark_times}
        self._strips.clear()
        self.refresh()

    def on_resize(self) -> None:
        self._recompute()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._strips.clear()

    def _refresh_rows(self, *rows: int) -> None:
        for row in set(rows):
            self.refresh(Region(0, row + HEADER_ROWS, self.size.width, 1))

    # -- actions ---------------------------------------------------------------------

    def action_choose(self) -> None:
        self.post_message(self.Chosen())

    def action_move(self, delta: int) -> None:
        row = max(0, min(self.rows - 1, self.row_of(self._cursor_time) + delta))
        self._select_row(row)

    def on_click(self, event) -> None:
        if event.y >= HEADER_ROWS:
            self._select_row(min(self.rows - 1, event.y - HEADER_ROWS))

    def _select_row(self, row: int) -> None:
        seconds = row * self.step
        self.set_cursor_time(seconds)
        self.post_message(self.TimeSelected(seconds))

    # -- drawing ---------------------------------------------------------------------

    def _lane_width(self) -> int:
        if not self._lanes:
            return 0
        return max(1, (self.size.width - self._label_width - 2) // len(self._lanes))

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        if y < HEADER_ROWS:
            return self._header(width)
        row = y - HEADER_ROWS
        if row >= self.rows and row - self.rows < self._legend_rows:
            return self._legend_line(row - self.rows, width)
        if row >= self.rows or not self._duration:
            return Strip.blank(width, self.rich_style)
        key = (row, row == self.row_of(self._playhead), row == self.row_of(self._cursor_time), self.has_focus, width)
        strip = self._strips.get(key)
        if strip is None:
            strip = self._strips[key] = self._row_strip(row, key[1], key[2], width)
        return strip

    def _header(self, width: int) -> Strip:
        lane = self._lane_width()
        numbered = self._legend
        parts = [RichSegment(" " * (self._label_width + 2), self.rich_style)]
        for n, (_sid, label, colour) in enumerate(self._lanes, 1):
            name = str(n) if numbered else label
            name = name[: lane - 1] if lane >= 3 else name[:lane]
            parts.append(RichSegment(name.ljust(lane), self.rich_style + Style(color=colour, bold=True)))
        return Strip(parts).adjust_cell_length(width, self.rich_style)

    def _legend_line(self, index: int, width: int) -> Strip:
        """``1 Maria``: which lane is whom, when the names do not fit above the lanes."""
        _sid, label, colour = self._lanes[index]
        parts = [RichSegment(f"{index + 1} ", self.rich_style + Style(color=colour, bold=True)),
                 RichSegment(label[: max(0, width - 2)], self.rich_style + Style(color=colour))]
        return Strip(parts).adjust_cell_length(width, self.rich_style)

    def _row_strip(self, row: int, playhead: bool, cursor: bool, width: int) -> Strip:
        base = self.rich_style
        if cursor:
            base = base + self.get_component_rich_style("timeline--cursor")
        label_every = max(1, self.rows // 8)
        label = format_time(row * self.step) if row % label_every == 0 else ""
        parts = [RichSegment(label.rjust(self._label_width - 1) + " ", base + self.get_component_rich_style("timeline--label", partial=True))]
        if playhead:
            parts.append(RichSegment("▶", base + self.get_component_rich_style("timeline--playhead", partial=True)))
        else:
            parts.append(RichSegment(" ", base))
        if row in self._marks_by_row:
            parts.append(RichSegment("◆", base + self.get_component_rich_style("timeline--mark", partial=True)))
        else:
            parts.append(RichSegment(" ", base))
        lane = self._lane_width()
        cell = self._coverage[row] if row < len(self._coverage) else {}
        gap = 1 if lane >= 3 else 0
        for sid, _label, colour in self._lanes:
            parts.append(RichSegment(shade(cell.get(sid, 0.0)) * (lane - gap) + " " * gap, base + Style(color=colour)))
        return Strip(parts).adjust_cell_length(width, base)

    def _on_focus(self, event) -> None:
        super()._on_focus(event)
        self._strips.clear()
        self.refresh()

    def _on_blur(self, event) -> None:
        super()._on_blur(event)
        self._strips.clear()
        self.refresh()
