"""Whisper's log-mel features, bit for bit as faster-whisper computes them, a few thousand frames at a time.

Why: faster-whisper's ``FeatureExtractor`` takes the short-time spectrum of all the audio it is
given at once (float32 frames, the complex spectrum in double precision, its magnitudes): about
59 MB per minute, 616 MB for a 10-minute recognition window, for 18 MB of features. Here the
spectrum is taken a chunk of frames at a time and only the power (201 floats per frame) is
kept whole; the mel projection, the logarithm and the clamp to the loudest frame then run on
the whole as faster-whisper runs them, with the power laid out as its own (column-major), so
the matrix product takes the same path and the numbers are identical (tests/test_transcribe.py
compares them on recordings of many lengths).
"""

from __future__ import annotations

import numpy as np
from faster_whisper.feature_extractor import FeatureExtractor

FRAMES_PER_CHUNK = 3000
"""30 s of frames: the spectrum of one chunk is about 15 MB."""


class ChunkedFeatureExtractor(FeatureExtractor):
    """faster-whisper's feature extractor with a bounded spectrum; same settings, same output."""

    @classmethod
    def like(cls, other: FeatureExtractor) -> ChunkedFeatureExtractor:
        """One with ``other``'s settings (the model's: mel bands, hop, window)."""
        return cls(feature_size=other.mel_filters.shape[0], sampling_rate=other.sampling_rate,
                   hop_length=other.hop_length, chunk_length=other.chunk_length, n_fft=other.n_fft)

    def __call__(self, waveform: np.ndarray, padding: int = 160, chunk_length: int | None = None) -> np.ndarray:
        if chunk_length is not None:
            self.n_samples = chunk_length * self.sampling_rate
            self.nb_max_frames = self.n_samples // self.hop_length
        waveform = waveform.astype(np.float32, copy=False)
        if padding:
            waveform = np.pad(waveform, (0, padding))
        window = np.hanning(self.n_fft + 1)[:-1].astype("float32")
        half = self.n_fft // 2
        padded = np.pad(waveform, (half, half), mode="reflect")  # as the spectrum's centring pads
        frames = 1 + (len(padded) - self.n_fft) // self.hop_length - 1  # the last frame is dropped
        power = np.empty((self.n_fft // 2 + 1, frames), np.float32, order="F")
        for first in range(0, frames, FRAMES_PER_CHUNK):
            last = min(frames, first + FRAMES_PER_CHUNK)
            piece = padded[first * self.hop_length:(last - 1) * self.hop_length + self.n_fft]
            spectrum = self.stft(piece, self.n_fft, self.hop_length, window=window, center=False,
                                 return_complex=True).astype("complex64")
            power[:, first:last] = np.abs(spectrum) ** 2
        mel_spec = self.mel_filters @ power
        del power
        log_spec = np.log10(np.clip(mel_spec, a_min=1e-10, a_max=None))
        log_spec = np.maximum(log_spec, log_spec.max() - 8.0)
        return (log_spec + 4.0) / 4.0
