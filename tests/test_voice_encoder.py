"""The numpy GE2E encoder: its mel front end, its weights, and the network's arithmetic.

The reference numbers for the filterbank come from librosa 0.11 (``librosa.filters.mel(sr=16000,
n_fft=400, n_mels=40)``, which Resemblyzer used in training); librosa is not a dependency.
"""

from __future__ import annotations

import numpy as np
import pytest

from tui.media import voice_encoder as ve

from conftest import REAL


def test_slaney_mel_scale_formula():
    assert ve.hz_to_mel(1000.0) == pytest.approx(15.0)  # linear part: 1000 / (200/3)
    assert ve.hz_to_mel(6400.0) == pytest.approx(15.0 + 27.0)  # log part: 27 mels per factor 6.4
    hz = np.array([0.0, 300.0, 999.0, 1000.0, 3500.0, 8000.0])
    assert np.allclose(ve.mel_to_hz(ve.hz_to_mel(hz)), hz)


def test_filterbank_matches_librosa():
    fb = ve.mel_filterbank()
    assert fb.shape == (40, 201)
    assert np.allclose(fb[0, :4], [0.0, 0.0073902095, 0.012404521, 0.0050143115], atol=1e-9)
    assert np.allclose(fb[20][fb[20] > 0], [0.0008176398, 0.0031602401, 0.00550284, 0.0071919174,
                                            0.0050204773, 0.0028490382, 0.0006775986], atol=1e-9)
    assert np.allclose(fb.sum(1)[[0, 10, 39]], [0.02480904, 0.024809042, 0.024978757], atol=1e-8)


def test_mel_spectrogram_is_the_power_spectrum_through_the_filters():
    rng = np.random.default_rng(0)
    audio = rng.normal(0, 0.1, 4000).astype(np.float32)
    mel = ve.mel_spectrogram(audio)
    assert mel.shape == (1 + 4000 // 160, 40)
    # Frame 10 by the textbook: centred on sample 1600, periodic Hann, |DFT|^2, filters.
    n = np.arange(400)
    window = 0.5 - 0.5 * np.cos(2 * np.pi * n / 400)
    piece = audio[1600 - 200:1600 + 200].astype(np.float64) * window
    k = np.arange(201)[:, None]
    power = np.abs((piece[None, :] * np.exp(-2j * np.pi * k * n[None, :] / 400)).sum(1)) ** 2
    assert np.allclose(mel[10], ve.mel_filterbank().astype(np.float64) @ power, rtol=1e-4)
    # Uncentred frames of a piece cut with margins are the same frames.
    assert np.allclose(ve.mel_spectrogram(audio[1400:2200], center=False)[0], mel[10], rtol=1e-5)


def test_quiet_audio_is_raised_to_the_training_level_and_loud_audio_left_alone():
    quiet = np.full(1000, 0.001, np.float32)
    raised = ve.normalise_volume(quiet)
    assert 20 * np.log10(np.sqrt(np.mean(raised.astype(np.float64) ** 2))) == pytest.approx(ve.TARGET_DBFS, abs=0.01)
    loud = np.full(1000, 0.5, np.float32)
    assert ve.normalise_volume(loud) is loud


def test_weights_load_with_the_expected_shapes_and_stay_small():
    assert ve.WEIGHTS.stat().st_size < 10_000_000
    with np.load(ve.WEIGHTS) as raw:
        shapes = {k: raw[k].shape for k in raw.files}
        assert all(raw[k].dtype == np.float16 for k in raw.files)
    assert shapes["lstm_weight_ih_l0"] == (1024, 40)
    for layer in range(3):
        assert shapes[f"lstm_weight_hh_l{layer}"] == (1024, 256)
        assert shapes[f"lstm_bias_ih_l{layer}"] == shapes[f"lstm_bias_hh_l{layer}"] == (1024,)
    assert shapes["lstm_weight_ih_l1"] == shapes["lstm_weight_ih_l2"] == (1024, 256)
    assert shapes["linear_weight"] == (256, 256) and shapes["linear_bias"] == (256,)


def _reference_embedding(mel: np.ndarray) -> np.ndarray:
    """One window through PyTorch's LSTM equations, float64, the stored gate order (i, f, g, o)."""
    with np.load(ve.WEIGHTS) as raw:
        w = {k: raw[k].astype(np.float64) for k in raw.files}

    def sigmoid(x):
        return 0.5 * (1 + np.tanh(x / 2))

    x = mel.astype(np.float64)
    for layer in range(3):
        h, c, out = np.zeros(256), np.zeros(256), []
        for frame in x:
            z = (w[f"lstm_weight_ih_l{layer}"] @ frame + w[f"lstm_bias_ih_l{layer}"]
                 + w[f"lstm_weight_hh_l{layer}"] @ h + w[f"lstm_bias_hh_l{layer}"])
            i, f, g, o = sigmoid(z[:256]), sigmoid(z[256:512]), np.tanh(z[512:768]), sigmoid(z[768:])
            c = f * c + i * g
            h = o * np.tanh(c)
            out.append(h)
        x = np.array(out)
    e = np.maximum(w["linear_weight"] @ h + w["linear_bias"], 0)
    return e / np.linalg.norm(e)


def test_batched_float32_network_matches_the_equations_window_by_window():
    rng = np.random.default_rng(1)
    mels = (rng.gamma(0.5, 2.0, (3, 40, 40)) ** 2).astype(np.float32)  # power-like, heavy-tailed
    batched = ve.embed_mels(mels)
    assert batched.shape == (3, 256)
    for i in range(3):
        assert np.allclose(batched[i], _reference_embedding(mels[i]), atol=2e-4)
        assert np.allclose(ve.embed_mels(mels[i:i + 1])[0], batched[i], atol=1e-5)  # no batch effects
    assert np.allclose(np.linalg.norm(batched, axis=1), 1.0, atol=1e-5)


def test_same_speaker_windows_of_the_real_phone_call_are_closer_than_different_ones():
    from faster_whisper.audio import decode_audio

    audio = decode_audio(str(REAL / "two_speakers_phone.wav"), sampling_rate=16000)
    turns = []
    for line in (REAL / "two_speakers_phone.rttm").read_text().splitlines():
        parts = line.split()
        turns.append((float(parts[3]), float(parts[3]) + float(parts[4]), parts[7]))
    mel = ve.mel_spectrogram(ve.normalise_volume(audio))
    starts = np.arange(0, len(mel) - 150, 75)
    labels = []
    for s in starts:
        a, b = s / 100, s / 100 + 1.5
        cover = {n: min(b, e) - max(a, t) for t, e, n in turns if min(b, e) - max(a, t) > 0}
        labels.append(next(iter(cover)) if len(cover) == 1 and max(cover.values()) > 1.2 else None)
    e = ve.embed_windows(mel, starts, 150)
    sims = e @ e.T
    same, other = [], []
    for i in range(len(starts)):
        for j in range(i + 1, len(starts)):
            if labels[i] and labels[j]:
                (same if labels[i] == labels[j] else other).append(sims[i, j])
    assert len(same) > 20 and len(other) > 20
    # Measured: same 0.80 on average, different 0.68.
    assert np.mean(same) - np.mean(other) > 0.08
    assert np.median(same) > np.percentile(other, 90)
