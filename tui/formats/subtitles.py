"""SRT and WebVTT of the transcript, with speaker names, for a player beside the recording.

Each utterance becomes one cue, or several when it is too long to read at once (split
at word boundaries, timed by its word timings when they fit the text, else in
proportion to the characters). Lines are wrapped at 42 characters, the usual subtitle
width. SRT puts the speaker in front of the text (``Maria: …``); WebVTT uses a voice
span (``<v Maria>…``), which players style and Zoom/Teams importers read back.
"""

from __future__ import annotations

import textwrap

from tui.core.model import Segment
from tui.core.report import SessionReport
from tui.errors import DebriefError
from tui.formats.scope import Reports, reflection
from tui.formats.shown import shown_series

LINE_CHARS = 42
CUE_CHARS = 2 * LINE_CHARS
"""Two lines: more than this and a cue is split."""


def render_srt(reports: Reports, *, cue_chars: int = CUE_CHARS) -> str:
    report = _one(reports)
    blocks = []
    for number, (start, end, speaker, text) in enumerate(_cues(report, cue_chars, label_in_text=True), start=1):
        body = "\n".join(_wrap(f"{speaker}: {text}" if speaker else text))
        blocks.append(f"{number}\n{_timestamp(start, ',')} --> {_timestamp(end, ',')}\n{_srt_safe(body)}\n")
    return "\n".join(blocks)


def render_vtt(reports: Reports, *, cue_chars: int = CUE_CHARS) -> str:
    report = _one(reports)
    out = ["WEBVTT", ""]
    about = reflection(report)
    if about:
        note = [f"{label}: {value}" for label, value in (
            ("Focus goal", about.focus_goal), ("Intention", about.intention), ("Summary", about.summary)) if value]
        out.extend(["NOTE", *(_note_safe(line) for line in note), ""])
    for start, end, speaker, text in _cues(report, cue_chars, label_in_text=False):
        out.append(f"{_timestamp(start, '.')} --> {_timestamp(end, '.')}")
        lines = _wrap(text)
        lines = [_vtt_escape(line) for line in lines]
        if speaker:
            lines[0] = f"<v {_vtt_escape(speaker)}>{lines[0]}"
        out.extend(lines)
        out.append("")
    return "\n".join(out)


def render(reports: Reports, *, fmt: str = "vtt", cue_chars: int = CUE_CHARS) -> str:
    if fmt == "srt":
        return render_srt(reports, cue_chars=cue_chars)
    if fmt == "vtt":
        return render_vtt(reports, cue_chars=cue_chars)
    raise DebriefError(f"Unknown subtitle format {fmt!r}; choose srt or vtt.")


def _one(reports: Reports) -> SessionReport:
    series = shown_series(reports)  # no escape sequence, override or hidden character in a cue
    if len(series) != 1:
        raise DebriefError("Subtitles belong to one recording: export one session at a time as SRT or WebVTT.")
    return series[0]


def _cues(report: SessionReport, cue_chars: int, *, label_in_text: bool) -> list[tuple[float, float, str, str]]:
    cues = []
    for seg in sorted(report.transcript.segments, key=lambda s: (s.start, s.end)):
        text = " ".join(seg.text.split())
        if not text:
            continue
        speaker = " ".join(report.label(seg.speaker).split())
        room = cue_chars - (len(speaker) + 2 if label_in_text and speaker else 0)
        for start, end, chunk in _split(seg, text, max(20, room)):
            cues.append((start, end, speaker, chunk))
    return cues


def _split(seg: Segment, text: str, limit: int) -> list[tuple[float, float, str]]:
    """Chunks of at most ``limit`` characters (a longer single word stays whole), with times."""
    start, end = seg.start, max(seg.end, seg.start)
    if len(text) <= limit:
        return [(start, end, text)]
    tokens = text.split(" ")
    chunks: list[list[int]] = [[]]
    length = 0
    for i, token in enumerate(tokens):
        extra = len(token) + (1 if chunks[-1] else 0)
        if chunks[-1] and length + extra > limit:
            chunks.append([])
            length = 0
            extra = len(token)
        chunks[-1].append(i)
        length += extra
    timed = [w for w in seg.words if w.text.strip()]
    use_words = len(timed) == len(tokens)
    total_chars = len(text)
    result = []
    offset = 0
    for n, chunk in enumerate(chunks):
        chunk_text = " ".join(tokens[i] for i in chunk)
        if use_words:
            a = start if n == 0 else timed[chunk[0]].start
            b = end if n == len(chunks) - 1 else timed[chunk[-1] + 1].start
        else:
            a = start + (end - start) * offset / total_chars
            offset += len(chunk_text) + 1
            b = end if n == len(chunks) - 1 else start + (end - start) * min(offset, total_chars) / total_chars
        result.append((max(start, a), max(max(start, a), min(end, b)), chunk_text))
    return result


def _wrap(text: str) -> list[str]:
    return textwrap.wrap(text, LINE_CHARS, break_long_words=False, break_on_hyphens=False) or [""]


def _timestamp(seconds: float, decimal: str) -> str:
    millis = max(0, round(seconds * 1000))
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    secs, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}{decimal}{millis:03d}"


def _vtt_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _srt_safe(text: str) -> str:
    """An arrow in the text would read as a cue's timing line."""
    return text.replace("-->", "->")


def _note_safe(line: str) -> str:
    return " ".join(line.split()).replace("-->", "->")
