"""The domain's data: what a transcript, a speaker and a mark are.

Plain frozen dataclasses, so that every layer can pass them around without fear of
one pane mutating another's view. ``to_dict``/``from_dict`` give the one JSON shape
used by the store, the transcript cache and the JSON export.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from typing import Any

DEFAULT_TAG = "growth-edge"


@dataclass(frozen=True, slots=True)
class Word:
    start: float
    end: float
    text: str
    probability: float = 1.0

    def to_dict(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end, "text": self.text, "probability": self.probability}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Word:
        return cls(
            start=float(data["start"]),
            end=float(data["end"]),
            text=str(data["text"]),
            probability=float(data.get("probability", 1.0)),
        )


@dataclass(frozen=True, slots=True)
class Segment:
    """One utterance: a stretch of speech by one speaker."""

    start: float
    end: float
    text: str
    speaker: str = "S1"
    words: tuple[Word, ...] = ()
    speaker_confidence: float | None = None
    """How sure the voice model is that ``speaker`` said this (0..1); ``None`` when nobody
    had to guess (one channel per speaker, an imported transcript, a reviewer's correction)."""

    @property
    def duration(self) -> float:
        return max(0.0, self.end - self.start)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "start": self.start,
            "end": self.end,
            "speaker": self.speaker,
            "text": self.text,
            "words": [w.to_dict() for w in self.words],
        }
        if self.speaker_confidence is not None:
            data["speaker_confidence"] = self.speaker_confidence
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Segment:
        return cls(
            start=float(data["start"]),
            end=float(data["end"]),
            text=str(data["text"]),
            speaker=str(data.get("speaker", "S1")),
            words=tuple(Word.from_dict(w) for w in data.get("words", ())),
            speaker_confidence=_confidence(data.get("speaker_confidence")),
        )


def _confidence(value: Any) -> float | None:
    if value is None:
        return None
    number = float(value)
    return min(1.0, max(0.0, number)) if number == number else None


@dataclass(frozen=True, slots=True)
class Speaker:
    """A voice in the recording. ``id`` is stable; ``name`` and ``role`` are the reviewer's."""

    id: str
    name: str = ""
    role: str = ""
    match: float = 0.0
    """How sure Debrief is that this voice is the remembered ``name`` (0 < match < 1: guessed
    from a voice profile, not confirmed by the reviewer; 0: named by hand or unnamed)."""

    @property
    def label(self) -> str:
        return self.name or self.role or self.id

    @property
    def guessed(self) -> bool:
        return 0.0 < self.match < 1.0

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "name": self.name, "role": self.role}
        if self.match:
            data["match"] = self.match
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Speaker:
        return cls(id=str(data["id"]), name=str(data.get("name", "")), role=str(data.get("role", "")),
                   match=float(data.get("match", 0.0)))


@dataclass(frozen=True, slots=True)
class Transcript:
    """Everything regenerable about a recording's speech."""

    segments: tuple[Segment, ...] = ()
    speakers: tuple[Speaker, ...] = ()
    duration: float = 0.0
    language: str = "en"
    source: str = ""
    """Where it came from: a model name, or ``import:<file name>``."""
    complete: bool = True
    """False while transcription is still running or was cancelled part-way."""
    language_probability: float | None = None
    """How sure the model was of ``language`` when it detected it (0..1); None when the
    language was given (``--language``), assumed (an English-only model) or imported."""

    def speaker(self, speaker_id: str) -> Speaker:
        for sp in self.speakers:
            if sp.id == speaker_id:
                return sp
        return Speaker(speaker_id)

    def to_dict(self) -> dict[str, Any]:
        return {
            "segments": [s.to_dict() for s in self.segments],
            "speakers": [s.to_dict() for s in self.speakers],
            "duration": self.duration,
            "language": self.language,
            "source": self.source,
            "complete": self.complete,
            **({"language_probability": self.language_probability} if self.language_probability is not None else {}),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Transcript:
        return cls(
            segments=tuple(Segment.from_dict(s) for s in data.get("segments", ())),
            speakers=tuple(Speaker.from_dict(s) for s in data.get("speakers", ())),
            duration=float(data.get("duration", 0.0)),
            language=str(data.get("language", "en")),
            source=str(data.get("source", "")),
            complete=bool(data.get("complete", True)),
            language_probability=_confidence(data.get("language_probability")),
        )


@dataclass(frozen=True, slots=True)
class Mark:
    """A moment the reviewer marked: the one thing Debrief holds that cannot be regenerated."""

    id: str
    start: float
    end: float | None = None
    tag: str = DEFAULT_TAG
    note: str = ""
    author: str = ""
    created: str = ""
    """ISO 8601 UTC timestamp."""
    updated: str = ""
    private: bool = False
    """Private notes never leave the app (exports skip them)."""
    deleted: bool = False
    """Soft deletion, so that a deleted mark can be undone and recovered."""
    source: str = ""
    """Where the mark came from when not typed here: ``"feedback"`` for a mentor's imported comment."""

    def with_changes(self, **changes: Any) -> Mark:
        return replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        if not self.source:
            del data["source"]  # marks typed here are stored exactly as before the field existed
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Mark:
        end = data.get("end")
        return cls(
            id=str(data["id"]),
            start=float(data["start"]),
            end=None if end is None else float(end),
            tag=str(data.get("tag", DEFAULT_TAG)),
            note=str(data.get("note", "")),
            author=str(data.get("author", "")),
            created=str(data.get("created", "")),
            updated=str(data.get("updated", "")),
            private=bool(data.get("private", False)),
            deleted=bool(data.get("deleted", False)),
            source=str(data.get("source", "")),
        )


@dataclass(frozen=True, slots=True)
class SessionInfo:
    """What is known about a recording without listening to it."""

    id: str
    """Content hash: a moved or renamed file keeps its notes."""
    path: str
    title: str
    duration: float
    date: str = ""
    tags: tuple[str, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "path": self.path,
            "title": self.title,
            "duration": self.duration,
            "date": self.date,
            "tags": list(self.tags),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SessionInfo:
        return cls(
            id=str(data["id"]),
            path=str(data.get("path", "")),
            title=str(data.get("title", "")),
            duration=float(data.get("duration", 0.0)),
            date=str(data.get("date", "")),
            tags=tuple(data.get("tags", ())),
        )
