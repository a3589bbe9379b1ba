"""The reviewer's corrections to who said what, applied on top of any transcript.

Corrections are annotations, never edits of the transcript cache: they are kept by
time, not by segment number, so they still apply after the recording is transcribed
again (segment boundaries move a little; a stretch of time keeps its speaker).

- ``merges``: speaker id -> the id it was merged into ("S3 is really S1").
- ``assignments``: stretches of time given to a speaker ("this utterance was Sam").
- ``splits``: times at which an utterance is cut in two (at the nearest word boundary).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from tui.core.model import Segment, Speaker, Transcript


@dataclass(frozen=True, slots=True)
class Assignment:
    start: float
    end: float
    speaker: str

    def covers(self, seg: Segment) -> bool:
        middle = (seg.start + seg.end) / 2
        return self.start <= middle < self.end


@dataclass(frozen=True, slots=True)
class Corrections:
    merges: dict[str, str] = field(default_factory=dict)
    assignments: tuple[Assignment, ...] = ()
    splits: tuple[float, ...] = ()
    new_speakers: tuple[str, ...] = ()
    """Speakers the reviewer added (e.g. a third voice the clustering missed)."""

    @property
    def empty(self) -> bool:
        return not (self.merges or self.assignments or self.splits or self.new_speakers)

    def to_dict(self) -> dict[str, Any]:
        return {
            "merges": dict(self.merges),
            "assignments": [{"start": a.start, "end": a.end, "speaker": a.speaker} for a in self.assignments],
            "splits": list(self.splits),
            "new_speakers": list(self.new_speakers),
        }

    @classmethod
    def from_dict(cls, data: Any) -> Corrections:
        if not isinstance(data, dict):
            return cls()
        return cls(
            merges={str(k): str(v) for k, v in (data.get("merges") or {}).items()},
            assignments=tuple(
                Assignment(float(a["start"]), float(a["end"]), str(a["speaker"]))
                for a in data.get("assignments") or () if isinstance(a, dict)
            ),
            splits=tuple(sorted(float(t) for t in data.get("splits") or ())),
            new_speakers=tuple(str(s) for s in data.get("new_speakers") or ()),
        )

    # -- making new corrections ---------------------------------------------------------

    def assign(self, seg: Segment, speaker: str) -> Corrections:
        kept = tuple(a for a in self.assignments if not a.covers(seg))
        return replace(self, assignments=kept + (Assignment(seg.start, max(seg.end, seg.start + 0.01), speaker),))

    def merge(self, source: str, target: str) -> Corrections:
        if source == target:
            return self
        merges = {k: (target if v == source else v) for k, v in self.merges.items()}
        merges[source] = target
        return replace(self, merges=merges)

    def split_at(self, t: float) -> Corrections:
        return replace(self, splits=tuple(sorted(set(self.splits) | {round(t, 3)})))

    def add_speaker(self, speaker: str) -> Corrections:
        return replace(self, new_speakers=self.new_speakers + (speaker,))


def apply(transcript: Transcript, corrections: Corrections) -> Transcript:
    """The transcript as the reviewer corrected it."""
    if corrections.empty:
        return transcript
    segments: list[Segment] = []
    for seg in transcript.segments:
        segments.extend(_split(seg, corrections.splits))
    fixed = []
    for seg in segments:
        speaker = seg.speaker
        assigned = False
        for a in corrections.assignments:
            if a.covers(seg):
                speaker, assigned = a.speaker, True
        speaker = _resolve(speaker, corrections.merges)
        if assigned:  # the reviewer said who it was: no longer in doubt
            fixed.append(replace(seg, speaker=speaker, speaker_confidence=None))
        else:
            fixed.append(replace(seg, speaker=speaker) if speaker != seg.speaker else seg)
    ids = [s.id for s in transcript.speakers] + [s for s in corrections.new_speakers]
    used = {s.speaker for s in fixed}
    speakers = []
    for sid in dict.fromkeys(_resolve(i, corrections.merges) for i in ids):
        if sid in used or sid in corrections.new_speakers:
            speakers.append(transcript.speaker(sid) if any(s.id == sid for s in transcript.speakers) else Speaker(sid))
    for sid in sorted(used - {s.id for s in speakers}):
        speakers.append(Speaker(sid))
    return replace(transcript, segments=tuple(fixed), speakers=tuple(speakers))


def next_speaker_id(existing: list[str]) -> str:
    n = 1
    while f"S{n}" in existing:
        n += 1
    return f"S{n}"


def _resolve(speaker: str, merges: dict[str, str]) -> str:
    seen = set()
    while speaker in merges and speaker not in seen:
        seen.add(speaker)
        speaker = merges[speaker]
    return speaker


def _split(seg: Segment, splits: tuple[float, ...]) -> list[Segment]:
    """Cut ``seg`` at each split time inside it, on word boundaries when there are words."""
    cuts = [t for t in splits if seg.start < t < seg.end]
    if not cuts:
        return [seg]
    if not seg.words:
        return _split_text_by_time(seg, cuts)
    pieces: list[Segment] = []
    words = list(seg.words)
    for t in cuts + [float("inf")]:
        take = [w for w in words if (w.start + w.end) / 2 < t]
        words = words[len(take):]
        if take:
            pieces.append(Segment(take[0].start, take[-1].end, " ".join(w.text for w in take), seg.speaker,
                                  tuple(take)))
    return pieces or [seg]


def _split_text_by_time(seg: Segment, cuts: list[float]) -> list[Segment]:
    words = seg.text.split()
    if len(words) < 2:
        return [seg]
    pieces = []
    bounds = [seg.start, *cuts, seg.end]
    used = 0
    for a, b in zip(bounds, bounds[1:]):
        share = round(len(words) * (b - seg.start) / seg.duration) if b < seg.end else len(words)
        chunk = words[used:max(used + 1, share)]
        used += len(chunk)
        if chunk:
            pieces.append(Segment(a, b, " ".join(chunk), seg.speaker))
    return pieces


def named_speakers(transcript: Transcript, names: Mapping[str, Any]) -> tuple[Speaker, ...]:
    """The transcript's speakers with the names and roles the reviewer gave them (id -> {name, role})."""
    ids = [s.id for s in transcript.speakers] or sorted({s.speaker for s in transcript.segments})
    result = []
    for sid in ids:
        base = transcript.speaker(sid)
        named = names.get(sid, {})
        if named:  # named by the reviewer: confirmed, no longer a guess from a voice profile
            result.append(Speaker(sid, named.get("name", base.name), named.get("role", base.role)))
        else:
            result.append(base)
    return tuple(result)
