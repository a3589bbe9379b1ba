"""iter_pcm()/read_pcm(): audio starts exactly at the cursor, in every format, at any speed."""

from __future__ import annotations

import shutil
import tracemalloc
from pathlib import Path

import numpy as np
import pytest
from media_fixtures import (
    REAL_DATA,
    dominant_frequency,
    offset_of,
    s16_to_mono,
    tone,
    tone_steps,
    truncate,
    write_audio,
    write_video,
)

from tui.errors import MediaError
from tui.media.decode import iter_pcm, read_pcm, tempo_factors

RATE = 48000
SECONDS = 8.0
SIGNAL = tone_steps(SECONDS, RATE)
REAL = REAL_DATA


@pytest.fixture(scope="module")
def media(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("decode")
    files = {
        suffix: write_audio(folder / f"steps{suffix}", SIGNAL, RATE) for suffix in (".wav", ".flac", ".mp3", ".m4a", ".ogg")
    }
    for suffix in (".mp4", ".mov", ".webm"):
        files[suffix] = write_video(folder / f"video{suffix}", SECONDS, audio=SIGNAL, rate=RATE)
    # 44.1 kHz source played at 48 kHz: resampling must not shift time either.
    files["44k.mp3"] = write_audio(folder / "steps44k.mp3", tone_steps(SECONDS, 44100), 44100)
    return files


def start_error_ms(got: np.ndarray, cursor: float, reference: np.ndarray = SIGNAL) -> float:
    """Milliseconds between where ``got`` starts in ``reference`` and ``cursor``."""
    lo = max(0, int((cursor - 0.3) * RATE))
    hi = int((cursor + 0.6) * RATE)
    found = lo + offset_of(got[: int(0.25 * RATE)], reference[lo:hi])
    return (found - cursor * RATE) / RATE * 1000


@pytest.mark.parametrize("suffix", [".wav", ".flac", ".mp3", ".m4a", ".ogg", ".mp4", ".mov", ".webm"])
@pytest.mark.parametrize("cursor", [0.0, 0.05, 2.345, 6.9])
def test_audio_starts_at_the_cursor(media: dict[str, Path], suffix: str, cursor: float) -> None:
    got = read_pcm(media[suffix], cursor, cursor + 0.5, rate=RATE)
    assert len(got) == int(0.5 * RATE)
    assert abs(start_error_ms(got, cursor)) <= 20


def test_resampled_audio_starts_at_the_cursor(media: dict[str, Path]) -> None:
    got = read_pcm(media["44k.mp3"], 5.55, 6.0, rate=RATE)
    reference = tone_steps(SECONDS, RATE)  # same tones, generated at the output rate
    assert abs(start_error_ms(got, 5.55, reference)) <= 20


def test_stream_is_chunked_s16_stereo(media: dict[str, Path]) -> None:
    chunks = list(iter_pcm(media[".flac"], 1.0, end=2.0, rate=RATE, channels=2, chunk_seconds=0.25))
    assert [len(chunk) for chunk in chunks] == [int(0.25 * RATE) * 4] * 4
    stereo = np.frombuffer(b"".join(chunks), dtype="<i2").reshape(-1, 2)
    assert np.array_equal(stereo[:, 0], stereo[:, 1])  # mono source on both sides
    mono = s16_to_mono(b"".join(chunks), 2)
    assert abs(start_error_ms(mono, 1.0)) <= 20


def test_stereo_channels_keep_their_speaker() -> None:
    both = read_pcm(REAL / "stereo_two_channels.wav", 1.0, 3.0, rate=16000, channels=2)
    assert both.shape == (2, 32000)
    left_energy, right_energy = (float(np.sqrt(np.mean(side**2))) for side in both)
    assert left_energy > 0.001 and right_energy > 0.001
    assert float(np.corrcoef(both[0], both[1])[0, 1]) < 0.9  # two people, not one copied


def test_streaming_memory_does_not_grow_with_length(media: dict[str, Path]) -> None:
    """Output of 8 s of stereo is 1.5 MB; a streaming decoder holds a chunk, not the lot."""
    tracemalloc.start()
    try:
        total = sum(len(chunk) for chunk in iter_pcm(media[".ogg"], 0.0, rate=RATE, channels=2))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert total == pytest.approx(SECONDS * RATE * 4, rel=0.01)
    assert peak < total / 4


@pytest.mark.parametrize("speed", [0.5, 1.5, 2.5])
def test_speed_keeps_pitch_and_shortens_time(tmp_path: Path, speed: float) -> None:
    path = write_audio(tmp_path / "a440.flac", tone(4.0, 440.0, RATE), RATE)
    data = b"".join(iter_pcm(path, 0.0, rate=RATE, channels=1, speed=speed))
    samples = s16_to_mono(data, 1)
    assert len(samples) / RATE == pytest.approx(4.0 / speed, rel=0.03)
    middle = samples[len(samples) // 4 : len(samples) // 4 + RATE // 2]
    assert dominant_frequency(middle, RATE) == pytest.approx(440.0, abs=5.0)


def test_speed_from_the_cursor_starts_at_the_cursor(media: dict[str, Path]) -> None:
    data = b"".join(iter_pcm(media[".mp3"], 3.0, end=4.0, rate=RATE, channels=1, speed=1.5))
    # At 1.5× the first 100 ms step (one tone) lasts ~67 ms: compare pitch, not waveform.
    first = s16_to_mono(data, 1)[: int(0.06 * RATE)]
    expected = dominant_frequency(SIGNAL[int(3.0 * RATE) : int(3.09 * RATE)], RATE)
    assert dominant_frequency(first, RATE) == pytest.approx(expected, abs=40)
    assert len(data) / 2 / RATE == pytest.approx(1.0 / 1.5, rel=0.05)


def test_tempo_factors_stay_in_atempo_range() -> None:
    for speed in (0.25, 0.5, 1.0, 2.5, 4.0):
        factors = tempo_factors(speed)
        assert all(0.5 <= factor <= 2.0 for factor in factors)
        assert np.prod(factors) == pytest.approx(speed)


def test_end_and_past_the_end(media: dict[str, Path]) -> None:
    assert len(read_pcm(media[".m4a"], 7.5, rate=RATE)) == pytest.approx(0.5 * RATE, abs=RATE * 0.01)
    assert len(read_pcm(media[".m4a"], 9.0, rate=RATE)) == 0
    assert len(read_pcm(media[".m4a"], 3.0, 3.0, rate=RATE)) == 0


@pytest.mark.parametrize("suffix", [".wav", ".mp3"])
def test_truncated_file_plays_up_to_the_damage_and_says_so(media: dict[str, Path], tmp_path: Path, suffix: str) -> None:
    damaged = tmp_path / f"cut{suffix}"
    shutil.copy(media[suffix], damaged)
    truncate(damaged, 0.5)
    stream = iter_pcm(damaged, 2.0, rate=RATE, channels=1)
    samples = s16_to_mono(b"".join(stream), 1)
    assert len(samples) / RATE == pytest.approx(2.0, abs=0.15)  # 2 s to the break at ~4 s
    assert abs(start_error_ms(samples, 2.0)) <= 20
    assert stream.damage is not None and "damaged after 00:03" in stream.damage
    assert "played up to there" in stream.damage


def _scratch(source: Path, target: Path) -> Path:
    """Overwrite 1.5 kB in the middle with noise, as a bad sector or a broken copy would."""
    data = bytearray(source.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 1500] = np.random.default_rng(3).integers(0, 256, 1500, dtype=np.uint8).tobytes()
    target.write_bytes(bytes(data))
    return target


@pytest.mark.parametrize("suffix", [".m4a", ".mp3"])
def test_corrupt_frames_are_skipped_and_time_stays_true(media: dict[str, Path], tmp_path: Path, suffix: str) -> None:
    stream = iter_pcm(_scratch(media[suffix], tmp_path / f"scratched{suffix}"), 0.0, rate=RATE, channels=1)
    samples = s16_to_mono(b"".join(stream), 1)
    assert stream.skipped > 0 and stream.skipped_at == pytest.approx(SECONDS / 2, abs=1.0)
    assert stream.damage is None
    assert len(samples) / RATE == pytest.approx(SECONDS, abs=0.05)
    assert abs(start_error_ms(samples[int(6.0 * RATE) :], 6.0)) <= 20


def test_variable_bitrate_mp3_starts_at_the_cursor(tmp_path: Path) -> None:
    """No constant frame size to position by: FFmpeg's exact (reading) seek is used."""
    import av

    path = tmp_path / "vbr.mp3"
    with av.open(str(path), "w") as out:
        stream = out.add_stream("libmp3lame", rate=RATE, layout="mono")
        stream.codec_context.qscale = 4  # quality-based: variable bit rate
        stream.codec_context.flags |= av.codec.context.Flags.qscale
        frame = av.AudioFrame.from_ndarray(SIGNAL[None, :], format="fltp", layout="mono")
        frame.sample_rate, frame.pts = RATE, 0
        for packet in [*stream.encode(frame), *stream.encode(None)]:
            out.mux(packet)
    from tui.media.audio_source import AudioSource

    assert AudioSource(path)._grid is None  # noqa: SLF001 - the fixture really is VBR
    for cursor in (2.345, 6.9):
        got = read_pcm(path, cursor, cursor + 0.5, rate=RATE)
        assert abs(start_error_ms(got, cursor)) <= 20


def test_bad_media_raises_media_error(tmp_path: Path, media: dict[str, Path]) -> None:
    (tmp_path / "notes.mp3").write_text("not audio\n" * 100)
    (tmp_path / "empty.wav").write_bytes(b"")
    silent_video = write_video(tmp_path / "silent.mp4", 1.0)
    for path, words in [
        (tmp_path / "notes.mp3", "not an audio or video file"),
        (tmp_path / "empty.wav", "is empty"),
        (silent_video, "no audio track"),
        (tmp_path / "missing.ogg", "does not exist"),
    ]:
        with pytest.raises(MediaError, match=words):
            iter_pcm(path)
    with pytest.raises(MediaError, match="speed"):
        iter_pcm(media[".wav"], speed=9.0)


def test_a_text_file_or_an_image_is_named_for_what_it_is(tmp_path: Path) -> None:
    import zlib

    from tui.media.audio_source import open_audio

    notes = tmp_path / "notes.txt"
    notes.write_text("COACH|0.8|Hi Sam. How did the lesson go?\n" * 40)  # FFmpeg reads text as a "tty" video
    with pytest.raises(MediaError, match="notes.txt is a text file, not a recording"):
        open_audio(notes)
    raw = b"".join(b"\x00" + b"\xff\x00\x00" * 4 for _ in range(4))
    png = b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", (4).to_bytes(4, "big") * 2 + b"\x08\x02\x00\x00\x00") + \
        _chunk(b"IDAT", zlib.compress(raw)) + _chunk(b"IEND", b"")
    picture = tmp_path / "session.mp3"
    picture.write_bytes(png)
    with pytest.raises(MediaError, match="session.mp3 is an image, not a recording"):
        open_audio(picture)


def _chunk(kind: bytes, data: bytes) -> bytes:
    import zlib

    return len(data).to_bytes(4, "big") + kind + data + zlib.crc32(kind + data).to_bytes(4, "big")
