"""Which line of a TOML file a key is written on.

tomllib reports positions only for syntax errors, and the schema library sees the parsed
values, not the text: so a wrong value is located by scanning the (already valid) text.
"""

from __future__ import annotations

import json
import re

_KEY_PART = r"""(?:[A-Za-z0-9_-]+|"(?:[^"\\]|\\.)*"|'[^']*')"""
_DOTTED_KEY = re.compile(rf"\s*({_KEY_PART}(?:\s*\.\s*{_KEY_PART})*)\s*")
_HEADER = re.compile(rf"\s*\[\[?\s*({_KEY_PART}(?:\s*\.\s*{_KEY_PART})*)\s*\]\]?")


def _key_parts(dotted: str) -> tuple[str, ...]:
    parts = re.findall(_KEY_PART, dotted)
    out: list[str] = []
    for part in parts:
        if part.startswith('"'):
            try:
                part = json.loads(part)
            except ValueError:
                part = part[1:-1]
        elif part.startswith("'"):
            part = part[1:-1]
        out.append(part)
    return tuple(out)


def key_lines(text: str) -> dict[tuple[str, ...], int]:
    """Each key path (and every prefix of it) -> the first line that mentions it.

    Table headers set the prefix, ``key =`` lines add to it; multi-line strings are skipped.
    """
    lines: dict[tuple[str, ...], int] = {}
    table: tuple[str, ...] = ()
    in_string = ""
    for number, line in enumerate(text.splitlines(), 1):
        if in_string:
            if line.count(in_string) % 2 == 1:
                in_string = ""
            continue
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        path: tuple[str, ...] | None = None
        header = _HEADER.match(line)
        if stripped.startswith("[") and header:
            table = _key_parts(header.group(1))
            path = table
        else:
            key = _DOTTED_KEY.match(line)
            if key and line[key.end():].startswith("="):
                path = table + _key_parts(key.group(1))
                rest = line[key.end() + 1:]
                for quotes in ('"""', "'''"):
                    if rest.count(quotes) % 2 == 1:
                        in_string = quotes
        if path:
            for end in range(1, len(path) + 1):
                lines.setdefault(path[:end], number)
    return lines
