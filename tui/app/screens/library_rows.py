"""What the library screen draws per session: a table row, a search hit, a trend box."""

from __future__ import annotations

from rich.text import Text
from textual.containers import Vertical
from textual.widgets import Label, Sparkline

from tui.core.search import Hit
from tui.core.timefmt import format_time
from tui.core.trends import describe
from tui.core.trends import figure as trend_figure
from tui.services.catalog import SessionSummary


def trend_box(label: str, values: list[float | None], unit: str) -> Vertical:
    """A caption and a sparkline; with fewer than two sessions there is no trend to draw, so it says so."""
    known = [v for v in values if v is not None]
    if len(known) >= 2:
        drawing = Sparkline(known, summary_function=max)
    else:
        drawing = Label("a trend needs two sessions" if known else "", classes="trend-empty")
    return Vertical(Label(f"{label}: {describe(values, unit)}"), drawing, classes="trend")


def cells(summary: SessionSummary, measures: list[str]) -> tuple:
    info = summary.info
    consent = {"yes": Text("yes", style="green"), "no": Text("refused", style="red"),
               "": Text("?", style="yellow")}[summary.details.consent]
    outcomes = tuple(f"{summary.details.outcomes[m]:g}" if m in summary.details.outcomes else ""
                     for m in measures)
    if summary.problem:
        return (info.date, Text(info.title, style="dim"), "", "", Text("unreadable", style="red"), "", "", "", "",
                "", *("" for _ in measures))
    stats = summary.stats
    speakers = ", ".join(sp.label for sp in summary.speakers) if summary.speakers else ""
    marks = Text(", ".join(f"{tag} {n}" for tag, n in sorted(summary.marks_by_tag.items())) or "0")
    if summary.unread_feedback:
        marks = Text.assemble((f"✉ {summary.unread_feedback} new ", "bold magenta"), marks)
    if stats is None:
        talk = questions = wait = ""
    else:
        talk = " · ".join(f"{sp.name or sp.role or sp.id} {sp.talk_share:.0%}" for sp in stats.speakers.values())
        open_q = sum(sp.open_questions for sp in stats.speakers.values())
        closed_q = sum(sp.closed_questions for sp in stats.speakers.values())
        questions = f"{open_q}/{closed_q}"
        # The practitioner's median wait, the same figure as the trend above the table.
        median = trend_figure("wait").read(stats)
        wait = f"{median:.1f} s" if median is not None else "–"
    state = {"yes": Text("yes", style="green"), "partial": Text("partial", style="yellow"),
             "no": Text("no", style="dim")}[summary.transcribed]
    if summary.language and summary.transcribed != "no":
        state.append(f" · {summary.language}", style="dim" if summary.language == "en" else "bold")
    return (info.date, info.title, format_time(info.duration), speakers, state, marks, talk, questions, wait,
            consent, *outcomes)


def hit_prompt(hit: Hit) -> Text:
    text = Text()
    text.append(format_time(hit.start), style="bold")
    text.append(f"  {hit.title}", style="dim")
    text.append(f"  {hit.who}: " if hit.who else "  ", style="bold cyan" if hit.kind == "utterance" else "bold yellow")
    text.append(hit.text)
    return text
