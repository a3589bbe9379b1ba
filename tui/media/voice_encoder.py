"""A speaker-embedding model in numpy: Resemblyzer's GE2E voice encoder, no PyTorch.

Why: cepstral statistics describe the room and the microphone about as much as the voice;
a network trained to tell thousands of speakers apart (GE2E loss) gives 256-d vectors whose
cosine similarity follows the speaker. Resemblyzer's weights (Apache-2.0, converted to
``models/resemblyzer_ge2e.npz`` by ``models/convert_resemblyzer.py``) ship in the package, so
nothing is downloaded. The forward pass is the network as trained: 40-band mel *power*
spectrogram (25 ms Hann window, 10 ms hop, librosa's Slaney mel filters), a 3-layer LSTM
(256 units), the last layer's final state through a 256x256 linear layer, ReLU, L2 norm.

Speed: many windows are run as one batch, so each LSTM step is one matrix product for all
of them, and every layer's input projection is one large product over all its frames.
Float32 throughout; results do not depend on the BLAS thread count beyond rounding.
"""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np

SAMPLE_RATE = 16000
N_FFT = 400  # 25 ms
HOP = 160  # 10 ms
N_MELS = 40
FRAME_RATE = SAMPLE_RATE // HOP  # frames per second
EMBEDDING_SIZE = 256
TARGET_DBFS = -30.0
"""Resemblyzer raises quiet recordings to this level before the mel spectrogram (never lowers)."""

WEIGHTS = Path(__file__).resolve().parent / "models" / "resemblyzer_ge2e.npz"
_BATCH = 256  # windows per LSTM pass: matrix products reach ~100 GFLOPS from ~128 rows on
_TIME_CHUNK = 25  # frames whose input projection is one product (bounded memory: ~26 MB)


# ---------------------------------------------------------------- mel front end


def hz_to_mel(hz: np.ndarray | float) -> np.ndarray:
    """Slaney's mel scale (librosa's default, htk=False): linear below 1 kHz, log above."""
    hz = np.asarray(hz, dtype=np.float64)
    f_sp = 200.0 / 3
    min_log_hz, min_log_mel, logstep = 1000.0, 1000.0 / f_sp, np.log(6.4) / 27.0
    linear = hz / f_sp
    return np.where(hz >= min_log_hz, min_log_mel + np.log(np.maximum(hz, 1e-10) / min_log_hz) / logstep, linear)


def mel_to_hz(mel: np.ndarray | float) -> np.ndarray:
    mel = np.asarray(mel, dtype=np.float64)
    f_sp = 200.0 / 3
    min_log_hz, min_log_mel, logstep = 1000.0, 1000.0 / f_sp, np.log(6.4) / 27.0
    return np.where(mel >= min_log_mel, min_log_hz * np.exp(logstep * (mel - min_log_mel)), f_sp * mel)


@functools.cache
def mel_filterbank(sr: int = SAMPLE_RATE, n_fft: int = N_FFT, n_mels: int = N_MELS) -> np.ndarray:
    """(n_mels, 1 + n_fft // 2) triangles, area-normalised ("slaney"), as librosa.filters.mel."""
    fft_freqs = np.linspace(0, sr / 2, 1 + n_fft // 2)
    mel_f = mel_to_hz(np.linspace(hz_to_mel(0.0), hz_to_mel(sr / 2), n_mels + 2))
    fdiff = np.diff(mel_f)
    ramps = mel_f[:, None] - fft_freqs[None, :]
    lower = -ramps[:-2] / fdiff[:-1, None]
    upper = ramps[2:] / fdiff[1:, None]
    weights = np.maximum(0.0, np.minimum(lower, upper))
    weights *= (2.0 / (mel_f[2:] - mel_f[:-2]))[:, None]
    return weights.astype(np.float32)


def volume_gain(rms: float) -> float:
    """The gain that raises audio of this RMS to TARGET_DBFS, never lowering it (1 for silence)."""
    if rms <= 1e-9:
        return 1.0
    change = TARGET_DBFS - 20 * np.log10(rms)
    return 1.0 if change <= 0 else float(10 ** (change / 20))


def normalise_volume(audio: np.ndarray) -> np.ndarray:
    """Raise ``audio`` to TARGET_DBFS RMS if it is quieter (the level the encoder was trained at)."""
    rms = float(np.sqrt(np.mean(np.square(audio, dtype=np.float64)))) if len(audio) else 0.0
    gain = volume_gain(rms)
    return audio if gain == 1.0 else (audio * np.float32(gain)).astype(np.float32)


def mel_spectrogram(audio: np.ndarray, center: bool = True) -> np.ndarray:
    """(frames, 40) mel power spectrogram, frame ``t`` centred on sample ``t * HOP``.

    As librosa.feature.melspectrogram(center=True, zero padding, periodic Hann, power 2).
    ``center=False``: frame ``t`` starts at sample ``t * HOP`` (for pieces cut with margins).
    """
    audio = np.asarray(audio, dtype=np.float32)
    padded = np.pad(audio, (N_FFT // 2, N_FFT // 2)) if center else audio
    n_frames = 1 + (len(padded) - N_FFT) // HOP if len(padded) >= N_FFT else 0
    if n_frames <= 0:
        return np.zeros((0, N_MELS), dtype=np.float32)
    frames = np.lib.stride_tricks.as_strided(
        padded, shape=(n_frames, N_FFT), strides=(padded.strides[0] * HOP, padded.strides[0])
    )
    window = (0.5 - 0.5 * np.cos(2 * np.pi * np.arange(N_FFT) / N_FFT)).astype(np.float32)
    out = np.empty((n_frames, N_MELS), dtype=np.float32)
    basis = mel_filterbank().T
    for a in range(0, n_frames, 4096):  # bounded memory for an hour of audio
        spectrum = np.fft.rfft(frames[a:a + 4096] * window, axis=1)
        power = (spectrum.real ** 2 + spectrum.imag ** 2).astype(np.float32)
        out[a:a + 4096] = power @ basis
    return out


# ---------------------------------------------------------------- network


@functools.cache
def load_weights(path: Path = WEIGHTS) -> dict[str, np.ndarray]:
    """The encoder's weights as float32: per layer the LSTM matrices, then the projection."""
    with np.load(path) as data:
        raw = {k: np.asarray(data[k], dtype=np.float32) for k in data.files}
    out: dict[str, np.ndarray] = {}
    n = EMBEDDING_SIZE
    # PyTorch stacks the gates input, forget, cell, output; put the three sigmoid gates first.
    order = np.concatenate([np.arange(0, 2 * n), np.arange(3 * n, 4 * n), np.arange(2 * n, 3 * n)])
    for layer in range(3):
        out[f"w_ih{layer}"] = np.ascontiguousarray(raw[f"lstm_weight_ih_l{layer}"][order].T)
        out[f"w_hh{layer}"] = np.ascontiguousarray(raw[f"lstm_weight_hh_l{layer}"][order].T)
        out[f"b{layer}"] = (raw[f"lstm_bias_ih_l{layer}"] + raw[f"lstm_bias_hh_l{layer}"])[order]
    out["linear_w"] = np.ascontiguousarray(raw["linear_weight"].T)
    out["linear_b"] = raw["linear_bias"]
    return out


def embed_mels(mels: np.ndarray) -> np.ndarray:
    """(windows, frames, 40) mel spectrograms -> (windows, 256) L2-normalised embeddings."""
    mels = np.asarray(mels, dtype=np.float32)
    if mels.ndim != 3 or mels.shape[2] != N_MELS:
        raise ValueError(f"expected (windows, frames, {N_MELS}) mel spectrograms, got {mels.shape}")
    if len(mels) == 0:
        return np.zeros((0, EMBEDDING_SIZE), dtype=np.float32)
    # Equal batches of at most _BATCH: a small remainder batch would run at a fraction of the speed.
    size = -(-len(mels) // -(-len(mels) // _BATCH))
    return np.concatenate([_embed_batch(mels[a:a + size]) for a in range(0, len(mels), size)])


def _embed_batch(mels: np.ndarray) -> np.ndarray:
    w = load_weights()
    b, t, _ = mels.shape
    n = EMBEDDING_SIZE
    x = mels
    h = np.zeros((b, n), dtype=np.float32)
    gates = np.empty((b, 4 * n), dtype=np.float32)
    for layer in range(3):
        w_ih, w_hh, bias = w[f"w_ih{layer}"], w[f"w_hh{layer}"], w[f"b{layer}"]
        h = np.zeros((b, n), dtype=np.float32)
        c = np.zeros((b, n), dtype=np.float32)
        last = layer == 2
        outputs = None if last else np.empty((b, t, n), dtype=np.float32)
        for chunk in range(0, t, _TIME_CHUNK):
            # Input projections of a run of frames at once; only the recurrence goes step by step.
            span = min(_TIME_CHUNK, t - chunk)
            projected = (x[:, chunk:chunk + span].reshape(b * span, -1) @ w_ih).reshape(b, span, 4 * n)
            projected += bias
            for step in range(span):
                np.matmul(h, w_hh, out=gates)
                gates += projected[:, step]
                # Gates reordered at load: input, forget, output (sigmoid), then cell (tanh).
                # sigmoid(x) = 0.5 + 0.5 tanh(x / 2): no overflow, one transcendental.
                sig = gates[:, :3 * n]
                sig *= 0.5
                np.tanh(sig, out=sig)
                sig *= 0.5
                sig += 0.5
                g = np.tanh(gates[:, 3 * n:])
                g *= gates[:, :n]
                c *= gates[:, n:2 * n]
                c += g
                h = np.tanh(c)
                h *= gates[:, 2 * n:3 * n]
                if outputs is not None:
                    outputs[:, chunk + step] = h
        x = outputs if outputs is not None else x
    raw = np.maximum(h @ w["linear_w"] + w["linear_b"], 0.0)
    norm = np.linalg.norm(raw, axis=1, keepdims=True)
    return (raw / np.where(norm > 0, norm, 1.0)).astype(np.float32)


def embed_windows(mel: np.ndarray, starts: np.ndarray, length: int) -> np.ndarray:
    """Embeddings of windows ``mel[s:s+length]`` for each start frame (padded with silence at the end)."""
    starts = np.asarray(starts, dtype=int)
    if len(starts) == 0:
        return np.zeros((0, EMBEDDING_SIZE), dtype=np.float32)
    need = int(starts.max()) + length
    if need > len(mel):
        mel = np.concatenate([mel, np.zeros((need - len(mel), N_MELS), dtype=np.float32)])
    index = starts[:, None] + np.arange(length)[None, :]
    return embed_mels(mel[index])


def embed_utterance(audio: np.ndarray, window: float = 1.6, hop: float = 0.8) -> np.ndarray:
    """One embedding for a stretch of one voice: the normalised mean of its windows' embeddings."""
    mel = mel_spectrogram(normalise_volume(np.asarray(audio, dtype=np.float32)))
    length = int(round(window * FRAME_RATE))
    step = max(1, int(round(hop * FRAME_RATE)))
    starts = np.arange(0, max(1, len(mel) - length + 1), step)
    vectors = embed_windows(mel, starts, length)
    mean = vectors.mean(0)
    return mean / max(float(np.linalg.norm(mean)), 1e-12)
