"""Reports as a reader may see them: every text passed through :mod:`tui.core.safe_text`.

The Markdown, HTML, CSV, SRT and WebVTT renderers start from :func:`shown_series`, so no
field a renderer prints (a note, a tag, a speaker's name, an utterance, the reflection,
the title) can carry an escape sequence, a bidirectional override or a zero-width
character into the file, whichever route called the renderer. The stored report is not
changed; JSON, which must stay lossless, escapes instead (:func:`tui.core.safe_text.json_safe`).
"""

from __future__ import annotations

from dataclasses import replace

from tui.core.model import Mark, Segment, Speaker
from tui.core.report import SessionReport
from tui.core.safe_text import visible, visible_lines
from tui.formats.scope import Reports, as_series


def shown_series(reports: Reports) -> tuple[SessionReport, ...]:
    return tuple(shown_report(report) for report in as_series(reports))


def shown_report(report: SessionReport) -> SessionReport:
    """A copy of ``report`` whose every text is safe to show (see the module docstring)."""
    info = report.info
    transcript = report.transcript
    stats = report.stats
    speakers_stats = {visible(sid): replace(sp, id=visible(sp.id), name=visible(sp.name), role=visible(sp.role))
                      for sid, sp in stats.speakers.items()}
    figures = {key: tuple(replace(m, label=visible(m.label)) for m in moments) for key, moments in stats.figures.items()}
    return replace(
        report,
        info=replace(info, title=visible(info.title), date=visible(info.date), path=visible(info.path),
                     tags=tuple(visible(t) for t in info.tags)),
        speakers=tuple(_speaker(sp) for sp in report.speakers),
        transcript=replace(transcript, speakers=tuple(_speaker(sp) for sp in transcript.speakers),
                           segments=tuple(_segment(seg) for seg in transcript.segments)),
        marks=tuple(_mark(m) for m in report.marks),
        stats=replace(stats, speakers=speakers_stats, figures=figures),
        focus_goal=visible(report.focus_goal),
        intention=visible_lines(report.intention),
        summary=visible_lines(report.summary),
        outcomes={visible(name): value for name, value in report.outcomes.items()},
    )


def _speaker(sp: Speaker) -> Speaker:
    sid, name, role = visible(sp.id), visible(sp.name), visible(sp.role)
    return sp if (sid, name, role) == (sp.id, sp.name, sp.role) else replace(sp, id=sid, name=name, role=role)


def _segment(seg: Segment) -> Segment:
    text = visible(seg.text)
    if text == seg.text and seg.speaker.isprintable() and all(w.text.isprintable() for w in seg.words):
        return seg
    return replace(seg, text=text, speaker=visible(seg.speaker),
                   words=tuple(replace(w, text=visible(w.text)) for w in seg.words))


def _mark(mark: Mark) -> Mark:
    return replace(mark, tag=visible(mark.tag), note=visible_lines(mark.note), author=visible(mark.author),
                   created=visible(mark.created), updated=visible(mark.updated))
