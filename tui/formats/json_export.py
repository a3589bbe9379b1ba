"""JSON export: everything, in one documented shape (times in seconds).

``{"session": {id, title, path, date, duration, focus_goal, intention, summary},
"speakers": [{id, name, role}], "segments": [{start, end, speaker, text}],
"marks": [{start, end, tag, note, author, created, updated}], "stats": <debrief stats --json>}``;
a series is ``{"format": "debrief-series", "sessions": [<one session each>]}``.
Text is exactly as stored; control, bidirectional and zero-width characters are written as
``\\uXXXX`` escapes (never raw), so the file is safe to print and reads back the same.
"""

from __future__ import annotations

import json

from tui.core.analytics import stats_to_json
from tui.core.report import SessionReport
from tui.core.safe_text import json_safe
from tui.formats.scope import Reports, as_series, reflection, shareable_marks

FORMAT_VERSION = 1


def to_dict(report: SessionReport) -> dict:
    info = report.info
    return {
        "format": "debrief-session",
        "version": FORMAT_VERSION,
        "session": {
            "id": info.id,
            "title": info.title,
            "path": info.path,
            "date": info.date,
            "duration": info.duration,
            "language": report.transcript.language,
            "language_probability": report.transcript.language_probability,
            **_reflection(report),
        },
        "speakers": [sp.to_dict() for sp in report.speakers],
        "segments": [
            {"start": s.start, "end": s.end, "speaker": s.speaker, "text": s.text}
            for s in report.transcript.segments
        ],
        "marks": [
            {
                "start": m.start,
                "end": m.end,
                "tag": m.tag,
                "note": m.note,
                "author": m.author,
                "created": m.created,
                "updated": m.updated,
                **({"source": m.source} if m.source else {}),  # "feedback": a mentor's imported comment
            }
            for m in shareable_marks(report)
        ],
        "stats": stats_to_json(report.stats),
    }


def _reflection(report: SessionReport) -> dict:
    frame = reflection(report)
    return {"focus_goal": frame.focus_goal, "intention": frame.intention, "summary": frame.summary}


def render(reports: Reports) -> str:
    series = as_series(reports)
    if len(series) == 1:
        doc = to_dict(series[0])
    else:
        doc = {"format": "debrief-series", "version": FORMAT_VERSION, "sessions": [to_dict(r) for r in series]}
    # Lossless, yet safe on a terminal: control, bidi and zero-width characters stay \u escapes.
    return json_safe(json.dumps(doc, indent=2, ensure_ascii=False)) + "\n"
