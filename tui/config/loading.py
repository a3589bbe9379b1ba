"""The settings in effect: built-in defaults, then the file, then the DEBRIEF_* variables.

tomllib parses the file (its syntax errors already carry a line), the schema checks each table
(:mod:`tui.config.check`), and every problem becomes one ConfigError naming file, line and key.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import replace
from pathlib import Path
from types import MappingProxyType
from typing import Any

import msgspec

from tui.config.check import read_table
from tui.config.files import config_path, read_text
from tui.config.keymap import read_keys
from tui.config.messages import Blame, ConfigError, Problem, shown_path
from tui.config.schema import DEFAULT_TAGS, ENVIRONMENT, SETTINGS, TABLES, Config, Settings
from tui.config.tags import read_tags
from tui.config.values import Invalid, shown


def load_config(path: Path | None = None) -> Config:
    """The settings in effect: defaults, then the file (if it exists), then the environment."""
    location = Path(path).expanduser() if path is not None else config_path()
    text = read_text(location)
    values: dict[str, object] = {}
    sources: dict[str, str] = {}
    if text is not None:
        values, sources = _parse(text, location)
    _apply_environment(values, sources)
    return Config(**values, path=location if text is not None else None, location=location,  # type: ignore[arg-type]
                  sources=MappingProxyType(sources))


_TOML_WHERE = re.compile(r"\s*\(at (?:line (\d+), column (\d+)|end of document)\)\s*$")


def _parse(text: str, path: Path) -> tuple[dict[str, object], dict[str, str]]:
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        where = _TOML_WHERE.search(message)
        what = message[: where.start()] if where else message
        if where and where.group(1):
            line, column = int(where.group(1)), int(where.group(2))
            place = f"line {line}, column {column}"
        else:
            lines = [n for n, content in enumerate(text.splitlines(), 1) if content.strip()]
            line = lines[-1] if lines else 1
            place = f"line {line} (end of file)"
        what = what[:1].lower() + what[1:]
        raise ConfigError(f"{shown_path(path)} {place}: {what}", path=path, line=line) from None
    return _read(document, Blame(text, path))


def _read(document: dict[str, Any], blame: Blame) -> tuple[dict[str, object], dict[str, str]]:
    """Config values and their sources from a parsed file, blaming the right line for anything wrong."""
    for table, content in document.items():
        if table not in TABLES:
            homes = [s.key for s in SETTINGS if s.name == table]
            if homes:
                raise blame.fail((table,), f"{table} belongs in a table: write it under [{homes[0].split('.')[0]}]")
            raise blame.unknown((table,), TABLES)
        if not isinstance(content, dict):
            form = "tables named [tags.<tag name>]" if table == "tags" else f"a [{table}] table"
            raise blame.fail((table,), f"{table} must be {form}, not {shown(content)}")
    values: dict[str, object] = {}
    sources: dict[str, str] = {}
    for part in msgspec.structs.fields(Settings):
        if part.name in document:
            chosen = read_table(document[part.name], part.type, blame, (part.name,))
            for setting in SETTINGS:
                if setting.table == part.name and setting.name in chosen:
                    values[setting.attribute] = chosen[setting.name]
                    sources[setting.attribute] = "file"
    if "keys" in document:
        values["keys"] = MappingProxyType(read_keys(document["keys"], blame))
        sources["keys"] = "file"
    pre = float(values.get("clip_pre_roll", Config.clip_pre_roll))  # type: ignore[arg-type]
    post = float(values.get("clip_post_roll", Config.clip_post_roll))  # type: ignore[arg-type]
    if "tags" in document:
        values["tags"] = read_tags(document["tags"], pre, post, blame)
        sources["tags"] = "file"
    elif (pre, post) != (Config.clip_pre_roll, Config.clip_post_roll):
        values["tags"] = tuple(replace(tag, pre_roll=pre, post_roll=post) for tag in DEFAULT_TAGS)
    return values, sources


def _apply_environment(values: dict[str, object], sources: dict[str, str]) -> None:
    for variable, setting in ENVIRONMENT.items():
        raw = os.environ.get(variable, "")
        if not raw.strip():
            continue
        try:
            value = msgspec.convert(raw, setting.type)
            refine = (setting.meta.extra or {}).get("refine")
            values[setting.attribute] = refine(value) if refine else value
        except msgspec.ValidationError as exc:
            must = Problem(exc, setting.type).must(raw)
            raise ConfigError(f"the environment variable {variable} must {must}", key=setting.key) from None
        except Invalid as exc:
            raise ConfigError(f"the environment variable {variable} must {exc}", key=setting.key) from None
        sources[setting.attribute] = "env"
