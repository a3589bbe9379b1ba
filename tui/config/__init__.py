"""The user's settings: one TOML file in their config folder, plus a few environment variables.

Debrief runs over SSH on shared servers, so a wrong setting must never be silently ignored
(a typo in ``backend`` would leave a reviewer wondering why there is no sound) nor crash the
app: every problem is a :class:`ConfigError` that names the file, the line and the key.
``debrief config`` prints :func:`describe` so that a user can see what is in effect and why.

Precedence, lowest first: built-in defaults, the file, ``DEBRIEF_AUDIO`` /
``DEBRIEF_AUDIO_COMMAND`` / ``DEBRIEF_MODEL`` / ``DEBRIEF_LANGUAGE`` / ``DEBRIEF_REVIEWER``. The
file is ``$DEBRIEF_CONFIG`` if set, else ``config.toml`` in the platform's user config folder
(``$XDG_CONFIG_HOME/debrief`` on Linux).

The modules, by idea: ``schema`` (the tables, types, ranges, defaults and help, as msgspec
Structs; and :class:`Config`), ``values`` (checks a schema cannot state), ``messages`` (the
library's errors as sentences), ``lines`` (which line a key is on), ``files`` (finding and
reading the file), ``check``, ``tags``, ``keymap`` and ``loading`` (reading it), ``example``
(``debrief config`` and ``--init``).
"""

from tui.config.example import EXAMPLE_SNIPPET, describe, example_text, write_example
from tui.config.files import APP_NAME, FILE_NAME, MAX_FILE_BYTES, config_path
from tui.config.keymap import check_keymap
from tui.config.loading import load_config
from tui.config.messages import ConfigError
from tui.config.schema import DEFAULT_TAGS, EMPTY, ENVIRONMENT, SETTINGS, TABLES, TAG_FIELDS, Config, Setting, Tag
from tui.config.values import AUDIO_BACKENDS, LONGEST_TAG_NAME

__all__ = [
    "APP_NAME", "AUDIO_BACKENDS", "DEFAULT_TAGS", "EMPTY", "ENVIRONMENT", "EXAMPLE_SNIPPET", "FILE_NAME",
    "LONGEST_TAG_NAME", "MAX_FILE_BYTES", "SETTINGS", "TABLES", "TAG_FIELDS", "Config", "ConfigError", "Setting",
    "Tag", "check_keymap", "config_path", "describe", "example_text", "load_config", "write_example",
]
