"""Reports built directly, for the export, import and redaction tests."""

from __future__ import annotations

from dataclasses import dataclass, replace

from tui.core.analytics import session_stats
from tui.core.model import Mark, Segment, SessionInfo, Speaker, Transcript, Word
from tui.core.report import SessionReport


@dataclass(frozen=True, slots=True)
class ReflectiveReport(SessionReport):
    """A report with the reflection fields the lead is adding to SessionReport."""

    intention: str = ""
    summary: str = ""
    focus_goal: str = ""


def make_report(
    segments=(),
    *,
    speakers=(("S1", "Maria", "coach"), ("S2", "Sam", "teacher")),
    marks=(),
    title="Check-in with Sam",
    date="2026-11-09",
    duration=None,
    path="/home/maria/recordings/check-in.ogg",
    source="tiny.en",
    **reflection,
) -> SessionReport:
    segs = tuple(s if isinstance(s, Segment) else Segment(s[0], s[1], s[3], s[2]) for s in segments)
    people = tuple(Speaker(*sp) for sp in speakers)
    end = max((s.end for s in segs), default=0.0)
    transcript = Transcript(segments=segs, speakers=people, duration=duration or end, source=source)
    info = SessionInfo("feedbeef", path, title, duration or end, date, ("Maria Lopez",))
    stats = session_stats(transcript, duration=duration or end)
    return ReflectiveReport(info, people, transcript, tuple(marks), stats, **reflection)


def mark(mark_id="m1", start=10.0, end=None, tag="growth-edge", note="", author="maria", private=False) -> Mark:
    return Mark(mark_id, start, end, tag, note, author, "2026-11-09T10:00:00.000+00:00",
                "2026-11-09T10:05:00.000+00:00", private=private)


def words(start: float, *texts: str, step: float = 0.5) -> tuple[Word, ...]:
    """Word timings one ``step`` apart, spelled as a transcriber spells them."""
    return tuple(Word(start + i * step, start + (i + 1) * step - 0.05, t) for i, t in enumerate(texts))


def long_report(minutes: int = 60, marks: int = 20) -> SessionReport:
    """A long two-speaker session: alternating 4-9 s turns, marks spread evenly."""
    segs = []
    t = 1.0
    n = 0
    while t < minutes * 60 - 10:
        length = 4 + (n * 7) % 6
        speaker = "S1" if n % 2 == 0 else "S2"
        text = f"Turn {n}: we talked about the lesson plan and what the students noticed, didn't we?"
        segs.append(Segment(t, t + length, text, speaker))
        t += length + 0.8
        n += 1
    spacing = minutes * 60 / (marks + 1)
    ms = [mark(f"m{i}", spacing * (i + 1), spacing * (i + 1) + 15, "growth-edge", f"Note {i}") for i in range(marks)]
    return make_report(segs, marks=ms, duration=minutes * 60.0)


__all__ = ["ReflectiveReport", "long_report", "make_report", "mark", "replace", "words"]
