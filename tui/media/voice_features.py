"""What a voice sounds like, as numbers: frame features and fixed-size voice embeddings.

Numpy only (no PyTorch, no model download): mel-frequency cepstra describe the shape of
the vocal tract, which differs between people far more than between the sounds one person
makes once averaged over a second or two; the spread of the cepstra and the pitch add what
the averages miss. A Gaussian mixture over the frames of a whole recording is the
reference against which each stretch of speech, and each speaker, is described. The
diarizer (tui.media.speakers) clusters these.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

SAMPLE_RATE = 16000
HOP = 160  # 10 ms
WINDOW = 400  # 25 ms
N_FFT = 512
N_MELS = 40
N_CEPS = 20
FRAME_RATE = SAMPLE_RATE / HOP  # frames per second


def _mel_filterbank(n_mels: int = N_MELS, fmin: float = 60.0, fmax: float = 7600.0) -> np.ndarray:
    def hz_to_mel(f: np.ndarray | float) -> np.ndarray:
        return 2595.0 * np.log10(1.0 + np.asarray(f) / 700.0)

    mels = np.linspace(hz_to_mel(fmin), hz_to_mel(fmax), n_mels + 2)
    hz = 700.0 * (10 ** (mels / 2595.0) - 1.0)
    bins = np.fft.rfftfreq(N_FFT, 1.0 / SAMPLE_RATE)
    bank = np.zeros((n_mels, len(bins)), dtype=np.float32)
    for i in range(n_mels):
        lo, mid, hi = hz[i], hz[i + 1], hz[i + 2]
        up = (bins - lo) / (mid - lo)
        down = (hi - bins) / (hi - mid)
        bank[i] = np.maximum(0.0, np.minimum(up, down))
    return bank


def _dct_matrix(n_in: int = N_MELS, n_out: int = N_CEPS) -> np.ndarray:
    k = np.arange(n_out)[:, None]
    n = np.arange(n_in)[None, :]
    return (np.cos(np.pi * k * (2 * n + 1) / (2 * n_in)) * np.sqrt(2.0 / n_in)).astype(np.float32)


_MEL = _mel_filterbank()
_DCT = _dct_matrix()
_WIN = np.hamming(WINDOW).astype(np.float32)


def frame_count(n_samples: int) -> int:
    return max(0, 1 + (n_samples - WINDOW) // HOP) if n_samples >= WINDOW else 0


def log_mel(audio: np.ndarray, chunk_frames: int = 4000) -> np.ndarray:
    """Log mel energies, shape (frames, N_MELS); frame i starts at sample i * HOP.

    Computed in chunks so that an hour of audio never needs more than a few MB at once.
    """
    audio = np.asarray(audio, dtype=np.float32)
    n = frame_count(len(audio))
    out = np.empty((n, N_MELS), dtype=np.float32)
    for first in range(0, n, chunk_frames):
        last = min(n, first + chunk_frames)
        lo = first * HOP
        piece = audio[max(0, lo - 1):(last - 1) * HOP + WINDOW]
        emphasised = piece[1:] - 0.97 * piece[:-1] if lo > 0 else np.concatenate([piece[:1], piece[1:] - 0.97 * piece[:-1]])
        frames = np.lib.stride_tricks.sliding_window_view(emphasised, WINDOW)[::HOP][: last - first] * _WIN
        power = np.abs(np.fft.rfft(frames, N_FFT, axis=1)) ** 2
        out[first:last] = np.log(power.astype(np.float32) @ _MEL.T + 1e-8)
    return out


def cepstra(mel: np.ndarray) -> np.ndarray:
    """Cepstral coefficients 1..N_CEPS-1 (c0, the loudness, is dropped)."""
    return (mel @ _DCT.T)[:, 1:]


def deltas(features: np.ndarray) -> np.ndarray:
    """Slope of each feature over ±2 frames: how the voice moves, not only where it sits."""
    if len(features) == 0:
        return features.copy()
    padded = np.pad(features, ((2, 2), (0, 0)), mode="edge")
    return (2 * (padded[4:] - padded[:-4]) + (padded[3:-1] - padded[1:-3])) / 10.0


def pitch_track(audio: np.ndarray, fmin: float = 60.0, fmax: float = 400.0,
                chunk_frames: int = 4000) -> tuple[np.ndarray, np.ndarray]:
    """Per-frame (log F0, voicing strength) by normalised autocorrelation over 40 ms windows.

    Rough on purpose: the diarizer only needs a speaker's typical pitch, not a clean contour.
    """
    audio = np.asarray(audio, dtype=np.float32)
    n = frame_count(len(audio))
    win = 640
    padded = np.concatenate([audio, np.zeros(win, np.float32)])
    lag_lo, lag_hi = int(SAMPLE_RATE / fmax), int(SAMPLE_RATE / fmin)
    f0 = np.zeros(n, np.float32)
    strength = np.zeros(n, np.float32)
    hann = np.hanning(win).astype(np.float32)
    for first in range(0, n, chunk_frames):
        last = min(n, first + chunk_frames)
        idx = (np.arange(first, last) * HOP)[:, None] + np.arange(win)[None, :]
        frames = padded[idx]
        frames = (frames - frames.mean(1, keepdims=True)) * hann
        spec = np.fft.rfft(frames, 2 * win, axis=1)
        ac = np.fft.irfft(np.abs(spec) ** 2, axis=1)[:, : lag_hi + 1]
        ac = ac / (ac[:, :1] + 1e-9)
        # Undo the window's own taper so that long lags are not unfairly penalised.
        taper = np.correlate(hann, hann, "full")[win - 1: win + lag_hi]
        ac = ac / (taper / taper[0])
        region = ac[:, lag_lo:]
        best = np.argmax(region, axis=1)
        strength[first:last] = region[np.arange(len(best)), best]
        f0[first:last] = np.log(SAMPLE_RATE / (best + lag_lo))
    return f0, strength


VOICE_STATISTICS_SIZE = 2 * (N_CEPS - 1) + 2


def voice_statistics(speech: np.ndarray) -> np.ndarray:
    """Mean and spread of the cepstra, median and spread of log pitch, over ``speech``.

    Not normalised per recording, so that two recordings made with the same microphone
    can be compared (a voice profile).
    """
    ceps = cepstra(log_mel(speech))
    f0, strength = pitch_track(speech)
    voiced = strength > 0.5
    pitch = f0[voiced] if voiced.sum() >= 10 else f0
    return np.concatenate([ceps.mean(0), ceps.std(0), [np.median(pitch), pitch.std()]])


MAX_TRAIN_FRAMES = 60000
"""Frames a mixture is trained on at most (a random sample): an hour has ~360,000."""
RELEVANCE = 16.0
"""How many frames of evidence it takes to move a component halfway (MAP adaptation)."""
CHUNK_FRAMES = 20000
"""Frames scored in one matrix product: a few MB at a time, yet few enough calls that
numpy's cost per call no longer outweighs the arithmetic."""

# Frames are scored in float32 (matrix products and exp twice as fast), and sums over many
# frames kept in float64: on bench/bench_diarization.py every label stays as it was.
# Training in float32 too would save another ~10%, but moves some words' labels in 4 of 24
# recordings (DER up or down by 1-5 points, depending even on OpenBLAS's thread count).
_SCORING = np.float32
_TRAINING = np.float64


def _squares_and_values(x: np.ndarray, dtype: type = _SCORING) -> np.ndarray:
    """[x², x] for each frame, one frame per column, shape (2D, frames).

    Scoring frames against every component is then one matrix product, and the sums and
    maxima over components run along rows of frames, which numpy does many times faster
    than along short rows of components.
    """
    x = np.asarray(x, dtype=dtype)
    d = x.shape[1]
    out = np.empty((2 * d, len(x)), dtype=dtype)
    out[d:] = x.T
    np.square(out[d:], out=out[:d])
    return out


class Gmm:
    """Diagonal-covariance Gaussian mixture: a model of 'speech in this recording'.

    All the models of a recording are adapted from one such mixture, many times over, so
    frames are scored in batches: a few large matrix products per pass over a recording,
    never one small product per stretch of speech (bench/README.md, finding 3).
    """

    def __init__(self, weights: np.ndarray, means: np.ndarray, variances: np.ndarray) -> None:
        self.weights, self.means, self.variances = weights, means, variances
        self._prec = 1.0 / variances
        self._const = np.log(weights) - 0.5 * np.log(variances).sum(1) - 0.5 * means.shape[1] * np.log(2 * np.pi)
        # log(w_k N(x; m_k, v_k)) = _score[k] @ [x², x] + _offset[k]
        self._score = np.concatenate([-0.5 * self._prec, means * self._prec], axis=1)
        self._offset = self._const - 0.5 * (means**2 * self._prec).sum(1)

    @classmethod
    def train(cls, x: np.ndarray, k: int, iterations: int = 12, seed: int = 0) -> Gmm:
        rng = np.random.default_rng(seed)
        if len(x) > MAX_TRAIN_FRAMES:
            x = x[rng.choice(len(x), MAX_TRAIN_FRAMES, replace=False)]
        x = x.astype(np.float64)
        k = max(1, min(k, len(x) // 20))
        floor = 1e-3 * x.var(0) + 1e-6
        means = x[rng.choice(len(x), k, replace=False)]
        variances = np.tile(x.var(0) + 1e-6, (k, 1))
        weights = np.full(k, 1.0 / k)
        gmm = cls(weights, means, variances)
        both = np.concatenate([x * x, x], axis=1)
        scored = _squares_and_values(x, _TRAINING)
        d = x.shape[1]
        for _ in range(iterations):
            post = gmm._posteriors_of(scored).astype(np.float64, copy=False)
            n = post.sum(1) + 1e-9
            moments = (post @ both) / n[:, None]  # per component: mean of x², then of x
            means = moments[:, d:]
            variances = np.maximum(moments[:, :d] - means**2, floor)
            gmm = cls(n / n.sum(), means, variances)
        return gmm

    def component_loglik(self, x: np.ndarray) -> np.ndarray:
        """Log of weight times density, shape (frames, K)."""
        return self._component_loglik_of(_squares_and_values(x, np.float64)).T

    def _component_loglik_of(self, both: np.ndarray) -> np.ndarray:
        out = self._score.astype(both.dtype, copy=False) @ both
        out += self._offset.astype(both.dtype, copy=False)[:, None]
        return out

    def _posteriors_of(self, both: np.ndarray) -> np.ndarray:
        p = self._component_loglik_of(both)
        p -= p.max(0)
        np.exp(p, out=p)
        p /= p.sum(0)
        return p

    def posteriors(self, x: np.ndarray) -> np.ndarray:
        """Each frame's share in each component, shape (frames, K)."""
        return self._posteriors_of(_squares_and_values(x, np.float64)).T

    def shares(self, x: np.ndarray, chunk: int = CHUNK_FRAMES) -> np.ndarray:
        """``posteriors`` in float32 and transposed, (K, frames): to pass to ``statistics``."""
        out = np.empty((len(self.weights), len(x)), dtype=_SCORING)
        for first in range(0, len(x), chunk):
            out[:, first:first + chunk] = self._posteriors_of(_squares_and_values(x[first:first + chunk]))
        return out

    def frame_loglik(self, x: np.ndarray, chunk: int = CHUNK_FRAMES) -> np.ndarray:
        return frame_logliks([self], x, chunk)[:, 0]

    def statistics(self, x: np.ndarray, weights: np.ndarray | None = None, shares: np.ndarray | None = None,
                   chunk: int = CHUNK_FRAMES) -> tuple[np.ndarray, np.ndarray]:
        """Soft frame counts (m, K) and frame sums (m, K, D) per component: what adaptation needs.

        One set per column of ``weights`` (frames, m), each frame counted that many times;
        without weights, one set over all frames. ``shares``: ``self.shares(x)``, when the
        same frames are gathered again with other weights.
        """
        x = np.asarray(x)
        m = 1 if weights is None else weights.shape[1]
        counts = np.zeros((m, len(self.weights)))
        sums = np.zeros((m, len(self.weights), x.shape[1]))
        for first in range(0, len(x), chunk):
            part = x[first:first + chunk].astype(np.float64)
            post = (self._posteriors_of(_squares_and_values(part)) if shares is None
                    else shares[:, first:first + chunk]).astype(np.float64)
            if weights is None:
                counts[0] += post.sum(1)
                sums[0] += post @ part
                continue
            w = weights[first:first + chunk]
            counts += (post @ w).T
            for j in range(m):
                if w[:, j].any():
                    sums[j] += (post * w[:, j]) @ part
        return counts, sums

    def span_statistics(self, x: np.ndarray, spans: Sequence[tuple[int, int]],
                        chunk: int = CHUNK_FRAMES) -> tuple[np.ndarray, np.ndarray]:
        """``statistics`` of each span x[a:b] on its own, shapes (spans, K) and (spans, K, D)."""
        counts = np.zeros((len(spans), len(self.weights)))
        sums = np.zeros((len(spans), len(self.weights), x.shape[1]))
        for group in _groups_of_spans(spans, chunk):
            part = np.concatenate([x[a:b] for a, b in (spans[s] for s in group)]).astype(np.float64)
            post = self._posteriors_of(_squares_and_values(part)).astype(np.float64)
            at = 0
            for s in group:
                n = max(0, spans[s][1] - spans[s][0])
                if n:
                    counts[s] = post[:, at:at + n].sum(1)
                    sums[s] = post[:, at:at + n] @ part[at:at + n]
                    at += n
        return counts, sums

    def adapted(self, x: np.ndarray, relevance: float = RELEVANCE, adapt_weights: bool = False) -> Gmm:
        """MAP adaptation of the means towards ``x`` (the classic GMM-UBM speaker model)."""
        if len(x) == 0:
            return self
        counts, sums = self.statistics(x)
        return self.adapted_to(counts[0], sums[0], relevance, adapt_weights)

    def adapted_to(self, counts: np.ndarray, sums: np.ndarray, relevance: float = RELEVANCE,
                   adapt_weights: bool = False) -> Gmm:
        """``adapted``, from the frames' ``statistics``."""
        if not counts.sum() > 0:
            return self
        means = (sums + relevance * self.means) / (counts[:, None] + relevance)
        if not adapt_weights:
            return Gmm(self.weights, means, self.variances)
        # Weights too: two voices in one recording occupy different components of the
        # recording's model, and a voice is told apart as much by which it uses as by how.
        alpha = counts / (counts + relevance)
        weights = alpha * counts / max(float(counts.sum()), 1e-9) + (1 - alpha) * self.weights
        return Gmm(np.maximum(weights / weights.sum(), 1e-6), means, self.variances)

    def supervector(self, x: np.ndarray) -> np.ndarray:
        return self.supervectors(x, [(0, len(x))])[0]

    def supervectors(self, x: np.ndarray, spans: Sequence[tuple[int, int]]) -> np.ndarray:
        """One supervector per span x[a:b]: how far that speech moves the mixture's means."""
        counts, sums = self.span_statistics(x, spans)
        means = (sums + RELEVANCE * self.means) / (counts[:, :, None] + RELEVANCE)
        scale = np.sqrt(self.weights)[:, None] / np.sqrt(self.variances)
        return ((means - self.means) * scale).reshape(len(spans), -1)


def frame_logliks(models: Sequence[Gmm], x: np.ndarray, chunk: int = CHUNK_FRAMES) -> np.ndarray:
    """Log-likelihood of every frame under every model, shape (frames, models).

    The models share one matrix product per chunk of frames.
    """
    sizes = {len(m.weights) for m in models}
    if not models:
        return np.zeros((len(x), 0))
    if len(sizes) > 1:
        return np.stack([frame_logliks([m], x, chunk)[:, 0] for m in models], axis=1)
    k = sizes.pop()
    score = np.concatenate([m._score for m in models]).astype(_SCORING)
    offset = np.concatenate([m._offset for m in models]).astype(_SCORING)[:, None]
    out = np.empty((len(x), len(models)))
    for first in range(0, len(x), chunk):
        ll = score @ _squares_and_values(x[first:first + chunk])
        ll += offset
        ll = ll.reshape(len(models), k, -1)
        top = ll.max(1)
        ll -= top[:, None, :]
        np.exp(ll, out=ll)
        out[first:first + chunk] = (top + np.log(ll.sum(1))).T
    return out


def _groups_of_spans(spans: Sequence[tuple[int, int]], frames: int) -> list[list[int]]:
    """Consecutive spans, grouped so that each group holds about ``frames`` frames."""
    groups: list[list[int]] = [[]]
    total = 0
    for s, (a, b) in enumerate(spans):
        if total and total + (b - a) > frames:
            groups.append([])
            total = 0
        groups[-1].append(s)
        total += max(0, b - a)
    return [g for g in groups if g]
