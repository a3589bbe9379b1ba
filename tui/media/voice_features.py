"""What a voice sounds like, as numbers: frame features and fixed-size voice embeddings.

Numpy only (no PyTorch, no model download): mel-frequency cepstra describe the shape of
the vocal tract, which differs between people far more than between the sounds one person
makes once averaged over a second or two; the spread of the cepstra and the pitch add what
the averages miss. A Gaussian mixture over the frames of a whole recording is the
reference against which each stretch of speech, and each speaker, is described. The
diarizer (tui.media.speakers) clusters these.
"""

from __future__ import annotations

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
        idx = (np.arange(last - first) * HOP)[:, None] + np.arange(WINDOW)[None, :]
        frames = emphasised[idx] * _WIN
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


class Gmm:
    """Diagonal-covariance Gaussian mixture: a model of 'speech in this recording'."""

    def __init__(self, weights: np.ndarray, means: np.ndarray, variances: np.ndarray) -> None:
        self.weights, self.means, self.variances = weights, means, variances
        self._prec = 1.0 / variances
        self._const = np.log(weights) - 0.5 * np.log(variances).sum(1) - 0.5 * means.shape[1] * np.log(2 * np.pi)

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
        for _ in range(iterations):
            post = gmm.posteriors(x)
            n = post.sum(0) + 1e-9
            means = (post.T @ x) / n[:, None]
            variances = np.maximum((post.T @ (x * x)) / n[:, None] - means**2, floor)
            gmm = cls(n / n.sum(), means, variances)
        return gmm

    def component_loglik(self, x: np.ndarray) -> np.ndarray:
        x = x.astype(np.float64)
        return self._const[None, :] - 0.5 * (
            (x * x) @ self._prec.T - 2 * x @ (self.means * self._prec).T + (self.means**2 * self._prec).sum(1)[None, :]
        )

    def posteriors(self, x: np.ndarray) -> np.ndarray:
        ll = self.component_loglik(x)
        ll -= ll.max(1, keepdims=True)
        p = np.exp(ll)
        return p / p.sum(1, keepdims=True)

    def frame_loglik(self, x: np.ndarray, chunk: int = 20000) -> np.ndarray:
        out = np.empty(len(x))
        for first in range(0, len(x), chunk):  # bounded memory for an hour of frames
            ll = self.component_loglik(x[first:first + chunk])
            top = ll.max(1)
            out[first:first + chunk] = top + np.log(np.exp(ll - top[:, None]).sum(1))
        return out

    def adapted(self, x: np.ndarray, relevance: float = RELEVANCE, adapt_weights: bool = False) -> Gmm:
        """MAP adaptation of the means towards ``x`` (the classic GMM-UBM speaker model)."""
        if len(x) == 0:
            return self
        n = np.zeros(len(self.weights))
        first = np.zeros_like(self.means)
        for start in range(0, len(x), 20000):  # bounded memory for an hour of frames
            part = x[start:start + 20000].astype(np.float64)
            post = self.posteriors(part)
            n += post.sum(0)
            first += post.T @ part
        means = (first + relevance * self.means) / (n[:, None] + relevance)
        if not adapt_weights:
            return Gmm(self.weights, means, self.variances)
        # Weights too: two voices in one recording occupy different components of the
        # recording's model, and a voice is told apart as much by which it uses as by how.
        alpha = n / (n + relevance)
        weights = alpha * n / max(float(n.sum()), 1e-9) + (1 - alpha) * self.weights
        return Gmm(np.maximum(weights / weights.sum(), 1e-6), means, self.variances)

    def supervector(self, x: np.ndarray) -> np.ndarray:
        adapted = self.adapted(x)
        return (np.sqrt(self.weights)[:, None] * (adapted.means - self.means) / np.sqrt(self.variances)).ravel()
