"""Markdown export: a page a mentor reads from top to bottom.

Header, key figures, then each mark in time order with the transcript lines around it.
"""

from __future__ import annotations

from tui.core.model import Mark
from tui.core.report import SessionReport
from tui.core.timefmt import format_range, format_time

CONTEXT_SECONDS = 15.0


def render(report: SessionReport, *, context: float = CONTEXT_SECONDS) -> str:
    lines: list[str] = []
    info = report.info
    lines.append(f"# {_escape(info.title)}")
    lines.append("")
    if info.date:
        lines.append(f"- **Date:** {info.date}")
    lines.append(f"- **Duration:** {format_time(info.duration)}")
    speakers = ", ".join(
        _escape(sp.label) + (f" ({sp.role})" if sp.role and sp.name else "") for sp in report.speakers
    )
    if speakers:
        lines.append(f"- **Speakers:** {speakers}")
    lines.append(f"- **Marks:** {len(report.marks)}")
    lines.append("")
    lines.extend(_figures(report))
    lines.append("## Moments")
    lines.append("")
    if not report.marks:
        lines.append("_No marks in this session._")
        lines.append("")
    for mark in report.marks:
        lines.extend(_moment(report, mark, context))
    return "\n".join(lines).rstrip() + "\n"


def _figures(report: SessionReport) -> list[str]:
    stats = report.stats
    if not stats.speakers:
        return []
    out = ["## Key figures", "", "| Speaker | Talk | Share | Turns | Longest turn | Questions (open/closed) | Words/min |",
           "|---|---|---|---|---|---|---|"]
    for sid, sp in stats.speakers.items():
        out.append(
            f"| {_escape(report.label(sid))} | {format_time(sp.talk_seconds)} | {sp.talk_share:.0%} | {sp.turns} | "
            f"{format_time(sp.longest_turn_seconds)} | {sp.questions} ({sp.open_questions}/{sp.closed_questions}) | "
            f"{sp.words_per_minute:.0f} |"
        )
    waits = stats.wait_after_questions
    out.append("")
    if waits.count:
        out.append(
            f"Wait after questions: median {waits.median_seconds:.1f} s over {waits.count} questions; "
            f"{waits.under_3s_share:.0%} under 3 s. Silence: {format_time(stats.silence_seconds)}."
        )
        out.append("")
    return out


def _moment(report: SessionReport, mark: Mark, context: float) -> list[str]:
    out = [f"### {format_range(mark.start, mark.end)} · {_escape(mark.tag)}", ""]
    if mark.note:
        out.extend("> " + _escape(line) if line else ">" for line in mark.note.splitlines())
        out.append("")
    byline = ", ".join(x for x in (mark.author, mark.created[:16].replace("T", " ")) if x)
    if byline:
        out.append(f"_{_escape(byline)}_")
        out.append("")
    end = mark.end if mark.end is not None else mark.start
    around = [s for s in report.transcript.segments if s.end >= mark.start - context and s.start <= end + context]
    for seg in around:
        inside = seg.end > mark.start and seg.start <= end
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
