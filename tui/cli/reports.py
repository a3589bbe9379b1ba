"""``debrief stats``, ``marks``, ``mark`` and ``export``: reading and adding to a library's sessions.

Why a module of its own: these print or write what the reviewer made of their sessions,
through the same services the app uses.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tui.cli.output import as_json, shown, shown_lines
from tui.core.safe_text import tag_problem
from tui.errors import DebriefError, TimeFormatError


def stats_command(args: argparse.Namespace) -> int:
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
            print(as_json({"sessions": sessions}))
        else:
            print(shown_lines("\n".join(stats_text.render(f"{r.info.date}  {r.info.title}", r.stats)
                                          for r in reports)) or "no transcribed sessions in this library")
        return 0
    report = open_recording(args.path, args.db, read_only=True).report()
    if args.json:
        print(as_json(stats_to_json(report.stats)))
    else:
        print(shown_lines(stats_text.render(report.info.title, report.stats)), end="")
    return 0


def marks_command(args: argparse.Namespace) -> int:
    from tui.config import load_config
    from tui.core.timefmt import format_range
    from tui.services.workspace import open_recording

    load_config()
    ws = open_recording(args.recording, args.db, read_only=True)
    marks = ws.annotations.marks()
    if args.json:
        print(as_json([m.to_dict() for m in marks]))
        return 0
    if not marks:
        print("no marks")
    for m in marks:
        note = f"  {m.note}" if m.note else ""
        print(shown(f"{format_range(m.start, m.end)}  {m.tag}  ({m.author}){note}"))
    return 0


def mark_command(args: argparse.Namespace) -> int:
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
    print(shown(f"marked {format_range(mark.start, mark.end)} as {mark.tag} (saved to {ws.library.db_path})"))
    return 0


def _time(text: str, option: str, duration: float) -> float:
    """``parse_time`` on digits 0-9 only: ``٣`` or ``３`` are digits to Python, not to a reviewer."""
    from tui.core.timefmt import parse_time

    if not text.isascii():
        raise TimeFormatError(f"{option} {shown(text)[:40]!r} is not a time; use SS, MM:SS or HH:MM:SS "
                              "written with the digits 0-9 (for example 1:05:30)")
    return parse_time(text, duration=duration)


def export_command(args: argparse.Namespace) -> int:
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
        raise DebriefError(f"{shown(args.clips)[:60]!r} contains a NUL character, which no folder name can")
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
        tags=tuple(tag.name for tag in config.tags),
    )
    result = export(sessions, options)
    for warning in result.warnings:
        print(f"debrief: note: {shown(warning)}", file=sys.stderr)
    output = None if to_stdout else args.output
    save(result, output, clips_dir, protect=protected_paths(library, [path for _, path in sessions]))
    if clips_dir is not None:
        print(shown(f"wrote {len(result.clip_files)} clip(s) to {clips_dir}"), file=sys.stderr)
    if output is None:
        sys.stdout.write(result.text)
    else:
        print(shown(f"wrote {output} ({result.marks} mark(s))"), file=sys.stderr)
    return 0
