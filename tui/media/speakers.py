"""Who spoke when, offline: split by channel, or cluster utterances by voice.

Why this shape: Whisper's segments often run across a change of speaker (a short "yes" is
merged into the next person's sentence), so speakers are assigned per *word*, not per
segment. The voice of each pause-delimited stretch of words is described by cepstral
statistics adapted from a model of the whole recording's speech (a GMM "supervector",
numpy only: no PyTorch, nothing downloaded), stretches are clustered, and then every word
is re-labelled by a Viterbi pass over per-speaker voice models, which both cleans up the
clustering and puts speaker changes on word boundaries. Segments are split where the
label changes. The number of speakers, unless given, is the largest (up to 4) for which
voice models fitted on half of each group still tell the other half apart.

Measured choices (bench/bench_diarization.py): the Whisper encoder's own states, mean
pooled, separate voices far worse than cepstra (they are trained to ignore the speaker)
and cost several times more; no PyPI package ships speaker-embedding weights without
a download at run time or PyTorch.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from tui.core.model import Segment, Word
from tui.errors import MediaError, TranscriptError
from tui.media import voice_features as vf

SAMPLE_RATE = vf.SAMPLE_RATE
MAX_SPEAKERS = 4
DEFAULT_EMBEDDING = "supervector"
"""``supervector`` (default) or ``cepstral`` (plain mean/std of cepstra; kept for the bench)."""

# Stretches of words used for clustering: cut at pauses and after a couple of seconds, so
# that one stretch rarely holds two voices yet holds enough frames to describe one.
_PAUSE = 0.25
_MAX_STRETCH = 2.0
_MIN_STRETCH = 0.3
_UBM_COMPONENTS = 16


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


def diarize(
    audio: np.ndarray,
    segments: Sequence[Segment],
    *,
    num_speakers: int | None = None,
    sample_rate: int = SAMPLE_RATE,
) -> list[Segment]:
    """Label segments "S1", "S2", … (numbered by first appearance), split where the voice changes.

    ``num_speakers`` fixes the count; ``None`` estimates it between 1 and 4. Segments without
    word timings are labelled whole.
    """
    if num_speakers is not None and num_speakers < 1:
        raise TranscriptError(f"the number of speakers must be at least 1, not {num_speakers}")
    audio = _mono_16k(audio, sample_rate)
    ordered = sorted(segments, key=lambda s: (s.start, s.end))
    if not ordered:
        return []
    words = _words_of(ordered)
    stretches = _stretches(words)
    frames = _Frames(audio, words)
    usable = [s for s in stretches if frames.count(s.start, s.end) >= int(_MIN_STRETCH * vf.FRAME_RATE)]
    if num_speakers == 1 or len(usable) < 2 or frames.speech_count() < vf.FRAME_RATE:
        return _label_all(ordered, "S1")

    chooser = _Clusterings(frames, usable, DEFAULT_EMBEDDING)
    if num_speakers is None:
        count, initial = chooser.estimate()
    else:
        count = min(num_speakers, len(usable))
        initial = chooser.best(count)[1]
    if count == 1:
        return _label_all(ordered, "S1")

    word_labels = _stretch_labels_to_words(words, usable, initial)
    word_labels = _resegment(frames, words, word_labels, count)
    if num_speakers is None:
        word_labels = _drop_minor_speakers(frames, words, word_labels)
    return _split_segments(ordered, words, word_labels)


def voice_embedding(audio: np.ndarray, segments_of_one_speaker: Sequence[Segment]) -> list[float]:
    """A voice profile to store in the library, comparable across recordings.

    Unlike the clustering features it is not normalised per recording (one recording holds
    too little to know what is speaker and what is room), so it matches best when the same
    microphone and room are used, as they usually are for one practitioner.
    """
    speech = _speech_of(_mono_16k(audio, SAMPLE_RATE), segments_of_one_speaker)
    if len(speech) < SAMPLE_RATE // 2:
        raise TranscriptError("too little speech from this speaker to make a voice profile (need half a second)")
    return [float(x) for x in vf.voice_statistics(speech)]


def match_profiles(
    audio: np.ndarray,
    segments: Sequence[Segment],
    profiles: dict[str, list[float]],
) -> dict[str, tuple[str, float]]:
    """Speaker id -> (profile name, confidence 0..1) for speakers whose voice matches a profile.

    Each profile names at most one speaker; a speaker whose best match is weak is left out.
    """
    audio = _mono_16k(audio, SAMPLE_RATE)
    if not profiles:
        return {}
    names = sorted(profiles)
    stored = []
    for name in names:
        vec = np.asarray(profiles[name], dtype=np.float64)
        if vec.shape != (_PROFILE_SIZE,) or not np.all(np.isfinite(vec)):
            raise TranscriptError(f"the stored voice profile {name!r} is damaged or from another version")
        stored.append(vec)
    by_speaker: dict[str, list[Segment]] = {}
    for seg in segments:
        by_speaker.setdefault(seg.speaker, []).append(seg)
    ids, found = [], []
    for speaker_id, segs in sorted(by_speaker.items()):
        speech = _speech_of(audio, segs)
        if len(speech) >= SAMPLE_RATE // 2:
            ids.append(speaker_id)
            found.append(vf.voice_statistics(speech))
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


def profile_confidence(found: Sequence[float], stored: Sequence[float]) -> float:
    """How sure we are that two voice profiles are the same person, 0..1."""
    a = np.asarray(found, dtype=np.float64) * _PROFILE_SCALE
    b = np.asarray(stored, dtype=np.float64) * _PROFILE_SCALE
    distance = float(np.sqrt(np.mean((a - b) ** 2)))
    # Logistic in the distance: 0.5 where same-voice and other-voice distances cross.
    return float(1.0 / (1.0 + math.exp((distance - _PROFILE_MIDPOINT) / _PROFILE_SPREAD)))


# ---------------------------------------------------------------- words and stretches


@dataclass(frozen=True, slots=True)
class _Word:
    segment: int
    index: int  # position in the segment's words; -1 for a segment without word timings
    start: float
    end: float


@dataclass(frozen=True, slots=True)
class _Stretch:
    first: int  # index into the flat word list
    last: int  # exclusive
    start: float
    end: float


def _words_of(segments: Sequence[Segment]) -> list[_Word]:
    """All words in time order; a segment without words counts as one word."""
    out: list[_Word] = []
    for si, seg in enumerate(segments):
        if seg.words:
            for wi, w in enumerate(seg.words):
                start = max(seg.start, min(w.start, seg.end)) if seg.end > seg.start else w.start
                out.append(_Word(si, wi, float(start), float(max(start, w.end))))
        else:
            out.append(_Word(si, -1, float(seg.start), float(max(seg.start, seg.end))))
    return out


def _stretches(words: Sequence[_Word]) -> list[_Stretch]:
    out: list[_Stretch] = []
    first = 0
    for i in range(1, len(words) + 1):
        cut = (
            i == len(words)
            or words[i].segment != words[i - 1].segment
            or words[i].start - words[i - 1].end >= _PAUSE
            or words[i].end - words[first].start > _MAX_STRETCH
        )
        if cut:
            out.append(_Stretch(first, i, words[first].start, words[i - 1].end))
            first = i
    return out


# ---------------------------------------------------------------- features


class _Frames:
    """Cepstral frames of the recording, normalised over the speech the words cover."""

    def __init__(self, audio: np.ndarray, words: Sequence[_Word]) -> None:
        self.n = vf.frame_count(len(audio))
        self.speech = np.zeros(self.n, dtype=bool)
        for w in words:
            a, b = self._span(w.start, w.end)
            self.speech[a:b] = True
        self.raw = vf.cepstra(vf.log_mel(audio)) if self.n else np.zeros((0, vf.N_CEPS - 1), np.float32)
        if self.speech.any():
            mean = self.raw[self.speech].mean(0)
            std = self.raw[self.speech].std(0) + 1e-6
        else:
            mean, std = np.zeros(self.raw.shape[1]), np.ones(self.raw.shape[1])
        # Cepstra and their slopes, each normalised over this recording's speech.
        normalised = (self.raw - mean) / std
        self.norm = np.concatenate([normalised, vf.deltas(normalised)], axis=1).astype(np.float32)
        self._envelopes: dict[int, np.ndarray] = {}
        self._ubms: dict[tuple[int, int, int], vf.Gmm] = {}

    def _span(self, start: float, end: float) -> tuple[int, int]:
        a = max(0, min(self.n, int(start * vf.FRAME_RATE)))
        b = max(a, min(self.n, int(math.ceil(end * vf.FRAME_RATE))))
        return a, b

    def count(self, start: float, end: float) -> int:
        a, b = self._span(start, end)
        return b - a

    def speech_count(self) -> int:
        return int(self.speech.sum())

    def get(self, start: float, end: float) -> np.ndarray:
        a, b = self._span(start, end)
        return self.norm[a:b]

    def envelope(self, n: int) -> np.ndarray:
        """Only the first ``n`` cepstra and their slopes: the smooth spectral envelope."""
        if n >= vf.N_CEPS - 1:
            return self.norm
        if n not in self._envelopes:
            half = vf.N_CEPS - 1
            self._envelopes[n] = np.concatenate([self.norm[:, :n], self.norm[:, half:half + n]], axis=1)
        return self._envelopes[n]

    def ubm(self, cepstra: int, components: int, seed: int) -> vf.Gmm:
        """The mixture of this recording's speech over ``envelope(cepstra)``, trained once."""
        key = (cepstra, components, seed)
        if key not in self._ubms:
            self._ubms[key] = vf.Gmm.train(self.envelope(cepstra)[self.speech], components, seed=seed)
        return self._ubms[key]


_PROFILE_SIZE = vf.VOICE_STATISTICS_SIZE
# Per-dimension weights so that cepstra, their spread and the pitch count about equally.
_PROFILE_SCALE = np.concatenate([np.full(vf.N_CEPS - 1, 1.0), np.full(vf.N_CEPS - 1, 1.0), [20.0, 10.0]])
# Measured on generated sessions (same microphone chain): the same voice in another session
# lay below 0.6 in 96% of pairs; different voices above it in 91% (some espeak voices are
# near twins). Across a change of channel (telephone band) the same voice does not match.
_PROFILE_MIDPOINT = 0.6
_PROFILE_SPREAD = 0.1


def _embed(frames: _Frames, stretches: Sequence[_Stretch], kind: str, cepstra: int = vf.N_CEPS - 1) -> np.ndarray:
    if kind == "cepstral":
        vecs = [np.concatenate([x.mean(0), x.std(0)]) for x in (frames.get(s.start, s.end) for s in stretches)]
        out = np.array(vecs)
    elif kind == "supervector":
        ubm = frames.ubm(cepstra, _UBM_COMPONENTS, seed=0)
        out = ubm.supervectors(frames.envelope(cepstra), [frames._span(s.start, s.end) for s in stretches])
        # Already on a common scale (the KL-divergence kernel): standardising each dimension
        # would blow up the noise of rarely visited components.
        return out - out.mean(0)
    else:
        raise ValueError(f"unknown embedding {kind!r}")
    out = out - out.mean(0)
    scale = out.std(0)
    return out / np.where(scale > 1e-9, scale, 1.0)


# ---------------------------------------------------------------- clustering


def _cluster(basis: np.ndarray, weights: np.ndarray, k: int) -> np.ndarray:
    """Spectral clustering into ``k`` groups (labels 0..k-1), given _spectral_vectors' basis."""
    if k <= 1 or len(basis) <= k:
        return np.arange(len(basis)) % max(1, k) if k > 1 else np.zeros(len(basis), int)
    u = basis[:, :k]
    vectors = u / (np.linalg.norm(u, axis=1, keepdims=True) + 1e-9)
    return _kmeans(vectors, k, weights)


def _affinity(embeddings: np.ndarray) -> np.ndarray:
    x = embeddings / (np.linalg.norm(embeddings, axis=1, keepdims=True) + 1e-9)
    a = x @ x.T
    keep = max(5, int(0.2 * len(a)))
    keep = min(keep, len(a))
    threshold = np.partition(a, len(a) - keep, axis=1)[:, len(a) - keep][:, None]
    a = np.where(a >= threshold, a, 0.0)
    return np.clip(np.maximum(a, a.T), 0.0, None)


def _spectral_vectors(embeddings: np.ndarray, k: int) -> np.ndarray:
    a = _affinity(embeddings)
    inv = 1.0 / np.sqrt(a.sum(1) + 1e-9)
    a *= inv[:, None]
    a *= inv[None, :]
    # The smallest eigenvectors of the normalised Laplacian are the largest of D^-1/2 A D^-1/2.
    return _top_eigenvectors(a, min(k, len(a)))


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


class _Clusterings:
    """Candidate groupings of the stretches, judged by how well their voices generalise.

    For a candidate, voice models fitted on half of each cluster's stretches must tell
    apart the *other* half: a split of one voice into two does not generalise, two real
    voices do. The least separable pair of clusters decides. The same test picks the
    embedding (envelope of 12 or 19 cepstra: neither wins everywhere) and the count.
    """

    def __init__(self, frames: _Frames, stretches: Sequence[_Stretch], kind: str) -> None:
        self.frames, self.stretches = frames, stretches
        self.weights = np.array([s.end - s.start for s in stretches])
        if kind == "supervector":
            embeddings = [_embed(frames, stretches, kind, n) for n in (_COUNT_CEPSTRA, vf.N_CEPS - 1)]
        else:
            embeddings = [_embed(frames, stretches, kind)]
        self.bases = [_spectral_vectors(e, MAX_SPEAKERS) for e in embeddings]
        # Fewer cepstra for judging: the fine spectral detail that separates voices also
        # follows one voice's pitch, which would make a single speaker look like two.
        self.features = frames.envelope(_COUNT_CEPSTRA)
        self.ubm = frames.ubm(_COUNT_CEPSTRA, _UBM_COMPONENTS * 2, seed=1)
        # Scored for every candidate grouping, so gathered once: each stretch's statistics
        # (for the models of the half it trains), and each fold's held-out frames.
        spans = [frames._span(s.start, s.end) for s in stretches]
        self.counts, self.sums = self.ubm.span_statistics(self.features, spans)
        index = np.arange(len(stretches))
        self.held_out = []
        for fold in (0, 1):
            held = [i for i in index[index % 2 != fold] if spans[i][1] > spans[i][0]]
            lengths = np.array([spans[i][1] - spans[i][0] for i in held], dtype=int)
            taken = np.concatenate([np.arange(*spans[i]) for i in held]) if held else np.zeros(0, int)
            offsets = np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(int) if held else np.zeros(0, int)
            self.held_out.append((held, self.features[taken], offsets, lengths))

    def best(self, k: int) -> tuple[float, np.ndarray]:
        """(separation, labels) of the best-separated grouping into ``k``."""
        found = []
        for basis in self.bases:
            labels = _cluster(basis, self.weights, k)
            found.append((self.separation(labels, k), labels))
        return max(found, key=lambda item: item[0])

    def estimate(self) -> tuple[int, np.ndarray]:
        """Choose 1..4 speakers: the most for which every pair of voices stays separable."""
        count = 1
        for k in range(2, min(MAX_SPEAKERS, len(self.stretches) // 2) + 1):
            # Counted on the smooth envelope only (see __init__), then grouped with the best.
            if self.separation(_cluster(self.bases[0], self.weights, k), k) < _SEPARATION_NEEDED[k]:
                break
            count = k
        if count == 1:
            return 1, np.zeros(len(self.stretches), int)
        return count, self.best(count)[1]

    def separation(self, labels: np.ndarray, k: int) -> float:
        """Held-out log-likelihood gain per frame (nats) of the least separable pair."""
        index = np.arange(len(self.stretches))
        results: list[tuple[int, np.ndarray, int]] = []  # (cluster, mean log-lik per model, frames)
        for fold in (0, 1):
            train = index % 2 == fold
            models = []
            for j in range(k):
                chosen = train & (labels == j)
                models.append(self.ubm.adapted_to(self.counts[chosen].sum(0), self.sums[chosen].sum(0),
                                                  adapt_weights=True) if chosen.any() else self.ubm)
            held, features, offsets, lengths = self.held_out[fold]
            if not held:
                continue
            means = np.add.reduceat(vf.frame_logliks(models, features), offsets, axis=0) / lengths[:, None]
            results += [(int(labels[i]), ll, int(n)) for i, ll, n in zip(held, means, lengths)]
        worst = np.inf
        for p, q in itertools.combinations(range(k), 2):
            gains = [(ll[p] - ll[q] if lab == p else ll[q] - ll[p], n) for lab, ll, n in results if lab in (p, q)]
            if not gains:
                return 0.0
            values, counts = np.array(gains).T
            worst = min(worst, float(np.average(values, weights=counts)))
        return worst


_COUNT_CEPSTRA = 12
_SEPARATION_NEEDED = {2: 0.22, 3: 0.68, 4: 0.55}
"""Held-out gain (see _Clusterings.separation) needed to accept k voices; measured on
generated one- to four-voice sessions, where one voice stayed below 0.19 and two real
voices above 0.27 (bench/bench_diarization.py)."""


# ---------------------------------------------------------------- word-level resegmentation


def _stretch_labels_to_words(words: Sequence[_Word], stretches: Sequence[_Stretch], labels: np.ndarray) -> np.ndarray:
    out = np.full(len(words), -1, dtype=int)
    for s, label in zip(stretches, labels):
        out[s.first:s.last] = label
    return out


_FRAME_WEIGHT = 0.1  # frames overlap and correlate: ~10 frames carry one frame's worth of evidence
_SWITCH_COST = 4.0  # nats to change speaker between adjacent words
_SWITCH_COST_AFTER_PAUSE = 1.0
_RESEGMENT_ROUNDS = 3


def _resegment(frames: _Frames, words: Sequence[_Word], labels: np.ndarray, k: int) -> np.ndarray:
    """Re-label every word with per-speaker GMMs and a Viterbi pass that dislikes switching."""
    speech = frames.norm[frames.speech]
    if not len(speech):
        return labels
    ubm = frames.ubm(vf.N_CEPS - 1, _UBM_COMPONENTS * 2, seed=1)
    spans = np.array([frames._span(w.start, w.end) for w in words], dtype=int).reshape(-1, 2)
    # Every word's frames are speech, so each is a run in ``speech`` starting here.
    position = np.cumsum(frames.speech) - 1
    starts = position[np.minimum(spans[:, 0], max(frames.n - 1, 0))]
    lengths = spans[:, 1] - spans[:, 0]
    shares = ubm.shares(speech)  # the same every round: only the labels change
    for _ in range(_RESEGMENT_ROUNDS):
        # How many words of each speaker cover each frame (neighbouring words may share one).
        cover = np.zeros((len(speech) + 1, k))
        has = (lengths > 0) & (labels >= 0) & (labels < k)
        np.add.at(cover, (starts[has], labels[has]), 1.0)
        np.add.at(cover, (starts[has] + lengths[has], labels[has]), -1.0)
        cover = np.cumsum(cover, axis=0)[:-1]
        counts, sums = ubm.statistics(speech, cover, shares)
        models = [ubm.adapted_to(counts[j], sums[j], adapt_weights=True) if np.any(has & (labels == j)) else ubm
                  for j in range(k)]
        ll = np.zeros((frames.n, k))
        ll[frames.speech] = vf.frame_logliks(models, speech)
        ll -= ll.mean(1, keepdims=True)
        cumulative = np.vstack([np.zeros((1, k)), np.cumsum(ll, axis=0)])
        scores = (cumulative[spans[:, 1]] - cumulative[spans[:, 0]]) * _FRAME_WEIGHT
        new = _viterbi(words, scores)
        if np.array_equal(new, labels):
            break
        labels = new
    return labels


def _viterbi(words: Sequence[_Word], scores: np.ndarray) -> np.ndarray:
    """Best label sequence for word ``scores`` (n, k) when changing speaker costs something,
    less after a pause than in the middle of a phrase."""
    # Plain Python lists: with two to four speakers, numpy's cost per call would dominate.
    n, k = scores.shape
    rows = scores.tolist()
    back: list[list[int]] = [list(range(k))]
    total = rows[0]
    for i in range(1, n):
        gap = words[i].start - words[i - 1].end
        cost = _SWITCH_COST_AFTER_PAUSE if gap >= _PAUSE else _SWITCH_COST
        best = max(range(k), key=total.__getitem__)  # the first of equals, as argmax
        switch = total[best] - cost
        back.append([best if switch > stay else j for j, stay in enumerate(total)])
        total = [max(stay, switch) + score for stay, score in zip(total, rows[i])]
    out = [0] * n
    out[-1] = max(range(k), key=total.__getitem__)
    for i in range(n - 1, 0, -1):
        out[i - 1] = back[i][out[i]]
    return np.array(out, dtype=int)


def _drop_minor_speakers(frames: _Frames, words: Sequence[_Word], labels: np.ndarray) -> np.ndarray:
    """A 'speaker' with almost no speech after resegmentation was a split of another voice."""
    durations = np.array([max(0.0, w.end - w.start) for w in words])
    total = durations.sum()
    while True:
        present = np.unique(labels)
        if len(present) <= 1:
            return labels
        share = {j: durations[labels == j].sum() / max(total, 1e-9) for j in present}
        minor = min(share, key=share.__getitem__)
        if share[minor] >= 0.05:
            return labels
        keep = [j for j in present if j != minor]
        remap = {j: i for i, j in enumerate(keep)}
        # Re-run with the remaining voices, starting from the current labels of the others.
        start = np.array([remap.get(j, -1) for j in labels])
        for i in np.where(start < 0)[0]:
            start[i] = start[i - 1] if i > 0 and start[i - 1] >= 0 else 0
        labels = _resegment(frames, words, start, len(keep))


# ---------------------------------------------------------------- output


def _label_all(segments: Sequence[Segment], speaker: str) -> list[Segment]:
    return [replace(s, speaker=speaker) for s in segments]


def _split_segments(segments: Sequence[Segment], words: Sequence[_Word], labels: np.ndarray) -> list[Segment]:
    names: dict[int, str] = {}

    def name(label: int) -> str:
        if label not in names:
            names[label] = f"S{len(names) + 1}"
        return names[label]

    by_segment: dict[int, list[tuple[_Word, int]]] = {}
    for w, label in zip(words, labels):
        by_segment.setdefault(w.segment, []).append((w, int(label)))
    out: list[Segment] = []
    for si, seg in enumerate(segments):
        items = by_segment.get(si, [])
        if not seg.words or not items:
            label = items[0][1] if items else 0
            out.append(replace(seg, speaker=name(label)))
            continue
        runs = [list(g) for _, g in itertools.groupby(items, key=lambda item: item[1])]
        if len(runs) == 1:
            out.append(replace(seg, speaker=name(runs[0][0][1])))
            continue
        for r, run in enumerate(runs):
            seg_words: tuple[Word, ...] = tuple(seg.words[w.index] for w, _ in run)
            start = seg.start if r == 0 else seg_words[0].start
            end = seg.end if r == len(runs) - 1 else seg_words[-1].end
            text = " ".join(w.text.strip() for w in seg_words if w.text.strip())
            out.append(Segment(start, max(start, end), text, name(run[0][1]), seg_words))
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
