"""Producing an export: choose what leaves, redact it, cut clips, render, check, write.

The CLI and the app's export dialog both call :func:`export` then :func:`save`, so that
"private notes never leave", "a listed name never survives" and "files are private" hold
the same way for every route.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from tui.core.report import SessionReport
from tui.errors import DebriefError
from tui.formats import csv_export, html, json_export, markdown, subtitles
from tui.formats.own_wording import Blank
from tui.formats.redact import RedactionPolicy, blanks_for, check_clean, deidentify, mute_spans
from tui.formats.scope import only_tag, shareable_marks
from tui.store import Library
from tui.store.files import FileModes, atomic_write, ensure_folder

FORMATS = ("md", "html", "csv", "json", "srt", "vtt")
SUFFIXES = {"md": ".md", "html": ".html", "csv": ".csv", "json": ".json", "srt": ".srt", "vtt": ".vtt"}
CLIP_FORMAT = "ogg"


@dataclass(frozen=True)
class ExportOptions:
    fmt: str
    context: float = 15.0
    deidentify: bool = False
    terms: tuple[str, ...] = ()
    """Words that must not leave (client names, places) when de-identifying."""
    embed_clips: bool = False
    """HTML only: an audio player with each mark's clip inside the page."""
    clips_dir: Path | None = None
    """Also write one audio file per mark here."""
    tag: str | None = None
    """Only the marks with this tag ("all growth-edge moments")."""
    pre_roll: float = 5.0
    post_roll: float = 10.0
    tags: tuple[str, ...] = ()
    """HTML only: the tag vocabulary a mentor chooses from in the page's reviewer mode."""


@dataclass
class ExportResult:
    text: str
    clip_files: dict[str, bytes] = field(default_factory=dict)
    marks: int = 0
    warnings: list[str] = field(default_factory=list)


def export(sessions: Sequence[tuple[SessionReport, Path]], options: ExportOptions) -> ExportResult:
    """Render ``sessions`` (report, recording) as ``options.fmt``; raises if anything would leak."""
    if options.fmt not in FORMATS:
        raise DebriefError(f"unknown export format {options.fmt!r}; choose one of {', '.join(FORMATS)}")
    for name, value in (("context", options.context), ("pre-roll", options.pre_roll), ("post-roll", options.post_roll)):
        if not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
            raise DebriefError(f"the {name} must be zero or more seconds, not {value!r}")
    if options.fmt in ("srt", "vtt") and len(sessions) != 1:
        raise DebriefError(f"{options.fmt} subtitles are for one recording; export a series as md, html, csv or json")
    reports = [r for r, _ in sessions]
    recordings = [path for _, path in sessions]
    refused = [r.info.title or "a session" for r in reports if r.consent == "no"]
    if refused and not options.deidentify:
        raise DebriefError(f"consent to share {', '.join(refused)} was refused: export it de-identified "
                           "(--deidentify) or correct the consent in the session details")
    if options.tag:
        keep = {r.info.id for r in only_tag(reports, options.tag)}
        pairs = [(r, p) for r, p in zip(reports, recordings) if r.info.id in keep]
        if not pairs:
            raise DebriefError(f"no mark is tagged {options.tag!r}")
        tagged = only_tag([r for r, _ in pairs], options.tag)
        reports, recordings = list(tagged), [p for _, p in pairs]

    policy: RedactionPolicy | None = None
    spans: list[list[tuple[float, float]]] = [[] for _ in reports]
    if options.deidentify:
        policy = RedactionPolicy.for_reports(reports, options.terms)
        spans = [mute_spans(r, policy) for r in reports]
        reports = [deidentify(r, policy) for r in reports]

    clips: dict[str, bytes] = {}
    clip_files: dict[str, bytes] = {}
    if options.embed_clips or options.clips_dir is not None:
        from tui.media.clips import clip_bounds, clip_filename, encode_clip  # numpy and PyAV: only when cutting


        number = 0
        for report, recording, mute in zip(reports, recordings, spans):
            for mark in shareable_marks(report):
                number += 1
                a, b = clip_bounds(mark.start, mark.end, pre_roll=options.pre_roll, post_roll=options.post_roll,
                                   duration=report.info.duration)
                data = encode_clip(recording, a, b, mute=mute, fmt=CLIP_FORMAT)
                clips[mark.id] = data
                clip_files[clip_filename(number, mark.start, mark.tag, CLIP_FORMAT)] = data

    heading = f"All {options.tag} moments" if options.tag else ""
    text = _render(reports, options, clips if options.embed_clips else None, heading)
    if policy is not None:
        # Debrief's own wording ("Marks: 4", the page's script) may hold a client's name; the blank tells it apart.
        blanks, blank = _blank_render(reports, options, clips if options.embed_clips else None, policy)
        check_clean(text, policy, f"the {options.fmt} export", blank=blank, blanks=blanks)
        check_clean("\n".join(clip_files), policy, "the clip file names")
    result = ExportResult(text, clip_files, sum(len(shareable_marks(r)) for r in reports))
    for report in reports:
        if report.consent != "yes":
            state = "refused" if report.consent == "no" else "not recorded"
            result.warnings.append(f"consent for {report.info.title or 'this session'} is {state}: "
                                   "check you may share it (record consent in the session details)")
    if options.embed_clips and options.fmt != "html":
        result.warnings.append("audio clips are embedded only in HTML; use --clips DIR to write them as files")
    return result


def _blank_render(reports: list[SessionReport], options: ExportOptions, clips: dict[str, bytes] | None,
                  policy: RedactionPolicy) -> tuple[Blank | None, str | None]:
    """The same export from blanked reports (tui.formats.own_wording); (None, None) if it cannot be made."""
    try:
        blanks = blanks_for(policy)
        tag = blanks.text(options.tag, "tag") if options.tag else None
        shown = replace(options, tag=tag, tags=tuple(blanks.text(t, "tags") for t in options.tags))
        blank_clips = None if clips is None else {blanks.text(k): v for k, v in clips.items()}
        blank = _render([blanks.report(r) for r in reports], shown, blank_clips, f"All {tag} moments" if tag else "")
    except (TypeError, ValueError, DebriefError):
        return None, None  # the gate then refuses every match, as strictly as ever
    return blanks, blank


def _render(reports: list[SessionReport], options: ExportOptions, clips: dict[str, bytes] | None,
            heading: str) -> str:
    fmt = options.fmt
    if fmt == "md":
        return markdown.render(reports, context=options.context, heading=heading)
    if fmt == "html":
        return html.render(reports, context=options.context, clips=clips, clip_mime="audio/ogg", heading=heading,
                           tags=options.tags)
    if fmt == "csv":
        return csv_export.render(reports, context=options.context)
    if fmt == "json":
        return json_export.render(reports)
    if fmt == "srt":
        return subtitles.render_srt(reports)
    return subtitles.render_vtt(reports)


def protected_paths(library: Library, recordings: Iterable[Path]) -> list[Path]:
    """What an export must never be written over: the recordings, the database and its folder."""
    return [*recordings, library.db_path, library.data_dir]


def save(result: ExportResult, path: Path | None, clips_dir: Path | None = None, *,
         protect: Iterable[Path] = ()) -> None:
    """Write the export (and its clips) atomically, private to the user.

    Nothing in ``protect`` (the recordings, the database and its folder) is ever
    overwritten: a slip of ``-o`` must not destroy a session. A file written over is
    0600 afterwards too: an export never inherits the group or other bits of the file
    it replaces.
    """
    guarded = [Path(os.path.realpath(p)) for p in protect]
    targets = [path] if path is not None else []
    if clips_dir is not None:
        targets += [clips_dir / name for name in result.clip_files]
    for target in targets:
        real = Path(os.path.realpath(target))
        for keep in guarded:
            if real == keep or keep in real.parents:
                raise DebriefError(f"will not write the export over {target}: it is "
                                   f"{'a recording or the database' if real == keep else 'inside the database folder'}")
    private = FileModes(keep_existing=False)
    if clips_dir is not None:
        ensure_folder(clips_dir, private)
        for name, data in result.clip_files.items():
            atomic_write(clips_dir / name, data, private)
    if path is not None:
        ensure_folder(path.parent, private)
        atomic_write(path, result.text.encode("utf-8"), private)
