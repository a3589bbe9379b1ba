"""HTML export: one self-contained page a mentor opens offline, reads, prints, and listens to.

Everything is inside the file: styles, a talk-time chart and a speaker timeline as
inline SVG, and (optionally) each moment's audio clip as a ``data:`` URI. There is no
script, no font or image to fetch, no link out; a Content-Security-Policy forbids the
browser from fetching anything even if some text looked like a URL. Same content as
the Markdown export, in the same order: header, reflection, figures, then the moments.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Mapping, Sequence
from html import escape

from tui.core.attribution import APPROXIMATE_NOTE
from tui.core import languages
from tui.core.feedback import SOURCE as FEEDBACK_SOURCE
from tui.core.model import Mark
from tui.core.report import SessionReport
from tui.core.safe_text import visible
from tui.core.timefmt import format_range, format_time
from tui.errors import DebriefError
from tui.formats.scope import Reports, reflection, segments_around, shareable_marks
from tui.formats import html_review
from tui.formats.html_style import CSS
from tui.formats.shown import shown_series

CONTEXT_SECONDS = 15.0

SPEAKER_COLOURS = ("#0060a8", "#b34700", "#00785a", "#a3377e", "#7a5c00", "#3b5b92", "#5d6d00", "#6b4c9a")
"""Okabe–Ito hues darkened to at least 4.5:1 contrast on white, so names read as text too."""

_MIME = re.compile(r"^audio/[A-Za-z0-9.+-]+$")



def render(
    reports: Reports,
    *,
    context: float = CONTEXT_SECONDS,
    clips: Mapping[str, bytes] | None = None,
    clip_mime: str = "audio/ogg",
    heading: str = "",
    tags: Sequence[str] = (),
    feedback: bool = True,
) -> str:
    """The page for one session or a series; ``clips`` maps mark id -> encoded audio to embed.

    ``heading`` titles a series or a tag selection ("All growth-edge moments"). A single
    session's page has a reviewer mode (``feedback``) in which a mentor comments with
    ``tags`` (the configured vocabulary; the session's tags in use are added).
    """
    series = shown_series(reports)  # no escape sequence, override or hidden character reaches the page
    heading = visible(heading)
    if clips and not _MIME.match(clip_mime):
        raise DebriefError(f"{clip_mime!r} is not an audio MIME type (such as audio/ogg).")
    clips = clips or {}
    body: list[str] = []
    reviewing = feedback and len(series) == 1
    if len(series) == 1:
        title = heading or series[0].info.title or "Session"
        body.extend(_session(series[0], context, clips, clip_mime, level=1, heading=heading))
    else:
        title = heading or f"Series of {len(series)} sessions"
        body.append('<header><p class="eyebrow">Review of a series</p>')
        body.append(f"<h1>{escape(title)}</h1></header>")
        body.extend(_overview(series))
        for number, report in enumerate(series, start=1):
            body.append(f'<section class="session" id="session-{number}">')
            body.extend(_session(report, context, clips, clip_mime, level=2, prefix=f"s{number}-"))
            body.append("</section>")
    body.append(
        "<footer>Confidential: this page holds notes on a recorded session. Share it only with the people "
        "the session's consent covers. Exported with Debrief.</footer>"
    )
    return "\n".join([
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{html_review.policy(reviewing)}">',
        '<meta name="referrer" content="no-referrer">',
        '<meta name="robots" content="noindex, nofollow">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(title)}</title>",
        f"<style>{CSS}{html_review.style() if reviewing else ''}</style>",
        "</head>",
        "<body>",
        f"<main{html_review.main_attributes(series[0], tags) if reviewing else ''}>",
        *body,
        "</main>",
        *([html_review.script_element()] if reviewing else []),
        "</body>",
        "</html>",
        "",
    ])


# -- one session -----------------------------------------------------------------------


def _session(
    report: SessionReport,
    context: float,
    clips: Mapping[str, bytes],
    clip_mime: str,
    *,
    level: int,
    heading: str = "",
    prefix: str = "",
) -> list[str]:
    h1, h2, h3 = (f"h{min(6, level + k)}" for k in range(3))
    info = report.info
    colours = _colour_classes(report)
    marks = shareable_marks(report)
    out = ["<header>", '<p class="eyebrow">Session review</p>']
    out.append(f"<{h1}>{escape(heading if heading and level == 1 else info.title or 'Session')}</{h1}>")
    facts = []
    if heading and level == 1 and info.title:
        facts.append(("Session", escape(info.title)))
    if info.date:
        facts.append(("Date", escape(info.date)))
    facts.append(("Duration", format_time(info.duration)))
    language = languages.shown_for(report.transcript)
    if language:
        facts.append(("Language", escape(language)))
    if report.speakers:
        facts.append(("Speakers", ", ".join(_speaker_fact(report, sp.id, colours) for sp in report.speakers)))
    about = reflection(report)
    if about.focus_goal:
        facts.append(("Focus goal", escape(about.focus_goal)))
    facts.append(("Marked moments", str(len(marks))))
    out.append('<dl class="facts">')
    out.extend(f"<dt>{label}</dt><dd>{value}</dd>" for label, value in facts)
    out.append("</dl>")
    if about.intention or about.summary:
        out.append('<div class="reflection">')
        if about.intention:
            out.append(f'<section data-look-fors><{h3} class="label">Intention · look-fors</{h3}>'
                       f'{_paragraphs(about.intention)}</section>')
        if about.summary:
            out.append(f'<section><{h3} class="label">Summary and next steps</{h3}>{_paragraphs(about.summary)}</section>')
        out.append("</div>")
    out.append("</header>")
    out.extend(_figures(report, colours, h2, prefix))
    out.append(f"<{h2}>Moments</{h2}>")
    if not marks:
        out.append('<p class="empty">No marked moments in this session.</p>')
    for number, mark in enumerate(marks, start=1):
        out.extend(_moment(report, mark, number, context, clips.get(mark.id), clip_mime, colours, h3, prefix))
    return out


def _speaker_fact(report: SessionReport, speaker_id: str, colours: dict[str, str]) -> str:
    sp = next(s for s in report.speakers if s.id == speaker_id)
    role = f" ({escape(sp.role)})" if sp.role and sp.name else ""
    return f'<span class="who {colours.get(speaker_id, "s0")}">{escape(sp.label)}</span>{role}'


def _colour_classes(report: SessionReport) -> dict[str, str]:
    ids = [sp.id for sp in report.speakers] + list(report.stats.speakers)
    ids += [s.speaker for s in report.transcript.segments]
    return {sid: f"s{n % len(SPEAKER_COLOURS)}" for n, sid in enumerate(dict.fromkeys(ids))}


def _figures(report: SessionReport, colours: dict[str, str], h2: str, prefix: str) -> list[str]:
    stats = report.stats
    if not stats.speakers:
        return []
    out = [f"<{h2}>Key figures</{h2}>"]
    waits = stats.wait_after_questions
    lede = [f"{format_time(stats.talk_seconds)} of talk and {format_time(stats.silence_seconds)} of silence "
            f"in {format_time(stats.duration)}"]
    if waits.count and waits.median_seconds is not None:
        lede.append(
            f"a median wait of {waits.median_seconds:.1f} s after {waits.count} question"
            f"{'s' if waits.count != 1 else ''} ({(waits.under_3s_share or 0):.0%} under 3 s)"
        )
    out.append(f'<p class="lede">{escape("; ".join(lede))}.</p>')
    note = languages.english_only_note(stats.language)
    if note:
        out.append(f'<p class="note">{escape(note)}</p>')
    out.append("<figure>")
    out.append(_talk_chart(report, colours))
    out.append("<figcaption>Talk time by speaker; shares add up to 100 % even when people talk at once."
               "</figcaption></figure>")
    out.append('<div class="scroll"><table><thead><tr><th>Speaker</th><th class="num">Talk</th><th class="num">Share</th>'
               '<th class="num">Turns</th><th class="num">Longest turn</th>'
               '<th class="num">Questions (open/closed)</th><th class="num">Words/min</th></tr></thead><tbody>')
    for sid, sp in stats.speakers.items():
        about = "≈" if sp.approximate else ""
        out.append(
            f'<tr><td class="who {colours.get(sid, "s0")}">{escape(report.label(sid))}</td>'
            f'<td class="num">{about}{format_time(sp.talk_seconds)}</td><td class="num">{about}{sp.talk_share:.0%}</td>'
            f'<td class="num">{sp.turns}</td><td class="num">{format_time(sp.longest_turn_seconds)}</td>'
            f'<td class="num">{sp.questions} ({sp.open_questions}/{sp.closed_questions})</td>'
            f'<td class="num">{sp.words_per_minute:.0f}</td></tr>'
        )
    out.append("</tbody></table></div>")
    if any(sp.approximate for sp in stats.speakers.values()):
        out.append(f'<p class="lede">{escape(APPROXIMATE_NOTE)}.</p>')
    out.append("<figure>")
    out.append(_timeline(report, colours, prefix))
    out.append("<figcaption>Who spoke when. Numbered flags are the marked moments below.</figcaption></figure>")
    return out


def _talk_chart(report: SessionReport, colours: dict[str, str]) -> str:
    stats = report.stats
    rows = list(stats.speakers.items())
    width, label_w, value_w, row_h = 720, 150, 130, 30
    bar_w = width - label_w - value_w
    height = row_h * len(rows) + 8
    most = max((sp.talk_share for _, sp in rows), default=0.0) or 1.0
    parts = [f'<svg viewBox="0 0 {width} {height}" role="img" aria-label="Talk time by speaker">']
    for n, (sid, sp) in enumerate(rows):
        y = 4 + n * row_h
        name = escape(_fit(report.label(sid), 20))
        length = max(1.0, bar_w * sp.talk_share / most) if sp.talk_seconds > 0 else 0.0
        parts.append(f'<text x="{label_w - 10}" y="{y + 19}" text-anchor="end">{name}</text>')
        parts.append(f'<rect class="lane" x="{label_w}" y="{y + 4}" width="{bar_w}" height="{row_h - 10}" rx="3"/>')
        if length:
            parts.append(f'<rect class="{colours.get(sid, "s0")}" x="{label_w}" y="{y + 4}" width="{length:.1f}" '
                         f'height="{row_h - 10}" rx="3"/>')
        parts.append(f'<text x="{label_w + bar_w + 10}" y="{y + 19}">{format_time(sp.talk_seconds)} · '
                     f'{sp.talk_share:.0%}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _timeline(report: SessionReport, colours: dict[str, str], prefix: str) -> str:
    duration = max(report.stats.duration, report.info.duration, 1.0)
    ids = list(report.stats.speakers) or list(dict.fromkeys(s.speaker for s in report.transcript.segments))
    width, label_w, lane_h, top = 760, 100, 22, 26
    plot_w = width - label_w - 10
    height = top + lane_h * len(ids) + 26
    scale = plot_w / duration
    parts = [f'<svg viewBox="0 0 {width} {height}" role="img" aria-label="Speaker timeline with marked moments">']
    for n, sid in enumerate(ids):
        y = top + n * lane_h
        parts.append(f'<text x="{label_w - 10}" y="{y + 15}" text-anchor="end">'
                     f'{escape(_fit(report.label(sid), 16))}</text>')
        parts.append(f'<rect class="lane" x="{label_w}" y="{y + 3}" width="{plot_w}" height="{lane_h - 6}"/>')
        spans = _merged((s.start, s.end) for s in report.transcript.segments if s.speaker == sid)
        merge_gap = 1.0 / scale
        cls = colours.get(sid, "s0")
        for a, b in _merged(spans, merge_gap):
            w = max(0.8, (b - a) * scale)
            parts.append(f'<rect class="{cls}" x="{label_w + a * scale:.1f}" y="{y + 3}" width="{w:.1f}" '
                         f'height="{lane_h - 6}"/>')
    axis_y = top + lane_h * len(ids) + 4
    step = _tick_step(duration)
    parts.append('<g class="axis">')
    t = 0.0
    while t <= duration + 1e-6:
        x = label_w + t * scale
        parts.append(f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{axis_y}"/>')
        anchor = "start" if t == 0 else ("end" if x > width - 30 else "middle")
        parts.append(f'<text x="{x:.1f}" y="{axis_y + 14}" text-anchor="{anchor}">{format_time(t)}</text>')
        t += step
    parts.append("</g>")
    for number, mark in enumerate(shareable_marks(report), start=1):
        x = label_w + min(mark.start, duration) * scale
        parts.append(
            f'<a href="#{prefix}mark-{number}" class="flag"><title>Mark {number}: {escape(mark.tag)} at '
            f'{format_time(mark.start)}</title><path d="M{x - 8:.1f} 2 h16 v14 l-8 6 l-8 -6 z"/>'
            f'<text x="{x:.1f}" y="13" text-anchor="middle">{number}</text></a>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _merged(spans, gap: float = 0.0) -> list[tuple[float, float]]:
    out: list[tuple[float, float]] = []
    for a, b in sorted(spans):
        if out and a <= out[-1][1] + gap:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def _tick_step(duration: float) -> float:
    for step in (10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600):
        if duration / step <= 12:
            return float(step)
    return 7200.0


def _fit(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _moment(
    report: SessionReport,
    mark: Mark,
    number: int,
    context: float,
    clip: bytes | None,
    clip_mime: str,
    colours: dict[str, str],
    h3: str,
    prefix: str,
) -> list[str]:
    anchor = f"{prefix}mark-{number}"
    end = "" if mark.end is None else repr(mark.end)
    out = [f'<article class="moment" id="{anchor}" data-start="{mark.start!r}" data-end="{end}" '
           f'data-mark="{escape(mark.id)}">']
    out.append(
        f'<{h3}><span class="num">{number}</span><span class="time">{format_range(mark.start, mark.end)}</span>'
        f'<span class="tag">{escape(mark.tag)}</span></{h3}>'
    )
    if mark.note.strip():
        out.append(f'<div class="note">{_paragraphs(mark.note)}</div>')
    author = escape(mark.author)
    if mark.source == FEEDBACK_SOURCE and author:
        author = f'<span class="by-mentor">Feedback from {author}</span>'
    byline = " · ".join(x for x in (author, escape(mark.created[:16].replace("T", " "))) if x)
    if byline:
        out.append(f'<p class="byline">{byline}</p>')
    if clip:
        data = base64.b64encode(clip).decode("ascii")
        out.append(
            f'<audio controls preload="metadata" src="data:{clip_mime};base64,{data}" '
            f'aria-label="Audio of moment {number}">Your browser cannot play this clip.</audio>'
        )
    lines = segments_around(report, mark, context)
    if lines:
        out.append('<ol class="lines">')
        for seg, inside in lines:
            who = escape(report.label(seg.speaker))
            times = f'data-start="{seg.start!r}" data-end="{seg.end!r}"'
            opening = (f'<li class="inside" {times}><span class="visually-hidden">In the moment: </span>' if inside
                       else f"<li {times}>")
            out.append(
                f'{opening}<span class="t">{format_time(seg.start)}</span>'
                f'<span class="who {colours.get(seg.speaker, "s0")}">{who}</span>'
                f'<span class="said">{escape(seg.text)}</span></li>'
            )
        out.append("</ol>")
    out.append("</article>")
    return out


def _paragraphs(text: str) -> str:
    blocks = [b.strip() for b in re.split(r"\n\s*\n", text.strip()) if b.strip()]
    return "".join("<p>" + "<br>".join(escape(line) for line in block.splitlines()) + "</p>" for block in blocks)


def _overview(series: tuple[SessionReport, ...]) -> list[str]:
    out = ["<h2>Sessions</h2>", '<div class="scroll"><table><thead><tr><th class="num">#</th><th>Date</th><th>Session</th>'
           '<th class="num">Duration</th><th>Talk share</th><th class="num">Questions (open/closed)</th>'
           '<th class="num">Median wait</th><th class="num">Marks</th></tr></thead><tbody>']
    for number, report in enumerate(series, start=1):
        stats = report.stats
        shares = " · ".join(f"{escape(report.label(sid))} {sp.talk_share:.0%}" for sid, sp in stats.speakers.items())
        opened = sum(sp.open_questions for sp in stats.speakers.values())
        closed = sum(sp.closed_questions for sp in stats.speakers.values())
        median = stats.wait_after_questions.median_seconds
        out.append(
            f'<tr><td class="num">{number}</td><td class="date">{escape(report.info.date)}</td>'
            f'<td><a href="#session-{number}">{escape(report.info.title or "Session")}</a></td>'
            f'<td class="num">{format_time(report.info.duration)}</td><td>{shares}</td>'
            f'<td class="num">{opened + closed} ({opened}/{closed})</td>'
            f'<td class="num">{"–" if median is None else f"{median:.1f} s"}</td>'
            f'<td class="num">{len(shareable_marks(report))}</td></tr>'
        )
    out.append("</tbody></table></div>")
    return out
