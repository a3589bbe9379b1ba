"""Who spoke when, offline: split by channel, or cluster the voice of speech windows.

Why this shape: Whisper's segments often run across a change of speaker (a short "yes" is
merged into the next person's sentence), so speakers are assigned per *word*, not per
segment. Silero VAD (shipped with faster-whisper) finds the speech; every 1.5 s window of
it, 0.75 s apart, is described by a GE2E speaker embedding (tui.media.voice_encoder: a
network trained to tell voices apart, run in numpy). Windows are grouped by spectral
clustering of their cosine affinities, the count taken from the largest eigengap and then
checked: two groups whose voices are as alike as one person's windows are one speaker.
Each word then takes the voice of the windows around it, through a Viterbi pass in which
changing speaker costs about a second of evidence mid-phrase and less at a pause or a
sentence end, so one or two words never flip alone and splits fall on word boundaries.

A segment's ``speaker_confidence`` is how clearly its windows prefer their own speaker's
voice over the next closest one (the cosine margin, against the typical margin of this
recording), so "low" marks the utterances worth checking (bench/bench_diarization.py
measures how well it does on real recordings).

Here: the diarizer and its word-level assignment. The windows and their embeddings are in
tui.media.speech_windows, the clustering in tui.media.speaker_clustering, remembered voices in
tui.media.voice_profiles, and whether stereo channels are speakers in tui.media.channel_speakers.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from tui.core.model import Segment, Word
from tui.errors import TranscriptError
from tui.media import voice_activity
from tui.media.speaker_clustering import cluster_k, estimate_groups, group_centroids
from tui.media.speech_windows import FRAME_RATE, SAMPLE_RATE, SpeechWindows, clean_regions, mono_16k
from tui.media.voice_evidence import evidence_of

SWITCH_SECONDS = 1.0
"""Seconds of typical evidence needed to change speaker in the middle of a phrase."""
SWITCH_SECONDS_AT_PAUSE = 0.3
"""... and at a pause or a sentence end: a short reply between pauses can be found."""
PAUSE = 0.25


def speech_regions(audio: np.ndarray, sample_rate: int = SAMPLE_RATE) -> list[tuple[float, float]]:
    """Stretches of speech (seconds): the same voice activity the figures use (tui.media.voice_activity)."""
    samples = mono_16k(audio, sample_rate)
    if len(samples) < SAMPLE_RATE // 10:
        return []
    return voice_activity.speech_regions(samples)


def diarize(
    audio: np.ndarray,
    segments: Sequence[Segment],
    *,
    num_speakers: int | None = None,
    sample_rate: int = SAMPLE_RATE,
    speech: Sequence[tuple[float, float]] | None = None,
) -> list[Segment]:
    """Label segments "S1", "S2", … (numbered by first appearance), split where the voice changes.

    ``num_speakers`` fixes the count; ``None`` estimates it between 1 and speaker_clustering.MAX_SPEAKERS.
    ``speech``: speech regions in seconds (from :func:`speech_regions`); found here if None.
    Segments without word timings are labelled whole. Works as well on a transcript that
    was diarized and split before (the old labels are ignored).
    """
    _check_count(num_speakers)
    audio = mono_16k(audio, sample_rate)
    if num_speakers == 1 or not segments:
        return separate(SpeechWindows.none(), segments, num_speakers=num_speakers)
    regions = clean_regions(speech if speech is not None else speech_regions(audio), len(audio) / SAMPLE_RATE)
    return separate(evidence_of(audio, regions), segments, num_speakers=num_speakers)


def separate(windows: SpeechWindows, segments: Sequence[Segment], *, num_speakers: int | None = None) -> list[Segment]:
    """As :func:`diarize`, from the voice evidence of the recording (tui.media.voice_evidence), not its samples.

    What is left of speaker separation once recognition has gathered the evidence window by
    window: the clustering and the words' Viterbi pass.
    """
    _check_count(num_speakers)
    ordered = sorted(segments, key=lambda s: (s.start, s.end))
    if not ordered:
        return []
    words = _words_of(ordered)
    if num_speakers == 1:
        return _label_all(ordered, "S1", 1.0)
    full = windows.full
    if full.sum() < 2:
        return _label_all(ordered, "S1", 1.0)
    if num_speakers is None:
        labels = estimate_groups(windows.embeddings[full], windows.weights[full])
    else:
        labels = cluster_k(windows.embeddings[full], windows.weights[full], min(num_speakers, int(full.sum())))
    k = int(labels.max()) + 1
    if k == 1:
        return _label_all(ordered, "S1", 1.0)
    centroids = group_centroids(windows.embeddings[full], labels, k)
    word_labels, evidence = _assign_words(windows, words, centroids)
    if num_speakers is None:
        # A voice left with almost no words was a split of another: assign again without it.
        for _ in range(k - 1):
            share = np.bincount(word_labels, weights=[w.end - w.start for w in words], minlength=len(centroids))
            share = share / max(share.sum(), 1e-9)
            minor = int(np.argmin(share))
            if len(centroids) <= 1 or share[minor] >= 0.03:
                break
            centroids = np.delete(centroids, minor, axis=0)
            if len(centroids) == 1:
                return _label_all(ordered, "S1", 1.0)
            word_labels, evidence = _assign_words(windows, words, centroids)
    return _split_segments(ordered, words, word_labels, evidence)


def _check_count(num_speakers: int | None) -> None:
    if num_speakers is not None and num_speakers < 1:
        raise TranscriptError(f"the number of speakers must be at least 1, not {num_speakers}")


# ---------------------------------------------------------------- word-level assignment


def _assign_words(windows: SpeechWindows, words: Sequence[_Word], centroids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(label per word, evidence per word: margin-seconds for its voice and seconds seen), by Viterbi.

    Each frame's evidence is the mean over the windows that cover it of each voice's cosine
    (centred across voices); a word's is the sum over its frames. Changing voice costs
    SWITCH_SECONDS of typical evidence, SWITCH_SECONDS_AT_PAUSE at a pause or sentence end.
    """
    k = len(centroids)
    sims = windows.embeddings @ centroids.T
    sims = sims - sims.mean(1, keepdims=True)
    n = max(windows.n_frames, int(windows.spans[:, 1].max()) + 1 if len(windows.spans) else 1)
    total = np.zeros((n + 1, k))
    count = np.zeros(n + 1)
    for (a, b), s in zip(windows.spans, sims):
        total[a] += s
        total[b] -= s
        count[a] += 1
        count[b] -= 1
    total = np.cumsum(total, axis=0)[:-1]
    count = np.cumsum(count)[:-1]
    frame = np.where(count[:, None] > 0, total / np.maximum(count, 1)[:, None], 0.0)
    cumulative = np.vstack([np.zeros((1, k)), np.cumsum(frame, axis=0)])
    spans = np.array([[int(w.start * FRAME_RATE), int(math.ceil(w.end * FRAME_RATE))] for w in words], dtype=int)
    spans = np.clip(spans, 0, n)
    scores = (cumulative[spans[:, 1]] - cumulative[spans[:, 0]]) / FRAME_RATE
    unit = windows.typical_margin(centroids)
    costs = np.array([SWITCH_SECONDS_AT_PAUSE if _boundary(words, i) else SWITCH_SECONDS
                      for i in range(len(words))]) * unit
    covered = (np.cumsum(np.concatenate([[0], count > 0]))[spans[:, 1]] - np.cumsum(np.concatenate([[0], count > 0]))[spans[:, 0]]) / FRAME_RATE
    labels = _viterbi(scores, costs)
    own = scores[np.arange(len(labels)), labels]
    rival = np.where(np.arange(k)[None, :] == labels[:, None], -np.inf, scores).max(1)
    # Per word: margin-seconds for its voice over the next best (in typical margins), seconds seen.
    return labels, np.stack([(own - rival) / unit, covered], axis=1)


def _boundary(words: Sequence[_Word], i: int) -> bool:
    """Whether a change of speaker before word ``i`` is natural: a pause or a sentence end."""
    if i == 0:
        return True
    return words[i].start - words[i - 1].end >= PAUSE or words[i - 1].ends_sentence


def _viterbi(scores: np.ndarray, costs: np.ndarray) -> np.ndarray:
    """Best label sequence for word ``scores`` (n, k) when changing speaker before word i costs costs[i]."""
    # Plain Python lists: with a few speakers, numpy's cost per call would dominate.
    n, k = scores.shape
    rows = scores.tolist()
    back: list[list[int]] = [list(range(k))]
    total = rows[0]
    for i in range(1, n):
        best = max(range(k), key=total.__getitem__)
        switch = total[best] - float(costs[i])
        back.append([best if switch > stay else j for j, stay in enumerate(total)])
        total = [max(stay, switch) + score for stay, score in zip(total, rows[i])]
    out = [0] * n
    out[-1] = max(range(k), key=total.__getitem__)
    for i in range(n - 1, 0, -1):
        out[i - 1] = back[i][out[i]]
    return np.array(out, dtype=int)


CONFIDENCE_SCALE = 1.0
"""Margin-seconds (in units of the recording's typical margin per second of speech) at which
confidence is 0.73: see _confidence."""


def _confidence(margin_seconds: float, seconds: float) -> float:
    """0..1 from the evidence an utterance carries for its speaker over the next best voice.

    The mean margin per second (in this recording's typical margins) through a logistic:
    0.5 when the evidence is even, ~0.88 at the typical margin, below 0.5 when the voice
    model prefers another speaker and only the turn smoothing kept this one.
    """
    if seconds <= 0:
        return 0.5
    rate = margin_seconds / seconds
    return float(1.0 / (1.0 + math.exp(-2.0 * rate / CONFIDENCE_SCALE)))


# ---------------------------------------------------------------- words and output


@dataclass(frozen=True, slots=True)
class _Word:
    segment: int
    index: int  # position in the segment's words; -1 for a segment without word timings
    start: float
    end: float
    ends_sentence: bool


def _words_of(segments: Sequence[Segment]) -> list[_Word]:
    """All words in time order; a segment without words counts as one word."""
    out: list[_Word] = []
    for si, seg in enumerate(segments):
        if seg.words:
            for wi, w in enumerate(seg.words):
                start = max(seg.start, min(w.start, seg.end)) if seg.end > seg.start else w.start
                text = w.text.strip()
                out.append(_Word(si, wi, float(start), float(max(start, w.end)), text.endswith((".", "?", "!"))))
        else:
            out.append(_Word(si, -1, float(seg.start), float(max(seg.start, seg.end)), True))
    return out


def _label_all(segments: Sequence[Segment], speaker: str, confidence: float) -> list[Segment]:
    return [replace(s, speaker=speaker, speaker_confidence=confidence) for s in segments]


def _split_segments(segments: Sequence[Segment], words: Sequence[_Word], labels: np.ndarray,
                    evidence: np.ndarray) -> list[Segment]:
    """Segments cut where the word labels change; ``evidence`` (words, 2) is margin-seconds and seconds."""
    names: dict[int, str] = {}

    def name(label: int) -> str:
        if label not in names:
            names[label] = f"S{len(names) + 1}"
        return names[label]

    def confidence(items: Sequence[tuple[int, _Word, int]]) -> float:
        rows = evidence[[i for i, _, _ in items]]
        return round(_confidence(float(rows[:, 0].sum()), float(rows[:, 1].sum())), 3)

    by_segment: dict[int, list[tuple[int, _Word, int]]] = {}
    for i, (w, label) in enumerate(zip(words, labels)):
        by_segment.setdefault(w.segment, []).append((i, w, int(label)))
    out: list[Segment] = []
    for si, seg in enumerate(segments):
        items = by_segment.get(si, [])
        if not seg.words or not items:
            label = items[0][2] if items else 0
            out.append(replace(seg, speaker=name(label), speaker_confidence=confidence(items) if items else 0.5))
            continue
        runs = [list(g) for _, g in itertools.groupby(items, key=lambda item: item[2])]
        if len(runs) == 1:
            out.append(replace(seg, speaker=name(runs[0][0][2]), speaker_confidence=confidence(runs[0])))
            continue
        for r, run in enumerate(runs):
            seg_words: tuple[Word, ...] = tuple(seg.words[w.index] for _, w, _ in run)
            start = seg.start if r == 0 else seg_words[0].start
            end = seg.end if r == len(runs) - 1 else seg_words[-1].end
            text = " ".join(w.text.strip() for w in seg_words if w.text.strip())
            out.append(Segment(start, max(start, end), text, name(run[0][2]), seg_words, confidence(run)))
    return out


# ---------------------------------------------------------------- small helpers


def speech_of(audio: np.ndarray, segments: Sequence[Segment]) -> np.ndarray:
    """The samples under the words of ``segments``, joined: what one voice said."""
    pieces = []
    for w in _words_of(sorted(segments, key=lambda s: s.start)):
        a, b = int(w.start * SAMPLE_RATE), int(math.ceil(w.end * SAMPLE_RATE))
        pieces.append(audio[max(0, a):max(0, b)])
    return np.concatenate(pieces) if pieces else np.zeros(0, np.float32)

