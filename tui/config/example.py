"""What ``debrief config`` prints and the commented example ``debrief config --init`` writes.

Both are generated from the schema, so a new setting shows up in them with its help and default.
"""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

from tui.config.files import config_path
from tui.config.messages import ConfigError, shown_path
from tui.config.schema import DEFAULT_TAGS, ENVIRONMENT, SETTINGS, TAG_FIELDS, Config
from tui.config.values import toml


def describe(config: Config) -> str:
    """Where the file is, every setting with its value and where that value came from."""
    location = config.location or config_path()
    out: list[str] = []
    if config.path is not None:
        out.append(f"Config file: {shown_path(location)}")
    else:
        out.append(f"Config file: {shown_path(location)} (not there: built-in defaults are in effect)")
    if os.environ.get("DEBRIEF_CONFIG", "").strip():
        out.append("  (chosen by $DEBRIEF_CONFIG)")
    out.append("")
    rows: list[tuple[str, str, str]] = []
    for setting in SETTINGS:
        value = getattr(config, setting.attribute)
        source = config.source(setting.attribute)
        if source == "env" and setting.env:
            source = f"env {setting.env}"
        if setting.attribute == "redaction_terms":
            shown = f"{len(value)} term{'s' if len(value) != 1 else ''} (not shown here)"
        elif setting.attribute == "model" and not value:
            shown = '"" (tiny.en, or base with the multilingual extra)'
        elif setting.attribute == "threads" and not value:
            shown = "0 (one per core)"
        elif setting.attribute == "batch_size" and not value:
            shown = "0 (sequential)"
        elif setting.attribute == "skip_silence_seconds" and not value:
            shown = "0 (off)"
        else:
            shown = toml(value)
        rows.append((setting.key, shown, source))
    width = max(len(r[0]) for r in rows) + 2
    value_width = max(len(r[1]) for r in rows) + 2
    out.append(f"{'Setting':<{width}}{'Value':<{value_width}}Source")
    out.extend(f"{key:<{width}}{shown:<{value_width}}{source}" for key, shown, source in rows)
    out.append("")
    origin = "from the file" if config.source("tags") == "file" else "built-in"
    out.append(f"Tags ({origin}):")
    name_width = max([len("name")] + [len(t.name) for t in config.tags]) + 2
    key_width = max([len("key")] + [len(t.key) for t in config.tags]) + 2
    colour_width = max([len("colour")] + [len(t.colour) for t in config.tags]) + 2
    out.append(f"  {'name':<{name_width}}{'key':<{key_width}}{'colour':<{colour_width}}clip")
    for tag in config.tags:
        clip = f"-{tag.pre_roll:g} s / +{tag.post_roll:g} s"
        out.append(f"  {tag.name:<{name_width}}{tag.key or '-':<{key_width}}{tag.colour or '-':<{colour_width}}{clip}")
    out.append("")
    if config.keys:
        out.append("Key bindings changed (from the file):")
        out.extend(f"  {binding} = {keys}" for binding, keys in config.keys.items())
    else:
        out.append("Key bindings: the built-in ones (change them in a [keys] table)")
    if config.path is None:
        out.append("")
        out.append(f"To change a setting, create {shown_path(location)} (`debrief config --init` writes a "
                   "commented example there). For instance:")
        out.append("")
        out.extend(("    " + line).rstrip() for line in EXAMPLE_SNIPPET.strip().splitlines())
    return "\n".join(out) + "\n"


EXAMPLE_SNIPPET = """
[audio]
backend = "command"      # over SSH: send the sound to your laptop
command = "paplay"       # with PULSE_SERVER pointing at your forwarded PulseAudio

[playback]
speed = 1.25

[tags.growth-edge]
key = "m"
colour = "yellow"

[keys]
"play.toggle" = "space,p"
"""


def example_text() -> str:
    """A commented config file: every setting at its default, ready to uncomment."""
    out = [
        "# Debrief configuration. `debrief config` shows what is in effect and where each value",
        "# comes from. Every setting below is commented out and shows its default: delete the",
        "# leading \"#\" of a setting (and of its [table] line) to change it.",
    ]
    *others, last = ENVIRONMENT
    out += textwrap.wrap(f"{', '.join(others)} and {last}, when set, win over this file.", 90,
                         initial_indent="# ", subsequent_indent="# ")
    defaults = Config()
    table = ""
    for setting in SETTINGS:
        if setting.table != table:
            table = setting.table
            out += ["", f"#[{table}]"]
        out += textwrap.wrap(setting.help, 90, initial_indent="# ", subsequent_indent="# ")
        out.append(f"#{setting.name} = {toml(getattr(defaults, setting.attribute))}")
    out += ["", "# The marking vocabulary. Listing any tag replaces the built-in list below. key: the key",
            "# that marks with this tag; colour: a colour name (yellow, bright_red…) or #rrggbb;",
            "# pre_roll / post_roll: seconds of audio before and after the mark in clip exports."]
    for tag in DEFAULT_TAGS:
        out += ["", f"#[tags.{tag.name}]"]
        out += [f"#{name} = {toml(getattr(tag, name))}" for name in TAG_FIELDS]
    out += ["", "# Key bindings: binding id = keys, comma-separated (space, ctrl+p, question_mark, …).",
            "# Ids look like play.toggle, mark.add, mark.note, move.next; `?` in the app lists the keys.",
            "#[keys]", '#"play.toggle" = "space"', '#"mark.add" = "m"', ""]
    return "\n".join(out)


def write_example(path: Path | None = None) -> Path:
    """``debrief config --init``: a commented example, private (0600, new folders 0700); never overwrites."""
    target = Path(path).expanduser() if path is not None else config_path()
    if target.exists() or target.is_symlink():
        raise ConfigError(f"{shown_path(target)} already exists; edit it, or move it away to get a fresh "
                          "example", path=target)
    missing = [p for p in reversed(target.parents) if not p.exists()]
    try:
        for folder in missing:
            folder.mkdir(mode=0o700)
            os.chmod(folder, 0o700)
        descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise ConfigError(f"{shown_path(target)} already exists; edit it, or move it away to get a fresh "
                          "example", path=target) from None
    except OSError as exc:
        raise ConfigError(f"cannot write {shown_path(target)} ({exc.strerror or exc})", path=target) from None
    with os.fdopen(descriptor, "w", encoding="utf-8") as stream:
        os.fchmod(stream.fileno(), 0o600)
        stream.write(example_text())
    return target
