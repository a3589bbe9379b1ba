"""CSV export: one row per mark, for a spreadsheet.

Spreadsheet-friendly means: a byte-order mark so that Excel reads UTF-8 names
correctly, RFC 4180 quoting (CRLF between rows, line breaks kept inside quoted cells),
times both as ``MM:SS`` for people and as seconds for formulas, and no cell that a
spreadsheet would run as a formula: text starting with ``= + - @`` is prefixed with
``'`` (the OWASP advice), since a transcript line can say anything.

Columns (also the header row): ``session, date, mark, start, end, start_seconds,
end_seconds, tag, note, author, created, updated, speakers, transcript, focus_goal,
intention, summary``. ``speakers`` and ``transcript`` cover the marked stretch (plus
``context`` seconds either side, 0 by default). A session without marks still gets one
row, with the mark columns empty, so that a series lists every session.
"""

from __future__ import annotations

import csv
import io

from tui.core.model import Mark
from tui.core.report import SessionReport
from tui.core.timefmt import format_time
from tui.formats.scope import Reports, mark_end, reflection, segments_around, shareable_marks
from tui.formats.shown import shown_series

COLUMNS = (
    "session", "date", "mark", "start", "end", "start_seconds", "end_seconds", "tag", "note", "author",
    "created", "updated", "speakers", "transcript", "focus_goal", "intention", "summary",
)

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def render(reports: Reports, *, context: float = 0.0) -> str:
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for report in shown_series(reports):  # no escape sequence, override or hidden character in a cell
        about = reflection(report)
        session = [_cell(report.info.title), _cell(report.info.date)]
        tail = [_cell(about.focus_goal), _cell(about.intention), _cell(about.summary)]
        marks = shareable_marks(report)
        if not marks:
            writer.writerow(session + [""] * (len(COLUMNS) - 5) + tail)
        for number, mark in enumerate(marks, start=1):
            writer.writerow(session + _mark_cells(report, mark, number, context) + tail)
    return buffer.getvalue()


def _mark_cells(report: SessionReport, mark: Mark, number: int, context: float) -> list[str]:
    lines = segments_around(report, mark, context)
    said = [seg for seg, inside in lines if inside or context > 0]
    speakers = list(dict.fromkeys(report.label(seg.speaker) for seg in said))
    transcript = "\n".join(f"{report.label(seg.speaker)}: {seg.text}" for seg in said)
    end = mark_end(mark)
    return [
        str(number),
        format_time(mark.start),
        format_time(end) if mark.end is not None and mark.end > mark.start else "",
        f"{mark.start:.3f}",
        f"{end:.3f}" if mark.end is not None and mark.end > mark.start else "",
        _cell(mark.tag),
        _cell(mark.note),
        _cell(mark.author),
        _cell(mark.created),  # written by Debrief, but a hand-edited or planted file can say anything
        _cell(mark.updated),
        _cell(", ".join(speakers)),
        _cell(transcript),
    ]


def _cell(text: str) -> str:
    """Text as a spreadsheet shows it, never as a formula it runs."""
    text = text or ""
    return "'" + text if text.startswith(_FORMULA_START) else text
