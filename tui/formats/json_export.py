"""JSON export: everything, in one documented shape (times in seconds).

``{"session": {id, title, path, date, duration}, "speakers": [{id, name, role}],
"segments": [{start, end, speaker, text}], "marks": [{start, end, tag, note, author,
created, updated}], "stats": <debrief stats --json>}``
"""

from __future__ import annotations

import json

from tui.core.analytics import stats_to_json
from tui.core.report import SessionReport

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
            }
            for m in report.marks
        ],
        "stats": stats_to_json(report.stats),
    }


def render(report: SessionReport) -> str:
    return json.dumps(to_dict(report), indent=2, ensure_ascii=False) + "\n"
