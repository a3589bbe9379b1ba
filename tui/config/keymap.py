"""The [keys] table: binding id = keys, and the check that each id names a binding the app has."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from typing import Any

from tui.config.check import read_value
from tui.config.files import read_text
from tui.config.lines import key_lines
from tui.config.messages import Blame, ConfigError, shown_path
from tui.config.schema import Config, KeyList

_BINDING_ID = re.compile(r"[a-z_]+(\.[a-z0-9_]+)+")


def read_keys(table: dict[str, Any], blame: Blame, prefix: tuple[str, ...] = ()) -> dict[str, str]:
    """``"play.toggle" = "p"`` and the unquoted ``play.toggle = "p"`` (a nested table) alike."""
    keymap: dict[str, str] = {}
    for name, value in table.items():
        where = ("keys", *prefix, name)
        if isinstance(value, dict):
            keymap.update(read_keys(value, blame, (*prefix, name)))
            continue
        binding = ".".join(where[1:])
        if not _BINDING_ID.fullmatch(binding):
            raise blame.fail(where, f"{binding} is not a binding id (they look like play.toggle or mark.add)")
        keymap[binding] = read_value(value, KeyList, blame, where, f"keys.{binding}")
    return keymap


def check_keymap(config: Config, binding_ids: Iterable[str]) -> None:
    """Refuse a [keys] entry that names no binding: the app passes the ids its bindings have."""
    known = sorted(set(binding_ids))
    for binding in config.keys:
        if binding not in known:
            guess = difflib.get_close_matches(binding, known, n=1)
            hint = f"did you mean {guess[0]}?" if guess else f"binding ids: {', '.join(known)}"
            line = None
            if config.path is not None:
                lines = key_lines(read_text(config.path) or "")
                line = lines.get(("keys", binding)) or lines.get(("keys", *binding.split(".")))
            where = shown_path(config.path) if config.path else "config"
            place = f"{where} line {line}" if line else where
            raise ConfigError(f"{place}: keys.{binding} names no key binding ({hint})",
                              path=config.path, line=line, key=f"keys.{binding}")
