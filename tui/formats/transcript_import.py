"""Attach an existing WebVTT or SRT transcript (Zoom, Teams, a captioning service).

Parsing is left to well-kept libraries: ``webvtt-py`` for WebVTT (header, NOTE/STYLE/
REGION blocks, cue identifiers and settings, voice spans) and ``srt`` for SubRip, whose
parser is strict and says at which character it stopped making sense. This module adds
what an import needs on top: the line number of whatever is wrong, sane times, and
speaker names, from WebVTT voice spans (``<v Jane Doe>``, as Teams writes them) or from
``Name:`` labels at the start of cues (as Zoom writes them).
"""

from __future__ import annotations

import codecs
import html
import math
import re
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import srt
import webvtt
import webvtt.errors
from webvtt.models import Timestamp
from webvtt.vtt import WebVTTCueBlock

from tui.core.model import Segment, Speaker, Transcript
from tui.core.timefmt import format_time
from tui.errors import TranscriptError

MAX_BYTES = 20 * 1024 * 1024
"""A two-hour meeting's captions are a few hundred kilobytes; far more is not a transcript."""

MAX_SECONDS = 24 * 3600.0
"""No session runs a day; a later time is a broken file."""

END_TOLERANCE_SECONDS = 2.0
"""Captions may run a little past the recording's decoded end."""

_LABEL = re.compile(r"^\s*(?P<name>[^\W\d_][\w.'’\- ]{0,39}?)\s*:\s+(?P<text>\S.*)$", re.DOTALL)
_TAGS = re.compile(r"</?[A-Za-z][^<>]*>|<\d[\d:.]*>|\{\\[^{}]*\}")
_VOICE = re.compile(r"<v(?:\.[^\s>]+)*\s+([^>]+)>")
_ARROW = "-->"
_TIMING_LIKE = re.compile(r"->|\d+:\d+[:,.]\d+")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
"""C0 and C1 control characters other than tab and newline (which are whitespace)."""


@dataclass(frozen=True, slots=True)
class _Cue:
    line: int
    """Line number (1-based) of the cue's timing line, for messages."""
    start: float
    end: float
    text: str
    voice: str | None


def load_transcript(path: Path, *, duration: float | None = None) -> Transcript:
    """Read a ``.vtt`` or ``.srt`` file (recognised by content, then by extension).

    Speakers become S1, S2, … in order of appearance, with their names from the file.
    With ``duration`` (the recording's length), cues past its end are refused.
    Raises :class:`TranscriptError` ("meeting.vtt line 12: …") for anything malformed.
    """
    path = Path(path)
    text = _read_text(path)
    kind = _sniff(path, text)
    cues = _parse_vtt(path, text) if kind == "vtt" else _parse_srt(path, text)
    _check_times(path, cues, duration)
    segments, speakers = _attribute(cues)
    if not segments:
        raise TranscriptError(f"{path.name} has cues but no words in them; there is nothing to import.")
    end = max(s.end for s in segments)
    return Transcript(
        segments=tuple(segments),
        speakers=tuple(speakers),
        duration=duration if duration is not None and duration > 0 else end,
        source=f"import:{path.name}",
        complete=True,
    )


# -- reading ---------------------------------------------------------------------------


def _read_text(path: Path) -> str:
    name = path.name
    try:
        if path.is_dir():
            raise TranscriptError(f"{path} is a folder, not a transcript file.")
        size = path.stat().st_size
        if size <= MAX_BYTES:
            # Bounded even so: a pipe or a device (/dev/zero) says size 0 and may never end.
            with path.open("rb") as handle:
                data = handle.read(MAX_BYTES + 1)
            size = max(size, len(data))
        if size > MAX_BYTES:
            shown = f"{size / 1_048_576:.0f} MB" if size > MAX_BYTES + 1 else f"over {MAX_BYTES // 1_048_576} MB"
            raise TranscriptError(
                f"{name} is {shown}, too large for a transcript (the limit is {MAX_BYTES // 1_048_576} MB)."
            )
    except FileNotFoundError:
        raise TranscriptError(f"{path} does not exist.") from None
    except PermissionError:
        raise TranscriptError(f"{path} cannot be read (permission denied).") from None
    except OSError as exc:
        raise TranscriptError(f"{path} cannot be read ({exc.strerror or exc}).") from None
    if not data.strip():
        raise TranscriptError(f"{name} is empty.")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            raise TranscriptError(f"{name} is not readable UTF-16 text.") from None
    else:
        if b"\0" in data[:4096]:
            raise TranscriptError(f"{name} is a binary file, not a WebVTT or SRT transcript.")
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = data.count(b"\n", 0, exc.start) + 1
            raise TranscriptError(
                f"{name} line {line}: the text is not UTF-8; save the file as UTF-8 and import it again."
            ) from None
    if "\0" in text:
        line = text.count("\n", 0, text.index("\0")) + 1
        raise TranscriptError(f"{name} line {line}: a NUL character; this is not a text transcript.")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _sniff(path: Path, text: str) -> str:
    first = text.lstrip("\ufeff \t\n").split("\n", 1)[0]
    if first.startswith("WEBVTT"):
        return "vtt"
    suffix = path.suffix.lower()
    if _ARROW in text and re.search(r"\d+:\d+:\d+,\d+\s*-->", text):
        return "srt"
    if suffix == ".vtt":
        raise TranscriptError(f"{path.name} line 1: a WebVTT file must start with the line WEBVTT.")
    if suffix == ".srt":
        return "srt"
    raise TranscriptError(f"{path.name} is neither a WebVTT nor an SRT transcript.")


def _arrow_lines(text: str) -> list[int]:
    return [n for n, line in enumerate(text.split("\n"), start=1) if _ARROW in line]


# -- WebVTT ----------------------------------------------------------------------------


def _parse_vtt(path: Path, text: str) -> list[_Cue]:
    name = path.name
    lines = text.split("\n")
    if not lines[0].lstrip("\ufeff").startswith("WEBVTT") or lines[0].lstrip("\ufeff")[6:7] not in ("", " ", "\t"):
        raise TranscriptError(f"{name} line 1: a WebVTT file must start with the line WEBVTT.")
    _check_vtt_timings(name, lines)
    try:
        captions = list(webvtt.from_string(text.lstrip("\ufeff"), strict=True))
    except (webvtt.errors.MalformedCaptionError, webvtt.errors.MalformedFileError, ValueError):
        line = _first_unparsed_vtt_line(text) or 1
        raise TranscriptError(
            f"{name} line {line}: this cue is malformed (a cue is an optional identifier, a timing line and "
            f"its text, after an empty line)."
        ) from None
    arrows = _arrow_lines(text)
    if len(arrows) != len(captions):
        line = _first_unparsed_vtt_line(text) or (arrows[0] if arrows else 1)
        raise TranscriptError(f"{name} line {line}: this cue is malformed (a cue is a timing line, then its text).")
    cues = []
    for line, caption in zip(arrows, captions):
        raw = caption.raw_text
        voice_match = _VOICE.search(raw)
        voice = _plain(html.unescape(voice_match.group(1))) if voice_match else None
        body = html.unescape(_TAGS.sub("", raw))
        cues.append(_Cue(line, caption.start_time.in_milliseconds() / 1000, caption.end_time.in_milliseconds() / 1000,
                         _plain(body), voice or None))
    if not cues:
        raise TranscriptError(f"{name} has no cues: there is no transcript in it.")
    return cues


def _check_vtt_timings(name: str, lines: list[str]) -> None:
    """Name the line of the first timing line the WebVTT grammar refuses."""
    for number, line in enumerate(lines, start=1):
        if _ARROW not in line:
            continue
        if not WebVTTCueBlock.STRICT_CUE_TIMINGS_PATTERN.match(line):
            raise TranscriptError(
                f"{name} line {number}: {line.strip()[:60]!r} is not a cue timing "
                f"(expected like 00:01:02.500 --> 00:01:04.000)."
            )


def _first_unparsed_vtt_line(text: str) -> int | None:
    """The first timing line that cannot start a cue: not after an empty line, or unreadable."""
    lines = text.split("\n")
    for number in _arrow_lines(text):
        index = number - 1
        before = lines[index - 1] if index >= 1 else ""
        if before.strip() and (_ARROW in before or index < 2 or lines[index - 2].strip()):
            return number
        match = WebVTTCueBlock.CUE_TIMINGS_PATTERN.match(lines[index])
        if match is None:
            return number
        try:
            Timestamp.from_string(match.group(1))
            Timestamp.from_string(match.group(2))
        except Exception:  # whatever the library objects to, this is the line
            return number
    return None


# -- SRT -------------------------------------------------------------------------------


def _parse_srt(path: Path, text: str) -> list[_Cue]:
    name = path.name
    try:
        subtitles = list(srt.parse(text))
    except srt.SRTParseError as exc:
        raise TranscriptError(_srt_error(name, text, exc)) from None
    except (srt.TimestampParseError, ValueError, OverflowError) as exc:
        line = _arrow_lines(text)[0] if _ARROW in text else 1
        raise TranscriptError(f"{name} line {line}: a cue time cannot be read ({_short(exc)}).") from None
    arrows = _arrow_lines(text)
    cues = []
    k = 0
    for sub in subtitles:
        if k >= len(arrows):
            break
        line = arrows[k]
        k += 1
        inner = sum(1 for content_line in sub.content.split("\n") if _ARROW in content_line)
        if inner:
            raise TranscriptError(f"{name} line {arrows[k]}: a cue timing inside the text of the cue above it "
                                  "(is an empty line missing before it?).")
        content = html.unescape(_TAGS.sub("", sub.content))
        cues.append(_Cue(line, _seconds(sub.start), _seconds(sub.end), _plain(content), None))
    if not cues:
        raise TranscriptError(f"{name} has no cues: there is no transcript in it.")
    return cues


def _srt_error(name: str, text: str, exc: srt.SRTParseError) -> str:
    unmatched = exc.unmatched_content
    at = exc.expected_start + (len(unmatched) - len(unmatched.lstrip()))
    bad_lines = unmatched.strip().split("\n")
    offset = 0
    for k, line in enumerate(bad_lines):
        if _TIMING_LIKE.search(line):
            offset = k
            break
    line_number = text.count("\n", 0, at) + 1 + offset
    shown = bad_lines[offset].strip()[:60]
    if _TIMING_LIKE.search(shown):
        return (f"{name} line {line_number}: {shown!r} is not a cue timing "
                "(expected like 00:01:02,500 --> 00:01:04,000).")
    return f"{name} line {line_number}: {shown!r} is not part of any cue (expected a cue number, then its timing)."


def _seconds(value: timedelta) -> float:
    return value.total_seconds()


# -- checks and speakers ---------------------------------------------------------------


def _check_times(path: Path, cues: list[_Cue], duration: float | None) -> None:
    name = path.name
    previous: _Cue | None = None
    for cue in cues:
        if not (math.isfinite(cue.start) and math.isfinite(cue.end)) or cue.start < 0:
            raise TranscriptError(f"{name} line {cue.line}: the cue time is not a valid time.")
        if cue.end > MAX_SECONDS:
            raise TranscriptError(
                f"{name} line {cue.line}: the cue ends at {format_time(cue.end)}, later than any session runs."
            )
        if cue.end < cue.start:
            raise TranscriptError(
                f"{name} line {cue.line}: the cue ends ({_clock(cue.end)}) before it starts "
                f"({_clock(cue.start)})."
            )
        if previous is not None and cue.start < previous.start:
            raise TranscriptError(
                f"{name} line {cue.line}: the cue starts at {_clock(cue.start)}, before the cue on line "
                f"{previous.line} ({_clock(previous.start)}); cues must be in time order."
            )
        if duration is not None and duration > 0 and cue.start > duration + END_TOLERANCE_SECONDS:
            raise TranscriptError(
                f"{name} line {cue.line}: the cue at {format_time(cue.start)} is past the end of the recording "
                f"({format_time(duration)}); is this the transcript of another recording?"
            )
        previous = cue


def _clock(seconds: float) -> str:
    return f"{format_time(seconds)}.{round((seconds % 1) * 1000):03d}"


def _attribute(cues: list[_Cue]) -> tuple[list[Segment], list[Speaker]]:
    """Segments with speaker ids, and the speakers named by voice spans or ``Name:`` labels.

    Labels count only when at least three cues in five have one, so that a stray
    "Note: …" in an unlabelled file is not taken for a speaker.
    """
    labelled = [_split_label(c.text) for c in cues]
    use_labels = sum(1 for name, _ in labelled if name) * 5 >= len(cues) * 3 and not any(c.voice for c in cues)
    ids: dict[str, str] = {}
    speakers: list[Speaker] = []
    segments: list[Segment] = []
    current = ""

    def speaker_for(name: str) -> str:
        key = name.casefold()
        if key not in ids:
            ids[key] = f"S{len(ids) + 1}"
            speakers.append(Speaker(ids[key], name))
        return ids[key]

    for cue, (label, rest) in zip(cues, labelled):
        text = cue.text
        if cue.voice:
            current = speaker_for(cue.voice)
        elif use_labels and label:
            current = speaker_for(label)
            text = rest
        elif not current:
            current = speaker_for("")
        if not text:
            continue
        segments.append(Segment(cue.start, max(cue.end, cue.start), text, current))
    return segments, speakers


def _split_label(text: str) -> tuple[str, str]:
    match = _LABEL.match(text)
    if not match:
        return "", text
    name = " ".join(match.group("name").split())
    if len(name.split()) > 4 or name.endswith((".", "-")):
        return "", text
    return name, match.group("text").strip()


def _plain(text: str) -> str:
    """One line of readable text: whitespace runs become one space, control characters go.

    A caption file comes from anywhere; an escape sequence left in it would reach the
    reviewer's terminal when the transcript is drawn (retitling the window, or worse).
    """
    return " ".join(_CONTROL.sub("", text).split())


def _short(exc: BaseException) -> str:
    message = " ".join(str(exc).split())
    return message[:80] + ("…" if len(message) > 80 else "")
