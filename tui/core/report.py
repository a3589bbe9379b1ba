"""Everything an export shows about one session, gathered once for every format."""

from __future__ import annotations

from dataclasses import dataclass, field

from tui.core.analytics import SessionStats
from tui.core.model import Mark, SessionInfo, Speaker, Transcript


@dataclass(frozen=True, slots=True)
class SessionReport:
    info: SessionInfo
    speakers: tuple[Speaker, ...]
    """With the names and roles the reviewer gave."""
    transcript: Transcript
    marks: tuple[Mark, ...]
    """Shareable marks only: never deleted or private ones."""
    stats: SessionStats
    focus_goal: str = ""
    """The growth edge the reviewer is working on across a series ("wait 5 s after questions")."""
    intention: str = ""
    """Look-fors written before the review."""
    summary: str = ""
    """What the reviewer concluded, with next steps."""
    consent: str = ""
    """"yes", "no", or "" when not recorded (exports warn unless "yes")."""
    outcomes: dict[str, float] = field(default_factory=dict)
    """Outcome measures the reviewer typed in for this session (e.g. ORS, SRS)."""

    def label(self, speaker_id: str) -> str:
        for sp in self.speakers:
            if sp.id == speaker_id:
                return sp.label
        return speaker_id
