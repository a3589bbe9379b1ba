"""Markdown export: a page a mentor reads from top to bottom.

Header (with the reviewer's focus goal, look-fors and summary), key figures, then each
mark in time order with the transcript lines around it. A series is one document with a
section per session.
"""

from __future__ import annotations

from tui.core.attribution import APPROXIMATE_NOTE
from tui.core import languages
from tui.core.feedback import SOURCE as FEEDBACK
from tui.core.model import Mark
from tui.core.report import SessionReport
from tui.core.safe_text import visible
from tui.core.timefmt import format_range, format_time
from tui.formats.scope import Reports, reflection, segments_around, shareable_marks
from tui.formats.shown import shown_series

CONTEXT_SECONDS = 15.0


def render(reports: Reports, *, context: float = CONTEXT_SECONDS, heading: str = "") -> str:
    series = shown_series(reports)  # no escape sequence, override or hidden character reaches the file
    heading = visible(heading)
    if len(series) == 1:
        lines = _session(series[0], context, level=1, heading=heading)
    else:
        lines = [f"# {_escape(heading or f'Series of {len(series)} sessions')}", ""]
        for report in series:
            lines.extend(_session(report, context, level=2))
    return "\n".join(lines).rstrip() + "\n"


def _session(report: SessionReport, context: float, *, level: int, heading: str = "") -> list[str]:
    h = "#" * level
    info = report.info
    lines = [f"{h} {_escape(heading or info.title or 'Session')}", ""]
    if heading and info.title:
        lines.append(f"- **Session:** {_escape(info.title)}")
    if info.date:
        lines.append(f"- **Date:** {info.date}")
    lines.append(f"- **Duration:** {format_time(info.duration)}")
    language = languages.shown_for(report.transcript)
    if language:
        lines.append(f"- **Language:** {_escape(language)}")
    speakers = ", ".join(
        _escape(sp.label) + (f" ({_escape(sp.role)})" if sp.role and sp.name else "") for sp in report.speakers
    )
    if speakers:
        lines.append(f"- **Speakers:** {speakers}")
    marks = shareable_marks(report)
    lines.append(f"- **Marks:** {len(marks)}")
    frame = reflection(report)
    if frame.focus_goal:
        lines.append(f"- **Focus goal:** {_escape(frame.focus_goal)}")
    lines.append("")
    for title, text in (("Look-fors", frame.intention), ("Summary and next steps", frame.summary)):
        if text:
            lines.extend([f"{h}# {title}", "", *(_escape(line) for line in text.splitlines()), ""])
    lines.extend(_figures(report, f"{h}#"))
    lines.extend([f"{h}# Moments", ""])
    if not marks:
        lines.extend(["_No marks in this session._", ""])
    for mark in marks:
        lines.extend(_moment(report, mark, context, f"{h}##"))
    return lines


def _figures(report: SessionReport, h: str) -> list[str]:
    stats = report.stats
    if not stats.speakers:
        return []
    out = [f"{h} Key figures", "", "| Speaker | Talk | Share | Turns | Longest turn | Questions (open/closed) | Words/min |",
           "|---|---|---|---|---|---|---|"]
    for sid, sp in stats.speakers.items():
        about = "≈" if sp.approximate else ""
        out.append(
            f"| {_escape(report.label(sid))} | {about}{format_time(sp.talk_seconds)} | {about}{sp.talk_share:.0%} | {sp.turns} | "
            f"{format_time(sp.longest_turn_seconds)} | {sp.questions} ({sp.open_questions}/{sp.closed_questions}) | "
            f"{sp.words_per_minute:.0f} |"
        )
    waits = stats.wait_after_questions
    out.append("")
    if any(sp.approximate for sp in stats.speakers.values()):
        out.extend([APPROXIMATE_NOTE + ".", ""])
    note = languages.english_only_note(stats.language)
    if note:
        out.extend([f"_{_escape(note)}_", ""])
    if waits.count:
        out.append(
            f"Wait after questions: median {waits.median_seconds:.1f} s over {waits.count} questions; "
            f"{waits.under_3s_share:.0%} under 3 s. Silence: {format_time(stats.silence_seconds)}."
        )
        out.append("")
    return out


def _moment(report: SessionReport, mark: Mark, context: float, h: str) -> list[str]:
    out = [f"{h} {format_range(mark.start, mark.end)} · {_escape(mark.tag)}", ""]
    if mark.note:
        out.extend("> " + _escape(line) if line else ">" for line in mark.note.splitlines())
        out.append("")
    author = f"feedback from {mark.author}" if mark.source == FEEDBACK and mark.author else mark.author
    byline = ", ".join(x for x in (author, mark.created[:16].replace("T", " ")) if x)
    if byline:
        out.append(f"_{_escape(byline)}_")
        out.append("")
    around = segments_around(report, mark, context)
    for seg, inside in around:
        text = f"**{format_time(seg.start)} {_escape(report.label(seg.speaker))}:** {_escape(seg.text)}"
        out.append(f"- {'➤ ' if inside else ''}{text}")
    if around:
        out.append("")
    return out


def _escape(text: str) -> str:
    """Keep transcript and note text from being read as Markdown markup."""
    for ch in ("\\", "*", "_", "`", "|", "<", ">", "#", "[", "]"):
        text = text.replace(ch, "\\" + ch)
    return text
