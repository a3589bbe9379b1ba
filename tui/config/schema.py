"""What a config file may hold: every setting's table, type, range, default, help and variable.

The tables are msgspec Structs, so the library checks kinds, ranges and unknown keys and
says where (``$.playback.speed``); :mod:`tui.config.messages` turns that into a sentence. What
the library cannot check (a colour exists, a command parses) is a ``refine`` function from
:mod:`tui.config.values`, named in the field's metadata beside the words that describe it.
:class:`Config` is the flat result the rest of Debrief reads.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Annotated, Any, get_args, get_origin

import msgspec
from msgspec import Meta, Struct

from tui.config import values

EMPTY: Mapping[str, str] = MappingProxyType({})


def about(help: str, expect: str, *, attribute: str = "", env: str = "", unit: str = "", invalid: str = "",
          item: str = "", refine: Callable[[Any], Any] | None = None, **limits: Any) -> Meta:
    """A field's metadata: ``limits`` go to msgspec; the rest words its messages and the example file.

    ``expect`` completes "must be …" when the kind is wrong, ``unit`` follows a range, ``invalid``
    replaces the whole sentence when a pattern fails, ``item`` words a bad list item.
    """
    extra = {"expect": expect, "attribute": attribute, "env": env, "unit": unit, "invalid": invalid,
             "item": item, "refine": refine}
    return Meta(description=help, extra=extra, **limits)


def seconds(high: float, help: str, *, above_zero: bool = False, attribute: str = "") -> Meta:
    """A time in seconds; the upper bound catches typos (milliseconds for seconds…)."""
    return about(help, "a number of seconds", unit=" seconds", attribute=attribute, le=high,
                 gt=0 if above_zero else None, ge=None if above_zero else 0)


def whole(high: int, help: str, unit: str, zero_means: str, *, attribute: str = "") -> Meta:
    """A whole number from 0 to ``high``, where 0 has a meaning of its own."""
    return about(help, f"a whole number{unit} (0 means {zero_means})", unit=f" (0 means {zero_means})",
                 attribute=attribute, ge=0, le=high)


class Table(Struct, forbid_unknown_fields=True, frozen=True, kw_only=True):
    """A [table] of the file: a key it does not list is an error, never silently ignored."""


class Reviewer(Table, frozen=True):
    name: Annotated[str, about(
        "Your name, as the author of the marks you make and in exports; empty = your login name.",
        'your name as text, like "Maria Lopez"', attribute="reviewer_name", env="DEBRIEF_REVIEWER",
        refine=values.person)] = ""


class Audio(Table, frozen=True):
    backend: Annotated[str, about(
        "auto, simpleaudio (this machine's sound device), command (pipe audio to a player: the way to reach "
        "your laptop's speakers over SSH) or silent.",
        f"one of {', '.join(values.AUDIO_BACKENDS)}", attribute="audio", env="DEBRIEF_AUDIO",
        refine=values.backend)] = "auto"
    command: Annotated[str, about(
        "Player for the command backend, e.g. \"paplay\" or \"pw-play\" (with PULSE_SERVER forwarded), or a "
        "full command line using {rate} and {channels}.",
        'text such as "paplay"', attribute="audio_command", env="DEBRIEF_AUDIO_COMMAND",
        refine=values.command)] = ""


class Playback(Table, frozen=True):
    speed: Annotated[float, about("Playback speed, 0.5 to 2.5.", "a number like 1.0 or 1.5",
                                  unit=" (times normal speed)", ge=0.5, le=2.5)] = 1.0
    follow: Annotated[bool, about("Keep the transcript cursor on what is playing.", "true or false")] = True
    resume_rewind: Annotated[float, seconds(
        60, "Seconds replayed when playback resumes, to pick up the thread.")] = 2.0
    skip_silence: Annotated[float, seconds(
        60, "Skip pauses longer than this many seconds while playing; 0 = off.",
        attribute="skip_silence_seconds")] = 0.0


class Transcription(Table, frozen=True):
    model: Annotated[str, about(
        "faster-whisper model name or folder; empty = the multilingual base when debrief[multilingual] is "
        "installed, else the bundled tiny.en. Never downloaded: `debrief models get NAME` fetches one when "
        "you ask.",
        "a model name or folder as text", env="DEBRIEF_MODEL", refine=values.model)] = ""
    language: Annotated[str, about(
        "The language sessions are held in: auto (detected by a multilingual model; an English-only model "
        "checks that the speech is English) or a code such as en, es, de. --language overrides it.",
        'auto or a language code such as "es", as text', env="DEBRIEF_LANGUAGE",
        refine=values.language)] = "auto"
    threads: Annotated[int, whole(64, "CPU threads for transcription; 0 = one per core.", "",
                                  "one per core")] = 0
    batch_size: Annotated[int, whole(
        64, "30 s voice chunks recognised together (batched, e.g. 8); 0 = sequential, one after another.",
        " of chunks", "sequential")] = 0


class Speakers(Table, frozen=True):
    expected: Annotated[int, whole(
        8, "How many people usually speak in your sessions (2 for one-to-one coaching); 0 = estimate it for "
        "each recording. --speakers N overrides it.", " of people", "estimate it",
        attribute="expected_speakers")] = 0


class Analysis(Table, frozen=True):
    monologue_seconds: Annotated[float, seconds(
        3600, "A turn longer than this many seconds counts as a monologue.", above_zero=True)] = 45.0


class Export(Table, frozen=True):
    context_seconds: Annotated[float, seconds(
        600, "Transcript shown around each mark in exports, in seconds either side.")] = 15.0
    pre_roll: Annotated[float, seconds(
        600, "Audio clip of a mark starts this many seconds before it (a tag can override).",
        attribute="clip_pre_roll")] = 5.0
    post_roll: Annotated[float, seconds(
        600, "Audio clip of a mark runs this many seconds past its start (a tag can override).",
        attribute="clip_post_roll")] = 10.0


class Redaction(Table, frozen=True):
    terms: Annotated[tuple[Annotated[str, Meta(pattern=r"\S")], ...], about(
        "Names and words hidden in exports made with --deidentify (a library can add its own).",
        'a list of words, like ["Alice", "Maple Street"]', item="hold only non-empty text; item {position} is {value}",
        attribute="redaction_terms", refine=values.terms)] = ()


class Settings(Struct, forbid_unknown_fields=True, frozen=True, kw_only=True):
    """The file's tables in the order the example file lists them; [tags] and [keys] are read apart."""

    reviewer: Reviewer = Reviewer()
    audio: Audio = Audio()
    playback: Playback = Playback()
    transcription: Transcription = Transcription()
    speakers: Speakers = Speakers()
    analysis: Analysis = Analysis()
    export: Export = Export()
    redaction: Redaction = Redaction()


class TagTable(Table, frozen=True):
    """One [tags.<name>] table; a roll left out comes from [export]."""

    key: Annotated[str, about("The key that marks with this tag.", 'one key as text, like "m"',
                              invalid='be a single key name, like "m" or "ctrl+g", not {value}',
                              pattern=rf"\A\s*(?:{values.KEY_NAME})?\s*\Z", refine=str.strip)] = ""
    colour: Annotated[str, about("A colour name (yellow, bright_red…) or #rrggbb.",
                                 'a colour as text, like "yellow" or "#ffaa00"', refine=values.colour)] = ""
    pre_roll: Annotated[float, seconds(600, "Seconds of audio before the mark in clip exports.")] | None = None
    post_roll: Annotated[float, seconds(600, "Seconds of audio after the mark in clip exports.")] | None = None


KeyList = Annotated[str, about(
    "Keys for one binding, comma-separated.", 'keys as text, like "space" or "p,ctrl+p"',
    invalid="be key names separated by commas (write comma for the , key), not {value}",
    pattern=rf"\A\s*{values.KEY_NAME}(?:\s*,\s*{values.KEY_NAME})*\s*\Z", refine=values.key_list)]
"""The keys of one [keys] entry, like "space, p"."""


def meta_of(annotation: object) -> Meta | None:
    """The Meta of an ``Annotated[...]`` type (also inside ``X | None``), else None."""
    for candidate in (annotation, *get_args(annotation)):
        if get_origin(candidate) is Annotated:
            return next((m for m in get_args(candidate)[1:] if isinstance(m, Meta)), None)
    return None


@dataclass(frozen=True)
class Setting:
    """One key of the file as the loader, the environment and ``debrief config`` see it."""

    table: str
    name: str
    attribute: str
    type: object
    meta: Meta
    default: object

    @property
    def key(self) -> str:
        return f"{self.table}.{self.name}"

    @property
    def help(self) -> str:
        return self.meta.description or ""

    @property
    def env(self) -> str:
        return str((self.meta.extra or {}).get("env", ""))


def _settings() -> tuple[Setting, ...]:
    out: list[Setting] = []
    for table in msgspec.structs.fields(Settings):
        for item in msgspec.structs.fields(table.type):
            meta = meta_of(item.type)
            assert meta is not None and meta.extra is not None, f"{table.name}.{item.name} has no about()"
            out.append(Setting(table.name, item.name, meta.extra["attribute"] or item.name, item.type, meta,
                               item.default))
    return tuple(out)


SETTINGS: tuple[Setting, ...] = _settings()
TABLES = ("tags", "keys", *(t.name for t in msgspec.structs.fields(Settings)))
TAG_FIELDS = tuple(t.name for t in msgspec.structs.fields(TagTable))
ENVIRONMENT = {s.env: s for s in SETTINGS if s.env}
_DEFAULT = Settings()


@dataclass(frozen=True)
class Tag:
    """One word of the marking vocabulary; pre/post-roll frame its audio clip in exports."""

    name: str
    key: str = ""
    colour: str = ""
    pre_roll: float = _DEFAULT.export.pre_roll
    post_roll: float = _DEFAULT.export.post_roll


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
    redaction_terms: tuple[str, ...] = _DEFAULT.redaction.terms
    reviewer_name: str = _DEFAULT.reviewer.name
    """Who the reviewer is, for marks and exports ("" = the login name)."""
    audio: str = _DEFAULT.audio.backend
    audio_command: str = _DEFAULT.audio.command
    speed: float = _DEFAULT.playback.speed
    resume_rewind: float = _DEFAULT.playback.resume_rewind
    follow: bool = _DEFAULT.playback.follow
    model: str = _DEFAULT.transcription.model
    language: str = _DEFAULT.transcription.language
    threads: int = _DEFAULT.transcription.threads
    batch_size: int = _DEFAULT.transcription.batch_size
    expected_speakers: int = _DEFAULT.speakers.expected
    context_seconds: float = _DEFAULT.export.context_seconds
    monologue_seconds: float = _DEFAULT.analysis.monologue_seconds
    skip_silence_seconds: float = _DEFAULT.playback.skip_silence
    clip_pre_roll: float = _DEFAULT.export.pre_roll
    clip_post_roll: float = _DEFAULT.export.post_roll
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
