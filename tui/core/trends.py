"""Figures followed across a series of sessions: is the growth edge moving?

Each trend figure reads one number from a session's stats (or its outcome measures);
sessions where it does not apply give None, so a sparkline can leave a gap rather than
invent a zero.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from tui.core.analytics import SessionStats

COACHING_ROLES = ("coach", "therapist", "counsellor", "counselor", "mentor", "supervisor", "teacher educator")


def practitioner(stats: SessionStats) -> str | None:
    """The speaker whose practice is being reviewed: by role, else the first speaker."""
    for sid, sp in stats.speakers.items():
        if sp.role.strip().lower() in COACHING_ROLES:
            return sid
    return next(iter(stats.speakers), None)


def _talk_share(stats: SessionStats) -> float | None:
    sid = practitioner(stats)
    return None if sid is None else stats.speakers[sid].talk_share * 100


def _open_share(stats: SessionStats) -> float | None:
    sid = practitioner(stats)
    if sid is None or not stats.speakers[sid].questions:
        return None
    sp = stats.speakers[sid]
    return sp.open_questions / sp.questions * 100


def _wait(stats: SessionStats) -> float | None:
    sid = practitioner(stats)
    if sid is None:
        return None
    return stats.speakers[sid].wait_after_questions.median_seconds


def _questions(stats: SessionStats) -> float | None:
    sid = practitioner(stats)
    return None if sid is None else float(stats.speakers[sid].questions)


def _monologues(stats: SessionStats) -> float | None:
    sid = practitioner(stats)
    return None if sid is None else float(stats.speakers[sid].monologues)


@dataclass(frozen=True)
class TrendFigure:
    key: str
    label: str
    unit: str
    read: Callable[[SessionStats], float | None]
    better: str
    """"up" or "down": which way is growth (for the goal line)."""
    short: str = ""
    """A label for narrow places (sparkline captions)."""


FIGURES: tuple[TrendFigure, ...] = (
    TrendFigure("wait", "median wait after questions", "s", _wait, "up", "wait"),
    TrendFigure("open_share", "share of open questions", "%", _open_share, "up", "open q."),
    TrendFigure("talk_share", "practitioner's talk share", "%", _talk_share, "down", "talk"),
    TrendFigure("questions", "questions asked", "", _questions, "up", "questions"),
    TrendFigure("monologues", "monologues", "", _monologues, "down", "monologues"),
)


def figure(key: str) -> TrendFigure:
    for f in FIGURES:
        if f.key == key:
            return f
    raise KeyError(key)


def series(values_per_session: Sequence[SessionStats | None], key: str) -> list[float | None]:
    """One figure for each session in order (None where there is no transcript or no data)."""
    read = figure(key).read
    return [None if stats is None else read(stats) for stats in values_per_session]


def measure_series(outcomes: Sequence[Mapping[str, float]], name: str) -> list[float | None]:
    """An outcome measure the reviewer typed in, session by session."""
    values = []
    for row in outcomes:
        value = row.get(name)
        values.append(float(value) if isinstance(value, (int, float)) else None)
    return values


def describe(values: Sequence[float | None], unit: str = "") -> str:
    """``2.1 → 2.7 → 3.4 s`` (the last few known values)."""
    known = [v for v in values if v is not None]
    if not known:
        return "no data yet"
    shown = known[-5:]
    text = " → ".join(f"{v:.1f}" if abs(v) < 10 and v != int(v) else f"{v:.0f}" for v in shown)
    return f"{'… → ' if len(known) > 5 else ''}{text}{' ' + unit if unit else ''}"
