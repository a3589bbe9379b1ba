"""The ``debrief`` command: parse, call the services, print. No logic of its own.

Every problem a user can cause ends as one line ``debrief: error: …`` on stderr and
exit status 1; a traceback is a bug (set ``DEBRIEF_DEBUG=1`` to see one).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from tui import __version__
from tui.errors import DebriefError, TimeFormatError

COMMANDS = ("transcribe", "import", "stats", "marks", "mark", "export", "config", "doctor")


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        if args and args[0] in COMMANDS:
            parsed = _command_parser().parse_args(args)
            return parsed.run(parsed)
        if args and (guess := _mistyped_command(args[0])):
            print(f"debrief: error: {_shown(args[0])} is neither a command nor a file; "
                  f"did you mean `debrief {guess}`? (see debrief --help)", file=sys.stderr)
            return 2
        return _open(_open_parser().parse_args(args))
    except DebriefError as exc:
        return _fail(str(exc))
    except KeyboardInterrupt:
        print("debrief: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 1
    except Exception as exc:  # a bug: still no traceback for the user unless asked
        if os.environ.get("DEBRIEF_DEBUG"):
            raise
        return _fail(f"unexpected problem ({type(exc).__name__}: {exc}); run with DEBRIEF_DEBUG=1 for details")


def _mistyped_command(word: str) -> str | None:
    """The command ``word`` was probably meant to be (``transcibe`` → transcribe), unless it is a path."""
    import difflib

    if word.startswith("-") or Path(word).exists():
        return None
    close = difflib.get_close_matches(word.lower(), COMMANDS, n=1, cutoff=0.75)
    return close[0] if close else None


def _fail(message: str) -> int:
    print(f"debrief: error: {_shown(message)}", file=sys.stderr)
    return 1


def _shown(text: str) -> str:
    """Control characters (from file names, notes, transcripts) written as escapes, never sent raw."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def _shown_lines(text: str) -> str:
    return "\n".join(_shown(line) for line in text.split("\n"))


class _Parser(argparse.ArgumentParser):
    """argparse, but usage errors follow the same one-line ``debrief: error:`` contract."""

    def error(self, message: str):  # type: ignore[override]
        self.exit(2, f"debrief: error: {message} (see {self.prog} --help)\n")


def _open_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="debrief",
        description="Review a recorded session: transcript, speaker timeline, marks and notes.",
        epilog="commands: " + ", ".join(COMMANDS) + " (debrief COMMAND --help)",
    )
    parser.add_argument("path", type=Path, nargs="?", default=Path("."),
                        help="a recording to review, or a library folder (default: this folder)")
    parser.add_argument("--db", type=Path, help="annotation database (default: debrief.json beside the recording, or $DEBRIEF_DB)")
    parser.add_argument("--model", help="speech model folder or name for first-time transcription (default: bundled tiny.en)")
    parser.add_argument("--audio", choices=("auto", "simpleaudio", "command", "silent"), default=None,
                        help="audio backend (default: from the config file or $DEBRIEF_AUDIO, else auto)")
    parser.add_argument("--audio-command", help="player command for --audio command, e.g. 'paplay' or 'pw-play'")
    parser.add_argument("--version", action="version", version=f"debrief {__version__}")
    return parser


def _command_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="debrief")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    p = sub.add_parser("transcribe", help="transcribe recordings (or every recording in folders) offline")
    p.add_argument("paths", nargs="+", type=Path, metavar="PATH",
                   help="recordings, or folders: every recording below them (found by content) without a transcript")
    p.add_argument("--jobs", type=int, default=1, metavar="N", help="recordings at once, in separate processes")
    p.add_argument("--model", help="model folder or name (default: bundled tiny.en)")
    p.add_argument("--speakers", type=int, choices=range(1, 9), metavar="N", help="number of speakers (default: estimate)")
    p.add_argument("--force", action="store_true", help="transcribe again even if a transcript exists")
    p.add_argument("--db", type=Path, help="library database (default: debrief.json in the nearest folder above, or $DEBRIEF_DB)")
    p.set_defaults(run=_transcribe)

    p = sub.add_parser("import", help="attach an existing WebVTT or SRT transcript (speaker names kept)")
    p.add_argument("recording", type=Path)
    p.add_argument("transcript", type=Path)
    p.add_argument("--db", type=Path, help="library database (default: debrief.json in the nearest folder above, or $DEBRIEF_DB)")
    p.set_defaults(run=_import)

    p = sub.add_parser("stats", help="talk time, turns, questions, wait time, monologues")
    p.add_argument("path", type=Path, help="a recording, or a library folder (every transcribed session in it)")
    p.add_argument("--json", action="store_true")
    p.add_argument("--db", type=Path, help="library database (default: debrief.json in the nearest folder above, or $DEBRIEF_DB)")
    p.set_defaults(run=_stats)

    p = sub.add_parser("marks", help="list the marks of a recording")
    p.add_argument("recording", type=Path)
    p.add_argument("--json", action="store_true")
    p.add_argument("--db", type=Path, help="library database (default: debrief.json in the nearest folder above, or $DEBRIEF_DB)")
    p.set_defaults(run=_marks)

    p = sub.add_parser("mark", help="add a mark")
    p.add_argument("recording", type=Path)
    p.add_argument("--at", required=True, help="start time (SS, MM:SS or HH:MM:SS)")
    p.add_argument("--to", help="end time")
    p.add_argument("--tag", required=True)
    p.add_argument("--note", default="")
    p.add_argument("--db", type=Path, help="library database (default: debrief.json in the nearest folder above, or $DEBRIEF_DB)")
    p.set_defaults(run=_mark)

    p = sub.add_parser("doctor", help="check audio, model, database and privacy, and print fixes")
    p.add_argument("path", type=Path, nargs="?", default=Path("."), help="library folder to check (default: here)")
    p.add_argument("--db", type=Path, help="library database (default: debrief.json in the nearest folder above, or $DEBRIEF_DB)")
    p.add_argument("--no-tone", action="store_true", help="do not play the short test tone")
    p.set_defaults(run=_doctor)

    p = sub.add_parser("config", help="show where the config file is and what is in effect")
    p.add_argument("--init", action="store_true", help="write a commented example config file")
    p.set_defaults(run=_config)

    p = sub.add_parser("export", help="export notes for a mentor")
    p.add_argument("recording", type=Path, help="a recording, or a library folder to export the whole series")
    p.add_argument("--format", required=True, choices=("md", "html", "csv", "json", "srt", "vtt"))
    p.add_argument("-o", "--output", type=Path, help="file to write (default: standard output)")
    p.add_argument("--tag", help="only the marks with this tag (across the series for a folder)")
    p.add_argument("--deidentify", action="store_true",
                   help="speaker names become roles, title and path go, redaction terms are removed (and muted)")
    p.add_argument("--redact", action="append", default=[], metavar="TERM",
                   help="one more term to remove with --deidentify (repeatable)")
    p.add_argument("--clips", nargs="?", const="", metavar="DIR",
                   help="embed each mark's audio clip in the HTML; with DIR also write one file per mark there")
    p.add_argument("--context", type=float, help="seconds of transcript around each mark (default 15)")
    p.add_argument("--pre-roll", type=float, help="seconds of audio before each mark's clip (default 5)")
    p.add_argument("--post-roll", type=float, help="seconds of audio after each mark's clip (default 10)")
    p.add_argument("--db", type=Path, help="library database (default: debrief.json in the nearest folder above, or $DEBRIEF_DB)")
    p.set_defaults(run=_export)
    return parser


# -- commands --------------------------------------------------------------------------


def _open(args: argparse.Namespace) -> int:
    from tui.app.app import DebriefApp, binding_ids
    from tui.config import check_keymap, load_config
    from tui.media.playback import open_player
    from tui.media.transcribe import Transcriber, resolve_model
    from tui.review import Review
    from tui.workspace import open_recording

    config = load_config()
    check_keymap(config, binding_ids())
    model = args.model or config.model or None
    resolve_model(model)  # a bad --model fails here, before the screen opens
    player = open_player(args.audio or config.audio, command=args.audio_command or config.audio_command or None)

    def review_of(path: Path) -> Review:
        workspace = open_recording(path, args.db)
        transcript = workspace.cached_transcript() or _empty_transcript(workspace)
        return Review(workspace, player, transcript=transcript, speed=config.speed, follow=config.follow,
                      resume_rewind=config.resume_rewind, skip_silence=config.skip_silence_seconds)

    def transcriber() -> Transcriber:
        return Transcriber(model, threads=config.threads or None)

    try:
        if args.path.is_dir():
            from tui.app.screens.library import LibraryContext
            from tui.catalog import open_library

            context = LibraryContext(args.path, open_library(args.path, args.db), review_of, transcriber, player)
            app = DebriefApp(library=context, transcriber_factory=transcriber, keymap=config.keys, config=config)
        else:
            app = DebriefApp(review_of(args.path), transcriber_factory=transcriber, keymap=config.keys,
                             config=config)
    except BaseException:
        player.close()
        raise
    try:
        app.run()
    finally:
        app.close_audio()
    return app.return_code or 0


def _empty_transcript(workspace):
    from tui.core.model import Transcript

    return Transcript(duration=workspace.info.duration, complete=False)


def _transcribe(args: argparse.Namespace) -> int:
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

    from tui import batch
    from tui.config import load_config

    config = load_config()
    model = args.model or config.model or None
    todo, skipped = batch.plan(args.paths, args.db, model, args.force)  # bad input fails before any work
    columns = (TextColumn("{task.description}"), BarColumn(), TextColumn("{task.percentage:>3.0f}%"),
               TimeElapsedColumn(), TimeRemainingColumn())
    failed: list[str] = []
    with Progress(*columns, transient=False) as progress:
        for path, why in skipped:
            progress.console.print(_shown(f"{path}: {why}"), markup=False, highlight=False)
        if not todo:
            return 0
        total = progress.add_task(f"{len(todo)} recording(s)", total=sum(max(w.info.duration, 1.0) for w in todo))
        files = {w.recording: progress.add_task(f"  {w.recording.name}", total=max(w.info.duration, 0.001),
                                                visible=args.jobs <= 1) for w in todo}
        durations = {w.recording: max(w.info.duration, 1.0) for w in todo}
        done_before = {"seconds": 0.0}

        def on_progress(path: Path, done: float, length: float) -> None:
            progress.update(files[path], completed=done, total=length)
            progress.update(total, completed=done_before["seconds"] + done / max(length, 0.001) * durations[path])

        def on_done(result) -> None:
            done_before["seconds"] += durations[result.path]
            progress.update(total, completed=done_before["seconds"])
            progress.update(files[result.path], completed=durations[result.path])
            progress.console.print(_shown(f"{result.path}: {result.utterances} utterances, "
                                          f"{result.speakers} speaker(s), saved"), markup=False, highlight=False,
                                   soft_wrap=True)

        def on_failed(path: Path, why: str) -> None:
            failed.append(f"{path}: {why}")
            progress.console.print(_shown(f"{path}: not transcribed: {why}"), style="red", markup=False, soft_wrap=True,
                                   highlight=False)

        batch.run(todo, db=args.db, model=model, threads=config.threads or None, speakers=args.speakers,
                  jobs=args.jobs, on_progress=on_progress, on_done=on_done, on_failed=on_failed)
    if failed:
        raise DebriefError(f"{len(failed)} of {len(todo)} recording(s) could not be transcribed (see above)")
    return 0


def _import(args: argparse.Namespace) -> int:
    from tui.formats.transcript_import import load_transcript
    from tui.workspace import open_recording

    workspace = open_recording(args.recording, args.db)
    transcript = load_transcript(args.transcript, duration=workspace.info.duration)
    if workspace.read_only:
        raise DebriefError(f"{workspace.library.db_path} is read-only: the transcript cannot be attached")
    workspace.save_transcript(transcript)
    names = ", ".join(sp.label for sp in transcript.speakers)
    print(_shown(f"attached {len(transcript.segments)} utterances ({names}) to {workspace.recording.name}"))
    return 0


def _stats(args: argparse.Namespace) -> int:
    from tui.core.analytics import stats_to_json
    from tui.formats import stats_text
    from tui.workspace import library_reports, open_recording

    if args.path.is_dir():
        reports = library_reports(args.path, args.db)
        if args.json:
            sessions = [{"id": r.info.id, "title": r.info.title, "date": r.info.date, "path": r.info.path,
                         **stats_to_json(r.stats)} for r in reports]
            print(json.dumps({"sessions": sessions}, indent=2, ensure_ascii=False))
        else:
            print(_shown_lines("\n".join(stats_text.render(f"{r.info.date}  {r.info.title}", r.stats)
                                          for r in reports)) or "no transcribed sessions in this library")
        return 0
    report = open_recording(args.path, args.db).report()
    if args.json:
        print(json.dumps(stats_to_json(report.stats), indent=2, ensure_ascii=False))
    else:
        print(_shown_lines(stats_text.render(report.info.title, report.stats)), end="")
    return 0


def _doctor(args: argparse.Namespace) -> int:
    from tui.config import load_config
    from tui.doctor import run_all

    try:
        config = load_config()
        preference, command = config.audio, config.audio_command or None
    except DebriefError:
        preference, command = "auto", None  # the config check below reports it
    failed = False
    for check in run_all(args.path, db=args.db, play_tone=not args.no_tone, preference=preference, command=command):
        failed |= not check.ok
        print(f"{check.label:4}  {check.area:14}  {check.detail}")
        if check.fix and (not check.ok or check.warning):
            print(f"{'':4}  {'':14}  fix: {check.fix}")
    return 1 if failed else 0


def _config(args: argparse.Namespace) -> int:
    from tui.config import describe, load_config, write_example

    if args.init:
        print(f"wrote {write_example()}")
        return 0
    print(describe(load_config()), end="")
    return 0


def _marks(args: argparse.Namespace) -> int:
    from tui.core.timefmt import format_range
    from tui.workspace import open_recording

    ws = open_recording(args.recording, args.db)
    marks = ws.annotations.marks()
    if args.json:
        print(json.dumps([m.to_dict() for m in marks], indent=2, ensure_ascii=False))
        return 0
    if not marks:
        print("no marks")
    for m in marks:
        note = f"  {m.note}" if m.note else ""
        print(_shown(f"{format_range(m.start, m.end)}  {m.tag}  ({m.author}){note}"))
    return 0


def _mark(args: argparse.Namespace) -> int:
    from tui.core.model import Mark
    from tui.core.timefmt import format_range, parse_time
    from tui.store import new_mark_id, utc_now
    from tui.workspace import check_recording, current_author, open_recording

    media = check_recording(args.recording)  # every check before the library is touched
    start = parse_time(args.at, duration=media.duration)
    end = parse_time(args.to, duration=media.duration) if args.to else None
    if end is not None and end <= start:
        raise TimeFormatError(f"--to {args.to} must be after --at {args.at}")
    tag = args.tag.strip()
    if not tag:
        raise DebriefError("--tag must not be empty")
    ws = open_recording(args.recording, args.db, media)
    now = utc_now()
    mark = ws.annotations.add_mark(Mark(new_mark_id(), start, end, tag, args.note, current_author(), now, now))
    print(_shown(f"marked {format_range(mark.start, mark.end)} as {mark.tag} (saved to {ws.library.db_path})"))
    return 0


def _export(args: argparse.Namespace) -> int:
    from tui.catalog import open_library
    from tui.config import load_config
    from tui.exporting import ExportOptions, export, protected_paths, save
    from tui.workspace import library_reports, open_recording, redaction_terms

    config = load_config()
    if args.recording.is_dir():
        reports = library_reports(args.recording, args.db)
        if not reports:
            raise DebriefError(f"no transcribed session in {args.recording}")
        sessions = [(r, Path(r.info.path)) for r in reports]
        library = open_library(args.recording, args.db)
    else:
        workspace = open_recording(args.recording, args.db)
        sessions = [(workspace.report(), workspace.recording)]
        library = workspace.library
    terms = (*config.redaction_terms, *redaction_terms(library), *args.redact)
    clips_dir = Path(args.clips) if args.clips else None
    options = ExportOptions(
        fmt=args.format,
        context=config.context_seconds if args.context is None else args.context,
        deidentify=args.deidentify,
        terms=tuple(terms),
        embed_clips=args.clips is not None and args.format == "html",
        clips_dir=clips_dir,
        tag=args.tag,
        pre_roll=config.clip_pre_roll if args.pre_roll is None else args.pre_roll,
        post_roll=config.clip_post_roll if args.post_roll is None else args.post_roll,
    )
    result = export(sessions, options)
    for warning in result.warnings:
        print(f"debrief: note: {_shown(warning)}", file=sys.stderr)
    save(result, args.output, clips_dir, protect=protected_paths(library, [path for _, path in sessions]))
    if clips_dir is not None:
        print(f"wrote {len(result.clip_files)} clip(s) to {clips_dir}", file=sys.stderr)
    if args.output is None:
        sys.stdout.write(result.text)
    else:
        print(f"wrote {args.output} ({result.marks} mark(s))", file=sys.stderr)
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
