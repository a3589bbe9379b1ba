"""Every problem with the settings becomes one sentence naming the file, the line and the key.

msgspec reports a wrong value as "Expected `float` <= 2.5 - at `$.playback.speed`": the kind
of failure and a path. :func:`explain` reads the path back into the document to show what the
user wrote, and words the sentence from the field's metadata (:func:`tui.config.schema.about`).
"""

from __future__ import annotations

import difflib
import json
import math
import os
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import msgspec

from tui.config.lines import key_lines
from tui.config.schema import meta_of
from tui.config.values import shown
from tui.errors import DebriefError


class ConfigError(DebriefError):
    """The config file (or a DEBRIEF_* variable) says something Debrief cannot use."""

    def __init__(self, message: str, *, path: Path | None = None, line: int | None = None,
                 key: str | None = None) -> None:
        super().__init__(message)
        self.path = path
        self.line = line
        self.key = key


def shown_path(path: Path | None) -> str:
    if path is None:
        return "config"
    text = str(path)
    home = str(Path.home())
    if home not in ("", "/") and (text == home or text.startswith(home + os.sep)):
        return "~" + text[len(home):]
    return text


def dotted(parts: Iterable[str]) -> str:
    return ".".join(p if re.fullmatch(r"[A-Za-z0-9_-]+", p) else json.dumps(p) for p in parts)


class Blame:
    """Builds the ConfigError for a place in one file, finding the line the key is written on."""

    def __init__(self, text: str, path: Path) -> None:
        self.path = path
        self.lines = key_lines(text)

    def fail(self, where: tuple[str, ...], message: str) -> ConfigError:
        line = self.line_of(where)
        place = f"{shown_path(self.path)} line {line}" if line else shown_path(self.path)
        return ConfigError(f"{place}: {message}", path=self.path, line=line, key=dotted(where))

    def line_of(self, where: tuple[str, ...]) -> int | None:
        for end in range(len(where), 0, -1):
            if where[:end] in self.lines:
                return self.lines[where[:end]]
        return None

    def unknown(self, where: tuple[str, ...], known: Iterable[str]) -> ConfigError:
        known = list(known)
        guess = difflib.get_close_matches(where[-1], known, n=1)
        hint = f"did you mean {guess[0]}?" if guess else f"known here: {', '.join(known)}"
        return self.fail(where, f"unknown setting {dotted(where)} ({hint})")


_AT = re.compile(r"(?P<what>.*?)(?: - at `\$(?P<path>[^`]*)`)?", re.DOTALL)
_STEP = re.compile(r"\.([A-Za-z0-9_]+)|\[(\d+)\]")
_UNKNOWN = re.compile(r"Object contains unknown field `(?P<name>[^`]*)`")


class Problem:
    """One msgspec ValidationError, read back into the schema and the document."""

    def __init__(self, error: msgspec.ValidationError, schema: object) -> None:
        found = _AT.fullmatch(str(error))
        assert found is not None  # the pattern matches any text
        self.what = found["what"]
        self.names: tuple[str, ...] = ()
        self.index: int | None = None
        for name, index in _STEP.findall(found["path"] or ""):
            if name:
                self.names += (name,)
            else:
                self.index = int(index)
        self.schema = schema

    @property
    def unknown_field(self) -> str | None:
        """The name of a key the table does not have, when that is the problem."""
        found = _UNKNOWN.fullmatch(self.what)
        return found["name"] if found else None

    def known_fields(self) -> list[str]:
        """The keys the table holding the problem does have (for did-you-mean)."""
        return [item.name for item in msgspec.structs.fields(self._type_at(self.names))]

    def must(self, document: object) -> str:
        """The end of "<key> must …", worded from the field's metadata and what the user wrote."""
        value = document
        for name in self.names:
            value = value.get(name) if isinstance(value, dict) else None
        meta = meta_of(self._type_at(self.names))
        extra = (meta.extra if meta is not None else None) or {}
        expect = extra.get("expect") or "something else"
        if self.index is not None and isinstance(value, list) and extra.get("item"):
            return str(extra["item"]).format(position=self.index + 1, value=shown(value[self.index]))
        if ", got `" in self.what or meta is None:
            return f"be {expect}, not {shown(value)}"
        if isinstance(value, float) and not math.isfinite(value):
            return f"be {expect}, not {value}"
        if re.search(r"[<>]=? ", self.what):
            low = f"more than {meta.gt:g} and at most" if meta.gt is not None else f"from {meta.ge:g} to"
            written = f"{value:g}" if isinstance(value, float) else str(value)
            return f"be {low} {meta.le:g}{extra.get('unit', '')}, not {written}"
        if extra.get("invalid"):
            return str(extra["invalid"]).format(value=shown(value))
        return f"be {expect}, not {shown(value)}"

    def _type_at(self, names: tuple[str, ...]) -> Any:
        kind: Any = self.schema
        for name in names:
            kind = {item.name: item.type for item in msgspec.structs.fields(kind)}[name]
        return kind
