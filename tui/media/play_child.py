"""The playback child: decodes one stretch of a recording and plays it, away from the app.

A separate process because the audio stack is not polite: ALSA's C library writes its
complaints to file descriptor 2 (where Textual draws), and a crash in a native library
should end a song, not the reviewer. ``tui.media.child_player`` starts this module as
``python -m tui.media.play_child BACKEND`` ahead of time so the imports are done when a key
is pressed, then sends one job; stopping is killing the process group.

Protocol, one line each way:

* stdin: one JSON job ``{"path", "start", "end", "speed", "rate", "channels", "command"}``;
  afterwards end-of-file on stdin means the app has gone, so the child exits.
* stdout: ``ready`` (imports done), ``pos <media s> <horizon s>`` every ~50 ms while playing
  (where the playhead is now and how far audio has been handed to the device), ``skipped <n>
  <at s>``, ``error <sentence>``, ``end <media s>`` once the last sample has been played.

``python -m tui.media.play_child --check`` opens the ALSA default device with a few
milliseconds of silence: exit status 0 and ``ok`` if it works, else ``error <why>``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Iterator
from pathlib import Path
from typing import Any

REPORT_EVERY = 0.05
"""Seconds between position lines: often enough for a 20 fps playhead."""

SIMPLEAUDIO_CHUNK = 0.5
"""Seconds per simpleaudio buffer. Each buffer is a separate ALSA stream (that is how
simpleaudio works), so fewer, longer buffers mean fewer seams; stopping is by kill, so
the length does not slow a pause down."""

COMMAND_CHUNK = 0.1
COMMAND_LEAD = 0.25
"""Seconds of audio a player command may hold ahead of the clock (pipe and its buffer)."""


class Reporter:
    """Writes protocol lines to stdout in one ``write`` each, so they never interleave."""

    def __init__(self) -> None:
        self._last = 0.0

    @staticmethod
    def say(line: str) -> None:
        try:
            os.write(1, (line.replace("\n", " ") + "\n").encode("utf-8", "replace"))
        except OSError:
            os._exit(0)  # the app closed our stdout: nobody is listening

    def position(self, media: float, horizon: float, *, force: bool = False) -> None:
        now = time.monotonic()
        if force or now - self._last >= REPORT_EVERY:
            self._last = now
            self.say(f"pos {media:.4f} {horizon:.4f}")


class Clock:
    """Media time from samples handed over and the time since: never ahead of the audio."""

    def __init__(self, start: float, speed: float, rate: int) -> None:
        self.start, self.speed, self.rate = start, speed, rate
        self.handed = 0  # output frames given to the device so far
        self.began: float | None = None  # monotonic time the first frame was handed over

    def media(self, frames: int) -> float:
        return self.start + frames * self.speed / self.rate

    def now(self) -> float:
        """Where the playhead is: elapsed wall time, capped by what was handed over."""
        if self.began is None:
            return self.start
        played = min((time.monotonic() - self.began) * self.rate, self.handed)
        return self.media(int(played))

    def due(self, frames: int) -> float:
        """Monotonic time at which output frame ``frames`` is to be heard."""
        assert self.began is not None
        return self.began + frames / self.rate


def play_simpleaudio(job: dict[str, Any], stream: Iterator[bytes], report: Reporter) -> None:
    """One ALSA stream per chunk, the next started when the previous has played out.

    The null device (tests) swallows a buffer at once, so a chunk also counts as played
    only when the clock says so: the playhead never runs ahead of real time.
    """
    import simpleaudiohamiltoncs as sa

    rate, channels = job["rate"], job["channels"]
    clock = Clock(job["start"], job["speed"], rate)
    playing = None
    for chunk in stream:
        frames = len(chunk) // (2 * channels)
        if playing is not None:
            _wait_until(clock, clock.handed, report, lambda: playing.is_playing())
        try:
            playing = sa.play_buffer(chunk, channels, 2, rate)
        except Exception as exc:  # the binding raises its own error type
            raise DeviceError(f"the audio device failed ({_first_line(exc)})") from None
        if clock.began is None:
            clock.began = time.monotonic()
        else:
            # Re-anchor on the real start of this chunk, so a slow device never makes the
            # clock run ahead of the audio.
            clock.began = max(clock.began, time.monotonic() - clock.handed / rate)
        clock.handed += frames
        report.position(clock.now(), clock.media(clock.handed), force=True)
    if playing is not None:
        _wait_until(clock, clock.handed, report, lambda: playing.is_playing())


def play_command(job: dict[str, Any], stream: Iterator[bytes], report: Reporter) -> None:
    """Pipe raw PCM to a player program, a little ahead of the clock (it has its own buffer)."""
    argv = job["command"]
    rate, channels = job["rate"], job["channels"]
    try:
        player = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    except OSError as exc:
        raise DeviceError(f"the audio command {argv[0]!r} cannot be started ({exc.strerror or exc})") from None
    _CHILDREN.append(player)
    complaints: deque[str] = deque(maxlen=3)
    collector = threading.Thread(target=_collect, args=(player.stderr, complaints), daemon=True)
    collector.start()
    clock = Clock(job["start"], job["speed"], rate)
    lead = int(COMMAND_LEAD * rate)

    def stopped() -> DeviceError:
        try:
            player.wait(timeout=0.5)
        except subprocess.TimeoutExpired:
            player.kill()
        collector.join(0.5)  # its last words say why (e.g. "Connection refused")
        said = "; ".join(complaints) or f"exit status {player.poll()}"
        return DeviceError(f"the audio command {Path(argv[0]).name!r} stopped ({said})")

    try:
        for chunk in stream:
            if clock.began is not None:
                _wait_until(clock, max(0, clock.handed - lead), report, lambda: False)
            if player.poll() is not None:
                raise stopped()
            try:
                player.stdin.write(chunk)
                player.stdin.flush()
            except OSError:
                raise stopped() from None
            if clock.began is None:
                clock.began = time.monotonic()
            clock.handed += len(chunk) // (2 * channels)
            report.position(clock.now(), clock.media(clock.handed))
        player.stdin.close()
    except BrokenPipeError:
        raise stopped() from None
    if clock.began is not None:
        _wait_until(clock, clock.handed, report, lambda: False)
    try:
        player.wait(timeout=2.0)
    except subprocess.TimeoutExpired:
        player.kill()


def _wait_until(clock: Clock, frames: int, report: Reporter, busy) -> None:
    """Sleep until output frame ``frames`` is due and ``busy()`` is false, reporting on the way."""
    due = clock.due(frames)
    while True:
        now = time.monotonic()
        if now >= due and not busy():
            return
        report.position(clock.now(), clock.media(clock.handed))
        left = due - now
        time.sleep(0.002 if left < 0.03 else min(0.02, left - 0.02))


class DeviceError(Exception):
    """The output (device or command) failed; the message is for the user."""


def run_job(job: dict[str, Any]) -> int:
    from tui.errors import MediaError
    from tui.media.decode import iter_pcm

    report = Reporter()
    backend = job["backend"]
    chunk = SIMPLEAUDIO_CHUNK if backend == "simpleaudio" else COMMAND_CHUNK
    try:
        stream = iter_pcm(
            Path(job["path"]), job["start"], end=job.get("end"), rate=job["rate"],
            channels=job["channels"], speed=job["speed"], chunk_seconds=chunk,
        )
    except MediaError as exc:
        report.say(f"error {exc}")
        return 2
    try:
        if backend == "simpleaudio":
            play_simpleaudio(job, stream, report)
        else:
            play_command(job, stream, report)
    except DeviceError as exc:
        report.say(f"error {exc}")
        return 3
    except MediaError as exc:
        report.say(f"error {exc}")
        return 2
    # Where the sound stopped, in media time: the end asked for, or where the file ran out.
    end = stream.reached if job.get("end") is None else min(job["end"], stream.reached)
    end = max(end, job["start"])
    if stream.skipped:
        at = stream.skipped_at if stream.skipped_at is not None else end
        report.say(f"skipped {stream.skipped} {at:.3f}")
    if stream.damage:
        report.say(f"error {stream.damage}")
    report.position(end, end, force=True)
    report.say(f"end {end:.4f}")
    return 0


def check_device() -> int:
    """Open ALSA's default device with 20 ms of silence: can this machine play at all?"""
    try:
        import simpleaudiohamiltoncs as sa
    except Exception as exc:  # a broken wheel raises anything from ImportError to OSError
        Reporter.say(f"error simpleaudio cannot be loaded ({_first_line(exc)})")
        return 1
    try:
        playing = sa.play_buffer(bytes(48000 // 50 * 4), 2, 2, 48000)
        deadline = time.monotonic() + 2.0
        while playing.is_playing() and time.monotonic() < deadline:
            time.sleep(0.005)
    except Exception as exc:  # the binding raises its own error type
        Reporter.say(f"error {_first_line(exc)}")
        return 1
    Reporter.say("ok")
    return 0


_CHILDREN: list[subprocess.Popen] = []


def _exit_on_eof() -> None:
    """The app holds our stdin open; when it dies the pipe closes and so do we."""
    try:
        while sys.stdin.buffer.read(4096):
            pass
    except OSError:
        pass
    for child in _CHILDREN:
        try:
            child.kill()
        except OSError:
            pass
    os._exit(0)


def _collect(pipe, lines: deque[str]) -> None:
    try:
        for raw in pipe:
            text = raw.decode("utf-8", "replace").strip()
            if text:
                lines.append(text)
    except (OSError, ValueError):
        pass


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args[:1] == ["--check"]:
        return check_device()
    backend = args[0] if args else "simpleaudio"
    # Warm up while the app has not asked for anything yet.
    import mutagen.mp3  # noqa: F401  (used when opening mp3 and WAV files)

    import tui.media.decode  # noqa: F401

    if backend == "simpleaudio":
        try:
            import simpleaudiohamiltoncs  # noqa: F401
        except Exception as exc:  # reported as the job's error below
            Reporter.say(f"error simpleaudio cannot be loaded ({_first_line(exc)})")
            return 3
    Reporter.say("ready")
    line = sys.stdin.buffer.readline()
    if not line:
        return 0
    try:
        job = json.loads(line)
    except ValueError:
        Reporter.say("error the playback job was garbled")
        return 1
    job["backend"] = backend
    threading.Thread(target=_exit_on_eof, daemon=True).start()
    try:
        return run_job(job)
    except Exception as exc:  # last resort: tell the app in one line instead of a traceback
        Reporter.say(f"error playback failed ({type(exc).__name__}: {_first_line(exc)})")
        return 1


if __name__ == "__main__":
    code = main()
    sys.stdout.flush()
    os._exit(code)  # skip interpreter teardown: native audio threads may still be draining
