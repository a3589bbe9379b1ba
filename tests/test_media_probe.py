"""probe(): what a user sees about a recording before playing it, and the errors for bad paths."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import av
import pytest
from media_fixtures import REAL_DATA, tone_steps, truncate, write_audio, write_video

from tui.errors import MediaError
from tui.media.probe import probe

REAL = REAL_DATA


@pytest.fixture(scope="module")
def media(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("probe")
    signal = tone_steps(6.0, 44100)
    files = {
        suffix: write_audio(folder / f"six{suffix}", signal, 44100) for suffix in (".wav", ".flac", ".mp3", ".m4a", ".ogg")
    }
    files[".mp4"] = write_video(folder / "six.mp4", 6.0, audio=signal, rate=44100)
    files["video-only"] = write_video(folder / "silent.mp4", 2.0)
    return files


@pytest.mark.parametrize(
    ("suffix", "codec", "container", "rate"),
    [
        (".wav", "pcm_s16le", "wav", 44100),
        (".flac", "flac", "flac", 44100),
        (".mp3", "mp3", "mp3", 44100),
        (".m4a", "aac", "m4a", 44100),
        (".ogg", "opus", "ogg", 48000),
        (".mp4", "aac", "mp4", 44100),
    ],
)
def test_probe_reports_length_and_format(
    media: dict[str, Path], suffix: str, codec: str, container: str, rate: int
) -> None:
    info = probe(media[suffix])
    assert info.duration == pytest.approx(6.0, abs=0.05)
    assert (info.codec, info.container, info.sample_rate, info.channels) == (codec, container, rate, 1)
    assert info.damage == ""


def test_probe_reads_title_and_date(tmp_path: Path) -> None:
    path = write_audio(tmp_path / "tagged.mp3", tone_steps(1.0))
    import mutagen.easyid3

    tags = mutagen.easyid3.EasyID3()
    tags["title"] = "Session 4 with J."
    tags["date"] = "2024-03-05"
    tags.save(path)
    info = probe(path)
    assert (info.title, info.date) == ("Session 4 with J.", "2024-03-05")
    assert info.tags["title"] == "Session 4 with J."


def test_probe_real_recordings() -> None:
    speech = probe(REAL / "one_speaker_speech.flac")
    assert speech.duration == pytest.approx(11.0, abs=0.1)
    stereo = probe(REAL / "stereo_two_channels.wav")
    assert (stereo.channels, stereo.sample_rate) == (2, 16000)
    assert stereo.duration == pytest.approx(5.0, abs=0.1)


@pytest.mark.parametrize("suffix", [".wav", ".mp3", ".flac"])
def test_truncated_file_reports_where_it_breaks(media: dict[str, Path], tmp_path: Path, suffix: str) -> None:
    damaged = tmp_path / f"cut{suffix}"
    shutil.copy(media[suffix], damaged)
    truncate(damaged, 0.5)
    info = probe(damaged)
    assert info.duration == pytest.approx(3.0, abs=0.3)
    assert "damaged after 00:02" in info.damage or "damaged after 00:03" in info.damage
    assert "00:06" in info.damage


def _error_for(path: Path) -> str:
    with pytest.raises(MediaError) as caught:
        probe(path)
    message = str(caught.value)
    assert "\n" not in message and message.strip() == message
    return message


def test_missing_file(tmp_path: Path) -> None:
    assert "does not exist" in _error_for(tmp_path / "nope.mp3")


def test_directory(tmp_path: Path) -> None:
    assert "is a folder" in _error_for(tmp_path)


def test_empty_file(tmp_path: Path) -> None:
    (tmp_path / "empty.mp3").write_bytes(b"")
    assert "is empty" in _error_for(tmp_path / "empty.mp3")


def test_text_named_mp3(tmp_path: Path) -> None:
    path = tmp_path / "notes.mp3"
    path.write_text("These are my session notes, not a recording.\n" * 40)
    assert "not an audio or video file" in _error_for(path)


def test_video_without_sound(media: dict[str, Path]) -> None:
    with av.open(str(media["video-only"])) as container:  # the fixture is what the test claims
        assert container.streams.video and not container.streams.audio
    assert "no audio track" in _error_for(media["video-only"])


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads every file")
def test_unreadable_file(media: dict[str, Path], tmp_path: Path) -> None:
    path = tmp_path / "locked.wav"
    shutil.copy(media[".wav"], path)
    path.chmod(0)
    assert "permission denied" in _error_for(path)


def test_unreadable_file_as_root_too(media: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    """Root reads everything, so the permission failure is staged at the open() call."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("tui.media.audio_source.open", refuse, raising=False)
    assert "permission denied" in _error_for(media[".wav"])
