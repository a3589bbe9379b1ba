"""The ``debrief`` command: parse, call the services, print. No logic of its own.

Every problem a user can cause ends as one line ``debrief: error: …`` on stderr and
exit status 1; a traceback is a bug (set ``DEBRIEF_DEBUG=1`` to see one). A refused
command changes nothing on disk: every check runs before the library is touched.

Nothing a note, a name or a path contains reaches the terminal raw: every text Debrief
did not write itself goes through :mod:`tui.core.safe_text` (``␛`` for ESC, ``<U+202E>``
for a bidirectional override; the rule is stated there).

The package holds one module per group of commands (opening, transcribing, reports,
machine), the parsers (parsing) and what every command prints through (output).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path

from tui.cli.opening import open_command
from tui.cli.output import shown
from tui.cli.parsing import COMMANDS, command_parser, open_parser
from tui.errors import DebriefError, describe_failure


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        if args and args[0] in COMMANDS:
            parsed = command_parser().parse_args(args)
            return parsed.run(parsed)
        if args and (guess := _mistyped_command(args[0])):
            print(f"debrief: error: {shown(args[0])} is neither a command nor a file; "
                  f"did you mean `debrief {guess}`? (see debrief --help)", file=sys.stderr)
            return 2
        return open_command(open_parser().parse_args(args))
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
        return _fail(f"{describe_failure(exc)}; run with DEBRIEF_DEBUG=1 for details")


def _mistyped_command(word: str) -> str | None:
    """The command ``word`` was probably meant to be (``transcibe`` → transcribe), unless it is a path."""
    import difflib

    if word.startswith("-") or Path(word).exists():
        return None
    close = difflib.get_close_matches(word.lower(), COMMANDS, n=1, cutoff=0.75)
    return close[0] if close else None


def _fail(message: str) -> int:
    print(f"debrief: error: {shown(message)}", file=sys.stderr)
    return 1
