"""The ``debrief`` command: parse, call the services, print. No logic of its own.

Every problem a user can cause ends as one line ``debrief: error: …`` on stderr and
exit status 1; a traceback is a bug (set ``DEBRIEF_DEBUG=1`` to see one). A refused
command changes nothing on disk: every check runs before the library is touched.

Nothing a note, a name or a path contains reaches the terminal raw: every text Debrief
did not write itself goes through :mod:`tui.core.safe_text` (``␛`` for ESC, ``<U+202E>``
for a bidirectional override; the rule is stated there).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from tui import __version__
from tui.core.safe_text import json_safe, tag_problem, visible
from tui.errors import DebriefError, TimeFormatError

COMMANDS = ("transcribe", "import", "stats", "marks", "mark", "export", "config", "doctor", "models")
LANGUAGE_HELP = ("language of the sessions: auto (detect it; the default) or a code such as en, es, de "
                 "(default: [transcription] language in the config)")


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


def _shown(text: object) -> str:
    """One line for the terminal: control, bidi and zero-width characters shown, never sent raw."""
    return visible(str(text))


def _shown_lines(text: str) -> str:
    return "\n".join(_shown(line) for line in text.split("\n"))


def _json(value: object) -> str:
    """JSON for the terminal: lossless, with every hostile character as a \\u escape."""
    return json_safe(json.dumps(value, indent=2, ensure_ascii=False))


class _Parser(argparse.ArgumentParser):
    """argparse, but usage errors follow the same one-line ``debrief: error:`` contract."""

    def parse_known_args(self, args=None, namespace=None):  # type: ignore[override]
        self._seen = list(sys.argv[1:] if args is None else args)
        return super().parse_known_args(args, namespace)

    def error(self, message: str):  # type: ignore[override]
        self.exit(2, f"debrief: error: {_shown(message)}{self._dash_hint()} (see {self.prog} --help)\n")

    def _dash_hint(self) -> str:
        """A file whose name starts with a dash reads as an option: say how to name it."""
        for arg in getattr(self, "_seen", ()):
            if arg.startswith("-") and arg != "-" and not arg.startswith("--") and os.path.lexists(arg):
                return f"; {_shown(arg)} was read as an option: to name that file, write ./{_shown(arg)}"
        return ""


def _path(text: str) -> Path:
    """A path argument; NUL can be in no file name, so it is refused here rather than by the OS."""
    if "\x00" in text:
        raise argparse.ArgumentTypeError(f"{_shown(text)[:60]!r} contains a NUL character, which no file name can")
    return Path(text)


def _seconds_option(text: str) -> float:
    """A number of seconds for --context, --pre-roll and --post-roll: finite, 0 to 600."""
    try:
        value = float(text) if text.isascii() else math.nan
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or not 0 <= value <= MAX_OPTION_SECONDS:
        raise argparse.ArgumentTypeError(
            f"{_shown(text)[:40]!r} is not a number of seconds from 0 to {MAX_OPTION_SECONDS:g}")
    return value


MAX_OPTION_SECONDS = 600.0
"""The config file allows the same range for context and clip rolls."""


def _open_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="debrief",
        description="Review a recorded session: transcript, speaker timeline, marks and notes.",
        epilog="commands: " + ", ".join(COMMANDS) + " (debrief COMMAND --help)",
    )
    parser.add_argument("path", type=_path, nargs="?", default=Path("."),
                        help="a recording to review, or a library folder (default: this folder)")
    parser.add_argument("--db", type=_path, help="annotation database (default: debrief.json beside the recording, or $DEBRIEF_DB)")
    parser.add_argument("--model", help="speech model folder or name for first-time transcription (default: bundled "
                                        "tiny.en, or base with debrief[multilingual]; see debrief models)")
    parser.add_argument("--language", metavar="CODE", help=LANGUAGE_HELP)
    parser.add_argument("--audio", choices=("auto", "simpleaudio", "command", "silent"), default=None,
                        help="audio backend (default: from the config file or $DEBRIEF_AUDIO, else auto)")
    parser.add_argument("--audio-command", help="player command for --audio command, e.g. 'paplay' or 'pw-play'")
    parser.add_argument("--version", action="version", version=f"debrief {__version__}")
    return parser


def _command_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="debrief")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    p = sub.add_parser("transcribe", help="transcribe recordings (or every recording in folders) offline")
    p.add_argument("paths", nargs="+", type=_path, metavar="PATH",
                   help="recordings, or folders: every recording below them (found by content) without a transcript")
    p.add_argument("--jobs", type=int, default=1, metavar="N", help="recordings at once, in separate processes")
    p.add_argument("--cluster", metavar="ADDRESS", help="run on a Dask scheduler (tcp://HOST:8786) or a LocalCluster "
                   "(local:N); needs pip install 'debrief[cluster]'")
    p.add_argument("--device", choices=("auto", "cpu", "cuda"), default="auto",
                   help="where the model runs (auto: a CUDA GPU when one works, else the CPU)")
    p.add_argument("--compute-type", metavar="TYPE", help="CTranslate2 compute type (default: int8 on CPU, float16 on GPU)")
    p.add_argument("--model", help="model folder or name (default: bundled tiny.en, or base with "
                                   "debrief[multilingual]; see debrief models)")
    p.add_argument("--language", metavar="CODE", help=LANGUAGE_HELP)
    p.add_argument("--speakers", type=int, choices=range(1, 9), metavar="N", help="number of people speaking (default: [speakers] expected in the config, else estimated)")
    p.add_argument("--force", action="store_true", help="transcribe again even if a transcript exists")
    p.add_argument("--db", type=_path, help="library database (default: debrief.json in the nearest folder above, or $DEBRIEF_DB)")
    p.set_defaults(run=_transcribe)

    p = sub.add_parser("import", help="attach an existing WebVTT or SRT transcript (speaker names kept)")
    p.add_argument("recording", type=_path)
    p.add_argument("transcript", type=_path)
    p.add_argument("--force", action="store_true",
                   help="replace a transcript the session already has (the replaced one is kept beside it)")
    p.add_argument("--db", type=_path, help="library database (default: debrief.json in the nearest folder above, or $DEBRIEF_DB)")
    p.set_defaults(run=_import)

    p = sub.add_parser("stats", help="talk time, turns, questions, wait time, monologues")
    p.add_argument("path", type=_path, help="a recording, or a library folder (every transcribed session in it)")
    p.add_argument("--json", action="store_true")
    p.add_argument("--db", type=_path, help="library database (default: debrief.json in the nearest folder above, or $DEBRIEF_DB)")
    p.set_defaults(run=_stats)

    p = sub.add_parser("marks", help="list the marks of a recording")
    p.add_argument("recording", type=_path)
    p.add_argument("--json", action="store_true")
    p.add_argument("--db", type=_path, help="library database (default: debrief.json in the nearest folder above, or $DEBRIEF_DB)")
    p.set_defaults(run=_marks)

    p = sub.add_parser("mark", help="add a mark")
    p.add_argument("recording", type=_path)
    p.add_argument("--at", required=True, help="start time (SS, MM:SS or HH:MM:SS)")
    p.add_argument("--to", help="end time")
    p.add_argument("--tag", required=True)
    p.add_argument("--note", default="")
    p.add_argument("--db", type=_path, help="library database (default: debrief.json in the nearest folder above, or $DEBRIEF_DB)")
    p.set_defaults(run=_mark)

    p = sub.add_parser("doctor", help="check audio, model, database and privacy, and print fixes")
    p.add_argument("path", type=_path, nargs="?", default=Path("."), help="library folder to check (default: here)")
    p.add_argument("--db", type=_path, help="library database (default: debrief.json in the nearest folder above, or $DEBRIEF_DB)")
    p.add_argument("--no-tone", action="store_true", help="do not play the short test tone")
    p.set_defaults(run=_doctor)

    p = sub.add_parser("models", help="speech models on this machine; `debrief models get NAME` fetches one")
    p.add_argument("action", nargs="?", default="list",
                   help="list (default) or get: download a standard faster-whisper model once, then offline")
    p.add_argument("name", nargs="?", help="with get: tiny, base, small, medium, large-v3, distil-large-v3…")
    p.add_argument("--verify", action="store_true", help="check every cached model file against its checksum")
    p.set_defaults(run=_models)

    p = sub.add_parser("config", help="show where the config file is and what is in effect")
    p.add_argument("--init", action="store_true", help="write a commented example config file")
    p.set_defaults(run=_config)

    p = sub.add_parser("export", help="export notes for a mentor")
    p.add_argument("recording", type=_path, help="a recording, or a library folder to export the whole series")
    p.add_argument("--format", required=True, choices=("md", "html", "csv", "json", "srt", "vtt"))
    p.add_argument("-o", "--output", type=_path, help="file to write (default, or -: standard output)")
    p.add_argument("--tag", help="only the marks with this tag (across the series for a folder)")
    p.add_argument("--deidentify", action="store_true",
                   help="speaker names become roles, title and path go, redaction terms are removed (and muted)")
    p.add_argument("--redact", action="append", default=[], metavar="TERM",
                   help="one more term to remove with --deidentify (repeatable)")
    p.add_argument("--clips", nargs="?", const="", metavar="DIR",
                   help="embed each mark's audio clip in the HTML; with DIR also write one file per mark there")
    p.add_argument("--context", type=_seconds_option, help="seconds of transcript around each mark (default 15)")
    p.add_argument("--pre-roll", type=_seconds_option, help="seconds of audio before each mark's clip (default 5)")
    p.add_argument("--post-roll", type=_seconds_option, help="seconds of audio after each mark's clip (default 10)")
    p.add_argument("--db", type=_path, help="library database (default: debrief.json in the nearest folder above, or $DEBRIEF_DB)")
    p.set_defaults(run=_export)
    return parser


# -- commands --------------------------------------------------------------------------


def _open(args: argparse.Namespace) -> int:
    from tui.app.app import DebriefApp, binding_ids
    from tui.config import check_keymap, load_config
    from tui.media.playback import open_player
    from tui.media.model_choice import check_language, resolve_model
    from tui.media.transcribe import Transcriber
    from tui.session.review import Review
    from tui.services.workspace import open_recording

    config = load_config()
    check_keymap(config, binding_ids())
    model = args.model or config.model or None
    language = args.language or config.language
    check_language(resolve_model(model), language)  # a bad --model or --language fails before the screen opens
    player = open_player(args.audio or config.audio, command=args.audio_command or config.audio_command or None)

    def review_of(path: Path) -> Review:
        workspace = open_recording(path, args.db)
        transcript = workspace.cached_transcript() or _empty_transcript(workspace)
        return Review(workspace, player, transcript=transcript, speed=config.speed, follow=config.follow,
                      resume_rewind=config.resume_rewind, skip_silence=config.skip_silence_seconds)

    def transcriber() -> Transcriber:
        return Transcriber(model, threads=config.threads or None, speakers=config.expected_speakers or None,
                           language=language, batch_size=config.batch_size)

    try:
        if args.path.is_dir():
            from tui.app.screens.library import LibraryContext
            from tui.services.catalog import open_library

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
    from rich.markup import escape
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

    from tui.services import batch
    from tui.config import load_config
    from tui.core.languages import describe as describe_language

    config = load_config()
    model = args.model or config.model or None
    language = args.language or config.language
    target = _cluster_target(args)  # a bad --cluster, or no Dask, fails before any work too
    todo, skipped = batch.plan(args.paths, args.db, model, args.force, language)  # bad input fails before any work
    columns = (TextColumn("{task.description}"), BarColumn(), TextColumn("{task.percentage:>3.0f}%"),
               TimeElapsedColumn(), TimeRemainingColumn())
    failed: list[str] = []
    from contextlib import nullcontext

    engine = nullcontext() if target is None or not todo else _cluster().session(target)  # connect before drawing
    with engine as client, Progress(*columns, transient=False) as progress:
        for path, why in skipped:
            progress.console.print(_shown(f"{path}: {why}"), markup=False, highlight=False)
        if not todo:
            return 0
        total = progress.add_task(f"{len(todo)} recording(s)", total=sum(max(w.info.duration, 1.0) for w in todo))
        files = {w.recording: progress.add_task(f"  {escape(_shown(w.recording.name))}", total=max(w.info.duration, 0.001),
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
            progress.console.print(_shown(f"{result.path}: {result.utterances} utterances, "
                                          f"{result.speakers} speaker(s){', ' + heard if heard else ''}, saved"),
                                   markup=False, highlight=False, soft_wrap=True)

        def on_failed(path: Path, why: str) -> None:
            failed.append(f"{path}: {why}")
            progress.console.print(_shown(f"{path}: not transcribed: {why}"), style="red", markup=False, soft_wrap=True,
                                   highlight=False)

        speakers = args.speakers or config.expected_speakers or None
        if target is not None:
            def on_ready(workers: int, where: str) -> None:
                progress.console.print(_shown(f"transcribing on {workers} Dask worker(s) at {where}"), markup=False,
                                       highlight=False)

            _cluster().run(todo, target=target, model=model, threads=config.threads or None, speakers=speakers,
                           device=args.device, compute_type=args.compute_type, language=language,
                           on_ready=on_ready, on_done=on_done, on_failed=on_failed, client=client)
        else:
            batch.run(todo, db=args.db, model=model, threads=config.threads or None, speakers=speakers,
                      jobs=args.jobs, on_progress=on_progress, on_done=on_done, on_failed=on_failed,
                      device=args.device, compute_type=args.compute_type, language=language,
                      batch_size=config.batch_size)
    if failed:
        raise DebriefError(f"{len(failed)} of {len(todo)} recording(s) could not be transcribed (see above)")
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


def _import(args: argparse.Namespace) -> int:
    from tui.config import load_config
    from tui.formats.transcript_import import load_transcript
    from tui.services.workspace import check_recording, open_recording, peek_session

    load_config()
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
    print(_shown(f"attached {_described(transcript)} to {workspace.recording.name}"))
    if kept is not None:
        what = (f"replaced {_described(existing.transcript)}{_shared_with(existing.other_recordings)}"
                if existing.transcript is not None else "replaced a damaged transcript file")
        print(_shown(f"{what}; the replaced transcript is kept as {kept}"))
    return 0


def _described(transcript) -> str:
    names = ", ".join(sp.label for sp in transcript.speakers) or "no speakers"
    return f"{len(transcript.segments)} utterances ({names})"


def _shared_with(others: Sequence[str]) -> str:
    if not others:
        return ""
    shown = ", ".join(others[:3]) + (f" and {len(others) - 3} more" if len(others) > 3 else "")
    return f", shared with the identical recording(s) {shown}"


def _stats(args: argparse.Namespace) -> int:
    from tui.config import load_config
    from tui.core.analytics import stats_to_json
    from tui.formats import stats_text
    from tui.services.workspace import library_reports, open_recording

    load_config()
    if args.path.is_dir():
        reports = library_reports(args.path, args.db)
        if args.json:
            sessions = [{"id": r.info.id, "title": r.info.title, "date": r.info.date, "path": r.info.path,
                         **stats_to_json(r.stats)} for r in reports]
            print(_json({"sessions": sessions}))
        else:
            print(_shown_lines("\n".join(stats_text.render(f"{r.info.date}  {r.info.title}", r.stats)
                                          for r in reports)) or "no transcribed sessions in this library")
        return 0
    report = open_recording(args.path, args.db, read_only=True).report()
    if args.json:
        print(_json(stats_to_json(report.stats)))
    else:
        print(_shown_lines(stats_text.render(report.info.title, report.stats)), end="")
    return 0


def _doctor(args: argparse.Namespace) -> int:
    from tui.config import load_config
    from tui.services.doctor import run_all

    try:
        config = load_config()
        preference, command = config.audio, config.audio_command or None
    except DebriefError:
        preference, command = "auto", None  # the config check below reports it
    failed = False
    for check in run_all(args.path, db=args.db, play_tone=not args.no_tone, preference=preference, command=command):
        failed |= not check.ok
        print(f"{check.label:4}  {check.area:14}  {_shown(check.detail)}")
        if check.fix and (not check.ok or check.warning):
            print(f"{'':4}  {'':14}  fix: {_shown(check.fix)}")
    return 1 if failed else 0


def _models(args: argparse.Namespace) -> int:
    from tui.media import model_catalog

    if args.action not in ("list", "get"):
        raise DebriefError(f"unexpected {args.action!r}: did you mean debrief models get {args.action}?")
    if args.action == "get":
        if not args.name:
            raise DebriefError("debrief models get needs a model name: " + ", ".join(model_catalog.REPOSITORIES))
        return _get_model(args.name)
    if args.name:
        raise DebriefError(f"debrief models lists models; to fetch one: debrief models get {args.name}")
    rows = model_catalog.installed()
    print(f"{'Model':<18}{'Languages':<30}{'Size':>9}  Where")
    for row in rows:
        where = f"{row.location}" if row.location else "(assembled into the cache on first use)"
        print(_shown(f"{row.name:<18}{row.languages:<30}{row.size / 1e6:>6.0f} MB  {where}"))
        if row.note:
            print(_shown(f"{'':<18}{row.note}"))
        if args.verify and row.where in ("cache", "extra") and row.location:
            problem = model_catalog.verify_folder(row.location)
            print(_shown(f"{'':<18}" + (f"CHECKSUM FAILED: {problem}" if problem else "checksums ok")))
    names = {row.name for row in rows}
    if model_catalog.MULTILINGUAL not in names:
        print(f"\nOther languages: {model_catalog.EXTRA_INSTALL} (Whisper base, 99 languages, no download at run time).")
    more = [name for name in model_catalog.REPOSITORIES if name not in names]
    print("Fetch a larger model once, when you choose to (then it works offline): debrief models get NAME")
    print("  " + ", ".join(more))
    print(_shown(f"Model cache: {model_catalog.cache_dir()}"))
    return 0


def _get_model(name: str) -> int:
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn, TransferSpeedColumn

    from tui.media import model_catalog, model_fetch

    if name not in model_catalog.REPOSITORIES:
        raise DebriefError(f"unknown model {name!r}: known models are {', '.join(model_catalog.REPOSITORIES)}")
    if name == model_catalog.BUNDLED:
        print("tiny.en is bundled with Debrief: nothing to fetch")
        return 0
    already = model_catalog.cached(name)
    if already is None and name == model_catalog.MULTILINGUAL and model_catalog.extra_parts() is not None:
        already = model_catalog.multilingual_model()
    if already is not None:
        print(_shown(f"{name} is already on this machine: {already}"))
        return 0
    print(_shown(f"fetching {name} from {model_fetch.endpoint()} into {model_catalog.cache_dir()}"))
    columns = (TextColumn("{task.description}"), BarColumn(), DownloadColumn(), TransferSpeedColumn(),
               TimeRemainingColumn())
    with Progress(*columns, transient=False) as progress:
        task = progress.add_task(name, total=None)
        folder = model_fetch.fetch(
            name, on_progress=lambda done, total: progress.update(task, completed=done, total=total),
            on_file=lambda filename: progress.update(task, description=f"{name}: {filename}"))
        progress.update(task, description=name)
    print(_shown(f"{name} is ready in {folder}: use it with --model {name} (no network needed from now on)"))
    return 0


def _config(args: argparse.Namespace) -> int:
    from tui.config import describe, load_config, write_example

    if args.init:
        print(_shown(f"wrote {write_example()}"))
        return 0
    print(_shown_lines(describe(load_config())), end="")
    return 0


def _marks(args: argparse.Namespace) -> int:
    from tui.config import load_config
    from tui.core.timefmt import format_range
    from tui.services.workspace import open_recording

    load_config()
    ws = open_recording(args.recording, args.db, read_only=True)
    marks = ws.annotations.marks()
    if args.json:
        print(_json([m.to_dict() for m in marks]))
        return 0
    if not marks:
        print("no marks")
    for m in marks:
        note = f"  {m.note}" if m.note else ""
        print(_shown(f"{format_range(m.start, m.end)}  {m.tag}  ({m.author}){note}"))
    return 0


def _mark(args: argparse.Namespace) -> int:
    from tui.config import load_config
    from tui.core.model import Mark
    from tui.core.timefmt import format_range
    from tui.store import new_mark_id, utc_now
    from tui.services.workspace import check_recording, current_author, open_recording

    load_config()  # every check before the library is touched
    tag = args.tag.strip()
    problem = tag_problem(tag)
    if problem is not None:
        raise DebriefError(f"--tag must be a visible word or phrase: {problem}")
    media = check_recording(args.recording)
    start = _time(args.at, "--at", media.duration)
    end = _time(args.to, "--to", media.duration) if args.to else None
    if end is not None and end <= start:
        raise TimeFormatError(f"--to {args.to} must be after --at {args.at}")
    ws = open_recording(args.recording, args.db, media)
    now = utc_now()
    mark = ws.annotations.add_mark(Mark(new_mark_id(), start, end, tag, args.note, current_author(), now, now))
    print(_shown(f"marked {format_range(mark.start, mark.end)} as {mark.tag} (saved to {ws.library.db_path})"))
    return 0


def _time(text: str, option: str, duration: float) -> float:
    """``parse_time`` on digits 0-9 only: ``٣`` or ``３`` are digits to Python, not to a reviewer."""
    from tui.core.timefmt import parse_time

    if not text.isascii():
        raise TimeFormatError(f"{option} {_shown(text)[:40]!r} is not a time; use SS, MM:SS or HH:MM:SS "
                              "written with the digits 0-9 (for example 1:05:30)")
    return parse_time(text, duration=duration)


def _export(args: argparse.Namespace) -> int:
    from tui.config import load_config
    from tui.services.exporting import ExportOptions, export, protected_paths, save
    from tui.store import Library
    from tui.services.workspace import library_folder, library_reports, open_recording, redaction_terms, resolve_db

    config = load_config()
    to_stdout = args.output is None or str(args.output) == "-"
    if args.recording.is_dir():
        reports = library_reports(args.recording, args.db)
        if not reports:
            raise DebriefError(f"no transcribed session in {args.recording}")
        sessions = [(r, Path(r.info.path)) for r in reports]
        library = Library.open(resolve_db(library_folder(args.recording), args.db), read_only=True)
    else:
        workspace = open_recording(args.recording, args.db, read_only=True)  # an export only reads the library
        sessions = [(workspace.report(), workspace.recording)]
        library = workspace.library
    terms = (*config.redaction_terms, *redaction_terms(library), *args.redact)
    if args.clips and "\x00" in args.clips:
        raise DebriefError(f"{_shown(args.clips)[:60]!r} contains a NUL character, which no folder name can")
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
    output = None if to_stdout else args.output
    save(result, output, clips_dir, protect=protected_paths(library, [path for _, path in sessions]))
    if clips_dir is not None:
        print(_shown(f"wrote {len(result.clip_files)} clip(s) to {clips_dir}"), file=sys.stderr)
    if output is None:
        sys.stdout.write(result.text)
    else:
        print(_shown(f"wrote {output} ({result.marks} mark(s))"), file=sys.stderr)
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
