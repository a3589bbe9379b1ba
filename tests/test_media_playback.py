"""Players: the audio that reaches the device is the recording from the cursor, and the
playhead shown is where that audio is.

The simpleaudio backend is heard through ALSA itself: a test HOME's ~/.asoundrc turns the
default device into files (see media_fixtures.alsa_to_file), no sound card needed. The
ALSA null device takes buffers instantly, so the playhead is checked against a clock.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from media_fixtures import (
    alsa_to_file,
    forget_played,
    offset_of,
    played,
    s16_to_mono,
    tone_steps,
    truncate,
    write_audio,
    write_video,
)

from tui.errors import MediaError
from tui.media.child_player import ChildPlayer, command_argv
from tui.media.playback import check_backends, open_player
from tui.media.player import SilentPlayer

RATE = 48000
SECONDS = 8.0
SIGNAL = tone_steps(SECONDS, RATE, seed=7)
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def recording(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_audio(tmp_path_factory.mktemp("play") / "session.mp3", SIGNAL, RATE)


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A HOME whose ALSA default device writes to files; no DEBRIEF_* settings leak in."""
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("DEBRIEF_AUDIO", raising=False)
    monkeypatch.delenv("DEBRIEF_AUDIO_COMMAND", raising=False)
    monkeypatch.setenv("ALSA_CONFIG_PATH", str(alsa_to_file(tmp_path)))
    return tmp_path


@pytest.fixture
def quiet(capfd: pytest.CaptureFixture[str]):
    """Fails the test if anything reached this process's stdout/stderr (Textual's screen)."""
    yield
    out, err = capfd.readouterr()
    assert (out, err) == ("", "")


def wait_for(condition, timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.01)
    return False


def start_error_ms(audio: bytes, cursor: float, channels: int = 1) -> float:
    got = s16_to_mono(audio, channels)
    lo = int((cursor - 0.3) * RATE)
    found = lo + offset_of(got[: int(0.25 * RATE)], SIGNAL[lo : int((cursor + 0.6) * RATE)])
    return (found - cursor * RATE) / RATE * 1000


def test_simpleaudio_plays_the_recording_from_the_cursor(home: Path, recording: Path, quiet: None) -> None:
    player = open_player("simpleaudio")
    try:
        assert player.backend == "simpleaudio"
        forget_played(home)  # the device check wrote a few ms of silence
        player.play(recording, 3.0)
        assert wait_for(lambda: len(played(home)) >= RATE * 2)  # a second of mono s16
        player.pause()
    finally:
        player.close()
    assert abs(start_error_ms(played(home), 3.0)) <= 20


def test_playhead_follows_delivered_audio_and_real_time(home: Path, recording: Path, quiet: None) -> None:
    player = open_player("simpleaudio")
    try:
        forget_played(home)
        began = time.monotonic()
        player.play(recording, 2.0)
        assert player.position() == pytest.approx(2.0)
        assert player.is_playing()
        samples = []
        while time.monotonic() - began < 1.6:
            time.sleep(0.1)
            position = player.position()
            delivered = len(played(home)) / 2 / RATE
            samples.append((time.monotonic() - began, position, delivered))
        player.pause()
        frozen = player.position()
        time.sleep(0.3)
        assert player.position() == frozen
        assert not player.is_playing()
        size_after_pause = len(played(home))
        time.sleep(0.3)
        assert len(played(home)) == size_after_pause  # pause really stopped the device
    finally:
        player.close()
    for elapsed, position, delivered in samples:
        assert position is not None
        assert position - 2.0 <= elapsed + 0.1  # never ahead of real time
        assert position - 2.0 <= delivered + 0.1  # never ahead of what the device was given
    assert samples[-1][1] - 2.0 >= 1.6 - 0.6  # and it did move (startup allowed for)
    assert frozen == pytest.approx(samples[-1][1], abs=0.15)


def test_play_to_an_end_time_stops_there(home: Path, recording: Path, quiet: None) -> None:
    player = open_player("simpleaudio")
    try:
        forget_played(home)
        player.play(recording, 5.0, end=5.6)
        assert wait_for(lambda: not player.is_playing(), timeout=5.0)
        assert player.position() == pytest.approx(5.6, abs=0.02)
        assert player.error() is None
    finally:
        player.close()
    assert len(played(home)) / 2 / RATE == pytest.approx(0.6, abs=0.01)


def test_faster_playback_moves_the_playhead_faster(home: Path, recording: Path, quiet: None) -> None:
    player = open_player("simpleaudio")
    try:
        player.play(recording, 1.0, speed=2.0)
        assert wait_for(lambda: (player.position() or 0) > 1.2)
        first, at = player.position(), time.monotonic()
        time.sleep(0.5)
        moved = player.position() - first
        span = time.monotonic() - at
        player.pause()
    finally:
        player.close()
    assert moved == pytest.approx(2.0 * span, abs=0.25)


@pytest.mark.parametrize("suffix", [".wav", ".mp3"])
def test_damaged_file_plays_to_the_damage_and_says_so(home: Path, tmp_path: Path, quiet: None, suffix: str) -> None:
    damaged = tmp_path / f"cut{suffix}"
    write_audio(damaged, SIGNAL, RATE)
    truncate(damaged, 0.5)  # breaks off at ~4 s
    player = open_player("simpleaudio")
    try:
        forget_played(home)
        player.play(damaged, 3.4)
        assert wait_for(lambda: not player.is_playing(), timeout=5.0)
        message = player.error()
    finally:
        player.close()
    assert message is not None and "damaged after 00:03" in message and "played up to there" in message
    heard = played(home)
    assert len(heard) / 2 / RATE == pytest.approx(0.6, abs=0.05)
    assert abs(start_error_ms(heard, 3.4)) <= 20


def test_command_backend_pipes_the_right_pcm(home: Path, recording: Path, tmp_path: Path, quiet: None) -> None:
    sink = tmp_path / "sink.raw"
    script = tmp_path / "fake_player.py"
    script.write_text(
        "import sys, shutil\n"
        "with open(sys.argv[3], 'wb') as out:\n"
        "    out.write(f'{sys.argv[1]} {sys.argv[2]}\\n'.encode())\n"
        "    shutil.copyfileobj(sys.stdin.buffer, out)\n"
    )
    player = open_player("command", command=f"{sys.executable} {script} {{rate}} {{channels}} {sink}")
    try:
        assert isinstance(player, ChildPlayer) and player.backend == Path(sys.executable).name
        player.play(recording, 4.0, end=5.0)
        assert wait_for(lambda: not player.is_playing(), timeout=5.0)
        assert player.error() is None
        assert player.position() == pytest.approx(5.0, abs=0.02)
    finally:
        player.close()
    header, _, audio = sink.read_bytes().partition(b"\n")
    assert header == b"48000 1"
    assert len(audio) / 2 / RATE == pytest.approx(1.0, abs=0.01)
    assert abs(start_error_ms(audio, 4.0)) <= 20


def test_command_that_fails_is_reported(home: Path, recording: Path, tmp_path: Path, quiet: None) -> None:
    script = tmp_path / "broken_player.py"
    script.write_text("import sys\nsys.stderr.write('Connection refused\\n')\nsys.exit(1)\n")
    player = open_player("command", command=f"{sys.executable} {script}")
    try:
        player.play(recording, 0.0)
        assert wait_for(lambda: not player.is_playing(), timeout=5.0)
        message = player.error()
    finally:
        player.close()
    assert message is not None and "stopped" in message and "Connection refused" in message


def test_known_players_get_raw_pcm_options() -> None:
    assert command_argv("paplay", 16000, 1) == [
        "paplay", "--raw", "--rate=16000", "--channels=1", "--format=s16le", "--latency-msec=300",
    ]
    assert command_argv("/usr/bin/aplay", 44100, 2)[:2] == ["/usr/bin/aplay", "-q"]
    assert command_argv("pw-play --rate={rate} -", 8000, 1) == ["pw-play", "--rate=8000", "-"]
    with pytest.raises(MediaError):
        command_argv("paplay --volume={volume}", 8000, 1)


def test_silent_player_moves_like_playback_and_stops_at_the_end(recording: Path) -> None:
    player = SilentPlayer()
    assert player.position() is None and not player.is_playing()
    player.play(recording, 7.5, speed=2.0)
    time.sleep(0.1)
    assert player.position() == pytest.approx(7.7, abs=0.05)
    assert player.is_playing()
    time.sleep(0.25)
    assert player.position() == pytest.approx(SECONDS, abs=0.01)
    assert not player.is_playing()
    player.play(recording, 1.0)
    time.sleep(0.1)
    player.pause()
    frozen = player.position()
    time.sleep(0.1)
    assert player.position() == frozen and frozen == pytest.approx(1.1, abs=0.05)


def test_auto_without_a_device_falls_back_to_silent_with_a_reason(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, quiet: None
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("DEBRIEF_AUDIO", raising=False)
    monkeypatch.delenv("DEBRIEF_AUDIO_COMMAND", raising=False)
    (tmp_path / "asound.conf").write_text('pcm.!default { type hw; card 97 }\n')
    monkeypatch.setenv("ALSA_CONFIG_PATH", str(tmp_path / "asound.conf"))
    player = open_player()
    assert isinstance(player, SilentPlayer)
    assert "no audio device" in player.detail
    works = {name: ok for name, ok, _ in check_backends()}
    assert works["simpleaudio"] is False and works["silent"] is True


def test_environment_chooses_the_backend(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEBRIEF_AUDIO", "silent")
    assert open_player().backend == "silent"
    monkeypatch.delenv("DEBRIEF_AUDIO")
    monkeypatch.setenv("DEBRIEF_AUDIO_COMMAND", f"{sys.executable} -c pass")
    piped = open_player()  # a command set means the speakers are elsewhere (SSH)
    piped.close()
    assert piped.backend == Path(sys.executable).name
    monkeypatch.setenv("DEBRIEF_AUDIO", "command")
    monkeypatch.setenv("DEBRIEF_AUDIO_COMMAND", "no-such-player-here")
    fallback = open_player()
    assert fallback.backend == "silent" and "no-such-player-here" in fallback.detail
    with pytest.raises(MediaError, match="unknown audio backend"):
        open_player("loudspeaker")


def test_bad_media_is_refused_at_play(home: Path, tmp_path: Path) -> None:
    player = SilentPlayer()
    with pytest.raises(MediaError, match="no audio track"):
        player.play(write_video(tmp_path / "silent.mp4", 1.0), 0.0)
    (tmp_path / "notes.mp3").write_text("just text\n" * 50)
    with pytest.raises(MediaError, match="not an audio or video file"):
        player.play(tmp_path / "notes.mp3", 0.0)


def test_close_ends_the_children_and_is_idempotent(home: Path, recording: Path) -> None:
    player = open_player("simpleaudio")
    player.play(recording, 0.0)
    assert wait_for(lambda: player.child_pid() is not None)
    pids = [player.child_pid(), player._spare.pid if player._spare else None]  # noqa: SLF001
    player.close()
    player.close()
    for pid in filter(None, pids):
        assert wait_for(lambda: not _alive(pid), timeout=3.0)
    assert not player.is_playing()


def test_children_die_with_the_app(home: Path, recording: Path, tmp_path: Path) -> None:
    """kill -9 of the app (no close, no atexit) still ends its playback child."""
    pid_file = tmp_path / "child.pid"
    app = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(f"""
            import time
            from pathlib import Path
            from tui.media.playback import open_player
            player = open_player("simpleaudio")
            player.play(Path({str(recording)!r}), 0.0)
            while player.child_pid() is None:
                time.sleep(0.01)
            Path({str(pid_file)!r}).write_text(str(player.child_pid()))
            time.sleep(60)
        """)],
        cwd=ROOT, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    try:
        assert wait_for(pid_file.exists, timeout=10.0)
        child = int(pid_file.read_text())
        assert _alive(child)
        app.send_signal(signal.SIGKILL)
        app.wait()
        assert wait_for(lambda: not _alive(child), timeout=3.0)
        assert app.stderr.read() == b""
    finally:
        app.kill()
        app.wait()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie (exited, not yet reaped) is not alive
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[1][0] != "Z"
    except (OSError, IndexError):
        return False


def test_auto_uses_the_sound_servers_player_when_alsa_cannot_reach_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, quiet: None
) -> None:
    """A desktop with PulseAudio: the wheel's ALSA fails, paplay reaches the server."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "paplay"
    fake.write_text(f"#!{sys.executable}\nimport sys\nsys.stdin.buffer.read()\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("PULSE_SERVER", "unix:/nonexistent/native")
    monkeypatch.delenv("DEBRIEF_AUDIO", raising=False)
    monkeypatch.delenv("DEBRIEF_AUDIO_COMMAND", raising=False)
    (tmp_path / "asound.conf").write_text('pcm.!default { type hw; card 97 }\n')
    monkeypatch.setenv("ALSA_CONFIG_PATH", str(tmp_path / "asound.conf"))
    player = open_player()
    try:
        assert player.backend != "silent" and "paplay" in player.detail
    finally:
        player.close()
    monkeypatch.delenv("PULSE_SERVER")
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))
    assert isinstance(open_player(), SilentPlayer), "no sound server: silent, with the reason"
