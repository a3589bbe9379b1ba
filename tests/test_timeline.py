import re

import pytest

from tui.core.model import Mark, Segment
from tui.core.timeline import SegmentIndex, lane_coverage, next_mark, previous_mark

SEGMENTS = [
    Segment(0.0, 2.0, "Hi", "S1"),
    Segment(2.5, 4.0, "How did it go?", "S1"),
    Segment(6.0, 9.0, "Fine.", "S2"),
    Segment(9.5, 10.0, "Really?", "S1"),
    Segment(10.5, 12.0, "Yes.", "S2"),
]


@pytest.mark.parametrize(("t", "index"), [(-1, 0), (0, 0), (3.0, 1), (5.0, 1), (6.0, 2), (100, 4)])
def test_index_at_is_the_utterance_spoken_or_last_started(t, index):
    assert SegmentIndex(SEGMENTS).at(t) == index


@pytest.mark.parametrize(("t", "index"), [(1.0, 0), (5.0, -1), (9.2, -1), (11.0, 4)])
def test_playing_at_is_minus_one_in_pauses(t, index):
    assert SegmentIndex(SEGMENTS).playing_at(t) == index


def test_index_sorts_its_input():
    index = SegmentIndex(list(reversed(SEGMENTS)))
    assert [s.start for s in index.segments] == sorted(s.start for s in SEGMENTS)


def test_turns_skip_the_same_speaker():
    index = SegmentIndex(SEGMENTS)
    assert index.next_turn(0) == 2
    assert index.next_turn(4) == 4
    assert index.previous_turn(2) == 0
    assert index.previous_turn(3) == 2
    assert index.previous_turn(0) == 0


def test_empty_index():
    index = SegmentIndex([])
    assert index.at(3) == -1 and index.playing_at(3) == -1


def test_mark_jumps_advance_past_the_current_one():
    marks = [Mark("a", 5.0), Mark("b", 20.0)]
    assert next_mark(marks, 5.0).id == "b"
    assert next_mark(marks, 20.0) is None
    assert previous_mark(marks, 20.0).id == "a"
    assert previous_mark(marks, 5.0) is None


def test_lane_coverage_shades_rows_by_talk():
    rows = lane_coverage(SEGMENTS, duration=12.0, rows=4)  # 3 s per row
    assert rows[0]["S1"] == pytest.approx((2.0 + 0.5) / 3)
    assert "S2" not in rows[0]
    assert rows[2]["S2"] == pytest.approx(1.0)
    assert rows[3]["S1"] == pytest.approx(0.5 / 3)


def test_lane_coverage_of_nothing():
    assert lane_coverage([], 0, 5) == [{}, {}, {}, {}, {}]
    assert lane_coverage(SEGMENTS, 12.0, 0) == []


@pytest.mark.parametrize("duration", [600.0, 7200.0])
async def test_every_timeline_row_starts_its_lanes_in_the_same_column(duration):
    """Hour-long sessions have longer time labels (1:03:09): the lanes must not shift right."""
    from textual.app import App, ComposeResult

    from tui.app.widgets.timeline import SHADES, SpeakerTimeline

    class Host(App):
        def compose(self) -> ComposeResult:
            yield SpeakerTimeline(id="timeline")

    segments = [Segment(t, t + 20.0, "words", "A" if int(t) % 40 else "B") for t in range(0, int(duration) - 20, 20)]
    app = Host()
    async with app.run_test(size=(20, 30)) as pilot:
        timeline = app.query_one(SpeakerTimeline)
        timeline.set_content(segments, [("A", "Ann", "cyan"), ("B", "Bo", "magenta")], duration)
        await pilot.pause()
        header, *rows = [strip.text for strip in timeline.render_lines(timeline.size.region)]
        lanes_at = header.index("Ann")
        glyphs = "".join(glyph for _floor, glyph in SHADES) + " "
        for row in rows:
            assert re.fullmatch(r" *[0-9:]* [ ▶][ ◆]", row[:lanes_at]), (row, header)
            assert all(ch in glyphs for ch in row[lanes_at:]), (row, header)
        assert any(row.count(":") == 2 for row in rows) == (duration >= 3600)  # H:MM:SS labels
