"""Where the config file is and reading its text: every way of being unreadable is a ConfigError."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

from tui.config.messages import ConfigError, shown_path

APP_NAME = "debrief"
FILE_NAME = "config.toml"
MAX_FILE_BYTES = 1024 * 1024  # a real config is a few kilobytes; anything this big is the wrong file


def config_path() -> Path:
    """``$DEBRIEF_CONFIG``, else config.toml in the user config folder (honours XDG_CONFIG_HOME)."""
    named = os.environ.get("DEBRIEF_CONFIG", "").strip()
    if named:
        return Path(named).expanduser()
    return platformdirs.user_config_path(APP_NAME) / FILE_NAME


def read_text(path: Path) -> str | None:
    """The file's text, None if there is no file."""
    try:
        with path.open("rb") as stream:
            data = stream.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        return None
    except IsADirectoryError:
        raise ConfigError(f"{shown_path(path)} is a folder, not a config file", path=path) from None
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise ConfigError(f"{shown_path(path)} cannot be read ({reason})", path=path) from None
    if len(data) > MAX_FILE_BYTES:
        raise ConfigError(f"{shown_path(path)} is over {MAX_FILE_BYTES // 1024 // 1024} MB; a config file is a "
                          f"few kilobytes, so this is probably not one", path=path)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ConfigError(f"{shown_path(path)} line {line}: not UTF-8 text (byte 0x{data[exc.start]:02x}); "
                          f"is this the right file?", path=path, line=line) from None
