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
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from tui.core.model import Segment, Word
from tui.errors import MediaError, TranscriptError
from tui.media import voice_activity, voice_encoder as ve

SAMPLE_RATE = ve.SAMPLE_RATE
FRAME_RATE = ve.FRAME_RATE
MAX_SPEAKERS = 8

WINDOW = 1.5
"""Seconds of speech per embedding: long enough for a stable voice, short enough for one turn."""
HOP = 0.75
"""Seconds between windows (half a window: every moment of speech is seen twice)."""
MIN_WINDOW = 0.4
"""A stretch of speech shorter than this (alone between pauses) is not embedded."""
SAME_VOICE = 0.92
"""Cosine between two groups' mean voices above which they are one speaker. One voice split
in two lay at 0.93-0.96 (sample-session voices alone); two women on one phone line at 0.88,
other real pairs below 0.84 (bench/bench_diarization.py reports the sensitivity)."""
MIN_GROUP = 3
"""Fewest full windows (about 3 s of speech in all) for a voice to count as a speaker of its own
when the count is estimated."""
SWITCH_SECONDS = 1.0
"""Seconds of typical evidence needed to change speaker in the middle of a phrase."""
SWITCH_SECONDS_AT_PAUSE = 0.3
"""... and at a pause or a sentence end: a short reply between pauses can be found."""
PAUSE = 0.25
PROFILE_VERSION = "ge2e-256"
PROFILE_SIZE = ve.EMBEDDING_SIZE


# ---------------------------------------------------------------- public API


def channels_are_separate_speakers(audio: np.ndarray) -> bool:
    """True when each of two channels mostly carries its own voice (call recorder, two mics).

    A mono recording copied to both channels, or one room heard by two microphones, puts
    the same sound on both sides (high cross-correlation at a small lag, similar levels):
    splitting it would transcribe everything twice. Separate speakers give channels that
    are unrelated or where one side clearly dominates, and each side has speech of its own.
    """
    audio = np.asarray(audio, dtype=np.float32)
    if audio.ndim != 2 or audio.shape[0] != 2:
        raise MediaError("channel separation needs two channels of audio")
    if audio.shape[1] < SAMPLE_RATE // 2 or not np.all(np.isfinite(audio)):
        return False
    block = SAMPLE_RATE // 2
    n_blocks = audio.shape[1] // block
    # An hour needs no more than ~10 minutes of evidence: take evenly spread blocks.
    chosen = np.unique(np.linspace(0, n_blocks - 1, min(n_blocks, 1200)).astype(int))
    blocks = np.stack([audio[:, i * block:(i + 1) * block] for i in chosen], axis=1)  # (2, b, block)
    level = 10 * np.log10(np.mean(blocks.astype(np.float64) ** 2, axis=2) + 1e-12)  # (2, b)
    floor = np.percentile(level, 10, axis=1, keepdims=True)
    active = (level > floor + 6.0) & (level > -60.0)
    either = active[0] | active[1]
    if either.sum() < 2:
        return False
    correlation = _peak_correlation(blocks[0][either], blocks[1][either], max_lag=SAMPLE_RATE // 50)
    difference = level[0][either] - level[1][either]
    shared = (correlation > 0.5) & (np.abs(difference) < 10.0)
    own_left = active[0][either] & ((correlation < 0.3) | (difference > 10.0))
    own_right = active[1][either] & ((correlation < 0.3) | (difference < -10.0))
    return bool(shared.mean() < 0.2 and own_left.mean() >= 0.1 and own_right.mean() >= 0.1)


def speech_regions(audio: np.ndarray, sample_rate: int = SAMPLE_RATE) -> list[tuple[float, float]]:
    """Stretches of speech (seconds): the same voice activity the figures use (tui.media.voice_activity)."""
    samples = _mono_16k(audio, sample_rate)
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

    ``num_speakers`` fixes the count; ``None`` estimates it between 1 and MAX_SPEAKERS.
    ``speech``: speech regions in seconds (from :func:`speech_regions`); found here if None.
    Segments without word timings are labelled whole. Works as well on a transcript that
    was diarized and split before (the old labels are ignored).
    """
    if num_speakers is not None and num_speakers < 1:
        raise TranscriptError(f"the number of speakers must be at least 1, not {num_speakers}")
    audio = _mono_16k(audio, sample_rate)
    ordered = sorted(segments, key=lambda s: (s.start, s.end))
    if not ordered:
        return []
    words = _words_of(ordered)
    if num_speakers == 1:
        return _label_all(ordered, "S1", 1.0)
    regions = _clean_regions(speech if speech is not None else speech_regions(audio), len(audio) / SAMPLE_RATE)
    windows = _Windows(audio, regions)
    full = windows.full
    if full.sum() < 2:
        return _label_all(ordered, "S1", 1.0)
    if num_speakers is None:
        labels = _estimate(windows.embeddings[full], windows.weights[full])
    else:
        labels = _cluster_k(windows.embeddings[full], windows.weights[full], min(num_speakers, int(full.sum())))
    k = int(labels.max()) + 1
    if k == 1:
        return _label_all(ordered, "S1", 1.0)
    centroids = _centroids(windows.embeddings[full], labels, k)
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


def voice_embedding(audio: np.ndarray, segments_of_one_speaker: Sequence[Segment]) -> list[float]:
    """A voice profile to store in the library: the speaker's mean GE2E embedding (256 numbers).

    Comparable across recordings (the network was trained on many microphones and rooms),
    unlike anything normalised per recording.
    """
    speech = _speech_of(_mono_16k(audio, SAMPLE_RATE), segments_of_one_speaker)
    if len(speech) < SAMPLE_RATE // 2:
        raise TranscriptError("too little speech from this speaker to make a voice profile (need half a second)")
    return [round(float(x), 6) for x in ve.embed_utterance(speech, window=WINDOW, hop=HOP)]


def match_profiles(
    audio: np.ndarray,
    segments: Sequence[Segment],
    profiles: dict[str, list[float]],
) -> dict[str, tuple[str, float]]:
    """Speaker id -> (profile name, confidence 0..1) for speakers whose voice matches a profile.

    Each profile names at most one speaker; a speaker whose best match is weak is left out.
    Profiles of another length (made by an earlier version of Debrief) or damaged ones are
    skipped: they match nobody until the reviewer remembers the voice again.
    """
    audio = _mono_16k(audio, SAMPLE_RATE)
    names, stored = [], []
    for name in sorted(profiles):
        vec = _profile_vector(profiles[name])
        if vec is not None:
            names.append(name)
            stored.append(vec)
    if not stored:
        return {}
    by_speaker: dict[str, list[Segment]] = {}
    for seg in segments:
        by_speaker.setdefault(seg.speaker, []).append(seg)
    ids, found = [], []
    for speaker_id, segs in sorted(by_speaker.items()):
        speech = _speech_of(audio, segs)
        if len(speech) >= SAMPLE_RATE // 2:
            ids.append(speaker_id)
            found.append(ve.embed_utterance(speech, window=WINDOW, hop=HOP))
    if not ids:
        return {}
    confidence = np.array([[profile_confidence(f, s) for s in stored] for f in found])
    result: dict[str, tuple[str, float]] = {}
    for (i, j) in _best_assignment(confidence):
        if confidence[i, j] >= MATCH_THRESHOLD:
            result[ids[i]] = (names[j], round(float(confidence[i, j]), 3))
    return result


MATCH_THRESHOLD = 0.5
"""Confidence below which a voice is not named after a profile."""
_PROFILE_MIDPOINT = 0.90
_PROFILE_SPREAD = 0.015
"""Logistic in the cosine between mean voices: 0.5 at 0.90. Measured (bench): the same person's
profiles from the two halves of the real phone call at 0.92-0.94, the other person at 0.83-0.86;
the same espeak voice across generated sessions at 0.94 or more in 90% of pairs, other espeak
voices at 0.75 in the median but up to 0.92 (near twins)."""


def profile_confidence(found: Sequence[float], stored: Sequence[float]) -> float:
    """How sure we are that two voice profiles are the same person, 0..1 (0 if incomparable)."""
    a, b = _profile_vector(found), _profile_vector(stored)
    if a is None or b is None:
        return 0.0
    cosine = float(a @ b)
    return float(1.0 / (1.0 + math.exp(-(cosine - _PROFILE_MIDPOINT) / _PROFILE_SPREAD)))


def _profile_vector(values: object) -> np.ndarray | None:
    """The profile as a unit vector, or None if it is not a GE2E profile (old or damaged)."""
    try:
        vec = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError):
        return None
    if vec.shape != (PROFILE_SIZE,) or not np.all(np.isfinite(vec)):
        return None
    norm = float(np.linalg.norm(vec))
    return vec / norm if norm > 1e-9 else None


# ---------------------------------------------------------------- speech windows


def _clean_regions(regions: Sequence[tuple[float, float]], duration: float) -> list[tuple[float, float]]:
    out = []
    for start, end in sorted((float(a), float(b)) for a, b in regions):
        start, end = max(0.0, start), min(duration, end)
        if end <= start:
            continue
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


class _Windows:
    """GE2E embeddings of 1.5 s windows of speech, 0.75 s apart, inside each speech region.

    A region shorter than a window gets one window of its own frames, led by silence (zeros,
    as a recording's own silence looks to the network), if it lasts MIN_WINDOW at least.
    """

    def __init__(self, audio: np.ndarray, regions: Sequence[tuple[float, float]]) -> None:
        length = int(round(WINDOW * FRAME_RATE))
        hop = int(round(HOP * FRAME_RATE))
        shortest = int(round(MIN_WINDOW * FRAME_RATE))
        spans: list[tuple[int, int]] = []
        for start, end in regions:
            a, b = int(start * FRAME_RATE), int(math.ceil(end * FRAME_RATE))
            if b - a >= length:
                starts = list(range(a, b - length + 1, hop))
                if b - (starts[-1] + length) > hop // 3:
                    starts.append(b - length)  # the end of the region, not left out
                spans += [(s, s + length) for s in starts]
            elif b - a >= shortest:
                spans.append((a, b))
        self.spans = np.array(spans, dtype=int).reshape(-1, 2)
        self.n_frames = int(math.ceil(len(audio) / ve.HOP)) + 1
        if not spans:
            self.embeddings = np.zeros((0, ve.EMBEDDING_SIZE), np.float32)
        else:
            # The mel spectrogram of the speech only (silence between regions is never used),
            # and the windows embedded a batch at a time (bounded memory for an hour).
            mel = _mel_of_spans(ve.normalise_volume(audio), self.spans)
            parts = []
            for first in range(0, len(spans), _EMBED_BATCH):
                chunk = self.spans[first:first + _EMBED_BATCH]
                batch = np.zeros((len(chunk), length, ve.N_MELS), dtype=np.float32)
                for i, (a, b) in enumerate(chunk):
                    batch[i, length - (b - a):] = mel[a:b]
                parts.append(ve.embed_mels(batch))
            self.embeddings = np.concatenate(parts)
        self.weights = (self.spans[:, 1] - self.spans[:, 0]) / length if len(spans) else np.zeros(0)
        self.full = self.weights >= 2 / 3  # at least 1 s of speech: trusted for clustering

    def margins(self, centroids: np.ndarray) -> np.ndarray:
        """Per window: cosine to the closest voice minus cosine to the next closest."""
        sims = np.sort(self.embeddings @ centroids.T, axis=1)
        return sims[:, -1] - sims[:, -2]

    def typical_margin(self, centroids: np.ndarray) -> float:
        """The median margin of the full windows: this recording's unit of evidence."""
        if len(centroids) < 2 or not self.full.any():
            return 0.1
        return max(float(np.median(self.margins(centroids)[self.full])), 0.02)


_EMBED_BATCH = 512


def _mel_of_spans(audio: np.ndarray, spans: np.ndarray) -> np.ndarray:
    """Mel frames at every frame index, computed only where some span needs them (speech)."""
    n = int(spans[:, 1].max())
    mel = np.zeros((n, ve.N_MELS), dtype=np.float32)
    merged: list[list[int]] = []
    for a, b in sorted(map(tuple, spans.tolist())):
        if merged and a <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    half = ve.N_FFT // 2
    padded = np.pad(audio, (half, half + (n + 1) * ve.HOP))  # as the centred spectrogram pads
    for a, b in merged:
        # Frame t covers padded samples t*HOP .. t*HOP + N_FFT.
        frames = ve.mel_spectrogram(padded[a * ve.HOP:(b - 1) * ve.HOP + ve.N_FFT], center=False)
        mel[a:a + len(frames)] = frames[: b - a]
    return mel


# ---------------------------------------------------------------- clustering


_CLUSTER_LIMIT = 600
"""At most this many windows are clustered (evenly spread; ~12 minutes of speech): the voices'
means are all that the word assignment needs, and the eigen-decompositions stay cheap."""


def _subset(n: int) -> np.ndarray:
    return np.unique(np.linspace(0, n - 1, min(n, _CLUSTER_LIMIT)).round().astype(int))


def _pruned_affinity(embeddings: np.ndarray, keep: int) -> np.ndarray:
    """Cosine affinity keeping each window's ``keep`` nearest neighbours, made symmetric."""
    a = (embeddings @ embeddings.T).astype(np.float64)
    n = len(a)
    keep = min(max(keep, 2), n)
    threshold = np.partition(a, n - keep, axis=1)[:, n - keep][:, None]
    a = np.where(a >= threshold, a, 0.0)
    return np.clip((a + a.T) / 2, 0.0, None)


def _normalised(a: np.ndarray) -> np.ndarray:
    inv = 1.0 / np.sqrt(a.sum(1) + 1e-9)
    return a * inv[:, None] * inv[None, :]


_PRUNING = (0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5)
MIN_NEIGHBOURS = 10
"""Each window keeps at least this many neighbours (~7 s of speech) in the pruned graph:
fewer cut one voice into several small pieces that look apart (measured: three espeak
women came out as five with 5 neighbours kept)."""


def _eigengap_choice(embeddings: np.ndarray) -> tuple[int, np.ndarray]:
    """(count, pruned affinity): auto-tuned as in NME-SC (Park et al., 2019).

    For each pruning level, the count is where the normalised Laplacian's eigenvalues jump
    most (among the first MAX_SPEAKERS + 1); the level kept is the one whose jump is largest
    for the fewest neighbours kept, i.e. whose groups are most clearly apart.
    """
    n = len(embeddings)
    best: tuple[float, int, np.ndarray] | None = None
    tried = set()
    for share in _PRUNING:
        keep = min(n, max(int(round(share * n)), MIN_NEIGHBOURS))
        if keep in tried:
            continue
        tried.add(keep)
        a = _pruned_affinity(embeddings, keep)
        values = 1.0 - np.linalg.eigvalsh(_normalised(a))[::-1]  # Laplacian's, ascending
        top = values[: min(MAX_SPEAKERS, n - 1) + 1]
        gaps = np.diff(top)
        k = int(np.argmax(gaps)) + 1
        ratio = (keep / n) / max(float(gaps.max()), 1e-9)
        if best is None or ratio < best[0]:
            best = (ratio, k, a)
    assert best is not None
    return best[1], best[2]


def _spectral_labels(a: np.ndarray, weights: np.ndarray, k: int) -> np.ndarray:
    if k <= 1:
        return np.zeros(len(a), int)
    u = _top_eigenvectors(_normalised(a), k)
    vectors = u / (np.linalg.norm(u, axis=1, keepdims=True) + 1e-9)
    return _kmeans(vectors, k, weights)


def _estimate(embeddings: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Labels of the windows with the count estimated (1..MAX_SPEAKERS).

    The eigengap proposes a count; it is lowered while some group has fewer than MIN_GROUP
    windows (too little speech to tell a voice from a moment of one: a short recording of
    one person otherwise falls apart), and groups as alike as one voice are joined.
    """
    if len(embeddings) < 2 * MIN_GROUP:
        return np.zeros(len(embeddings), int)
    chosen = _subset(len(embeddings))
    k, a = _eigengap_choice(embeddings[chosen])
    labels = np.zeros(len(chosen), int)
    while k >= 2:
        labels = _spectral_labels(a, weights[chosen], k)
        if np.bincount(labels, minlength=k).min() >= MIN_GROUP:
            break
        k -= 1
    if k < 2:
        return np.zeros(len(embeddings), int)
    labels = _merge_alike(embeddings[chosen], labels)
    return _nearest(embeddings, _centroids(embeddings[chosen], labels, int(labels.max()) + 1))


def _cluster_k(embeddings: np.ndarray, weights: np.ndarray, k: int) -> np.ndarray:
    if k <= 1:
        return np.zeros(len(embeddings), int)
    chosen = _subset(len(embeddings))
    a = _pruned_affinity(embeddings[chosen], int(round(0.2 * len(chosen))))
    labels = _spectral_labels(a, weights[chosen], k)
    found = int(labels.max()) + 1
    return _nearest(embeddings, _centroids(embeddings[chosen], labels, found))


def _centroids(embeddings: np.ndarray, labels: np.ndarray, k: int) -> np.ndarray:
    out = np.zeros((k, embeddings.shape[1]), dtype=np.float64)
    for j in range(k):
        member = labels == j
        if member.any():
            out[j] = embeddings[member].mean(0)
    norm = np.linalg.norm(out, axis=1, keepdims=True)
    return (out / np.where(norm > 0, norm, 1.0)).astype(np.float32)


def _nearest(embeddings: np.ndarray, centroids: np.ndarray) -> np.ndarray:
    labels = np.argmax(embeddings @ centroids.T, axis=1)
    _, labels = np.unique(labels, return_inverse=True)  # no empty groups
    return labels.astype(int)


def _merge_alike(embeddings: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Join the two groups whose mean voices are most alike while they are one voice (SAME_VOICE)."""
    labels = labels.copy()
    while True:
        present = np.unique(labels)
        if len(present) < 2:
            return np.zeros_like(labels)
        _, labels = np.unique(labels, return_inverse=True)
        c = _centroids(embeddings, labels, len(present))
        sims = c @ c.T
        np.fill_diagonal(sims, -np.inf)
        i, j = np.unravel_index(int(np.argmax(sims)), sims.shape)
        if sims[i, j] <= SAME_VOICE:
            return labels
        labels[labels == max(i, j)] = min(i, j)


# ---------------------------------------------------------------- word-level assignment


def _assign_words(windows: _Windows, words: Sequence[_Word], centroids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
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


_DENSE_EIGEN_LIMIT = 400
"""Above this many stretches (~10 minutes of speech), a full eigendecomposition (cubic in
the count: 1.6-2.6 s for an hour's 2,000 stretches, twice) costs more than the rest of
the clustering; the Krylov method takes 0.15 s and agrees to 1e-13."""


def _top_eigenvectors(m: np.ndarray, k: int, block: int = 8, tolerance: float = 1e-10) -> np.ndarray:
    """The ``k`` eigenvectors of symmetric ``m`` with the largest eigenvalues, largest first.

    Large matrices: block Krylov (Lanczos) with full reorthogonalisation, which finds
    repeated eigenvalues too (a graph of separate components has one per component), and
    stops once every wanted vector's residual is below ``tolerance``; eigenvectors' signs
    are arbitrary, as LAPACK's are. Falls back to the full decomposition if it stalls.
    """
    n = len(m)
    if n <= _DENSE_EIGEN_LIMIT or k > block:
        return np.linalg.eigh(m)[1][:, ::-1][:, :k]
    start = np.random.default_rng(0).standard_normal((n, block))
    basis = [np.linalg.qr(start)[0]]
    images: list[np.ndarray] = []  # m @ each block of the basis
    scale = max(float(np.abs(m).sum(1).max()), 1e-300)  # bounds the largest |eigenvalue|
    while block * len(basis) <= n // 2:
        images.append(m @ basis[-1])
        q = np.concatenate(basis, axis=1)
        if len(basis) % 4 == 0 or block * (len(basis) + 1) > n // 2:
            mq = np.concatenate(images, axis=1)
            h = q.T @ mq
            values, vectors = np.linalg.eigh((h + h.T) / 2)
            top = vectors[:, ::-1][:, :k]
            ritz = q @ top
            residual = mq @ top - ritz * values[::-1][:k]
            if np.all(np.linalg.norm(residual, axis=0) <= tolerance * scale):
                return ritz
        nxt = images[-1]
        for _ in range(2):  # twice is enough (Kahan-Parlett)
            nxt = nxt - q @ (q.T @ nxt)
        nxt, r = np.linalg.qr(nxt)
        if np.abs(np.diag(r)).min() <= 1e-10 * scale:
            break  # the Krylov space is exhausted: leave it to LAPACK
        basis.append(nxt)
    return np.linalg.eigh(m)[1][:, ::-1][:, :k]


def _kmeans(x: np.ndarray, k: int, weights: np.ndarray, restarts: int = 8, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    best_labels, best_cost = np.zeros(len(x), int), np.inf
    for _ in range(restarts):
        centres = x[_kmeans_pp(x, k, rng)]
        labels = np.full(len(x), -1)
        for _ in range(50):
            dist = ((x[:, None, :] - centres[None]) ** 2).sum(-1)
            new = dist.argmin(1)
            if np.array_equal(new, labels):
                break
            labels = new
            for j in range(k):
                member = labels == j
                if member.any():
                    centres[j] = np.average(x[member], axis=0, weights=weights[member])
        cost = float((weights * ((x - centres[labels]) ** 2).sum(-1)).sum())
        if cost < best_cost:
            best_labels, best_cost = labels, cost
    return best_labels


def _kmeans_pp(x: np.ndarray, k: int, rng: np.random.Generator) -> list[int]:
    chosen = [int(rng.integers(len(x)))]
    for _ in range(1, k):
        d = np.min(((x[:, None, :] - x[chosen][None]) ** 2).sum(-1), axis=1)
        total = d.sum()
        chosen.append(int(rng.choice(len(x), p=d / total)) if total > 0 else int(rng.integers(len(x))))
    return chosen


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


def _speech_of(audio: np.ndarray, segments: Sequence[Segment]) -> np.ndarray:
    """The samples under the words of ``segments``, joined: what one voice said."""
    pieces = []
    for w in _words_of(sorted(segments, key=lambda s: s.start)):
        a, b = int(w.start * SAMPLE_RATE), int(math.ceil(w.end * SAMPLE_RATE))
        pieces.append(audio[max(0, a):max(0, b)])
    return np.concatenate(pieces) if pieces else np.zeros(0, np.float32)


def _mono_16k(audio: np.ndarray, sample_rate: int) -> np.ndarray:
    try:
        samples = np.asarray(audio, dtype=np.float32)
    except (TypeError, ValueError) as exc:
        raise MediaError("the audio for speaker separation is not a numeric array") from exc
    if samples.ndim == 2:
        samples = samples.mean(axis=0 if samples.shape[0] <= 8 else 1)
    if samples.ndim != 1:
        raise MediaError("the audio for speaker separation must be one or two channels")
    if sample_rate <= 0:
        raise MediaError(f"the sample rate must be positive, not {sample_rate}")
    if not np.all(np.isfinite(samples)):
        raise MediaError("the audio holds invalid samples (not a number or infinite)")
    if sample_rate != SAMPLE_RATE and len(samples):
        n_out = int(round(len(samples) * SAMPLE_RATE / sample_rate))
        positions = np.arange(n_out) * (sample_rate / SAMPLE_RATE)
        samples = np.interp(positions, np.arange(len(samples)), samples).astype(np.float32)
    return samples


def _peak_correlation(left: np.ndarray, right: np.ndarray, max_lag: int) -> np.ndarray:
    """Per block, the largest normalised cross-correlation within ±max_lag samples."""
    n = left.shape[1]
    size = 1 << int(np.ceil(np.log2(2 * n)))
    lf = np.fft.rfft(left - left.mean(1, keepdims=True), size, axis=1)
    rf = np.fft.rfft(right - right.mean(1, keepdims=True), size, axis=1)
    xc = np.fft.irfft(lf * np.conj(rf), size, axis=1)
    window = np.concatenate([xc[:, : max_lag + 1], xc[:, -max_lag:]], axis=1)
    norm = np.sqrt((left.astype(np.float64) ** 2).sum(1) * (right.astype(np.float64) ** 2).sum(1)) + 1e-12
    return np.abs(window).max(1) / norm


def _best_assignment(score: np.ndarray) -> list[tuple[int, int]]:
    """Rows to columns, one-to-one, maximising total score (few speakers: brute force)."""
    rows, cols = score.shape
    if rows > 7 or cols > 7:
        pairs, used_r, used_c = [], set(), set()
        for flat in np.argsort(-score, axis=None):
            i, j = divmod(int(flat), cols)
            if i not in used_r and j not in used_c:
                pairs.append((i, j))
                used_r.add(i)
                used_c.add(j)
        return pairs
    best: list[tuple[int, int]] = []
    best_total = -np.inf
    if rows <= cols:
        for perm in itertools.permutations(range(cols), rows):
            total = sum(score[i, j] for i, j in enumerate(perm))
            if total > best_total:
                best, best_total = list(enumerate(perm)), total
    else:
        for perm in itertools.permutations(range(rows), cols):
            total = sum(score[i, j] for j, i in enumerate(perm))
            if total > best_total:
                best, best_total = [(i, j) for j, i in enumerate(perm)], total
    return best
