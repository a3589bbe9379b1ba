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
