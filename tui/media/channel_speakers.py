"""Whether a stereo recording gives each speaker a channel of their own (call recorder, two mics).

Why a module of its own: when it does, the channels decide who spoke and no voice model is
needed; the check is about the two signals, not about voices.
"""

from __future__ import annotations

import numpy as np

from tui.errors import MediaError
from tui.media.speech_windows import SAMPLE_RATE


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
