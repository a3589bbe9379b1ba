"""The transcript pane: one block per utterance (time, speaker, wrapped text).

Drawn with the Line API: only the visible lines are rendered, so a two-hour session with
thousands of utterances scrolls and moves as fast as a short one. The wrapped layout is
computed once per width and kept; strips are cached and only the rows that change
(cursor, now playing) are refreshed.
"""

from __future__ import annotations

import textwrap
from bisect import bisect_left
from collections.abc import Sequence
from typing import NamedTuple

from rich.segment import Segment as RichSegment
from rich.style import Style
from textual.binding import Binding
from textual.cache import LRUCache
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.scrollbar import ScrollBar
from textual.strip import Strip

from tui.core.attribution import doubtful
from tui.core.model import Segment
from tui.core.safe_text import visible
from tui.core.timefmt import format_time

from .quick_scrollbar import use_quick_vertical_scrollbar

TIME_WIDTH = 6
"""``MM:SS `` (``H:MM:SS`` sessions widen it)."""
SPEAKER_WIDTH = 9
STRIP_CACHE_SIZE = 256
"""Rendered rows kept for a page back or a cursor passing by: a few screens' worth. More only
fills the collector's oldest generation (a strip carries a dozen small objects), and every
full collection walks it: 1,024 rows made the slowest key presses 40 ms slower."""
SPEAKER_COLOURS = ("cyan", "magenta", "yellow", "green", "blue", "red")


def speaker_colour(position: int) -> str:
    return SPEAKER_COLOURS[position % len(SPEAKER_COLOURS)]


class _Line(NamedTuple):
    """One wrapped row. A tuple of plain values: the collector stops tracking it, so the
    tens of thousands of rows of a long session never make a full collection slower."""

    segment: int
    first: bool
    text: str


class TranscriptView(ScrollView, can_focus=True, inherit_bindings=False):
    """Transcript of the session, the cursor row being the reviewer's "here".

    Its keys are in :attr:`BINDINGS` (the footer, `?` and the palette show them).

    | Component class | What |
    |---|---|
    | `transcript--cursor` | The cursor row |
    | `transcript--playing` | The utterance being played |
    | `transcript--time` | Time column |
    | `transcript--mark` | The mark glyph |
    """

    PANE_NAME = "transcript"
    """How the help screen names this pane."""

    HELP = """
## Transcript
One row per utterance: time, speaker, text. The highlighted row is the cursor ("here");
`space` plays from it, `m` marks it, `n` writes a note on its mark. The row being played is
underlined and, in follow mode, the cursor tracks it. `≈Name` means the voice model was
unsure who said it: `!` goes to the next such row, `1`…`9` gives it to the right speaker.
"""

    BINDINGS = [
        Binding("j,down", "move(1)", "Next", id="move.next", tooltip="Next utterance", show=False),
        Binding("k,up", "move(-1)", "Previous", id="move.previous", tooltip="Previous utterance", show=False),
        Binding("pagedown,ctrl+d", "page(1)", "Page down", id="move.page_down", show=False),
        Binding("pageup,ctrl+u", "page(-1)", "Page up", id="move.page_up", show=False),
        Binding("g,home", "edge(0)", "First", id="move.first", tooltip="First utterance", show=False),
        Binding("G,end", "edge(1)", "Last", id="move.last", tooltip="Last utterance", show=False),
        Binding("exclamation_mark", "next_doubtful", "Check speaker", id="move.next_doubtful", show=False,
                tooltip="Next utterance whose speaker the voice model was unsure of (≈): 1-9 fixes it"),
    ]

    COMPONENT_CLASSES = {"transcript--cursor", "transcript--playing", "transcript--time", "transcript--mark",
                         "transcript--hit"}

    DEFAULT_CSS = """
    TranscriptView > .transcript--cursor { background: $primary 40%; }
    TranscriptView:focus > .transcript--cursor { background: $primary 70%; }
    TranscriptView > .transcript--playing { text-style: bold underline; }
    TranscriptView > .transcript--time { color: $text-muted; }
    TranscriptView > .transcript--mark { color: $warning; text-style: bold; }
    TranscriptView > .transcript--hit { background: $warning 60%; color: $text; }
    """

    class CursorMoved(Message):
        """The reviewer moved the cursor to another utterance."""

        def __init__(self, index: int) -> None:
            super().__init__()
            self.index = index

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._segments: tuple[Segment, ...] = ()
        self._labels: dict[str, tuple[str, str]] = {}
        self._marked: frozenset[int] = frozenset()
        self._hits: frozenset[int] = frozenset()
        self._terms: tuple[str, ...] = ()
        self._cursor = 0
        self._pending: int | None = None
        self._playing = -1
        self._lines: list[_Line] = []
        self._style_cache: dict[tuple[bool, bool, bool], dict[str, Style]] = {}
        self._strips: LRUCache[tuple[int, tuple[bool, bool, bool], int], Strip] = LRUCache(STRIP_CACHE_SIZE)
        """Drawn rows of this view only (a cache on the method would keep every view alive)."""
        self._shown: list[int] | None = None
        """Indexes of the utterances shown (a thin slice), or None for all."""
        self._order: list[int] = []
        self._span: dict[int, tuple[int, int]] = {}
        """Utterance index -> (first line, line after its last) in the current layout."""
        self._layout_width = -1
        self._time_width = TIME_WIDTH

    @property
    def vertical_scrollbar(self) -> ScrollBar:
        return use_quick_vertical_scrollbar(self)

    # -- state pushed down by the screen -------------------------------------------

    @property
    def cursor(self) -> int:
        return self._cursor

    def set_content(self, segments: Sequence[Segment], labels: dict[str, tuple[str, str]],
                    marked: frozenset[int]) -> None:
        """Segments, ``speaker id -> (label, colour)``, and the indexes of marked utterances."""
        self._segments = tuple(segments)
        self._labels = {sid: (visible(label), colour) for sid, (label, colour) in labels.items()}
        self._marked = marked
        self._time_width = TIME_WIDTH + (2 if self._segments and self._segments[-1].start >= 3600 else 0)
        self._layout_width = -1
        self._strips.clear()
        self._relayout()
        self.refresh()

    def set_marked(self, marked: frozenset[int]) -> None:
        if marked != self._marked:
            changed = marked.symmetric_difference(self._marked)
            self._marked = marked
            self._strips.clear()
            for index in changed:
                self._refresh_segment(index)

    def set_search(self, hits: frozenset[int], terms: tuple[str, ...]) -> None:
        """Highlight ``terms`` in the utterances ``hits`` (empty: no search)."""
        changed = hits | self._hits
        self._hits, self._terms = hits, tuple(t for t in terms if t)
        self._strips.clear()
        for index in changed:
            self._refresh_segment(index)

    def set_filter(self, shown: list[int] | None) -> None:
        """Show only these utterances (a thin slice), or all of them with None."""
        self._shown = None if shown is None else sorted(i for i in set(shown) if 0 <= i < len(self._segments))
        self._layout_width = -1
        self._relayout()
        self.refresh()

    @property
    def filtered(self) -> bool:
        return self._shown is not None

    def nearest_shown(self, index: int) -> int:
        """The shown utterance at or after ``index`` (else the last shown one)."""
        if not self._order:
            return index
        pos = bisect_left(self._order, index)
        return self._order[min(pos, len(self._order) - 1)]

    def set_cursor(self, index: int, *, scroll: bool = True) -> None:
        self._pending = None
        if not self._segments:
            return
        index = max(0, min(len(self._segments) - 1, index))
        old, self._cursor = self._cursor, index
        if old != index:
            self._refresh_segment(old)
            self._refresh_segment(index)
        if scroll:
            self._scroll_to_segment(index)

    def set_playing(self, index: int) -> None:
        if index != self._playing:
            old, self._playing = self._playing, index
            self._refresh_segment(old)
            self._refresh_segment(index)

    # -- actions -------------------------------------------------------------------

    def action_move(self, delta: int) -> None:
        if not self._order:
            return
        pos = bisect_left(self._order, self._cursor)
        if pos < len(self._order) and self._order[pos] != self._cursor and delta > 0:
            delta -= 1  # the cursor sits between shown utterances: the next one is one step
        pos = max(0, min(len(self._order) - 1, pos + delta))
        self._move_to(self._order[pos])

    def action_page(self, direction: int) -> None:
        if not self._order:
            return
        top = self._span.get(self._cursor, (0, 0))[0]
        target_line = max(0, min(len(self._lines) - 1, top + direction * max(1, self.size.height - 1)))
        self._move_to(self._lines[target_line].segment)

    def action_next_doubtful(self) -> None:
        after = [i for i in self._order if i > self._cursor] + [i for i in self._order if i <= self._cursor]
        found = next((i for i in after if doubtful(self._segments[i])), None)
        if found is None:
            self.notify("No utterance with an uncertain speaker.", timeout=2)
        else:
            self._move_to(found)

    def action_edge(self, end: int) -> None:
        if self._order:
            self._move_to(self._order[-1] if end else self._order[0])

    def _move_to(self, index: int) -> None:
        """Move here at once (so keys arriving in a burst each start from the last move), then tell the screen."""
        if not self._segments:
            return
        index = max(0, min(len(self._segments) - 1, index))
        if index != self._cursor:
            self.set_cursor(index, scroll=False)
            self._pending = index
            self.post_message(self.CursorMoved(index))

    @property
    def pending_move(self) -> int | None:
        """Where the reviewer moved here while the screen has not yet caught up (None: nothing pending)."""
        return self._pending

    def on_click(self, event) -> None:
        line = event.y + int(self.scroll_y)
        if 0 <= line < len(self._lines):
            self._move_to(self._lines[line].segment)

    # -- layout and drawing --------------------------------------------------------

    def on_resize(self) -> None:
        self._relayout()

    def _text_width(self) -> int:
        # Always leave the scrollbar's column: it appears only after the first layout, and
        # wrapping must not depend on whether it is there yet.
        scrollbar = self.styles.scrollbar_size_vertical or 0
        return max(10, self.size.width - scrollbar - self._time_width - SPEAKER_WIDTH - 1)

    def _relayout(self) -> None:
        if not self.size.width:
            return  # not laid out yet: wrapping now would be thrown away at the first resize
        width = self._text_width()
        if width == self._layout_width:
            return
        self._layout_width = width
        lines: list[_Line] = []
        span: dict[int, tuple[int, int]] = {}
        order = list(range(len(self._segments))) if self._shown is None else self._shown
        wrap = textwrap.TextWrapper(width=width, break_long_words=True, break_on_hyphens=False)
        for i in order:
            top = len(lines)
            text = visible(self._segments[i].text.replace("\r\n", " ").replace("\n", " "))  # a cue's lines: one row
            pieces = [text] if len(text) <= width and "\n" not in text else (wrap.wrap(text) or [""])
            lines.extend(_Line(i, n == 0, piece) for n, piece in enumerate(pieces))
            span[i] = (top, len(lines))
        self._lines, self._span, self._order = lines, span, order
        self._strips.clear()
        self.virtual_size = Size(self.size.width, len(lines))
        if self._segments:
            self._scroll_to_segment(self._cursor, animate=False)

    def _scroll_to_segment(self, index: int, animate: bool = False) -> None:
        if index not in self._span:
            return
        top, bottom = self._span[index]
        region = Region(0, top, 1, bottom - top)
        self.scroll_to_region(region, animate=animate, spacing=None, immediate=True)

    def _refresh_segment(self, index: int) -> None:
        if index in self._span:
            top, bottom = self._span[index]
            self.refresh_lines(top, bottom - top)

    def render_line(self, y: int) -> Strip:
        line_no = y + int(self.scroll_y)
        if not 0 <= line_no < len(self._lines):
            if not self._segments and y == 0:
                return Strip([RichSegment(" Waiting for the transcript…", self.rich_style)])
            if self._shown is not None and not self._shown and y == 0:
                return Strip([RichSegment(" Nothing in this slice (F to change it).", self.rich_style)])
            return Strip.blank(self.size.width, self.rich_style)
        line = self._lines[line_no]
        state = (line.segment == self._cursor, line.segment == self._playing, self.has_focus)
        key = (line_no, state, self.size.width)
        strip = self._strips.get(key)
        if strip is None:
            strip = self._strips[key] = self._render_strip(line_no, state, self.size.width)
        return strip

    def _styles(self, state: tuple[bool, bool, bool]) -> dict[str, Style]:
        """The resolved styles of one row state, looked up in the CSS once, not per line drawn."""
        styles = self._style_cache.get(state)
        if styles is None:
            is_cursor, is_playing, _focus = state
            base = self.rich_style
            if is_cursor:
                base = base + self.get_component_rich_style("transcript--cursor")
            text = base + self.get_component_rich_style("transcript--playing") if is_playing else base
            styles = self._style_cache[state] = {
                "base": base,
                "text": text,
                "time": base + self.get_component_rich_style("transcript--time", partial=True),
                "mark": base + self.get_component_rich_style("transcript--mark", partial=True),
                "hit": text + self.get_component_rich_style("transcript--hit", partial=True),
                **{f"speaker:{colour}": base + Style(color=colour, bold=True) for colour in SPEAKER_COLOURS},
            }
        return styles

    def _render_strip(self, line_no: int, state: tuple[bool, bool, bool], width: int) -> Strip:
        line = self._lines[line_no]
        seg = self._segments[line.segment]
        styles = self._styles(state)
        base = styles["base"]
        parts: list[RichSegment] = []
        if line.first:
            parts.append(RichSegment(format_time(seg.start).rjust(self._time_width - 1) + " ", styles["time"]))
            label, colour = self._labels.get(seg.speaker, (seg.speaker, "white"))
            if doubtful(seg):
                label = "≈" + label
            label = label[: SPEAKER_WIDTH - 1].ljust(SPEAKER_WIDTH - 1)
            speaker_style = styles.get(f"speaker:{colour}") or base + Style(color=colour, bold=True)
            parts.append(RichSegment(label, speaker_style))
            glyph = "◆" if line.segment in self._marked else " "
            parts.append(RichSegment(glyph, styles["mark"]))
        else:
            parts.append(RichSegment(" " * (self._time_width + SPEAKER_WIDTH), base))
        parts.append(RichSegment(" ", base))
        if line.segment in self._hits and self._terms:
            parts.extend(self._highlighted(line.text, styles["text"], styles["hit"]))
        else:
            parts.append(RichSegment(line.text, styles["text"]))
        return Strip(parts).adjust_cell_length(width, base)

    def _highlighted(self, text: str, style: Style, hit_style: Style) -> list[RichSegment]:
        """``text`` with every search term in it marked (case-insensitive)."""
        lowered = text.casefold()
        flags = [False] * len(text)
        for term in self._terms:
            start = lowered.find(term)
            while start >= 0 and len(lowered) == len(text):
                for k in range(start, min(len(text), start + len(term))):
                    flags[k] = True
                start = lowered.find(term, start + 1)
        pieces: list[RichSegment] = []
        run_start = 0
        for k in range(1, len(text) + 1):
            if k == len(text) or flags[k] != flags[run_start]:
                pieces.append(RichSegment(text[run_start:k], hit_style if flags[run_start] else style))
                run_start = k
        return pieces

    def _on_focus(self, event) -> None:
        super()._on_focus(event)
        self._refresh_segment(self._cursor)

    def _on_blur(self, event) -> None:
        super()._on_blur(event)
        self._refresh_segment(self._cursor)

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._style_cache.clear()
        self._strips.clear()
