"""The transcript the reviewer sees: as transcribed, with their speaker fixes and names applied.

Corrections and names live in the annotations, never in the cached transcript, so that
transcribing again or separating the voices again keeps them. This object owns the three
inputs (what was transcribed, the corrections, the names) and everything derived from them:
the shown transcript, its time index, the running talk share and the session's figures.
Pure: it computes, the store is read and written elsewhere.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from tui.core.analytics import SessionStats, TalkShareIndex, session_stats
from tui.core.corrections import Corrections, apply, named_speakers
from tui.core.model import Segment, Transcript
from tui.core.timeline import SegmentIndex


@dataclass
class CorrectedTranscript:
    raw: Transcript = field(default_factory=Transcript)
    """As transcribed or imported, before the reviewer's corrections (what the cache holds)."""
    corrections: Corrections = field(default_factory=Corrections)
    names: dict[str, Any] = field(default_factory=dict)
    """speaker id -> {"name", "role"}: the reviewer's names, as last read from the store."""
    shown: Transcript = field(default_factory=Transcript)
    index: SegmentIndex = field(default_factory=lambda: SegmentIndex(()))
    _talk: TalkShareIndex | None = None
    _stats: tuple[Transcript, SessionStats] | None = None

    def __post_init__(self) -> None:
        self.rebuild()

    def rebuild(self, raw: Transcript | None = None, *, corrections: Corrections | None = None,
                names: dict[str, Any] | None = None) -> None:
        """Apply the corrections and names (the new ones given, else the current) to ``raw``."""
        self.raw = self.raw if raw is None else raw
        self.corrections = self.corrections if corrections is None else corrections
        self.names = self.names if names is None else names
        fixed = apply(self.raw, self.corrections)
        self.shown = replace(fixed, speakers=named_speakers(fixed, self.names))
        self.index = SegmentIndex(self.shown.segments)
        self._talk = TalkShareIndex(Transcript(self.index.segments, self.shown.speakers))

    def add_segment(self, segment: Segment) -> None:
        """A segment arrived from a running transcription."""
        self.rebuild(replace(self.raw, segments=self.raw.segments + (segment,), complete=False))

    def as_transcribed(self, *, complete: bool) -> Transcript:
        return replace(self.raw, complete=complete)

    @property
    def segments(self) -> tuple[Segment, ...]:
        """In time order (the index sorts them)."""
        return self.index.segments

    def label(self, speaker_id: str) -> str:
        for sp in self.shown.speakers:
            if sp.id == speaker_id:
                return sp.label
        return speaker_id

    def stats(self, duration: float) -> SessionStats:
        """The session's figures, worked out once per transcript; moments index :attr:`segments`."""
        if self._stats is None or self._stats[0] is not self.shown:
            sorted_view = Transcript(self.segments, self.shown.speakers, duration)
            self._stats = (self.shown, session_stats(sorted_view, duration=duration))
        return self._stats[1]

    def talk_share_until(self, t: float) -> dict[str, float]:
        return self._talk.share_until(t) if self._talk is not None and self.segments else {}

