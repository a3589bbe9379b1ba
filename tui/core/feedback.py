"""A mentor's feedback file: what the HTML page's reviewer mode saves and ``debrief import`` reads.

The file is foreign input (it travelled by e-mail and anyone could have edited it), so
:func:`parse_feedback` checks every field and refuses with one sentence that says what is
wrong; hostile characters are neutralised with :mod:`tui.core.safe_text` as the exports
neutralise any note. :func:`feedback_marks` turns a parsed file into marks with ids derived
from the comments' own ids, so importing the same file twice adds nothing.

Schema (version 1)::

    {"format": "debrief-feedback", "version": 1,
     "session": {"id": <content id>, "title": ...},
     "reviewer": name, "created": iso, "overall": text, "next_practice": text,
     "look_fors_answer": text,
     "comments": [{"id": ..., "start": s, "end": s | null, "tag": t, "text": ...,
                   "on": "moment" | "line", "mark_id": optional}]}

Unknown keys are ignored, so a later version 1 page may add some.
"""

from __future__ import annotations

import hashlib
import math
import re
from dataclasses import dataclass
from typing import Any

from tui.core.model import DEFAULT_TAG, Mark
from tui.core.safe_text import visible, visible_lines
from tui.core.timefmt import format_time
from tui.errors import DebriefError

FORMAT = "debrief-feedback"
VERSION = 1
SOURCE = "feedback"
"""``Mark.source`` of a mark that came from a mentor's feedback file."""

MAX_TEXT = 20_000
MAX_COMMENTS = 5_000
MAX_NAME = 200
MAX_TAG = 40

FEEDBACK_TAGS = ("strength", "growth-edge", "try-instead", "question")
"""The mentor's vocabulary when the session offers none of its own (the issue's examples)."""
OVERALL_TAG = "feedback"
LOOK_FORS_TAG = "look-fors"

_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
_SESSION_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,127}")
_ON = ("moment", "line")


@dataclass(frozen=True, slots=True)
class Comment:
    """One remark on a moment or a transcript line, anchored by its time range."""

    id: str
    start: float
    end: float | None
    tag: str
    text: str
    on: str = "moment"
    mark_id: str = ""


@dataclass(frozen=True, slots=True)
class Feedback:
    """A parsed, checked feedback file."""

    session_id: str
    session_title: str
    reviewer: str
    created: str
    overall: str = ""
    next_practice: str = ""
    look_fors_answer: str = ""
    comments: tuple[Comment, ...] = ()

    @property
    def latest(self) -> float:
        """The latest time any comment reaches (the caller checks it against the recording)."""
        return max((c.end if c.end is not None else c.start for c in self.comments), default=0.0)

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "version": VERSION,
            "session": {"id": self.session_id, "title": self.session_title},
            "reviewer": self.reviewer,
            "created": self.created,
            "overall": self.overall,
            "next_practice": self.next_practice,
            "look_fors_answer": self.look_fors_answer,
            "comments": [
                {"id": c.id, "start": c.start, "end": c.end, "tag": c.tag, "text": c.text, "on": c.on,
                 **({"mark_id": c.mark_id} if c.mark_id else {})}
                for c in self.comments
            ],
        }


def is_feedback(data: object) -> bool:
    """Does ``data`` (parsed JSON) say it is a feedback file? (Whether it is a valid one is parse's job.)"""
    return isinstance(data, dict) and data.get("format") == FORMAT


def parse_feedback(data: object) -> Feedback:
    """The checked feedback in ``data`` (parsed JSON); raises DebriefError naming the first problem."""
    if not is_feedback(data):
        raise DebriefError('This is not a Debrief feedback file (it has no "format": "debrief-feedback").')
    assert isinstance(data, dict)
    version = data.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise DebriefError("This feedback file has no valid version number, so Debrief cannot read it.")
    if version > VERSION:
        raise DebriefError(f"This feedback file was made by a newer Debrief (version {version}; this one reads "
                           f"version {VERSION}); update Debrief to import it.")
    session = data.get("session")
    session_id = session.get("id") if isinstance(session, dict) else None
    if not isinstance(session_id, str) or not _SESSION_ID.fullmatch(session_id):
        raise DebriefError("This feedback file does not say which session it is about (no valid session id).")
    assert isinstance(session, dict)
    title = _line(session.get("title", ""), "the session title", MAX_TEXT)
    reviewer = _line(data.get("reviewer"), "the reviewer's name", MAX_NAME).strip()
    if not reviewer:
        raise DebriefError("This feedback file does not name its reviewer, so its comments would have no author.")
    comments = data.get("comments", [])
    if not isinstance(comments, list):
        raise DebriefError('The "comments" of this feedback file are not a list.')
    if len(comments) > MAX_COMMENTS:
        raise DebriefError(f"This feedback file has {len(comments)} comments; Debrief imports at most "
                           f"{MAX_COMMENTS} from one file.")
    parsed = tuple(_comment(item, n) for n, item in enumerate(comments, start=1))
    seen: set[str] = set()
    for comment in parsed:
        if comment.id in seen:
            raise DebriefError(f"Two comments in this feedback file share the id {comment.id!r}.")
        seen.add(comment.id)
    return Feedback(
        session_id=session_id,
        session_title=title,
        reviewer=reviewer,
        created=_line(data.get("created", ""), "the creation time", 64),
        overall=_text(data.get("overall", ""), "the overall note"),
        next_practice=_text(data.get("next_practice", ""), "the suggested next practice"),
        look_fors_answer=_text(data.get("look_fors_answer", ""), "the answer to the look-fors"),
        comments=parsed,
    )


def _comment(item: object, n: int) -> Comment:
    where = f"comment {n}"
    if not isinstance(item, dict):
        raise DebriefError(f"Comment {n} of this feedback file is not a JSON object.")
    cid = item.get("id")
    if not isinstance(cid, str) or not _ID.fullmatch(cid):
        raise DebriefError(f"Comment {n} of this feedback file has no valid id (letters, digits, '-', '_').")
    start = _time(item.get("start"), where, "start")
    end_value = item.get("end")
    end = None if end_value is None else _time(end_value, where, "end")
    if end is not None and end < start:
        raise DebriefError(f"Comment {n} of this feedback file ends ({format_time(end)}) before it starts "
                           f"({format_time(start)}).")
    tag = _line(item.get("tag", DEFAULT_TAG), f"the tag of {where}", MAX_TAG).strip() or DEFAULT_TAG
    on = item.get("on", "moment")
    if on not in _ON:
        raise DebriefError(f'Comment {n} of this feedback file is on {visible(str(on))[:40]!r}, '
                           'not on a "moment" or a "line".')
    mark_id = item.get("mark_id") or ""
    if not isinstance(mark_id, str) or (mark_id and not _ID.fullmatch(mark_id)):
        mark_id = ""  # only a hint of which moment it was on; the time range is the anchor
    return Comment(cid, start, end, tag, _text(item.get("text", ""), f"the text of {where}"), str(on), mark_id)


def _time(value: object, where: str, which: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise DebriefError(f"The {which} of {where} in this feedback file is not a number of seconds.")
    number = float(value)
    if not math.isfinite(number) or number < 0:
        raise DebriefError(f"The {which} of {where} in this feedback file is {value!r}, not a time in the recording.")
    return number


def _text(value: object, what: str, limit: int = MAX_TEXT) -> str:
    if not isinstance(value, str):
        raise DebriefError(f"{what[:1].upper()}{what[1:]} in this feedback file is not text.")
    if len(value) > limit:
        raise DebriefError(f"{what[:1].upper()}{what[1:]} in this feedback file is longer than {limit:,} "
                           "characters; Debrief does not import it.")
    return visible_lines(value)


def _line(value: object, what: str, limit: int) -> str:
    return visible(_text(value, what, limit).replace("\n", " "))


def feedback_mark_id(session_id: str, reviewer: str, key: str) -> str:
    """A mark id that the same comment always gets (32 hex digits, like any mark id)."""
    return hashlib.blake2b(f"{session_id}\0{reviewer}\0{key}".encode(), digest_size=16).hexdigest()


def feedback_marks(feedback: Feedback, *, now: str) -> tuple[Mark, ...]:
    """The marks a feedback file becomes: one per comment, plus the overall note and the look-fors answer.

    Each mark keeps its comment's time range (not the line it was on, which a later
    correction may have moved). The overall note and the look-fors answer are marks at
    0:00, so that the notes pane and every export show them with the mentor's name.
    """
    created = feedback.created or now

    def make(key: str, start: float, end: float | None, tag: str, note: str) -> Mark:
        return Mark(feedback_mark_id(feedback.session_id, feedback.reviewer, key), start, end, tag, note,
                    feedback.reviewer, created, created, source=SOURCE)

    marks = [make(f"comment:{c.id}", c.start, c.end, c.tag, c.text) for c in feedback.comments]
    if feedback.look_fors_answer.strip():
        marks.insert(0, make("look-fors", 0.0, None, LOOK_FORS_TAG, feedback.look_fors_answer))
    if feedback.overall.strip():
        marks.insert(0, make("overall", 0.0, None, OVERALL_TAG, feedback.overall))
    return tuple(marks)


def same_content(a: Mark, b: Mark) -> bool:
    """Would importing ``b`` over ``a`` change what the reviewer sees?"""
    return (a.start, a.end, a.tag, a.note, a.author) == (b.start, b.end, b.tag, b.note, b.author)
