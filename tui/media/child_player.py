"""Playing through a child process: the simpleaudio backend, or a command fed raw PCM.

Why a module of its own: the child (tui.media.play_child) keeps ALSA's messages and any
native crash out of the terminal; this side starts it, keeps a spare one warm (imports done)
so that a key press only pays for the seek and the first chunk, and turns its reports of
samples handed to the device into a playhead that never runs ahead of what can be heard.
"""

from __future__ import annotations

import atexit
import json
import os
import shlex
import signal
import subprocess
import sys
import threading
import time
import weakref
from collections import deque
from pathlib import Path
from typing import TYPE_CHECKING

import tui
from tui.core.timefmt import format_time
from tui.errors import MediaError
from tui.media.player import Player

if TYPE_CHECKING:
    from tui.media.probe import MediaInfo

PLAYER_TEMPLATES: dict[str, str] = {
    "paplay": "paplay --raw --rate={rate} --channels={channels} --format=s16le --latency-msec=300",
    "pacat": "pacat --playback --rate={rate} --channels={channels} --format=s16le --latency-msec=300",
    "pw-play": "pw-play --rate={rate} --channels={channels} --format=s16 --latency=100ms -",
    "pw-cat": "pw-cat --playback --rate={rate} --channels={channels} --format=s16 --latency=100ms -",
    "aplay": "aplay -q -t raw -f S16_LE -r {rate} -c {channels} --buffer-time=100000",
}
"""How to hand raw s16le PCM to the usual players. PulseAudio's get a 300 ms buffer: over
an SSH tunnel on a busy machine 100 ms underran in 4 of 15 runs and 300 ms in none, with
the same start delay and the playhead still within ~30 ms of the sound (docs/ssh-audio.md)."""



class _Child:
    """One playback child process and what it has reported."""

    def __init__(self, backend: str) -> None:
        self.backend = backend
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tui.media.play_child", backend],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=child_environment(),
            start_new_session=True,  # its own process group: killed as one, deaf to the terminal's ^C
            close_fds=True,
        )
        self.lock = threading.Lock()
        self.started = threading.Event()
        self.done = threading.Event()
        self.speed = 1.0
        self.anchor: tuple[float, float, float] | None = None  # (monotonic, media, horizon)
        self.finished = False
        self.end: float | None = None
        self.errors: list[str] = []
        self.skipped: tuple[int, float] | None = None
        self.stderr_tail: deque[str] = deque(maxlen=8)
        self.sent = False
        threading.Thread(target=self._read_reports, daemon=True, name="debrief-play-reports").start()
        threading.Thread(target=self._read_stderr, daemon=True, name="debrief-play-stderr").start()

    @property
    def pid(self) -> int:
        return self.process.pid

    def alive(self) -> bool:
        return self.process.poll() is None and not self.finished

    def start(self, job: dict) -> bool:
        self.speed = job["speed"]
        try:
            assert self.process.stdin is not None
            self.process.stdin.write((json.dumps(job) + "\n").encode())
            self.process.stdin.flush()
        except OSError:
            return False
        self.sent = True
        return True

    def position(self) -> float | None:
        with self.lock:
            if self.end is not None:
                return self.end
            if self.anchor is None:
                return None
            at, media, horizon = self.anchor
        return min(media + (time.monotonic() - at) * self.speed, horizon)

    def kill(self) -> None:
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        for pipe in (self.process.stdin,):
            try:
                if pipe is not None:
                    pipe.close()
            except OSError:
                pass
        try:
            self.process.wait(timeout=2.0)
        except subprocess.TimeoutExpired:
            pass

    def _read_reports(self) -> None:
        stream = self.process.stdout
        assert stream is not None
        try:
            for raw in stream:
                self._take(raw.decode("utf-8", "replace").strip())
        except (OSError, ValueError):
            pass
        code = self.process.wait()
        with self.lock:
            if self.sent and self.end is None and not self.errors and code not in (0, -signal.SIGKILL):
                tail = f": {self.stderr_tail[-1]}" if self.stderr_tail else ""
                self.errors.append(f"audio playback stopped unexpectedly (exit status {code}){tail}")
            self.finished = True
        self.started.set()
        self.done.set()

    def _take(self, line: str) -> None:
        kind, _, rest = line.partition(" ")
        with self.lock:
            if kind == "pos":
                try:
                    media, horizon = (float(part) for part in rest.split()[:2])
                except ValueError:
                    return
                self.anchor = (time.monotonic(), media, horizon)
                self.started.set()
            elif kind == "end":
                try:
                    self.end = float(rest)
                except ValueError:
                    self.end = self.anchor[1] if self.anchor else None
                self.finished = True
                self.started.set()
            elif kind == "error" and rest:
                self.errors.append(rest)
                self.started.set()
            elif kind == "skipped":
                try:
                    count, at = rest.split()[:2]
                    self.skipped = (int(count), float(at))
                except ValueError:
                    pass

    def _read_stderr(self) -> None:
        stream = self.process.stderr
        assert stream is not None
        try:
            for raw in stream:
                text = raw.decode("utf-8", "replace").strip()
                if text:
                    self.stderr_tail.append(text)
        except (OSError, ValueError):
            pass


class ChildPlayer(Player):
    """Plays through a child process: the simpleaudio backend or a player command."""

    def __init__(self, detail: str, *, command: str | None = None) -> None:
        self.backend = "simpleaudio" if command is None else Path(shlex.split(command)[0]).name
        self.detail = detail
        self._kind = "simpleaudio" if command is None else "command"
        self._command = command
        self._lock = threading.RLock()
        self._active: _Child | None = None
        self._spare: _Child | None = None
        self._closed = False
        self._start: float | None = None
        self._frozen: float | None = None
        self._error: str | None = None
        self._spare_up()
        _live_players.add(self)

    def play(self, path: Path, start: float, *, speed: float = 1.0, end: float | None = None) -> None:
        info, start, stop = self._prepare(path, start, speed, end)
        rate, channels = output_format(info)
        job = {
            # Without an ``end`` the child plays to the end of the file and can tell if the file
            # breaks off early (probe's duration already stops at the break).
            "path": str(Path(path).resolve()), "start": start, "end": end, "speed": speed,
            "rate": rate, "channels": channels, "command": self._argv(rate, channels),
        }
        with self._lock:
            if self._closed:
                raise MediaError("the player has been closed")
            self._kill_active()
            self._start, self._frozen, self._error = start, None, None
            if start >= stop:
                self._frozen, self._error = start, info.damage or None
                return
            child = self._take_spare()
            if not child.start(job):
                child.kill()
                child = _Child(self._kind)
                child.start(job)
            self._active = child
        threading.Thread(target=self._replace_spare_when_started, args=(child,), daemon=True).start()

    def pause(self) -> None:
        with self._lock:
            if self._active is not None:
                self._frozen = self.position()
                self._remember_error(self._active)
                self._kill_active()

    def position(self) -> float | None:
        with self._lock:
            if self._frozen is not None or self._active is None:
                return self._frozen if self._frozen is not None else self._start
            found = self._active.position()
            return self._start if found is None else found

    def is_playing(self) -> bool:
        with self._lock:
            child = self._active
            if child is None or self._frozen is not None:
                return False
        # Never wait here (the playhead ticks on the event loop): ``finished`` turns true once
        # the reader has taken the child's last lines, so error() is ready when this says False.
        return not child.finished

    def error(self) -> str | None:
        with self._lock:
            if self._active is not None:
                self._remember_error(self._active)
            return self._error

    def child_pid(self) -> int | None:
        """The active child's process id (for measurements)."""
        with self._lock:
            return self._active.pid if self._active is not None else None

    def close(self) -> None:
        with self._lock:
            if self._closed:
                return
            self._closed = True
            if self._active is not None:
                self._frozen = self.position() if self._frozen is None else self._frozen
            self._kill_active()
            if self._spare is not None:
                self._spare.kill()
                self._spare = None
        _live_players.discard(self)

    # -- internals -------------------------------------------------------------------
    def _argv(self, rate: int, channels: int) -> list[str] | None:
        if self._command is None:
            return None
        return command_argv(self._command, rate, channels)

    def _remember_error(self, child: _Child) -> None:
        with child.lock:
            if child.errors:
                self._error = child.errors[-1]
            elif child.skipped and self._error is None:
                count, at = child.skipped
                noun = "frame" if count == 1 else "frames"
                self._error = f"skipped {count} damaged {noun} of the recording (first near {format_time(at)})"

    def _kill_active(self) -> None:
        if self._active is not None:
            self._active.kill()
            self._active = None

    def _take_spare(self) -> _Child:
        spare, self._spare = self._spare, None
        if spare is None or not spare.alive() or spare.sent:
            if spare is not None:
                spare.kill()
            spare = _Child(self._kind)
        return spare

    def _spare_up(self) -> None:
        with self._lock:
            if not self._closed and (self._spare is None or not self._spare.alive()):
                self._spare = _Child(self._kind)

    def _replace_spare_when_started(self, child: _Child) -> None:
        # Wait until the new child has sound going: its startup needs the CPU more.
        child.started.wait(1.0)
        self._spare_up()


def output_format(info: MediaInfo) -> tuple[int, int]:
    """(rate, channels) to play a recording at: its own rate where sane, mono or stereo."""
    rate = info.sample_rate if 8000 <= info.sample_rate <= 48000 else 48000
    channels = 1 if info.channels == 1 else 2
    return rate, channels


def command_argv(command: str, rate: int, channels: int) -> list[str]:
    """The argv for a player: a known name gets its raw-PCM options, a template is filled in."""
    words = shlex.split(command)
    if len(words) == 1 and Path(words[0]).name in PLAYER_TEMPLATES:
        name = Path(words[0]).name
        words = shlex.split(PLAYER_TEMPLATES[name])
        words[0] = shlex.split(command)[0]
    try:
        return [word.format(rate=rate, channels=channels) for word in words]
    except (KeyError, IndexError, ValueError):
        raise MediaError(
            f"the audio command {command!r} has a placeholder other than {{rate}} and {{channels}}"
        ) from None



def child_environment() -> dict[str, str]:
    """Our environment, with the directory holding the ``tui`` package first on the path."""
    env = dict(os.environ)
    root = str(Path(tui.__file__).resolve().parent.parent)
    env["PYTHONPATH"] = os.pathsep.join(part for part in (root, env.get("PYTHONPATH", "")) if part)
    return env


_live_players: weakref.WeakSet[ChildPlayer] = weakref.WeakSet()


@atexit.register
def _close_all() -> None:
    for player in list(_live_players):
        player.close()
