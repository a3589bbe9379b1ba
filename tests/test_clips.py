"""Audio clips of marked moments: the right stretch, small, muted where asked, nothing else inside."""

from __future__ import annotations

import io

import av
import numpy as np
import pytest

from conftest import REAL, SAMPLES
from tui.errors import MediaError
from tui.media.clips import clip_bounds, clip_filename, clip_mime, encode_clip
from tui.media.decode import read_pcm

RATE = 48000


def decode(data: bytes) -> tuple[np.ndarray, av.container.InputContainer]:
    container = av.open(io.BytesIO(data))
    pcm = np.concatenate([f.to_ndarray().reshape(-1).astype(np.float64) for f in container.decode(audio=0)])
    if pcm.dtype.kind != "f" or np.abs(pcm).max() > 2:
        pcm = pcm / 32768.0
    return pcm, container


def rms(x: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.square(x)))) if x.size else 0.0


def test_a_clip_is_small_mono_opus_of_the_asked_stretch():
    data = encode_clip(SAMPLES / "coaching_session.ogg", 60.0, 90.0)
    pcm, container = decode(data)
    stream = container.streams.audio[0]
    assert data[:4] == b"OggS" and stream.codec_context.name == "opus" and stream.codec_context.channels == 1
    assert len(pcm) / RATE == pytest.approx(30.0, abs=0.03)
    assert len(data) < 150_000  # ~24 kbit/s
    assert clip_mime("ogg") == "audio/ogg"


def test_the_clip_holds_the_same_sound_as_the_recording_there():
    """Loudness over time follows the original, so it is the right moment, not just any audio."""
    path = REAL / "two_speakers_phone.wav"
    original = read_pcm(path, 5.0, 15.0, rate=RATE)
    pcm, _ = decode(encode_clip(path, 5.0, 15.0))
    window = RATE // 10
    a = [rms(original[i : i + window]) for i in range(0, len(original) - window, window)]
    b = [rms(pcm[i : i + window]) for i in range(0, len(a) * window, window)]
    assert np.corrcoef(a, b)[0, 1] > 0.95


def test_muted_spans_are_silent_and_the_rest_is_not():
    path = SAMPLES / "coaching_session.ogg"
    start = 60.0
    pcm, _ = decode(encode_clip(path, start, 90.0, mute=[(65.0, 68.0), (200.0, 210.0), (50.0, 61.0)]))
    at = lambda t: int((t - start) * RATE)  # noqa: E731
    assert rms(pcm[at(65.01) : at(67.99)]) < 1e-3
    assert rms(pcm[at(60.01) : at(60.99)]) < 1e-3  # a span that began before the clip
    for a, b in ((61.2, 64.8), (68.2, 89.8)):
        original = rms(read_pcm(path, a, b, rate=RATE))
        assert original > 0.005  # there is speech there...
        assert rms(pcm[at(a) : at(b)]) == pytest.approx(original, rel=0.25)  # ...and the clip keeps it


def test_nothing_of_the_recordings_tags_goes_into_the_clip():
    data = encode_clip(SAMPLES / "short_session.ogg", 1.0, 5.0)
    for tag in (b"Check-in", b"Maria", b"Sam", b"TITLE", b"ARTIST", b"Lavf"):
        assert tag not in data
    _, container = decode(data)
    assert dict(container.metadata) == {} and dict(container.streams.audio[0].metadata) == {}


@pytest.mark.parametrize("fmt", ["webm", "mp3", "wav"])
def test_other_formats_decode_to_the_same_length(fmt):
    pcm, _ = decode(encode_clip(SAMPLES / "short_session.ogg", 10.0, 13.0, fmt=fmt))
    assert len(pcm) / RATE == pytest.approx(3.0, abs=0.06)


def test_bad_requests_are_media_errors(tmp_path):
    text = tmp_path / "notes.ogg"
    text.write_text("not audio")
    with pytest.raises(MediaError, match="not an audio"):
        encode_clip(text, 0.0, 1.0)
    with pytest.raises(MediaError, match="run forwards"):
        encode_clip(SAMPLES / "short_session.ogg", 5.0, 5.0)
    with pytest.raises(MediaError, match="nothing to play|no audio to clip"):
        encode_clip(SAMPLES / "short_session.ogg", 500.0, 510.0)
    with pytest.raises(MediaError, match="Unknown clip format"):
        encode_clip(SAMPLES / "short_session.ogg", 1.0, 2.0, fmt="flac")


def test_clip_bounds_add_run_up_and_aftermath_within_the_recording():
    assert clip_bounds(100.0, 115.0) == (95.0, 125.0)
    assert clip_bounds(2.0) == (0.0, 12.0)
    assert clip_bounds(70.0, None, duration=74.5) == (65.0, 74.5)
    assert clip_bounds(10.0, 2000.0, max_seconds=120.0) == (5.0, 125.0)
    assert clip_bounds(10.0, 20.0, pre_roll=0, post_roll=0) == (10.0, 20.0)
    with pytest.raises(MediaError, match="past the end"):
        clip_bounds(90.0, duration=74.5, pre_roll=0)
    with pytest.raises(MediaError, match="pre-roll"):
        clip_bounds(10.0, pre_roll=-1)


def test_clip_file_names_sort_in_time_order_and_are_safe():
    assert clip_filename(3, 725.0, "growth edge/../x") == "03_12m05s_growth-edge-x.ogg"
    assert clip_filename(12, 5.0, "…", "mp3") == "12_00m05s_mark.mp3"
