"""The figures of one session, as data: what tui.core.analytics computes and every view shows.

Why a module of its own: the walk through the session (tui.core.session_walk) builds these
while tui.core.analytics assembles them, and neither should import the other to get them.
Callers import them from tui.core.analytics, which re-exports them.
"""

from __future__ import annotations

from dataclasses import dataclass

from tui.core.attribution import APPROXIMATE_SHARE

SHORT_WAIT_SECONDS = 3.0
"""Waits shorter than this count in ``under_3s_share`` (the classic wait-time research threshold)."""


@dataclass(frozen=True, slots=True)
class Moment:
    """A place to jump to: ``segment_index`` indexes ``transcript.segments`` as given."""

    start: float
    end: float
    segment_index: int
    """-1 only for a silence in a recording with no utterances at all."""
    label: str


@dataclass(frozen=True, slots=True)
class WaitStats:
    count: int
    median_seconds: float | None
    """``None`` when no question was answered."""
    under_3s_share: float | None
    mean_seconds: float | None
    rescued: int = 0
    """Questions after which the asker spoke again before anyone replied."""


@dataclass(frozen=True, slots=True)
class SpeakerStats:
    id: str
    name: str
    role: str
    talk_seconds: float
    talk_share: float
    turns: int
    mean_turn_seconds: float
    longest_turn_seconds: float
    questions: int
    open_questions: int
    closed_questions: int
    words: int
    words_per_minute: float
    monologues: int
    interruptions: int = 0
    backchannels: int = 0
    wait_after_questions: WaitStats = WaitStats(0, None, None, None)
    """Waits after this speaker's own questions."""
    doubtful_share: float = 0.0
    """Share of their talk time in utterances whose speaker the voice model was unsure of."""

    @property
    def approximate(self) -> bool:
        """Their figures rest on uncertain attribution: shown with ``≈``."""
        return self.doubtful_share > APPROXIMATE_SHARE


@dataclass(frozen=True, slots=True)
class SessionStats:
    duration: float
    talk_seconds: float
    silence_seconds: float
    overlap_seconds: float
    speakers: dict[str, SpeakerStats]
    wait_after_questions: WaitStats
    figures: dict[str, tuple[Moment, ...]]
    """Figure key (see :func:`figure_key`) -> the moments behind that figure, in time order."""
    turns: int = 0
    interruptions: int = 0
    monologue_seconds: float = 45.0
    silence_threshold: float = 2.0
    language: str = "en"
    """The session's language: questions are counted with its rules (English, Spanish, German;
    other languages by question marks only, see :func:`tui.core.languages.english_only_note`)."""

    def moments(self, name: str, speaker_id: str | None = None) -> tuple[Moment, ...]:
        return self.figures.get(figure_key(name, speaker_id), ())


FIGURE_NAMES = (
    "questions",
    "questions.open",
    "questions.closed",
    "turns",
    "longest_turn",
    "monologues",
    "interruptions",
    "backchannels",
    "waits",
    "waits.under_3s",
    "waits.rescued",
    "doubtful",
    "overlaps",
    "silences",
)
"""Figure names; all but ``overlaps`` and ``silences`` also exist per speaker. ``doubtful``:
utterances whose speaker the voice model was unsure of (worth a reviewer's look)."""


def figure_key(name: str, speaker_id: str | None = None) -> str:
    """``"questions.open"`` for the session, ``"questions.open.S1"`` for one speaker."""
    return name if speaker_id is None else f"{name}.{speaker_id}"
