"""Checks a schema cannot state: a command line parses, a colour exists, a language is known.

The schema has already checked the kind of each value (text, number, list…) and its range;
these functions normalise what a person typed and refuse what still makes no sense. Each
raises :class:`Invalid` with the end of a sentence "<key> must …".
"""

from __future__ import annotations

import json
import os
import shlex
import string

AUDIO_BACKENDS = ("auto", "simpleaudio", "command", "silent")
LONGEST_TAG_NAME = 40
KEY_NAME = r"[^\s,]+"
"""One key as Textual names it ("m", "ctrl+g", "question_mark"): no spaces, no commas."""


class Invalid(ValueError):
    """A value is wrong; the message completes "<key> must …"."""


def backend(value: str) -> str:
    choice = value.strip().lower()
    if choice not in AUDIO_BACKENDS:
        raise Invalid(f"be one of {', '.join(AUDIO_BACKENDS)}, not {shown(value)}")
    return choice


def command(value: str) -> str:
    line = value.strip()
    if not line:
        return ""
    try:
        words = shlex.split(line)
        names = {name for _, name, _, _ in string.Formatter().parse(line) if name is not None}
    except ValueError as exc:
        raise Invalid(f"be a command line that parses ({exc})") from None
    if not words:
        return ""
    strange = sorted(names - {"rate", "channels"})
    if strange:
        raise Invalid(f"use only the placeholders {{rate}} and {{channels}}, not {{{strange[0]}}}")
    return line


def model(value: str) -> str:
    name = value.strip()
    return os.path.expanduser(name) if name.startswith("~") else name


def language(value: str) -> str:
    from tui.core.languages import check_language

    try:
        return check_language(value)
    except ValueError:
        raise Invalid(f"be auto or a language code such as en, es, de, fr, not {shown(value)}") from None


def person(value: str) -> str:
    name = " ".join(value.split())
    if len(name) > 80 or any(not ch.isprintable() for ch in name):
        raise Invalid("be a name on one line, at most 80 characters")
    return name


def terms(value: tuple[str, ...]) -> tuple[str, ...]:
    """Surrounding spaces go and repeats are dropped (the schema refused blank items)."""
    return tuple(dict.fromkeys(term.strip() for term in value))


def key_list(value: str) -> str:
    return ",".join(part.strip() for part in value.split(","))


def colour(value: str) -> str:
    name = value.strip()
    if not name:
        return ""
    from rich.color import Color, ColorParseError  # rich comes with Textual; parsing here finds typos early

    try:
        Color.parse(name)
    except ColorParseError:
        raise Invalid(f"be a colour name like yellow or bright_red, or #rrggbb, not {shown(value)}") from None
    return name


def tag_name_problem(name: str) -> str:
    if not name.strip():
        return "is empty"
    if name != name.strip():
        return "starts or ends with a space"
    if len(name) > LONGEST_TAG_NAME:
        return f"is longer than {LONGEST_TAG_NAME} characters"
    if any(not ch.isprintable() for ch in name):
        return "has a control character in it"
    return ""


def is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def shown(value: object) -> str:
    """A value as the user wrote it, with the TOML kind when that is the surprise."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f"the text {json.dumps(value[:40])}"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "a list"
    if is_number(value):
        return f"{value}"
    return f"a {type(value).__name__} value"


def toml(value: object) -> str:
    """A value written back as TOML, for the example file and ``debrief config``."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, (tuple, list)):
        return "[" + ", ".join(toml(v) for v in value) + "]"
    if isinstance(value, float):
        return repr(value)
    return str(value)
