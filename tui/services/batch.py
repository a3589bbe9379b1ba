"""Transcribing many recordings: skip what is done, run the rest, keep each one as it finishes.

A transcript is saved only when its recording is complete, so an interrupted run (Ctrl-C,
a crash, a dropped connection) keeps every finished file and simply starts the
interrupted one again next time. With ``jobs`` > 1 recordings run in separate processes,
each with its share of the cores.

This is the one loop over many recordings: ``debrief transcribe`` runs it, and so does the
library screen (in its worker thread, with its own transcriber and a cancel event).
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path

from tui.services.catalog import find_recordings
from tui.errors import DebriefError, MediaError
from tui.media.model_choice import check_language, resolve_model
from tui.media.transcribe import Transcriber
from tui.services.workspace import Workspace, open_recording


@dataclass(frozen=True)
class Done:
    path: Path
    utterances: int
    speakers: int
    language: str = ""
    language_probability: float | None = None


def expand(paths: Iterable[Path]) -> list[tuple[Path, bool]]:
    """(recording, named): recordings named, and those found (by content) inside folders named."""
    found: dict[Path, bool] = {}
    for path in paths:
        path = Path(path).expanduser()
        if path.is_dir():
            inside = find_recordings(path)
            if not inside:
                raise MediaError(f"no recordings found in {path}")
            for each in inside:
                found.setdefault(each, False)
        else:
            found[path] = True
    return list(found.items())


@dataclass(frozen=True)
class Plan:
    todo: list[Workspace]
    skipped: list[tuple[Path, str]]
    """Done before, with why."""
    unreadable: list[tuple[Path, str]]
    """Found inside a folder but damaged or not a recording after all, with why."""


def plan(paths: Iterable[Path], db: Path | None, model: str | None, force: bool, language: str | None = None
         ) -> Plan:
    """What to transcribe: a transcript by the same model is never redone.

    A recording named explicitly that cannot be read fails here, before any work; one found
    inside a folder is reported instead, so that one damaged file in an archive does not hold
    back the rest. A language given explicitly (not ``auto``) that differs from the cached
    transcript's redoes it.
    """
    choice = resolve_model(model)
    label = choice.label
    chosen = check_language(choice, language)  # an impossible language fails before any work
    todo, skipped, unreadable = [], [], []
    for path, named in expand(paths):
        try:
            workspace = open_recording(path, db)
        except MediaError as exc:
            if named:
                raise
            unreadable.append((path, str(exc)))
            continue
        cached = workspace.cached_transcript()
        if cached is not None and cached.complete and not force:
            other_language = chosen != "auto" and cached.language != chosen and cached.source == label
            if not other_language and (cached.source == label or cached.source.startswith("import:")
                                       or cached.source == "truth"):
                skipped.append((path, f"already transcribed ({len(cached.segments)} utterances; --force to redo)"))
                continue
        todo.append(workspace)
    return Plan(todo, skipped, unreadable)


def transcribe_one(path: Path, db: Path | None, model: str | None, threads: int | None, speakers: int | None,
                   on_progress: Callable[[float, float], None] | None = None,
                   transcriber: Transcriber | None = None, device: str = "cpu", compute_type: str | None = None,
                   language: str | None = None, batch_size: int | None = None, *,
                   cancel: threading.Event | None = None) -> Done | None:
    """Transcribe and save one recording; None when ``cancel`` stopped it part-way (nothing is saved)."""
    workspace = open_recording(path, db)
    transcriber = transcriber or Transcriber(model, threads=threads, device=device, compute_type=compute_type,
                                             language=language, batch_size=batch_size)
    transcript = transcriber.transcribe(path, num_speakers=speakers, voices=workspace.voices(),
                                        on_progress=on_progress, cancel=cancel)
    if not transcript.complete:
        return None
    workspace.save_transcript(transcript)
    return Done(path, len(transcript.segments), len(transcript.speakers), transcript.language,
                transcript.language_probability)


def run(todo: Sequence[Workspace | Path], *, db: Path | None, model: str | None, threads: int | None,
        speakers: int | None, jobs: int = 1, on_progress: Callable[[Path, float, float], None] | None = None,
        on_done: Callable[[Done], None] | None = None,
        on_failed: Callable[[Path, str], None] | None = None,
        device: str = "cpu", compute_type: str | None = None, language: str | None = None,
        batch_size: int | None = None, transcriber: Transcriber | None = None,
        cancel: threading.Event | None = None, on_start: Callable[[int, Path], None] | None = None) -> int:
    """Transcribe ``todo`` (workspaces from :func:`plan`, or recordings' paths); returns how many finished.

    Failures are reported and do not stop the rest. ``device`` and ``compute_type``: where the
    model runs (:func:`tui.media.device.choose`). One at a time (``jobs`` 1), ``transcriber``
    replaces the one built from the model options, ``on_start(n, path)`` is called before the
    n-th recording, and ``cancel`` stops the run: the recording under way is left unsaved.
    """
    def settle(path: Path, result: Callable[[], Done | None]) -> int:
        """1 when ``path`` was transcribed and saved; a failure is reported, a cancelled one is not."""
        try:
            done = result()
        except DebriefError as exc:
            if on_failed:
                on_failed(path, str(exc))
            return 0
        if done is None:
            return 0
        if on_done:
            on_done(done)
        return 1

    finished = 0
    recordings = [item.recording if isinstance(item, Workspace) else Path(item) for item in todo]
    if jobs <= 1:
        transcriber = transcriber or Transcriber(model, threads=threads, device=device, compute_type=compute_type,
                                                 language=language, batch_size=batch_size)
        for n, path in enumerate(recordings, 1):
            if cancel is not None and cancel.is_set():
                break
            if on_start:
                on_start(n, path)
            progress = (lambda d, t, p=path: on_progress(p, d, t)) if on_progress else None
            finished += settle(path, lambda p=path, progress=progress: transcribe_one(
                p, db, model, threads, speakers, on_progress=progress, transcriber=transcriber, cancel=cancel))
        return finished
    per_job = threads or max(1, (os.cpu_count() or 2) // jobs)
    context = multiprocessing.get_context("spawn")  # the parent has threads: never fork them
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
        pending: dict[Future, Path] = {
            pool.submit(transcribe_one, path, db, model, per_job, speakers, None, None, device,
                        compute_type, language, batch_size): path for path in recordings
        }
        try:
            while pending:
                complete, _ = wait(pending, return_when=FIRST_COMPLETED)
                for future in complete:
                    finished += settle(pending.pop(future), future.result)
        except BaseException:
            pool.shutdown(wait=False, cancel_futures=True)
            raise
    return finished
