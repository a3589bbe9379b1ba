"""The user's settings: one TOML file in their config folder, plus a few environment variables.

Debrief runs over SSH on shared servers, so a wrong setting must never be silently ignored
(a typo in ``backend`` would leave a reviewer wondering why there is no sound) nor crash the
app: every problem is a :class:`ConfigError` that names the file, the line and the key.
``debrief config`` prints :func:`describe` so that a user can see what is in effect and why.

Precedence, lowest first: built-in defaults, the file, ``DEBRIEF_AUDIO`` /
``DEBRIEF_AUDIO_COMMAND`` / ``DEBRIEF_MODEL``. The file is ``$DEBRIEF_CONFIG`` if set, else
``config.toml`` in the platform's user config folder (``$XDG_CONFIG_HOME/debrief`` on Linux).
"""

from __future__ import annotations

import difflib
import json
import math
import os
import re
import shlex
import string
import textwrap
import tomllib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType

import platformdirs

from tui.errors import DebriefError

APP_NAME = "debrief"
FILE_NAME = "config.toml"
MAX_FILE_BYTES = 1024 * 1024  # a real config is a few kilobytes; anything this big is the wrong file
AUDIO_BACKENDS = ("auto", "simpleaudio", "command", "silent")
LONGEST_TAG_NAME = 40

EMPTY: Mapping[str, str] = MappingProxyType({})


class ConfigError(DebriefError):
    """The config file (or a DEBRIEF_* variable) says something Debrief cannot use."""

    def __init__(self, message: str, *, path: Path | None = None, line: int | None = None,
                 key: str | None = None) -> None:
        super().__init__(message)
        self.path = path
        self.line = line
        self.key = key


@dataclass(frozen=True)
class Tag:
    """One word of the marking vocabulary; pre/post-roll frame its audio clip in exports."""

    name: str
    key: str = ""
    colour: str = ""
    pre_roll: float = 5.0
    post_roll: float = 10.0


DEFAULT_TAGS: tuple[Tag, ...] = (
    Tag("growth-edge", key="m", colour="yellow"),
    Tag("strength", colour="green"),
    Tag("missed-question", colour="red"),
    Tag("feedback", colour="magenta"),
    Tag("open-question", colour="cyan"),
)


@dataclass(frozen=True)
class Config:
    """Every setting in effect; ``sources`` says where each came from ("default", "file", "env")."""

    tags: tuple[Tag, ...] = DEFAULT_TAGS
    redaction_terms: tuple[str, ...] = ()
    reviewer_name: str = ""
    """Who the reviewer is, for marks and exports ("" = the login name)."""
    audio: str = "auto"
    audio_command: str = ""
    speed: float = 1.0
    resume_rewind: float = 2.0
    follow: bool = True
    model: str = ""
    language: str = "auto"
    threads: int = 0
    batch_size: int = 0
    expected_speakers: int = 0
    context_seconds: float = 15.0
    monologue_seconds: float = 45.0
    skip_silence_seconds: float = 0.0
    clip_pre_roll: float = 5.0
    clip_post_roll: float = 10.0
    keys: Mapping[str, str] = field(default_factory=lambda: EMPTY, hash=False)
    path: Path | None = None
    """The file these settings were read from; None when there was none."""
    location: Path | None = None
    """Where Debrief looked for the file (shown by ``debrief config`` even when it is missing)."""
    sources: Mapping[str, str] = field(default_factory=lambda: EMPTY, hash=False)

    def source(self, setting: str) -> str:
        return self.sources.get(setting, "default")

    def tag_named(self, name: str) -> Tag:
        """The vocabulary entry for ``name``; a mark's tag outside it still gets the clip defaults."""
        for tag in self.tags:
            if tag.name.casefold() == name.casefold():
                return tag
        return Tag(name, pre_roll=self.clip_pre_roll, post_roll=self.clip_post_roll)


# -- the settings, in file order ---------------------------------------------------------


class _Invalid(Exception):
    """A value is wrong; the message completes "<key> must …"."""


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _seconds(high: float, *, above_zero: bool = False) -> Callable[[object], float]:
    """A time in seconds; the upper bound catches typos (milliseconds for seconds…)."""
    def check(value: object) -> float:
        if not _is_number(value) or not math.isfinite(value):  # type: ignore[arg-type]
            raise _Invalid(f"be a number of seconds, not {_shown(value)}")
        number = float(value)  # type: ignore[arg-type]
        if (number <= 0 if above_zero else number < 0) or number > high:
            bound = "more than 0 and at most" if above_zero else "from 0 to"
            raise _Invalid(f"be {bound} {high:g} seconds, not {number:g}")
        return number
    return check


def _speed(value: object) -> float:
    if not _is_number(value) or not math.isfinite(value):  # type: ignore[arg-type]
        raise _Invalid(f"be a number like 1.0 or 1.5, not {_shown(value)}")
    if not 0.5 <= float(value) <= 2.5:  # type: ignore[arg-type]
        raise _Invalid(f"be from 0.5 to 2.5 (times normal speed), not {value:g}")  # type: ignore[str-format]
    return float(value)  # type: ignore[arg-type]


def _whole_number(high: int, unit: str, zero_means: str) -> Callable[[object], int]:
    """A check for a whole number from 0 to ``high``, where 0 has a meaning of its own."""

    def check(value: object) -> int:
        if not isinstance(value, int) or isinstance(value, bool):
            raise _Invalid(f"be a whole number{unit} (0 means {zero_means}), not {_shown(value)}")
        if not 0 <= value <= high:
            raise _Invalid(f"be from 0 to {high} (0 means {zero_means}), not {value}")
        return value

    return check


_threads = _whole_number(64, "", "one per core")
_batch_size = _whole_number(64, " of chunks", "sequential")
_speaker_count = _whole_number(8, " of people", "estimate it")


def _boolean(value: object) -> bool:
    if not isinstance(value, bool):
        raise _Invalid(f"be true or false, not {_shown(value)}")
    return value


def _backend(value: object) -> str:
    if not isinstance(value, str) or value.strip().lower() not in AUDIO_BACKENDS:
        raise _Invalid(f"be one of {', '.join(AUDIO_BACKENDS)}, not {_shown(value)}")
    return value.strip().lower()


def _command(value: object) -> str:
    if not isinstance(value, str):
        raise _Invalid(f"be text such as \"paplay\", not {_shown(value)}")
    command = value.strip()
    if not command:
        return ""
    try:
        words = shlex.split(command)
        names = {name for _, name, _, _ in string.Formatter().parse(command) if name is not None}
    except ValueError as exc:
        raise _Invalid(f"be a command line that parses ({exc})") from None
    if not words:
        return ""
    strange = sorted(names - {"rate", "channels"})
    if strange:
        raise _Invalid(f"use only the placeholders {{rate}} and {{channels}}, not {{{strange[0]}}}")
    return command


def _model(value: object) -> str:
    if not isinstance(value, str):
        raise _Invalid(f"be a model name or folder as text, not {_shown(value)}")
    model = value.strip()
    return os.path.expanduser(model) if model.startswith("~") else model


def _language(value: object) -> str:
    from tui.core.languages import check_language

    if not isinstance(value, str):
        raise _Invalid(f"be auto or a language code such as \"es\", as text, not {_shown(value)}")
    try:
        return check_language(value)
    except ValueError:
        raise _Invalid(f"be auto or a language code such as en, es, de, fr, not {_shown(value)}") from None


def _name(value: object) -> str:
    if not isinstance(value, str):
        raise _Invalid(f"be your name as text, like \"Maria Lopez\", not {_shown(value)}")
    name = " ".join(value.split())
    if len(name) > 80 or any(not ch.isprintable() for ch in name):
        raise _Invalid("be a name on one line, at most 80 characters")
    return name


def _terms(value: object) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise _Invalid(f"be a list of words, like [\"Alice\", \"Maple Street\"], not {_shown(value)}")
    terms: list[str] = []
    for position, term in enumerate(value, 1):
        if not isinstance(term, str) or not term.strip():
            raise _Invalid(f"hold only non-empty text; item {position} is {_shown(term)}")
        if term.strip() not in terms:
            terms.append(term.strip())
    return tuple(terms)


@dataclass(frozen=True)
class _Setting:
    table: str
    name: str
    attribute: str
    check: Callable[[object], object]
    help: str
    env: str = ""

    @property
    def key(self) -> str:
        return f"{self.table}.{self.name}"


SETTINGS: tuple[_Setting, ...] = (
    _Setting("reviewer", "name", "reviewer_name", _name,
             "Your name, as the author of the marks you make and in exports; empty = your login name.",
             env="DEBRIEF_REVIEWER"),
    _Setting("audio", "backend", "audio", _backend,
             "auto, simpleaudio (this machine's sound device), command (pipe audio to a player: the "
             "way to reach your laptop's speakers over SSH) or silent.", env="DEBRIEF_AUDIO"),
    _Setting("audio", "command", "audio_command", _command,
             "Player for the command backend, e.g. \"paplay\" or \"pw-play\" (with PULSE_SERVER "
             "forwarded), or a full command line using {rate} and {channels}.",
             env="DEBRIEF_AUDIO_COMMAND"),
    _Setting("playback", "speed", "speed", _speed, "Playback speed, 0.5 to 2.5."),
    _Setting("playback", "follow", "follow", _boolean, "Keep the transcript cursor on what is playing."),
    _Setting("playback", "resume_rewind", "resume_rewind", _seconds(60),
             "Seconds replayed when playback resumes, to pick up the thread."),
    _Setting("playback", "skip_silence", "skip_silence_seconds", _seconds(60),
             "Skip pauses longer than this many seconds while playing; 0 = off."),
    _Setting("transcription", "model", "model", _model,
             "faster-whisper model name or folder; empty = the multilingual base when debrief[multilingual] is "
             "installed, else the bundled tiny.en. Never downloaded: `debrief models get NAME` fetches one when "
             "you ask.",
             env="DEBRIEF_MODEL"),
    _Setting("transcription", "language", "language", _language,
             "The language sessions are held in: auto (detected by a multilingual model; an English-only "
             "model checks that the speech is English) or a code such as en, es, de. --language overrides it.",
             env="DEBRIEF_LANGUAGE"),
    _Setting("transcription", "threads", "threads", _threads, "CPU threads for transcription; 0 = one per core."),
    _Setting("transcription", "batch_size", "batch_size", _batch_size,
             "30 s voice chunks recognised together (batched, e.g. 8); 0 = sequential, one after another."),
    _Setting("speakers", "expected", "expected_speakers", _speaker_count,
             "How many people usually speak in your sessions (2 for one-to-one coaching); 0 = estimate "
             "it for each recording. --speakers N overrides it."),
    _Setting("analysis", "monologue_seconds", "monologue_seconds", _seconds(3600, above_zero=True),
             "A turn longer than this many seconds counts as a monologue."),
    _Setting("export", "context_seconds", "context_seconds", _seconds(600),
             "Transcript shown around each mark in exports, in seconds either side."),
    _Setting("export", "pre_roll", "clip_pre_roll", _seconds(600),
             "Audio clip of a mark starts this many seconds before it (a tag can override)."),
    _Setting("export", "post_roll", "clip_post_roll", _seconds(600),
             "Audio clip of a mark runs this many seconds past its start (a tag can override)."),
    _Setting("redaction", "terms", "redaction_terms", _terms,
             "Names and words hidden in exports made with --deidentify (a library can add its own)."),
)
TABLES = ("tags", "keys", *dict.fromkeys(s.table for s in SETTINGS))
TAG_FIELDS = ("key", "colour", "pre_roll", "post_roll")
ENVIRONMENT = {s.env: s for s in SETTINGS if s.env}


# -- finding and reading the file ---------------------------------------------------------


def config_path() -> Path:
    """``$DEBRIEF_CONFIG``, else config.toml in the user config folder (honours XDG_CONFIG_HOME)."""
    named = os.environ.get("DEBRIEF_CONFIG", "").strip()
    if named:
        return Path(named).expanduser()
    return platformdirs.user_config_path(APP_NAME) / FILE_NAME


def load_config(path: Path | None = None) -> Config:
    """The settings in effect: defaults, then the file (if it exists), then the environment."""
    location = Path(path).expanduser() if path is not None else config_path()
    text = _read(location)
    values: dict[str, object] = {}
    sources: dict[str, str] = {}
    if text is not None:
        values, sources = _parse(text, location)
    _apply_environment(values, sources)
    return Config(**values, path=location if text is not None else None, location=location,  # type: ignore[arg-type]
                  sources=MappingProxyType(sources))


def _read(path: Path) -> str | None:
    """The file's text, None if there is no file; every way of being unreadable is a ConfigError."""
    try:
        with path.open("rb") as stream:
            data = stream.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        return None
    except IsADirectoryError:
        raise ConfigError(f"{_shown_path(path)} is a folder, not a config file", path=path) from None
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise ConfigError(f"{_shown_path(path)} cannot be read ({reason})", path=path) from None
    if len(data) > MAX_FILE_BYTES:
        raise ConfigError(f"{_shown_path(path)} is over {MAX_FILE_BYTES // 1024 // 1024} MB; a config file is a "
                          f"few kilobytes, so this is probably not one", path=path)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ConfigError(f"{_shown_path(path)} line {line}: not UTF-8 text (byte 0x{data[exc.start]:02x}); "
                          f"is this the right file?", path=path, line=line) from None


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
        raise ConfigError(f"{_shown_path(path)} {place}: {what}", path=path, line=line) from None
    return _Reader(text, path).read(document)


class _Reader:
    """Turns a parsed document into Config values, blaming the right line for anything wrong."""

    def __init__(self, text: str, path: Path) -> None:
        self.path = path
        self.lines = _key_lines(text)

    def fail(self, where: tuple[str, ...], message: str) -> ConfigError:
        line = self.line_of(where)
        place = f"{_shown_path(self.path)} line {line}" if line else _shown_path(self.path)
        return ConfigError(f"{place}: {message}", path=self.path, line=line, key=_dotted(where))

    def line_of(self, where: tuple[str, ...]) -> int | None:
        for end in range(len(where), 0, -1):
            if where[:end] in self.lines:
                return self.lines[where[:end]]
        return None

    def unknown(self, where: tuple[str, ...], known: Iterable[str]) -> ConfigError:
        known = list(known)
        guess = difflib.get_close_matches(where[-1], known, n=1)
        hint = f"did you mean {guess[0]}?" if guess else f"known here: {', '.join(known)}"
        return self.fail(where, f"unknown setting {_dotted(where)} ({hint})")

    def read(self, document: dict[str, object]) -> tuple[dict[str, object], dict[str, str]]:
        values: dict[str, object] = {}
        sources: dict[str, str] = {}
        for table, content in document.items():
            if table not in TABLES:
                homes = [s.key for s in SETTINGS if s.name == table]
                if homes:
                    raise self.fail((table,), f"{table} belongs in a table: write it under "
                                              f"[{homes[0].split('.')[0]}]")
                raise self.unknown((table,), TABLES)
            if not isinstance(content, dict):
                form = "tables named [tags.<tag name>]" if table == "tags" else f"a [{table}] table"
                raise self.fail((table,), f"{table} must be {form}, not {_shown(content)}")
        by_key = {(s.table, s.name): s for s in SETTINGS}
        for table in TABLES:
            if table in ("tags", "keys") or table not in document:
                continue
            content = document[table]
            for name, value in content.items():  # type: ignore[union-attr]
                setting = by_key.get((table, name))
                if setting is None:
                    raise self.unknown((table, name), [s.name for s in SETTINGS if s.table == table])
                try:
                    values[setting.attribute] = setting.check(value)
                except _Invalid as exc:
                    raise self.fail((table, name), f"{setting.key} must {exc}") from None
                sources[setting.attribute] = "file"
        if "keys" in document:
            values["keys"] = MappingProxyType(self.keys(document["keys"]))  # type: ignore[arg-type]
            sources["keys"] = "file"
        pre = float(values.get("clip_pre_roll", Config.clip_pre_roll))  # type: ignore[arg-type]
        post = float(values.get("clip_post_roll", Config.clip_post_roll))  # type: ignore[arg-type]
        if "tags" in document:
            values["tags"] = self.tags(document["tags"], pre, post)  # type: ignore[arg-type]
            sources["tags"] = "file"
        elif (pre, post) != (Config.clip_pre_roll, Config.clip_post_roll):
            values["tags"] = tuple(replace(tag, pre_roll=pre, post_roll=post) for tag in DEFAULT_TAGS)
        return values, sources

    def keys(self, table: dict[str, object], prefix: tuple[str, ...] = ()) -> dict[str, str]:
        """``"play.toggle" = "p"`` and the unquoted ``play.toggle = "p"`` (a nested table) alike."""
        keymap: dict[str, str] = {}
        for name, value in table.items():
            where = ("keys", *prefix, name)
            if isinstance(value, dict):
                keymap.update(self.keys(value, (*prefix, name)))
                continue
            binding = ".".join(where[1:])
            if not re.fullmatch(r"[a-z_]+(\.[a-z0-9_]+)+", binding):
                raise self.fail(where, f"{binding} is not a binding id (they look like play.toggle or mark.add)")
            try:
                keymap[binding] = _key_list(value)
            except _Invalid as exc:
                raise self.fail(where, f"keys.{binding} must {exc}") from None
        return keymap

    def tags(self, table: dict[str, object], pre: float, post: float) -> tuple[Tag, ...]:
        tags: list[Tag] = []
        seen_names: dict[str, str] = {}
        seen_keys: dict[str, str] = {}
        for name, content in table.items():
            where = ("tags", name)
            if not isinstance(content, dict):
                raise self.fail(where, f"tags.{name} must be a table such as [tags.{name}] with key = \"…\", "
                                       f"not {_shown(content)}")
            problem = _tag_name_problem(name)
            if problem:
                raise self.fail(where, f"the tag name {name!r} {problem}")
            if name.casefold() in seen_names:
                raise self.fail(where, f"tag {name} is listed twice (also as {seen_names[name.casefold()]})")
            seen_names[name.casefold()] = name
            fields: dict[str, object] = {"pre_roll": pre, "post_roll": post}
            for item, value in content.items():
                spot = (*where, item)
                if item not in TAG_FIELDS:
                    raise self.unknown(spot, TAG_FIELDS)
                try:
                    if item == "key":
                        fields[item] = _single_key(value)
                    elif item == "colour":
                        fields[item] = _colour(value)
                    else:
                        fields[item] = _seconds(600)(value)
                except _Invalid as exc:
                    raise self.fail(spot, f"tags.{name}.{item} must {exc}") from None
            key = str(fields.get("key", ""))
            if key and key in seen_keys:
                raise self.fail((*where, "key"), f"tags {seen_keys[key]} and {name} both use the key {key!r}")
            if key:
                seen_keys[key] = name
            tags.append(Tag(name, **fields))  # type: ignore[arg-type]
        if not tags:
            raise self.fail(("tags",), "[tags] is empty: list at least one tag, or remove the table to keep "
                                       "the built-in ones")
        return tuple(tags)


def _apply_environment(values: dict[str, object], sources: dict[str, str]) -> None:
    for variable, setting in ENVIRONMENT.items():
        raw = os.environ.get(variable, "")
        if not raw.strip():
            continue
        try:
            values[setting.attribute] = setting.check(raw)
        except _Invalid as exc:
            raise ConfigError(f"the environment variable {variable} must {exc}", key=setting.key) from None
        sources[setting.attribute] = "env"


def check_keymap(config: Config, binding_ids: Iterable[str]) -> None:
    """Refuse a [keys] entry that names no binding: the app passes the ids its bindings have."""
    known = sorted(set(binding_ids))
    for binding in config.keys:
        if binding not in known:
            guess = difflib.get_close_matches(binding, known, n=1)
            hint = f"did you mean {guess[0]}?" if guess else f"binding ids: {', '.join(known)}"
            line = None
            if config.path is not None:
                text = _read(config.path) or ""
                lines = _key_lines(text)
                line = lines.get(("keys", binding)) or lines.get(("keys", *binding.split(".")))
            where = _shown_path(config.path) if config.path else "config"
            place = f"{where} line {line}" if line else where
            raise ConfigError(f"{place}: keys.{binding} names no key binding ({hint})",
                              path=config.path, line=line, key=f"keys.{binding}")


# -- small value checks -------------------------------------------------------------------


_KEY_NAME = re.compile(r"[^\s,]+")


def _key_list(value: object) -> str:
    if not isinstance(value, str):
        raise _Invalid(f"be keys as text, like \"space\" or \"p,ctrl+p\", not {_shown(value)}")
    keys = [part.strip() for part in value.split(",")]
    if not value.strip() or not all(_KEY_NAME.fullmatch(k) for k in keys):
        raise _Invalid(f"be key names separated by commas (write comma for the , key), not {_shown(value)}")
    return ",".join(keys)


def _single_key(value: object) -> str:
    if not isinstance(value, str):
        raise _Invalid(f"be one key as text, like \"m\", not {_shown(value)}")
    key = value.strip()
    if key and not _KEY_NAME.fullmatch(key):
        raise _Invalid(f"be a single key name, like \"m\" or \"ctrl+g\", not {_shown(value)}")
    return key


def _colour(value: object) -> str:
    if not isinstance(value, str):
        raise _Invalid(f"be a colour as text, like \"yellow\" or \"#ffaa00\", not {_shown(value)}")
    colour = value.strip()
    if not colour:
        return ""
    from rich.color import Color, ColorParseError  # rich comes with Textual; parsing here finds typos early

    try:
        Color.parse(colour)
    except ColorParseError:
        raise _Invalid(f"be a colour name like yellow or bright_red, or #rrggbb, not {_shown(value)}") from None
    return colour


def _tag_name_problem(name: str) -> str:
    if not name.strip():
        return "is empty"
    if name != name.strip():
        return "starts or ends with a space"
    if len(name) > LONGEST_TAG_NAME:
        return f"is longer than {LONGEST_TAG_NAME} characters"
    if any(not ch.isprintable() for ch in name):
        return "has a control character in it"
    return ""


def _shown(value: object) -> str:
    """A value as the user wrote it, with the TOML kind when that is the surprise."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f"the text {json.dumps(value[:40])}"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "a list"
    if _is_number(value):
        return f"{value}"
    return f"a {type(value).__name__} value"


def _toml(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, (tuple, list)):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    if isinstance(value, float):
        return repr(value)
    return str(value)


def _dotted(parts: Iterable[str]) -> str:
    return ".".join(p if re.fullmatch(r"[A-Za-z0-9_-]+", p) else json.dumps(p) for p in parts)


def _shown_path(path: Path | None) -> str:
    if path is None:
        return "config"
    text = str(path)
    home = str(Path.home())
    if home not in ("", "/") and (text == home or text.startswith(home + os.sep)):
        return "~" + text[len(home):]
    return text


# -- finding the line a key is on ---------------------------------------------------------

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


def _key_lines(text: str) -> dict[tuple[str, ...], int]:
    """Each key path (and every prefix of it) -> the first line that mentions it.

    tomllib reports positions only for syntax errors, so wrong values are located by
    scanning the (already valid) text: table headers set the prefix, ``key =`` lines add to it.
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


# -- what `debrief config` prints ---------------------------------------------------------


def describe(config: Config) -> str:
    """Where the file is, every setting with its value and where that value came from."""
    location = config.location or config_path()
    out: list[str] = []
    if config.path is not None:
        out.append(f"Config file: {_shown_path(location)}")
    else:
        out.append(f"Config file: {_shown_path(location)} (not there: built-in defaults are in effect)")
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
            shown = _toml(value)
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
        out.append(f"To change a setting, create {_shown_path(location)} (`debrief config --init` writes a "
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
        "# DEBRIEF_AUDIO, DEBRIEF_AUDIO_COMMAND, DEBRIEF_MODEL and DEBRIEF_LANGUAGE, when set, win over this file.",
    ]
    defaults = Config()
    table = ""
    for setting in SETTINGS:
        if setting.table != table:
            table = setting.table
            out += ["", f"#[{table}]"]
        out += textwrap.wrap(setting.help, 90, initial_indent="# ", subsequent_indent="# ")
        out.append(f"#{setting.name} = {_toml(getattr(defaults, setting.attribute))}")
    out += ["", "# The marking vocabulary. Listing any tag replaces the built-in list below. key: the key",
            "# that marks with this tag; colour: a colour name (yellow, bright_red…) or #rrggbb;",
            "# pre_roll / post_roll: seconds of audio before and after the mark in clip exports."]
    for tag in DEFAULT_TAGS:
        out += ["", f"#[tags.{tag.name}]"]
        out += [f"#{name} = {_toml(getattr(tag, name))}" for name in TAG_FIELDS]
    out += ["", "# Key bindings: binding id = keys, comma-separated (space, ctrl+p, question_mark, …).",
            "# Ids look like play.toggle, mark.add, mark.note, move.next; `?` in the app lists the keys.",
            "#[keys]", '#"play.toggle" = "space"', '#"mark.add" = "m"', ""]
    return "\n".join(out)


def write_example(path: Path | None = None) -> Path:
    """``debrief config --init``: a commented example, private (0600, new folders 0700); never overwrites."""
    target = Path(path).expanduser() if path is not None else config_path()
    if target.exists() or target.is_symlink():
        raise ConfigError(f"{_shown_path(target)} already exists; edit it, or move it away to get a fresh "
                          "example", path=target)
    missing = [p for p in reversed(target.parents) if not p.exists()]
    try:
        for folder in missing:
            folder.mkdir(mode=0o700)
            os.chmod(folder, 0o700)
        descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise ConfigError(f"{_shown_path(target)} already exists; edit it, or move it away to get a fresh "
                          "example", path=target) from None
    except OSError as exc:
        raise ConfigError(f"cannot write {_shown_path(target)} ({exc.strerror or exc})", path=target) from None
    with os.fdopen(descriptor, "w", encoding="utf-8") as stream:
        os.fchmod(stream.fileno(), 0o600)
        stream.write(example_text())
    return target
