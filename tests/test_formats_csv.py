"""The CSV export: one row per mark, readable by a spreadsheet, never run as formulas."""

from __future__ import annotations

import csv
import io

from formats_fixtures import make_report, mark, replace
from tui.formats import csv_export


def read(text: str) -> list[dict[str, str]]:
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:], newline="")))


SEGMENTS = [(0.0, 4.0, "S1", "Hi Sam."), (5.0, 9.0, "S2", "Hello, Maria."), (10.0, 12.0, "S1", "Shall we?")]


def test_one_row_per_shareable_mark_in_time_order():
    report = make_report(
        SEGMENTS,
        marks=[mark("b", 10.5, None, "strength", "good"), mark("a", 4.5, 9.5, "growth-edge", "wait longer"),
               mark("p", 1.0, None, "private", "PRIVATE", private=True)],
        intention="Look for waits", summary="Better", focus_goal="Wait time",
    )
    rows = read(csv_export.render(report))
    assert [r["mark"] for r in rows] == ["1", "2"]
    first = rows[0]
    assert first["session"] == "Check-in with Sam" and first["date"] == "2026-11-09"
    assert (first["start"], first["end"], first["start_seconds"], first["end_seconds"]) == ("00:04", "00:09", "4.500", "9.500")
    assert first["tag"] == "growth-edge" and first["note"] == "wait longer" and first["author"] == "maria"
    assert first["speakers"] == "Sam" and first["transcript"] == "Sam: Hello, Maria."
    assert (first["focus_goal"], first["intention"], first["summary"]) == ("Wait time", "Look for waits", "Better")
    assert rows[1]["end"] == "" and rows[1]["transcript"] == "Maria: Shall we?"
    assert "PRIVATE" not in csv_export.render(report)


def test_commas_quotes_and_line_breaks_survive_and_rows_end_in_crlf():
    note = 'He said "no", then\nwe paused, briefly.'
    text = csv_export.render(make_report(SEGMENTS, marks=[mark(note=note)]))
    assert read(text)[0]["note"] == note
    assert text.count("\r\n") == 2


def test_cells_that_look_like_formulas_are_defused():
    report = make_report(
        [(0.0, 4.0, "S1", '=HYPERLINK("x","click")')],
        marks=[mark(start=1.0, note="=1+2", tag="+tag"), mark("b", 2.0, note="@SUM(A1)", tag="-x")],
    )
    rows = read(csv_export.render(report))
    assert rows[0]["note"] == "'=1+2" and rows[0]["tag"] == "'+tag"
    assert rows[0]["transcript"].startswith("Maria: =HYPERLINK")  # not at the start of the cell: harmless
    assert rows[1]["note"] == "'@SUM(A1)" and rows[1]["tag"] == "'-x"
    assert rows[0]["start_seconds"] == "1.000"  # numbers stay numbers


def test_context_widens_the_transcript_column():
    report = make_report(SEGMENTS, marks=[mark(start=5.5)])
    assert read(csv_export.render(report))[0]["transcript"] == "Sam: Hello, Maria."
    wide = read(csv_export.render(report, context=5.0))[0]["transcript"]
    assert wide.splitlines() == ["Maria: Hi Sam.", "Sam: Hello, Maria.", "Maria: Shall we?"]


def test_a_series_lists_every_session_even_without_marks():
    first = make_report(SEGMENTS, marks=[mark()])
    second = replace(make_report(SEGMENTS, summary="Nothing marked; good flow."),
                     info=replace(first.info, title="Follow-up", date="2026-11-16"))
    rows = read(csv_export.render([first, second]))
    assert [(r["session"], r["mark"]) for r in rows] == [("Check-in with Sam", "1"), ("Follow-up", "")]
    assert rows[1]["summary"] == "Nothing marked; good flow." and rows[1]["tag"] == ""
    assert list(rows[0]) == list(csv_export.COLUMNS)
