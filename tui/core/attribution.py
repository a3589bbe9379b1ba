"""How sure the transcript is of who said what, and keeping speaker ids across a re-run.

Why: figures built on a wrong speaker look exactly as confident as right ones. The voice
model gives each utterance a confidence; the few doubtful ones are shown and reachable
in one key, and a figure that leans on them says so (``≈``), so a reviewer fixes the
utterances that matter instead of trusting or re-checking everything.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from tui.core.activity import Span, speech_spans, union
from tui.core.model import Segment, Transcript

DOUBTFUL_BELOW = 0.7
"""An utterance whose speaker confidence is under this is worth a reviewer's look. Measured
on 472 utterances (bench/bench_diarization.py): under 0.5 all 13 were wrong, 0.5-0.7 half
of 17, 0.7-0.8 one in seven, above 0.8 one in 400; the flagged 6 % hold 21 of 27 errors."""

APPROXIMATE_SHARE = 0.1
"""A speaker's figures read as approximate (``≈``) when more than this share of their talk
time is in doubtful utterances."""


APPROXIMATE_NOTE = ("≈ rests on uncertain speaker attribution: some of this person's utterances may be "
                    "someone else's (the reviewer can check them with ! in Debrief)")
"""Said under any table that marks a figure with ``≈``."""


def doubtful(seg: Segment) -> bool:
    return seg.speaker_confidence is not None and seg.speaker_confidence < DOUBTFUL_BELOW


def doubtful_share(transcript: Transcript, spans: Sequence[Sequence[Span]] | None = None) -> dict[str, float]:
    """Per speaker, the share of their talk time spent in doubtful utterances (0 when none).

    ``spans``: each segment's ``speech_spans``, in order, if the caller already has them.
    """
    talk: dict[str, float] = {}
    doubt: dict[str, float] = {}
    for index, seg in enumerate(transcript.segments):
        seconds = sum(b - a for a, b in (speech_spans(seg) if spans is None else spans[index]))
        talk[seg.speaker] = talk.get(seg.speaker, 0.0) + seconds
        if doubtful(seg):
            doubt[seg.speaker] = doubt.get(seg.speaker, 0.0) + seconds
    return {sid: (doubt.get(sid, 0.0) / total if total > 0 else 0.0) for sid, total in talk.items()}


def carry_speaker_ids(before: Sequence[Segment], after: Sequence[Segment]) -> list[Segment]:
    """``after`` relabelled so that each voice keeps the id it had in ``before`` where they agree.

    Speakers are separated again (another count, a better model) on the same words; the
    reviewer's names, roles and corrections are kept by speaker id, so a voice that was
    "S2" (named Sam) must stay "S2". New labels are matched to old ones by the talk time
    they share, largest first; a voice with no counterpart gets the next unused id.
    """
    shared = {(new_id, old_id): _common(new_spans, old_spans)
              for new_id, new_spans in _talk_by_speaker(after).items()
              for old_id, old_spans in _talk_by_speaker(before).items()}
    mapping: dict[str, str] = {}
    for (new_id, old_id), seconds in sorted(shared.items(), key=lambda item: -item[1]):
        if seconds > 0 and new_id not in mapping and old_id not in mapping.values():
            mapping[new_id] = old_id
    taken = set(mapping.values()) | {s.speaker for s in before}
    number = 1
    for new_id in dict.fromkeys(s.speaker for s in after):
        if new_id in mapping:
            continue
        while f"S{number}" in taken:
            number += 1
        mapping[new_id] = f"S{number}"
        taken.add(mapping[new_id])
    return [replace(s, speaker=mapping[s.speaker]) for s in after]


def _talk_by_speaker(segments: Sequence[Segment]) -> dict[str, list[Span]]:
    spans: dict[str, list[Span]] = {}
    for seg in segments:
        spans.setdefault(seg.speaker, []).extend(speech_spans(seg))
    return {sid: union(found) for sid, found in spans.items()}


def _common(first: list[Span], second: list[Span]) -> float:
    """Seconds in both sorted, merged span lists (one linear walk)."""
    i = j = 0
    seconds = 0.0
    while i < len(first) and j < len(second):
        a, b = first[i]
        c, d = second[j]
        seconds += max(0.0, min(b, d) - max(a, c))
        if b < d:
            i += 1
        else:
            j += 1
    return seconds
