"""Transcribing many recordings: skip what is done, run the rest, keep each one as it finishes.

A transcript is saved only when its recording is complete, so an interrupted run (Ctrl-C,
a crash, a dropped connection) keeps every finished file and simply starts the
interrupted one again next time. With ``jobs`` > 1 recordings run in separate processes,
each with its share of the cores.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterable
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


def expand(paths: Iterable[Path]) -> list[Path]:
    """Recordings named, and those found (by content) inside folders named."""
    found: list[Path] = []
    for path in paths:
        path = Path(path).expanduser()
        if path.is_dir():
            inside = find_recordings(path)
            if not inside:
                raise MediaError(f"no recordings found in {path}")
            found.extend(inside)
        else:
            found.append(path)
    return list(dict.fromkeys(found))


def plan(paths: Iterable[Path], db: Path | None, model: str | None, force: bool, language: str | None = None
         ) -> tuple[list[Workspace], list[tuple[Path, str]]]:
    """(to transcribe, skipped with why): a transcript by the same model is never redone.

    A language given explicitly (not ``auto``) that differs from the cached transcript's redoes it.
    """
    choice = resolve_model(model)
    label = choice.label
    chosen = check_language(choice, language)  # an impossible language fails before any work
    todo, skipped = [], []
    for path in expand(paths):
        workspace = open_recording(path, db)  # bad input fails here, before any work starts
        cached = workspace.cached_transcript()
        if cached is not None and cached.complete and not force:
            other_language = chosen != "auto" and cached.language != chosen and cached.source == label
            if not other_language and (cached.source == label or cached.source.startswith("import:")
                                       or cached.source == "truth"):
                skipped.append((path, f"already transcribed ({len(cached.segments)} utterances; --force to redo)"))
                continue
        todo.append(workspace)
    return todo, skipped


def transcribe_one(path: Path, db: Path | None, model: str | None, threads: int | None, speakers: int | None,
                   on_progress: Callable[[float, float], None] | None = None,
                   transcriber: Transcriber | None = None, device: str = "cpu", compute_type: str | None = None,
                   language: str | None = None, batch_size: int | None = None) -> Done:
    workspace = open_recording(path, db)
    transcriber = transcriber or Transcriber(model, threads=threads, device=device, compute_type=compute_type,
                                             language=language, batch_size=batch_size)
    transcript = transcriber.transcribe(path, num_speakers=speakers, voices=workspace.voices(),
                                        on_progress=on_progress)
    workspace.save_transcript(transcript)
    return Done(path, len(transcript.segments), len(transcript.speakers), transcript.language,
                transcript.language_probability)


def run(todo: list[Workspace], *, db: Path | None, model: str | None, threads: int | None, speakers: int | None,
        jobs: int = 1, on_progress: Callable[[Path, float, float], None] | None = None,
        on_done: Callable[[Done], None] | None = None,
        on_failed: Callable[[Path, str], None] | None = None,
        device: str = "cpu", compute_type: str | None = None, language: str | None = None,
        batch_size: int | None = None) -> int:
    """Transcribe ``todo``; returns how many finished. Failures are reported and do not stop the rest.

    ``device`` and ``compute_type``: where the model runs (:func:`tui.media.device.choose`).
    """
    finished = 0
    if jobs <= 1:
        transcriber = Transcriber(model, threads=threads, device=device, compute_type=compute_type, language=language,
                                  batch_size=batch_size)
        for ws in todo:
            try:
                done = transcribe_one(ws.recording, db, model, threads, speakers,
                                      on_progress=(lambda d, t, p=ws.recording: on_progress(p, d, t))
                                      if on_progress else None, transcriber=transcriber)
            except DebriefError as exc:
                if on_failed:
                    on_failed(ws.recording, str(exc))
                continue
            finished += 1
            if on_done:
                on_done(done)
        return finished
    per_job = threads or max(1, (os.cpu_count() or 2) // jobs)
    context = multiprocessing.get_context("spawn")  # the parent has threads: never fork them
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
        pending: dict[Future, Path] = {
            pool.submit(transcribe_one, ws.recording, db, model, per_job, speakers, None, None, device,
                        compute_type, language, batch_size): ws.recording for ws in todo
        }
        try:
            while pending:
                complete, _ = wait(pending, return_when=FIRST_COMPLETED)
                for future in complete:
                    path = pending.pop(future)
                    try:
                        done = future.result()
                    except DebriefError as exc:
                        if on_failed:
                            on_failed(path, str(exc))
                        continue
                    finished += 1
                    if on_done:
                        on_done(done)
        except BaseException:
            pool.shutdown(wait=False, cancel_futures=True)
            raise
    return finished
