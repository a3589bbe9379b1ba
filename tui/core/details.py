"""What the reviewer records about a session beyond its audio: consent, tags, outcome measures.

Outcome measures are routine outcome monitoring: a few numbers per session that the
client gives (for example ORS and SRS, each 0–40), named and scaled by the reviewer.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

from tui.errors import DebriefError

CONSENT_VALUES = ("yes", "no", "")


@dataclass(frozen=True, slots=True)
class Measure:
    name: str
    low: float = 0.0
    high: float = 40.0

    def check(self, value: float) -> float:
        if not math.isfinite(value) or not self.low <= value <= self.high:
            raise DebriefError(f"{self.name} must be between {self.low:g} and {self.high:g}, not {value:g}")
        return value


DEFAULT_MEASURES = (Measure("ORS", 0, 40), Measure("SRS", 0, 40))
_MEASURE = re.compile(r"^\s*([^\d\s][^,]*?)\s+(-?\d+(?:\.\d+)?)\s*[-–]\s*(-?\d+(?:\.\d+)?)\s*$")


def parse_measures(text: str) -> tuple[Measure, ...]:
    """``"ORS 0-40, SRS 0-40"`` → measures; one clear error for anything else."""
    measures = []
    for part in (p for p in text.split(",") if p.strip()):
        match = _MEASURE.match(part)
        if not match:
            raise DebriefError(f"{part.strip()!r} is not a measure: write NAME LOW-HIGH, e.g. 'ORS 0-40'")
        name, low, high = match.group(1).strip(), float(match.group(2)), float(match.group(3))
        if low >= high:
            raise DebriefError(f"the scale of {name} must go from low to high, not {low:g}-{high:g}")
        measures.append(Measure(name, low, high))
    names = [m.name.lower() for m in measures]
    if len(names) != len(set(names)):
        raise DebriefError("each measure needs its own name")
    return tuple(measures)


def format_measures(measures: tuple[Measure, ...]) -> str:
    return ", ".join(f"{m.name} {m.low:g}-{m.high:g}" for m in measures)


@dataclass(frozen=True, slots=True)
class SessionDetails:
    title: str = ""
    """Overrides the title from the file's tags when set."""
    date: str = ""
    consent: str = ""
    """"yes", "no", or "" when it was not recorded."""
    consent_date: str = ""
    tags: tuple[str, ...] = ()
    outcomes: dict[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.consent not in CONSENT_VALUES:
            raise DebriefError("consent is yes, no, or not recorded")

    def to_dict(self) -> dict[str, Any]:
        return {"title": self.title, "date": self.date, "consent": self.consent, "consent_date": self.consent_date,
                "tags": list(self.tags), "outcomes": dict(self.outcomes)}

    @classmethod
    def from_dict(cls, data: Any) -> SessionDetails:
        if not isinstance(data, dict):
            return cls()
        consent = str(data.get("consent", ""))
        outcomes = {str(k): float(v) for k, v in (data.get("outcomes") or {}).items()
                    if isinstance(v, (int, float)) and math.isfinite(v)}
        return cls(str(data.get("title", "")), str(data.get("date", "")),
                   consent if consent in CONSENT_VALUES else "", str(data.get("consent_date", "")),
                   tuple(str(t) for t in data.get("tags") or ()), outcomes)


def parse_tags(text: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(t.strip() for t in text.split(",") if t.strip()))
