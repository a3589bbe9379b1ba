"""The transcript's quicker scrollbar looks exactly like Textual's (tui/app/widgets/quick_scrollbar.py)."""

from __future__ import annotations

from app_helpers import make_app
from textual.scrollbar import ScrollBar

from tui.app.widgets.quick_scrollbar import QuickScrollBar
from tui.app.widgets.transcript import TranscriptView


def cells(strips):
    return [[(seg.text, seg.style) for seg in strip] for strip in strips]


async def test_the_transcript_scrollbar_draws_what_textual_would_at_every_position(short_workspace):
    app = make_app(short_workspace)
    async with app.run_test(size=(80, 16)) as pilot:
        await pilot.pause()
        view = app.query_one(TranscriptView)
        bar = view.vertical_scrollbar
        assert isinstance(bar, QuickScrollBar)
        assert bar.display  # the short session is longer than 16 rows: the bar is shown
        region = bar.size.region
        seen = set()
        for y in range(0, int(view.max_scroll_y) + 1):
            view.scroll_to(y=y, animate=False, immediate=True)
            await pilot.pause()
            quick = cells(bar.render_lines(region))
            bar._styles_cache.clear()
            bar.refresh()
            assert quick == cells(ScrollBar.render_lines(bar, region)), f"differs at scroll {y}"
            seen.add(tuple(map(tuple, quick)))
        assert len(seen) > 3  # the thumb did move through several positions


async def test_clicking_below_the_thumb_scrolls_the_transcript_down(short_workspace):
    app = make_app(short_workspace)
    async with app.run_test(size=(80, 16)) as pilot:
        await pilot.pause()
        view = app.query_one(TranscriptView)
        bar = view.vertical_scrollbar
        assert view.scroll_y == 0
        await pilot.click(bar, offset=(0, bar.size.height - 1))
        await pilot.pause()
        assert view.scroll_y > 0
