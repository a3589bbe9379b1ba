"""A vertical scrollbar drawn straight to strips.

Every page of a long transcript moves the thumb, and Textual's own scrollbar redraws all
its rows through Rich's console and the styles cache: about a tenth of the time a page down
took on a two-hour session. This one draws the same glyphs and styles (Textual's
``ScrollBarRender.render_bar``, so it looks and drags the same) into one strip per row.
"""

from __future__ import annotations

from rich.segment import Segment
from textual.geometry import Region
from textual.scrollbar import ScrollBar, ScrollBarRender
from textual.strip import Strip
from textual.widget import Widget


class QuickScrollBar(ScrollBar):
    _last: tuple[tuple, list[Strip]] | None = None
    """The rows drawn last and what they were drawn from: the compositor asks again for
    every frame that repaints anything beside the bar (a cursor move), as Textual's
    styles cache would have answered from its cache."""

    def render_lines(self, crop: Region) -> list[Strip]:
        renderer = self.render()
        if not self.vertical or not isinstance(renderer, ScrollBarRender) or not self.size.height:
            return super().render_lines(crop)
        width, height = self.size
        style = renderer.style if not isinstance(renderer.style, str) else None
        if style is None or style.bgcolor is None or style.color is None:
            return super().render_lines(crop)
        base = self.rich_style  # what the styles cache lays under every row
        filters = self.get_line_filters()
        background = self.background_colors[1]
        key = (crop, self.size, renderer.window_size, renderer.virtual_size, renderer.position, style, base,
               background, tuple(map(id, filters)))
        if self._last is not None and self._last[0] == key:
            return self._last[1]
        bar = renderer.render_bar(
            size=height,
            window_size=renderer.window_size,
            virtual_size=renderer.virtual_size,
            position=renderer.position,
            vertical=True,
            thickness=width,
            back_color=style.bgcolor,
            bar_color=style.color,
        )
        strips: list[Strip] = []
        for text, segment_style, _ in bar.segments[crop.y:crop.bottom]:
            strip = Strip([Segment(text, base + segment_style)], width)
            for line_filter in filters:
                strip = strip.apply_filter(line_filter, background)
            strips.append(strip if crop.column_span == (0, width) else strip.crop(crop.x, crop.right))
        self._last = (key, strips)
        return strips


def use_quick_vertical_scrollbar(widget: Widget) -> ScrollBar:
    """Give ``widget`` a :class:`QuickScrollBar` (call from its ``vertical_scrollbar`` property).

    Textual makes a widget's scrollbars on first use, in ``Widget.vertical_scrollbar``; this
    is the same, with the quicker class.
    """
    if widget._vertical_scrollbar is None:
        bar = QuickScrollBar(vertical=True, name="vertical", thickness=widget.scrollbar_size_vertical)
        bar.display = False
        widget._vertical_scrollbar = bar
        widget.app._start_widget(widget, bar)
    return widget._vertical_scrollbar
