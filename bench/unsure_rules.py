"""Which batched chunks sound unsure, judged by their words' probabilities (rules bench_unsure.py judges).

Batched recognition has no temperature fallback and Whisper's failure test (mean log-probability
of the whole chunk) misses a few misheard words in a confident chunk; the words' own
probabilities are the finer signal. Pure functions over a chunk's word probabilities, so the
rule can be measured (bench/bench_unsure.py) apart from decoding.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

Rule = Callable[[Sequence[float]], bool]


def share_rule(below: float = 0.5, share: float = 0.15) -> Rule:
    """Unsure when more than ``share`` of the words have probability under ``below``."""
    def unsure(probabilities: Sequence[float]) -> bool:
        return bool(probabilities) and sum(p < below for p in probabilities) > share * len(probabilities)
    return unsure


def run_rule(length: int = 3, below: float = 0.4) -> Rule:
    """Unsure when some ``length`` words in a row have a mean probability under ``below``."""
    def unsure(probabilities: Sequence[float]) -> bool:
        return bool(_unsure_runs(probabilities, length, below))
    return unsure


def mean_rule(below: float = 0.75) -> Rule:
    """Unsure when the words' mean probability is under ``below``."""
    def unsure(probabilities: Sequence[float]) -> bool:
        return bool(probabilities) and sum(probabilities) / len(probabilities) < below
    return unsure


def unsure_stretches(probabilities: Sequence[float], length: int = 3, below: float = 0.4,
                     widen: int = 2) -> list[tuple[int, int]]:
    """The unsure runs as word index ranges ``[first, stop)``, widened by ``widen`` words, overlaps joined."""
    spans: list[tuple[int, int]] = []
    for first in _unsure_runs(probabilities, length, below):
        a, b = max(0, first - widen), min(len(probabilities), first + length + widen)
        if spans and a <= spans[-1][1]:
            spans[-1] = (spans[-1][0], max(spans[-1][1], b))
        else:
            spans.append((a, b))
    return spans


def _unsure_runs(probabilities: Sequence[float], length: int, below: float) -> list[int]:
    """Start indices of the runs of ``length`` words (fewer if the chunk is shorter) whose mean is under ``below``."""
    n = min(length, len(probabilities))
    if n == 0:
        return []
    return [i for i in range(len(probabilities) - n + 1) if sum(probabilities[i:i + n]) / n < below]


def unheard_voice(voice: Sequence[tuple[float, float]], words: Sequence[tuple[float, float]],
                  margin: float = 0.5) -> float:
    """Seconds of ``voice`` (start, end) farther than ``margin`` from every word (start, end): speech left out."""
    near = sorted((a - margin, b + margin) for a, b in words)
    total = 0.0
    for start, end in voice:
        at = start
        for a, b in near:
            if b <= at:
                continue
            if a >= end:
                break
            total += max(0.0, a - at)
            at = max(at, b)
            if at >= end:
                break
        total += max(0.0, end - at)
    return total


def too_few_words(words: int, voice_seconds: float, per_second: float = 1.0) -> bool:
    """A chunk that stopped early: fewer than ``per_second`` words per second of its voice (speech runs 2-3)."""
    return voice_seconds > 0 and words < per_second * voice_seconds
