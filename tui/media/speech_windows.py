"""Windows of speech and their voices: what the speaker separation listens to.

Why a module of its own: the diarizer, the voice profiles and the benchmarks all start from the
same prepared audio (one channel at 16 kHz, checked) and the same GE2E embeddings of 1.5 s
windows of speech, 0.75 s apart; computing them is the costly part and does not depend on any
clustering threshold.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from tui.errors import MediaError
from tui.media import voice_encoder as ve

SAMPLE_RATE = ve.SAMPLE_RATE
FRAME_RATE = ve.FRAME_RATE

WINDOW = 1.5
"""Seconds of speech per embedding: long enough for a stable voice, short enough for one turn."""
HOP = 0.75
"""Seconds between windows (half a window: every moment of speech is seen twice)."""
MIN_WINDOW = 0.4
"""A stretch of speech shorter than this (alone between pauses) is not embedded."""


def clean_regions(regions: Sequence[tuple[float, float]], duration: float) -> list[tuple[float, float]]:
    """Speech regions in order, inside the recording, overlapping ones joined: what the windows need."""
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


class SpeechWindows:
    """GE2E embeddings of 1.5 s windows of speech, 0.75 s apart, inside each speech region.

    A region shorter than a window gets one window of its own frames, led by silence (zeros,
    as a recording's own silence looks to the network), if it lasts MIN_WINDOW at least.
    Gathered by tui.media.voice_evidence, from the whole audio at once or window by window of
    recognition: the diarizer needs only this, never the samples.
    """

    def __init__(self, spans: np.ndarray, embeddings: np.ndarray, n_frames: int) -> None:
        self.spans = np.asarray(spans, dtype=int).reshape(-1, 2)
        self.embeddings = embeddings
        self.n_frames = n_frames

    @classmethod
    def none(cls) -> SpeechWindows:
        """No evidence: nothing was heard (or nothing needs hearing)."""
        return cls(np.zeros((0, 2), int), np.zeros((0, ve.EMBEDDING_SIZE), np.float32), 0)

    @property
    def weights(self) -> np.ndarray:
        """Each window's share of a full window (a short region's window counts less)."""
        return (self.spans[:, 1] - self.spans[:, 0]) / _LENGTH if len(self.spans) else np.zeros(0)

    @property
    def full(self) -> np.ndarray:
        """Windows of at least 1 s of speech: trusted for clustering."""
        return self.weights >= 2 / 3

    @property
    def nbytes(self) -> int:
        """Memory held: what the evidence of an hour costs instead of its samples (230 MB)."""
        return int(self.spans.nbytes + self.embeddings.nbytes)

    def margins(self, centroids: np.ndarray) -> np.ndarray:
        """Per window: cosine to the closest voice minus cosine to the next closest."""
        sims = np.sort(self.embeddings @ centroids.T, axis=1)
        return sims[:, -1] - sims[:, -2]

    def typical_margin(self, centroids: np.ndarray) -> float:
        """The median margin of the full windows: this recording's unit of evidence."""
        if len(centroids) < 2 or not self.full.any():
            return 0.1
        return max(float(np.median(self.margins(centroids)[self.full])), 0.02)


_LENGTH = int(round(WINDOW * FRAME_RATE))
_EMBED_BATCH = 512


def frames_of(n_samples: int) -> int:
    """Mel frames of a recording of ``n_samples`` (centred frames, as the spectrogram counts them)."""
    return int(math.ceil(n_samples / ve.HOP)) + 1


def window_spans(regions: Sequence[tuple[float, float]]) -> np.ndarray:
    """(windows, 2) first and end mel frame of each window over the (clean) speech ``regions``."""
    hop = int(round(HOP * FRAME_RATE))
    shortest = int(round(MIN_WINDOW * FRAME_RATE))
    spans: list[tuple[int, int]] = []
    for start, end in regions:
        a, b = int(start * FRAME_RATE), int(math.ceil(end * FRAME_RATE))
        if b - a >= _LENGTH:
            starts = list(range(a, b - _LENGTH + 1, hop))
            if b - (starts[-1] + _LENGTH) > hop // 3:
                starts.append(b - _LENGTH)  # the end of the region, not left out
            spans += [(s, s + _LENGTH) for s in starts]
        elif b - a >= shortest:
            spans.append((a, b))
    return np.array(spans, dtype=int).reshape(-1, 2)


def embed_mel(pieces: Sequence[tuple[np.ndarray, int, np.ndarray]]) -> np.ndarray:
    """Embeddings of the windows of each (mel, its first frame, spans) piece, in order, a batch at
    a time across pieces (bounded memory for an hour, full batches for short pieces)."""
    windows = [(mel, first_frame, a, b) for mel, first_frame, spans in pieces for a, b in spans]
    parts = []
    for first in range(0, len(windows), _EMBED_BATCH):
        chunk = windows[first:first + _EMBED_BATCH]
        batch = np.zeros((len(chunk), _LENGTH, ve.N_MELS), dtype=np.float32)
        for i, (mel, first_frame, a, b) in enumerate(chunk):
            batch[i, _LENGTH - (b - a):] = mel[a - first_frame:b - first_frame]
        parts.append(ve.embed_mels(batch))
    return np.concatenate(parts) if parts else np.zeros((0, ve.EMBEDDING_SIZE), np.float32)


def mel_of_spans(audio: np.ndarray, first_sample: int, spans: np.ndarray) -> tuple[np.ndarray, int]:
    """(mel frames from the first span's frame on, that frame), computed only where some span needs them."""
    lo, hi = int(spans[:, 0].min()), int(spans[:, 1].max())
    mel = np.zeros((hi - lo, ve.N_MELS), dtype=np.float32)
    merged: list[list[int]] = []
    for a, b in sorted(map(tuple, spans.tolist())):
        if merged and a <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    half = ve.N_FFT // 2
    for a, b in merged:
        # Frame t covers recording samples t*HOP - N_FFT/2 .. t*HOP + N_FFT/2.
        start, end = a * ve.HOP - half, (b - 1) * ve.HOP + half
        piece = _samples(audio, start - first_sample, end - first_sample)
        frames = ve.mel_spectrogram(piece, center=False)
        mel[a - lo:a - lo + len(frames)] = frames[: b - a]
    return mel, lo


def _samples(audio: np.ndarray, start: int, end: int) -> np.ndarray:
    """``audio[start:end]``, zeros where that lies outside ``audio``."""
    if start >= 0 and end <= len(audio):
        return audio[start:end]
    out = np.zeros(end - start, dtype=np.float32)
    a, b = max(start, 0), min(end, len(audio))
    if b > a:
        out[a - start:b - start] = audio[a:b]
    return out


def mono_16k(audio: np.ndarray, sample_rate: int) -> np.ndarray:
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
