"""What an export covers: sessions, tags, shareable marks and the lines around them."""

from __future__ import annotations

import pytest

from formats_fixtures import make_report, mark
from tui.errors import DebriefError
from tui.formats.scope import as_series, only_tag, reflection, segments_around, shareable_marks


def test_shareable_marks_are_sorted_and_never_private_or_deleted():
    report = make_report(
        [(0, 1, "S1", "a")],
        marks=[mark("c", 30.0), mark("a", 10.0, 12.0), mark("p", 5.0, private=True),
               mark("d", 1.0).with_changes(deleted=True), mark("b", 10.0)],
    )
    assert [m.id for m in shareable_marks(report)] == ["b", "a", "c"]


def test_lines_around_a_mark_know_which_are_inside():
    report = make_report([(0, 4, "S1", "before"), (5, 9, "S2", "during"), (10, 12, "S1", "after"), (40, 41, "S2", "far")])
    around = segments_around(report, mark(start=6.0, end=8.0), 5.0)
    assert [(seg.text, inside) for seg, inside in around] == [("before", False), ("during", True), ("after", False)]
    with pytest.raises(DebriefError, match="zero or more seconds"):
        segments_around(report, mark(), -1.0)


def test_series_and_tags():
    report = make_report([(0, 1, "S1", "a")], marks=[mark("x", 1.0, tag="Growth-Edge"), mark("y", 2.0, tag="strength")])
    assert as_series(report) == (report,)
    assert [m.id for m in only_tag([report, report], " growth-edge ")[1].marks] == ["x"]
    with pytest.raises(DebriefError, match="nothing to export"):
        as_series([])
    with pytest.raises(DebriefError, match="must not be empty"):
        only_tag(report, "  ")


def test_reflection_reads_fields_older_reports_do_not_have():
    from tui.core.report import SessionReport

    plain = make_report([(0, 1, "S1", "a")])
    bare = SessionReport(plain.info, plain.speakers, plain.transcript, plain.marks, plain.stats)
    assert not reflection(bare)
    assert reflection(make_report([(0, 1, "S1", "a")], summary=" Next steps ")).summary == "Next steps"
