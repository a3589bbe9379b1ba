"""``debrief transcribe`` and ``debrief import``: giving recordings their transcripts.

Why a module of its own: both write a transcript into the library after every check has
passed; transcribe draws the progress of many recordings (here, in processes or on Dask).
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from tui.cli.output import shown
from tui.errors import DebriefError


def transcribe_command(args: argparse.Namespace) -> int:
    from rich.markup import escape
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

    from tui.services import batch
    from tui.config import load_config
    from tui.core.languages import describe as describe_language

    config = load_config()
    model = args.model or config.model or None
    language = args.language or config.language
    target = _cluster_target(args)  # a bad --cluster, or no Dask, fails before any work too
    planned = batch.plan(args.paths, args.db, model, args.force, language)  # a bad file named fails before any work
    todo = planned.todo
    columns = (TextColumn("{task.description}"), BarColumn(), TextColumn("{task.percentage:>3.0f}%"),
               TimeElapsedColumn(), TimeRemainingColumn())
    failed: list[str] = []
    from contextlib import nullcontext

    engine = nullcontext() if target is None or not todo else _cluster().session(target)  # connect before drawing
    with engine as client, Progress(*columns, transient=False) as progress:
        def on_failed(path: Path, why: str) -> None:
            failed.append(f"{path}: {why}")
            progress.console.print(shown(f"{path}: not transcribed: {why}"), style="red", markup=False, soft_wrap=True,
                                   highlight=False)

        for path, why in planned.skipped:
            progress.console.print(shown(f"{path}: {why}"), markup=False, highlight=False)
        for path, why in planned.unreadable:
            on_failed(path, why)
        if not todo:
            return _verdict(failed, len(planned.unreadable))
        total = progress.add_task(f"{len(todo)} recording(s)", total=sum(max(w.info.duration, 1.0) for w in todo))
        files = {w.recording: progress.add_task(f"  {escape(shown(w.recording.name))}", total=max(w.info.duration, 0.001),
                                                visible=args.jobs <= 1 and target is None) for w in todo}
        durations = {w.recording: max(w.info.duration, 1.0) for w in todo}
        done_before = {"seconds": 0.0}

        def on_progress(path: Path, done: float, length: float) -> None:
            progress.update(files[path], completed=done, total=length)
            progress.update(total, completed=done_before["seconds"] + done / max(length, 0.001) * durations[path])

        def on_done(result) -> None:
            done_before["seconds"] += durations[result.path]
            progress.update(total, completed=done_before["seconds"])
            progress.update(files[result.path], completed=durations[result.path])
            heard = describe_language(result.language, result.language_probability)
            progress.console.print(shown(f"{result.path}: {result.utterances} utterance{'s' * (result.utterances != 1)}, "
                                          f"{result.speakers} speaker(s){', ' + heard if heard else ''}, saved"),
                                   markup=False, highlight=False, soft_wrap=True)

        speakers = args.speakers or config.expected_speakers or None
        if target is not None:
            def on_ready(workers: int, where: str) -> None:
                progress.console.print(shown(f"transcribing on {workers} Dask worker(s) at {where}"), markup=False,
                                       highlight=False)

            _cluster().run(todo, target=target, model=model, threads=config.threads or None, speakers=speakers,
                           device=args.device, compute_type=args.compute_type, language=language,
                           on_ready=on_ready, on_done=on_done, on_failed=on_failed, client=client)
        else:
            batch.run(todo, db=args.db, model=model, threads=config.threads or None, speakers=speakers,
                      jobs=args.jobs, on_progress=on_progress, on_done=on_done, on_failed=on_failed,
                      device=args.device, compute_type=args.compute_type, language=language,
                      batch_size=config.batch_size)
    return _verdict(failed, len(todo) + len(planned.unreadable))


def _verdict(failed: list[str], tried: int) -> int:
    """0, or the one error line that says how many recordings were not transcribed."""
    if failed:
        raise DebriefError(f"{len(failed)} of {tried} recording(s) could not be transcribed (see above)")
    return 0


def _cluster():
    from tui.services import cluster

    return cluster


def _cluster_target(args: argparse.Namespace):
    """The parsed ``--cluster`` (None without it: then --device is checked on this machine)."""
    from tui.media.device import COMPUTE_TYPES, choose

    if args.compute_type is not None and args.compute_type not in COMPUTE_TYPES:
        raise DebriefError(f"--compute-type {args.compute_type} is not one of {', '.join(COMPUTE_TYPES)}")
    if args.cluster is None:
        choose(args.device, args.compute_type)  # on a cluster each worker decides for its own machine
        return None
    if args.jobs != 1:
        raise DebriefError("--jobs and --cluster do not go together: the cluster's workers are the jobs")
    target = _cluster().parse_target(args.cluster)
    _cluster().require_dask()
    return target


def import_command(args: argparse.Namespace) -> int:
    from tui.config import load_config
    from tui.formats.transcript_import import load_transcript
    from tui.services.workspace import check_recording, open_recording, peek_session

    load_config()
    if args.transcript is None:  # `debrief import FEEDBACK.json`, recognised by its content
        from tui.services.feedback import import_feedback, looks_like_feedback_file
        if args.recording.is_file() and not looks_like_feedback_file(args.recording):
            raise DebriefError(f"{args.recording} is not a feedback file; to attach a transcript, give the "
                               "recording and the transcript: debrief import RECORDING TRANSCRIPT")
        print(shown(import_feedback(args.recording, args.db).summary()))
        return 0
    # Every check before the library is touched: a refused import writes nothing.
    media = check_recording(args.recording)
    transcript = load_transcript(args.transcript, duration=media.duration)
    existing = peek_session(args.recording, args.db)
    if existing.read_only_reason is not None:
        raise DebriefError(f"{existing.db_path} is read-only ({existing.read_only_reason}): "
                           "the transcript cannot be attached")
    if existing.transcript is not None and not args.force:
        raise DebriefError(
            f"{args.recording.name} already has a transcript ({_described(existing.transcript)}"
            f"{_shared_with(existing.other_recordings)}); nothing was changed: add --force to replace it "
            "(the replaced one is kept)")
    workspace = open_recording(args.recording, args.db, media)
    if workspace.read_only:
        raise DebriefError(f"{workspace.library.db_path} is read-only ({workspace.library.read_only_reason}): "
                           "the transcript cannot be attached")
    kept = workspace.replace_transcript(transcript)  # whatever file was there (even a damaged one) is kept
    print(shown(f"attached {_described(transcript)} to {workspace.recording.name}"))
    if kept is not None:
        what = (f"replaced {_described(existing.transcript)}{_shared_with(existing.other_recordings)}"
                if existing.transcript is not None else "replaced a damaged transcript file")
        print(shown(f"{what}; the replaced transcript is kept as {kept}"))
    return 0


def _described(transcript) -> str:
    names = ", ".join(sp.label for sp in transcript.speakers) or "no speakers"
    return f"{len(transcript.segments)} utterances ({names})"


def _shared_with(others: Sequence[str]) -> str:
    if not others:
        return ""
    shown = ", ".join(others[:3]) + (f" and {len(others) - 3} more" if len(others) > 3 else "")
    return f", shared with the identical recording(s) {shown}"
