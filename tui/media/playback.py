"""Playing a recording from the cursor, and knowing where the audio really is.

Three backends behind one small interface (:class:`Player`):

* ``simpleaudio``: ALSA's default device through the simpleaudio API, in a child process
  (``tui.media.play_child``) so that ALSA's messages and any native crash stay out of the
  terminal the app draws on.
* a command (``paplay``, ``pw-play``, ``aplay``, …) fed raw PCM on its stdin: the route to
  speakers on a laptop over SSH, since those players honour ``PULSE_SERVER``.
* ``silent``: no sound, just a clock, so reviewing works on a machine with no audio at all.

The playhead comes from the child's reports of samples handed to the device, paced by a
clock, so it never runs ahead of what can be heard. A spare child is kept warm (imports
done) so a key press only pays for the seek and the first chunk.

Here: choosing and checking the backend. The interface and the silent clock are in
tui.media.player, the child-process backends in tui.media.child_player.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

from tui.errors import MediaError
from tui.media.child_player import PLAYER_TEMPLATES, ChildPlayer, child_environment
from tui.media.player import Player as Player  # re-exported: the review session types its player with it
from tui.media.player import SilentPlayer

CHECK_TIMEOUT = 3.0
"""Seconds the device check may take before the device counts as not answering."""


def open_player(preference: str = "auto", *, command: str | None = None) -> Player:
    """The best player for this machine, or the one asked for; never fails for want of a device.

    ``DEBRIEF_AUDIO`` (silent|simpleaudio|command) stands in for an "auto" preference and
    ``DEBRIEF_AUDIO_COMMAND`` for a missing ``command``; "auto" with a command set uses it
    (the speakers are elsewhere, as over SSH), else simpleaudio if ALSA's default device
    opens. When the wanted backend cannot work, the result is a silent player whose
    ``detail`` says why.
    """
    choice = (preference or "auto").strip().lower()
    if choice == "auto":
        choice = os.environ.get("DEBRIEF_AUDIO", "").strip().lower() or "auto"
    command = command or os.environ.get("DEBRIEF_AUDIO_COMMAND", "").strip() or None
    if choice not in ("auto", "silent", "simpleaudio", "command"):
        raise MediaError(f"unknown audio backend {choice!r}; use auto, simpleaudio, command or silent")
    if choice == "silent":
        return SilentPlayer("silent by choice: the playhead moves without audio")
    if choice == "command" or (choice == "auto" and command is not None):
        if command is None:
            return SilentPlayer("no audio command set: use DEBRIEF_AUDIO_COMMAND (e.g. paplay)")
        problem = _command_problem(command)
        if problem is None:
            return ChildPlayer(f"piping raw audio to {command}", command=command)
        if choice == "command":
            return SilentPlayer(problem)
    works, why = check_simpleaudio()
    if works:
        return ChildPlayer("ALSA default device, in a child process")
    server_player = sound_server_player()
    if choice == "auto" and server_player is not None:
        # The wheel's libasound cannot load PulseAudio's ALSA plugin, so on a desktop
        # that runs PulseAudio or PipeWire the sound server's own player is the way in.
        return ChildPlayer(f"piping raw audio to {server_player} (sound server found; ALSA: {why})",
                           command=server_player)
    return SilentPlayer(why + _player_hint())


def sound_server_player() -> str | None:
    """paplay or pw-play when a PulseAudio/PipeWire server is there to play to, else None."""
    runtime = os.environ.get("XDG_RUNTIME_DIR", "")
    server = bool(os.environ.get("PULSE_SERVER")) or (
        bool(runtime) and (Path(runtime, "pulse", "native").exists() or Path(runtime, "pipewire-0").exists())
    )
    if not server:
        return None
    for name in ("paplay", "pw-play"):
        if shutil.which(name) and _command_problem(name) is None:
            return name
    return None


def check_simpleaudio() -> tuple[bool, str]:
    """Can the ALSA default device open? Asked of a child, so nothing lands on our stderr."""
    try:
        done = subprocess.run(
            [sys.executable, "-m", "tui.media.play_child", "--check"],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            env=child_environment(),
            timeout=CHECK_TIMEOUT,
            start_new_session=True,
        )
    except subprocess.TimeoutExpired:
        return False, f"the audio device did not answer within {CHECK_TIMEOUT:g} s"
    except OSError as exc:
        return False, f"the audio check could not run ({exc.strerror or exc})"
    said = done.stdout.decode("utf-8", "replace").strip().splitlines()
    if done.returncode == 0 and said[-1:] == ["ok"]:
        return True, "ALSA default device opens"
    reason = said[-1].removeprefix("error ").strip() if said else f"exit status {done.returncode}"
    if " -- MSG: " in reason:  # simpleaudio's "Error opening PCM device. -- CODE: -2 -- MSG: …"
        reason = "ALSA cannot open 'default': " + reason.split(" -- MSG: ", 1)[1].strip()
    alsa = [line for line in done.stderr.decode("utf-8", "replace").splitlines() if line.strip()]
    if alsa:  # ALSA's own last word, e.g. "Unknown PCM default"
        reason = f"{reason}; {alsa[-1].split(') ', 1)[-1].strip()}"
    return False, f"no audio device ({reason})"


def check_backends() -> list[tuple[str, bool, str]]:
    """For ``debrief doctor``: each backend, whether it works here, and what to do if not."""
    results: list[tuple[str, bool, str]] = []
    works, why = check_simpleaudio()
    results.append(("simpleaudio", works, why if works else why + "; over SSH use the command backend"))
    configured = os.environ.get("DEBRIEF_AUDIO_COMMAND", "").strip()
    if configured:
        problem = _command_problem(configured)
        results.append(("command", not problem, problem or f"DEBRIEF_AUDIO_COMMAND={configured}"))
    else:
        found = [name for name in PLAYER_TEMPLATES if shutil.which(name)]
        if found:
            server = os.environ.get("PULSE_SERVER")
            where = f" (PULSE_SERVER={server})" if server else ""
            results.append((
                "command", True,
                f"{', '.join(found)} installed{where}; "
                f"use it with DEBRIEF_AUDIO=command DEBRIEF_AUDIO_COMMAND={found[0]}",
            ))
        else:
            results.append((
                "command", False,
                "no player found: install pulseaudio-utils (paplay) or pipewire-bin (pw-play), "
                "or set DEBRIEF_AUDIO_COMMAND to a program that plays raw s16le PCM from stdin",
            ))
    results.append(("silent", True, "always available: the playhead moves without sound"))
    return results



def _command_problem(command: str) -> str | None:
    try:
        words = shlex.split(command)
    except ValueError:
        return f"the audio command {command!r} is not a valid command line"
    if not words:
        return "the audio command is empty"
    if shutil.which(words[0]) is None:
        return f"the audio command {words[0]!r} is not installed or not on PATH"
    return None


def _player_hint() -> str:
    found = [name for name in ("paplay", "pw-play", "aplay") if shutil.which(name)]
    if found:
        return f"; {found[0]} is installed: DEBRIEF_AUDIO=command DEBRIEF_AUDIO_COMMAND={found[0]} uses it"
    return ""
