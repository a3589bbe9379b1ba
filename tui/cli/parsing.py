"""The command line's grammar: the parser for ``debrief PATH`` and for each command.

Why a module of its own: argparse's usage errors must follow the same one-line
``debrief: error:`` contract as every other problem, and each command names the function
(in opening, transcribing, reports or machine) that runs it.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
from pathlib import Path

from tui import __version__
from tui.cli.machine import config_command, doctor_command, models_command
from tui.cli.output import shown
from tui.cli.reports import export_command, mark_command, marks_command, stats_command
from tui.cli.transcribing import import_command, transcribe_command

COMMANDS = ("transcribe", "import", "stats", "marks", "mark", "export", "config", "doctor", "models")
LANGUAGE_HELP = ("language of the sessions: auto (detect it; the default) or a code such as en, es, de "
                 "(default: [transcription] language in the config)")


class Parser(argparse.ArgumentParser):
    """argparse, but usage errors follow the same one-line ``debrief: error:`` contract."""

    def parse_known_args(self, args=None, namespace=None):  # type: ignore[override]
        self._seen = list(sys.argv[1:] if args is None else args)
        return super().parse_known_args(args, namespace)

    def error(self, message: str):  # type: ignore[override]
        self.exit(2, f"debrief: error: {shown(message)}{self._dash_hint()} (see {self.prog} --help)\n")

    def _dash_hint(self) -> str:
        """A file whose name starts with a dash reads as an option: say how to name it."""
        for arg in getattr(self, "_seen", ()):
            if arg.startswith("-") and arg != "-" and not arg.startswith("--") and os.path.lexists(arg):
                return f"; {shown(arg)} was read as an option: to name that file, write ./{shown(arg)}"
        return ""


def path_argument(text: str) -> Path:
    """A path argument; NUL can be in no file name, so it is refused here rather than by the OS."""
    if "\x00" in text:
        raise argparse.ArgumentTypeError(f"{shown(text)[:60]!r} contains a NUL character, which no file name can")
    return Path(text)


def seconds_option(text: str) -> float:
    """A number of seconds for --context, --pre-roll and --post-roll: finite, 0 to 600."""
    try:
        value = float(text) if text.isascii() else math.nan
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or not 0 <= value <= MAX_OPTION_SECONDS:
        raise argparse.ArgumentTypeError(
            f"{shown(text)[:40]!r} is not a number of seconds from 0 to {MAX_OPTION_SECONDS:g}")
    return value


MAX_OPTION_SECONDS = 600.0
"""The config file allows the same range for context and clip rolls."""


def open_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="debrief",
        description="Review a recorded session: transcript, speaker timeline, marks and notes.",
        epilog="commands: " + ", ".join(COMMANDS) + " (debrief COMMAND --help)",
    )
    parser.add_argument("path", type=path_argument, nargs="?", default=Path("."),
                        help="a recording to review, or a library folder (default: this folder)")
    parser.add_argument("--db", type=path_argument, help="annotation database (default: debrief.json beside the recording, or $DEBRIEF_DB)")
    parser.add_argument("--model", help="speech model folder or name for first-time transcription (default: bundled "
                                        "tiny.en, or base with debrief[multilingual]; see debrief models)")
    parser.add_argument("--language", metavar="CODE", help=LANGUAGE_HELP)
    parser.add_argument("--audio", choices=("auto", "simpleaudio", "command", "silent"), default=None,
                        help="audio backend (default: from the config file or $DEBRIEF_AUDIO, else auto)")
    parser.add_argument("--audio-command", help="player command for --audio command, e.g. 'paplay' or 'pw-play'")
    parser.add_argument("--version", action="version", version=f"debrief {__version__}")
    return parser


def command_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="debrief")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=Parser)

    p = sub.add_parser("transcribe", help="transcribe recordings (or every recording in folders) offline")
    p.add_argument("paths", nargs="+", type=path_argument, metavar="PATH",
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
    p.add_argument("--db", type=path_argument, help="library database (default: debrief.json in the nearest folder above, or $DEBRIEF_DB)")
    p.set_defaults(run=transcribe_command)

    p = sub.add_parser("import", help="attach an existing WebVTT or SRT transcript (speaker names kept), "
                       "or bring back a mentor's FEEDBACK.json")
    p.add_argument("recording", type=path_argument, help="the recording, or a feedback file saved from an exported page")
    p.add_argument("transcript", type=path_argument, nargs="?")
    p.add_argument("--force", action="store_true",
                   help="replace a transcript the session already has (the replaced one is kept beside it)")
    p.add_argument("--db", type=path_argument, help="library database (default: debrief.json in the nearest folder above, or $DEBRIEF_DB)")
    p.set_defaults(run=import_command)

    p = sub.add_parser("stats", help="talk time, turns, questions, wait time, monologues")
    p.add_argument("path", type=path_argument, help="a recording, or a library folder (every transcribed session in it)")
    p.add_argument("--json", action="store_true")
    p.add_argument("--db", type=path_argument, help="library database (default: debrief.json in the nearest folder above, or $DEBRIEF_DB)")
    p.set_defaults(run=stats_command)

    p = sub.add_parser("marks", help="list the marks of a recording")
    p.add_argument("recording", type=path_argument)
    p.add_argument("--json", action="store_true")
    p.add_argument("--db", type=path_argument, help="library database (default: debrief.json in the nearest folder above, or $DEBRIEF_DB)")
    p.set_defaults(run=marks_command)

    p = sub.add_parser("mark", help="add a mark")
    p.add_argument("recording", type=path_argument)
    p.add_argument("--at", required=True, help="start time (SS, MM:SS or HH:MM:SS)")
    p.add_argument("--to", help="end time")
    p.add_argument("--tag", required=True)
    p.add_argument("--note", default="")
    p.add_argument("--db", type=path_argument, help="library database (default: debrief.json in the nearest folder above, or $DEBRIEF_DB)")
    p.set_defaults(run=mark_command)

    p = sub.add_parser("doctor", help="check audio, model, database and privacy, and print fixes")
    p.add_argument("path", type=path_argument, nargs="?", default=Path("."), help="library folder to check (default: here)")
    p.add_argument("--db", type=path_argument, help="library database (default: debrief.json in the nearest folder above, or $DEBRIEF_DB)")
    p.add_argument("--no-tone", action="store_true", help="do not play the short test tone")
    p.set_defaults(run=doctor_command)

    p = sub.add_parser("models", help="speech models on this machine; `debrief models get NAME` fetches one")
    p.add_argument("action", nargs="?", default="list",
                   help="list (default) or get: download a standard faster-whisper model once, then offline")
    p.add_argument("name", nargs="?", help="with get: tiny, base, small, medium, large-v3, distil-large-v3…")
    p.add_argument("--verify", action="store_true", help="check every cached model file against its checksum")
    p.set_defaults(run=models_command)

    p = sub.add_parser("config", help="show where the config file is and what is in effect")
    p.add_argument("--init", action="store_true", help="write a commented example config file")
    p.set_defaults(run=config_command)

    p = sub.add_parser("export", help="export notes for a mentor")
    p.add_argument("recording", type=path_argument, help="a recording, or a library folder to export the whole series")
    p.add_argument("--format", required=True, choices=("md", "html", "csv", "json", "srt", "vtt"))
    p.add_argument("-o", "--output", type=path_argument, help="file to write (default, or -: standard output)")
    p.add_argument("--tag", help="only the marks with this tag (across the series for a folder)")
    p.add_argument("--deidentify", action="store_true",
                   help="speaker names become roles, title and path go, redaction terms are removed (and muted)")
    p.add_argument("--redact", action="append", default=[], metavar="TERM",
                   help="one more term to remove with --deidentify (repeatable)")
    p.add_argument("--clips", nargs="?", const="", metavar="DIR",
                   help="embed each mark's audio clip in the HTML; with DIR also write one file per mark there")
    p.add_argument("--context", type=seconds_option, help="seconds of transcript around each mark (default 15)")
    p.add_argument("--pre-roll", type=seconds_option, help="seconds of audio before each mark's clip (default 5)")
    p.add_argument("--post-roll", type=seconds_option, help="seconds of audio after each mark's clip (default 10)")
    p.add_argument("--db", type=path_argument, help="library database (default: debrief.json in the nearest folder above, or $DEBRIEF_DB)")
    p.set_defaults(run=export_command)
    return parser
