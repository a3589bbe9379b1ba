"""What an export covers: one session, one tag across sessions, or a series.

Every renderer takes either one :class:`SessionReport` or a sequence of them (a series)
and asks this module which marks may leave the app and which transcript lines go
around each, so that "private notes never leave" and "±15 s of context" are decided
in one place for every format.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from tui.core.model import Mark, Segment
from tui.core.report import SessionReport
from tui.errors import DebriefError

Reports = SessionReport | Sequence[SessionReport]
"""What a renderer accepts: one session, or a series of sessions in the order given."""


@dataclass(frozen=True, slots=True)
class Reflection:
    """The reviewer's framing of a session, shown at the top of every export."""

    focus_goal: str = ""
    intention: str = ""
    """The "look-fors": what the reviewer set out to notice."""
    summary: str = ""
    """What they concluded, with next steps."""

    def __bool__(self) -> bool:
        return bool(self.focus_goal or self.intention or self.summary)


def as_series(reports: Reports) -> tuple[SessionReport, ...]:
    """One report or several, as a tuple; an empty series is a caller's mistake made visible."""
    if isinstance(reports, SessionReport):
        return (reports,)
    series = tuple(reports)
    if not series:
        raise DebriefError("There is nothing to export: no session was selected.")
    for item in series:
        if not isinstance(item, SessionReport):
            raise DebriefError(f"Cannot export {type(item).__name__!s}: expected a session report.")
    return series


def reflection(report: SessionReport) -> Reflection:
    """Read the optional reflection fields, which older reports do not have."""
    return Reflection(
        focus_goal=str(getattr(report, "focus_goal", "") or "").strip(),
        intention=str(getattr(report, "intention", "") or "").strip(),
        summary=str(getattr(report, "summary", "") or "").strip(),
    )


def shareable_marks(report: SessionReport) -> tuple[Mark, ...]:
    """The marks an export may show, in time order.

    The report is meant to hold shareable marks only; this filters again so that a
    private note passed in by mistake still never reaches a file.
    """
    marks = (m for m in report.marks if not m.private and not m.deleted)
    return tuple(sorted(marks, key=lambda m: (m.start, m.end if m.end is not None else m.start, m.id)))


def mark_end(mark: Mark) -> float:
    return mark.end if mark.end is not None and mark.end > mark.start else mark.start


def segments_around(report: SessionReport, mark: Mark, context: float) -> list[tuple[Segment, bool]]:
    """Transcript lines within ``context`` seconds of the mark, each with "is it inside the mark"."""
    if context < 0:
        raise DebriefError(f"The context around a mark must be zero or more seconds, not {context!r}.")
    end = mark_end(mark)
    lines = []
    for seg in sorted(report.transcript.segments, key=lambda s: (s.start, s.end)):
        if seg.end >= mark.start - context and seg.start <= end + context:
            inside = seg.end > mark.start and seg.start <= end
            lines.append((seg, inside))
    return lines


def only_tag(reports: Reports, tag: str) -> tuple[SessionReport, ...]:
    """Keep the marks with ``tag`` (any case), and the sessions that have one: "all growth-edge moments"."""
    wanted = tag.strip().casefold()
    if not wanted:
        raise DebriefError("The tag to export must not be empty.")
    kept = []
    for report in as_series(reports):
        marks = tuple(m for m in report.marks if m.tag.strip().casefold() == wanted)
        if marks:
            kept.append(replace(report, marks=marks))
    if not kept:
        raise DebriefError(f"No mark is tagged {tag!r} in the selected sessions.")
    return tuple(kept)
