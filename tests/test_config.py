"""User configuration: what a user writes in config.toml, what Debrief then does, what it says when wrong."""

from __future__ import annotations

import os
import re
import stat
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from tui.config import (
    DEFAULT_TAGS,
    EXAMPLE_SNIPPET,
    Config,
    ConfigError,
    Tag,
    check_keymap,
    config_path,
    describe,
    load_config,
    write_example,
)
from tui.errors import DebriefError


@pytest.fixture(autouse=True)
def no_overrides(monkeypatch):
    """Start every test from a clean environment (conftest makes audio silent for the other tests)."""
    for name in ("DEBRIEF_AUDIO", "DEBRIEF_AUDIO_COMMAND", "DEBRIEF_MODEL", "DEBRIEF_CONFIG"):
        monkeypatch.delenv(name, raising=False)


def write(tmp_path: Path, text: str | bytes) -> Path:
    path = tmp_path / "config.toml"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def failure(path: Path) -> ConfigError:
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    return caught.value


# -- defaults -----------------------------------------------------------------------------


def test_without_a_file_the_defaults_are_in_effect(tmp_path):
    config = load_config(tmp_path / "missing.toml")
    assert config.path is None
    assert config.location == tmp_path / "missing.toml"
    assert (config.audio, config.audio_command, config.speed, config.follow) == ("auto", "", 1.0, True)
    assert (config.resume_rewind, config.context_seconds, config.monologue_seconds) == (2.0, 15.0, 45.0)
    assert (config.skip_silence_seconds, config.model, config.threads) == (0.0, "", 0)
    assert dict(config.keys) == {} and config.redaction_terms == ()
    assert all(config.source(name) == "default" for name in ("audio", "speed", "tags", "keys", "model"))


def test_the_built_in_tag_vocabulary():
    names = [tag.name for tag in DEFAULT_TAGS]
    assert names == ["growth-edge", "strength", "missed-question", "feedback", "open-question"]
    assert DEFAULT_TAGS[0].key == "m"
    colours = [tag.colour for tag in DEFAULT_TAGS]
    assert all(colours) and len(set(colours)) == len(colours), "every tag has its own colour"
    assert all((tag.pre_roll, tag.post_roll) == (5.0, 10.0) for tag in DEFAULT_TAGS)


@pytest.mark.parametrize("text", ["", "\n\n", "# only a comment\n\n   # another\n"])
def test_an_empty_file_means_defaults(tmp_path, text):
    path = write(tmp_path, text)
    config = load_config(path)
    assert config.path == path
    assert config.tags == DEFAULT_TAGS and config.speed == 1.0
    assert dict(config.sources) == {}


def test_config_path_follows_xdg_and_debrief_config(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    if sys.platform.startswith("linux"):
        assert config_path() == tmp_path / "xdg" / "debrief" / "config.toml"
    monkeypatch.setenv("DEBRIEF_CONFIG", str(tmp_path / "elsewhere.toml"))
    assert config_path() == tmp_path / "elsewhere.toml"


def test_load_config_reads_the_file_debrief_config_names(monkeypatch, tmp_path):
    path = write(tmp_path, "[playback]\nspeed = 1.5\n")
    monkeypatch.setenv("DEBRIEF_CONFIG", str(path))
    config = load_config()
    assert config.speed == 1.5 and config.path == path


# -- a good file --------------------------------------------------------------------------

FULL = """
# my settings
[audio]
backend = "command"
command = "paplay --raw --rate={rate} --channels={channels} --format=s16le"

[playback]
speed = 1.25
follow = false
resume_rewind = 3
skip_silence = 1.5

[transcription]
model = "small.en"
threads = 4

[analysis]
monologue_seconds = 60

[export]
context_seconds = 30
pre_roll = 2
post_roll = 8

[redaction]
terms = ["Alice", "Maple Street", "Alice"]

[tags.growth-edge]
key = "g"
colour = "bright_yellow"
post_roll = 20

[tags."open question"]
colour = "#00aaff"

[keys]
"play.toggle" = "space, p"
mark.add = "g"
"""


def test_every_setting_is_read_from_the_file(tmp_path):
    config = load_config(write(tmp_path, FULL))
    assert config.audio == "command" and config.audio_command.startswith("paplay --raw")
    assert (config.speed, config.follow, config.resume_rewind, config.skip_silence_seconds) == (1.25, False, 3.0, 1.5)
    assert (config.model, config.threads, config.monologue_seconds, config.context_seconds) == ("small.en", 4, 60.0, 30.0)
    assert config.redaction_terms == ("Alice", "Maple Street")
    assert config.tags == (
        Tag("growth-edge", key="g", colour="bright_yellow", pre_roll=2.0, post_roll=20.0),
        Tag("open question", colour="#00aaff", pre_roll=2.0, post_roll=8.0),
    )
    assert dict(config.keys) == {"play.toggle": "space,p", "mark.add": "g"}
    assert config.source("speed") == "file" and config.source("tags") == "file" and config.source("keys") == "file"
    assert config.source("audio") == "file"


def test_clip_defaults_from_export_reach_the_built_in_tags(tmp_path):
    config = load_config(write(tmp_path, "[export]\npre_roll = 1\npost_roll = 3\n"))
    assert [t.name for t in config.tags] == [t.name for t in DEFAULT_TAGS]
    assert all((t.pre_roll, t.post_roll) == (1.0, 3.0) for t in config.tags)
    assert config.tag_named("Growth-Edge").key == "m"
    assert config.tag_named("not-in-vocabulary") == Tag("not-in-vocabulary", pre_roll=1.0, post_roll=3.0)


def test_backend_is_read_case_insensitively(tmp_path):
    assert load_config(write(tmp_path, '[audio]\nbackend = " Silent "\n')).audio == "silent"


def test_windows_line_endings_keep_line_numbers(tmp_path):
    error = failure(write(tmp_path, b"[playback]\r\nfollow = true\r\nspeed = 9\r\n"))
    assert error.line == 3


# -- environment overrides ----------------------------------------------------------------


def test_environment_wins_over_the_file(monkeypatch, tmp_path):
    path = write(tmp_path, '[audio]\nbackend = "simpleaudio"\ncommand = "pw-play"\n[transcription]\nmodel = "base"\n')
    monkeypatch.setenv("DEBRIEF_AUDIO", "command")
    monkeypatch.setenv("DEBRIEF_AUDIO_COMMAND", "paplay")
    monkeypatch.setenv("DEBRIEF_MODEL", "/models/tiny")
    config = load_config(path)
    assert (config.audio, config.audio_command, config.model) == ("command", "paplay", "/models/tiny")
    assert {config.source(k) for k in ("audio", "audio_command", "model")} == {"env"}


def test_empty_environment_variables_are_ignored(monkeypatch, tmp_path):
    monkeypatch.setenv("DEBRIEF_AUDIO", "  ")
    config = load_config(write(tmp_path, '[audio]\nbackend = "silent"\n'))
    assert config.audio == "silent" and config.source("audio") == "file"


def test_a_wrong_environment_value_names_the_variable(monkeypatch, tmp_path):
    monkeypatch.setenv("DEBRIEF_AUDIO", "pulse")
    with pytest.raises(ConfigError, match=r"DEBRIEF_AUDIO must be one of auto, simpleaudio, command, silent"):
        load_config(tmp_path / "missing.toml")


# -- invalid files: one clear error naming the line ------------------------------------------

INVALID = [
    # (name, file text, line, words the message must contain)
    ("syntax: missing =", '[audio]\nbackend = "auto"\n\nspeed 1.0\n', 4, "expected '='"),
    ("syntax: unterminated string", '[audio]\ncommand = "paplay\n', 2, "line 2"),
    ("syntax: table twice", "[playback]\nspeed = 1.0\n[playback]\n", 3, "twice"),
    ("syntax: key twice at end", "[playback]\nspeed = 1.0\nspeed = 1.5", 3, "overwrite"),
    ("wrong type: speed as text", '[playback]\nspeed = "fast"\n', 2, 'playback.speed must be a number'),
    ("wrong type: follow as text", '\n[playback]\n  follow = "yes"  # sure\n', 3, "playback.follow must be true or false"),
    ("wrong type: threads fractional", "[transcription]\nthreads = 2.5\n", 2, "whole number"),
    ("wrong type: threads boolean", "[transcription]\nthreads = true\n", 2, "whole number"),
    ("wrong type: terms not a list", '[redaction]\nterms = "Alice"\n', 2, "redaction.terms must be a list"),
    ("wrong type: empty term", '[redaction]\nterms = [\n  "Alice",\n  "",\n]\n', 2, "item 2"),
    ("wrong type: audio not a table", 'audio = "silent"\n', 1, "audio must be a [audio] table"),
    ("wrong type: tags array of tables", '[[tags]]\nname = "x"\n', 1, "[tags.<tag name>]"),
    ("unknown key: typo", "[playback]\nfollow = true\nsped = 1.2\n", 3, "did you mean speed?"),
    ("unknown key: table", "[audio]\nbackend = 'auto'\n\n[colours]\nx = 1\n", 4, "unknown setting colours"),
    ("unknown key: setting outside its table", "speed = 1.2\n", 1, "write it under [playback]"),
    ("unknown key: dotted", 'playback.speeed = 1.2\n', 1, "playback.speeed"),
    ("unknown key: tag field", '[tags.feedback]\ncolor = "red"\n', 2, "did you mean colour?"),
    ("range: speed too fast", "[playback]\nspeed = 3.0\n", 2, "0.5 to 2.5"),
    ("range: speed too slow", "[playback]\nspeed = 0.1\n", 2, "0.5 to 2.5"),
    ("range: threads too many", "[transcription]\nthreads = 65\n", 2, "0 to 64"),
    ("range: threads negative", "[transcription]\nthreads = -1\n", 2, "0 to 64"),
    ("range: negative rewind", "[playback]\nresume_rewind = -1\n", 2, "playback.resume_rewind must be from 0"),
    ("range: negative context", "[export]\ncontext_seconds = -0.5\n", 2, "export.context_seconds"),
    ("range: zero monologue", "[analysis]\nmonologue_seconds = 0\n", 2, "more than 0"),
    ("range: not a number", "[playback]\nskip_silence = nan\n", 2, "playback.skip_silence"),
    ("range: infinite", "[export]\npost_roll = inf\n", 2, "export.post_roll"),
    ("range: milliseconds by mistake", "[playback]\nresume_rewind = 2000\n", 2, "0 to 60 seconds"),
    ("range: negative tag roll", "[tags.strength]\npre_roll = -2\n", 2, "tags.strength.pre_roll"),
    ("value: unknown backend", '[audio]\nbackend = "pulse"\n', 2, "auto, simpleaudio, command, silent"),
    ("value: unbalanced quote", "[audio]\ncommand = 'paplay \"--raw'\n", 2, "audio.command"),
    ("value: unknown placeholder", '[audio]\ncommand = "paplay --rate={bitrate}"\n', 2, "{bitrate}"),
    ("value: colour typo", '[tags.strength]\ncolour = "gren"\n', 2, "colour name"),
    ("value: colour short hex", '[tags.strength]\ncolour = "#fff"\n', 2, "#rrggbb"),
    ("value: tag key with space", '[tags.strength]\nkey = "ctrl m"\n', 2, "single key"),
    ("value: two tags one key", '[tags.a]\nkey = "x"\n[tags.b]\nkey = "x"\n', 4, "both use the key"),
    ("value: same tag twice", '[tags.Feedback]\n[tags.feedback]\n', 2, "listed twice"),
    ("value: empty tag table", "[tags]\n", 1, "at least one tag"),
    ("value: tag name with space", '[tags." padded"]\ncolour = "red"\n', 1, "space"),
    ("value: keys empty", '[keys]\n"play.toggle" = ""\n', 2, "keys.play.toggle"),
    ("value: keys number", '[keys]\n"play.toggle" = 5\n', 2, "keys.play.toggle"),
    ("value: keys trailing comma", '[keys]\n"play.toggle" = "p,"\n', 2, "comma"),
    ("value: not a binding id", '[keys]\n"Play Toggle" = "p"\n', 2, "not a binding id"),
    ("garbage: NUL bytes", b"[audio]\nbackend = \"auto\"\n\x00\x01\x02\n", 3, "line 3, column 1"),
    ("garbage: not UTF-8", b"[audio]\n# fine\n\xff\xfe\x00binary\n", 3, "not UTF-8"),
    ("garbage: an image", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", 1, "line 1"),
]


@pytest.mark.parametrize("text, line, words", [case[1:] for case in INVALID], ids=[case[0] for case in INVALID])
def test_an_invalid_config_names_the_line(tmp_path, text, line, words):
    path = write(tmp_path, text)
    error = failure(path)
    message = str(error)
    assert isinstance(error, DebriefError)
    assert error.line == line
    assert message.startswith(f"{path} line {line}"), message
    assert words.lower() in message.lower(), message
    assert "\n" not in message and "Traceback" not in message


def test_the_error_names_the_key(tmp_path):
    error = failure(write(tmp_path, "[tags.strength]\npost_roll = -3\n"))
    assert error.key == "tags.strength.post_roll"


def test_an_error_deep_in_a_long_file_points_at_its_line(tmp_path):
    filler = "".join(f"# note {n}\n" for n in range(5000))
    path = write(tmp_path, filler + '[redaction]\nterms = ["a"]\n[playback]\nspeed = 4\n')
    assert failure(path).line == 5004


def test_a_huge_file_is_refused_without_reading_it_all(tmp_path):
    path = write(tmp_path, "# padding\n" * 200_000)  # 2 MB
    message = str(failure(path))
    assert str(path) in message and "MB" in message


def test_a_folder_in_place_of_the_file(tmp_path):
    folder = tmp_path / "config.toml"
    folder.mkdir()
    with pytest.raises(ConfigError, match="is a folder"):
        load_config(folder)


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_an_unreadable_file(tmp_path):
    path = write(tmp_path, "")
    path.chmod(0)
    with pytest.raises(ConfigError, match="cannot be read"):
        load_config(path)


def test_the_home_folder_is_shortened_in_messages(monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path))
    path = write(tmp_path, "[playback]\nspeed = 9\n")
    assert str(failure(path)).startswith("~/config.toml line 2: ")


# -- key bindings ----------------------------------------------------------------------------


def test_check_keymap_refuses_an_id_the_app_does_not_have(tmp_path):
    config = load_config(write(tmp_path, '[keys]\n"play.toggle" = "p"\n\n"mark.ad" = "x"\n'))
    check_keymap(Config(keys={"play.toggle": "p"}), ["play.toggle", "mark.add"])  # known ids pass
    with pytest.raises(ConfigError) as caught:
        check_keymap(config, ["play.toggle", "mark.add", "move.next"])
    assert caught.value.line == 4
    assert "did you mean mark.add?" in str(caught.value)


# -- the example file --------------------------------------------------------------------------


def test_write_example_creates_a_private_file_in_private_new_folders(tmp_path):
    target = tmp_path / "new" / "debrief" / "config.toml"
    write_example(target)
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert stat.S_IMODE(target.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE((tmp_path / "new").stat().st_mode) == 0o700


def test_write_example_goes_to_the_config_path_by_default(monkeypatch, tmp_path):
    monkeypatch.setenv("DEBRIEF_CONFIG", str(tmp_path / "mine.toml"))
    write_example()
    assert (tmp_path / "mine.toml").read_text().startswith("# Debrief configuration")


def test_write_example_never_overwrites(tmp_path):
    target = write(tmp_path, "[playback]\nspeed = 1.5\n")
    with pytest.raises(ConfigError, match="already exists"):
        write_example(target)
    assert target.read_text() == "[playback]\nspeed = 1.5\n"


def test_the_example_changes_nothing_until_a_line_is_uncommented(tmp_path):
    target = tmp_path / "config.toml"
    write_example(target)
    config = load_config(target)
    assert config.path == target and dict(config.sources) == {}
    assert config == Config(path=target, location=target)


def test_every_setting_in_the_example_works_when_uncommented(tmp_path):
    target = tmp_path / "config.toml"
    write_example(target)
    uncommented = re.sub(r"(?m)^#(?=\S)", "", target.read_text())
    target.write_text(uncommented)
    config = load_config(target)
    assert config.source("speed") == "file" and config.source("tags") == "file"
    defaults = Config()
    for name in ("tags", "audio", "audio_command", "speed", "resume_rewind", "follow", "model", "threads",
                 "context_seconds", "monologue_seconds", "skip_silence_seconds", "redaction_terms"):
        assert getattr(config, name) == getattr(defaults, name), name
    assert dict(config.keys) == {"play.toggle": "space", "mark.add": "m"}


# -- describe: what `debrief config` prints ----------------------------------------------------


def test_describe_without_a_file_says_where_it_would_be_and_how_to_write_it(tmp_path):
    text = describe(load_config(tmp_path / "config.toml"))
    assert f"{tmp_path / 'config.toml'} (not there" in text
    assert "debrief config --init" in text
    snippet = tomllib.loads(EXAMPLE_SNIPPET)
    assert snippet["audio"]["backend"] == "command"
    assert 'backend = "command"' in text
    for tag in DEFAULT_TAGS:
        assert tag.name in text


def test_the_suggested_snippet_is_a_valid_config(tmp_path):
    config = load_config(write(tmp_path, EXAMPLE_SNIPPET))
    assert config.audio == "command" and config.speed == 1.25


def test_describe_shows_values_and_where_they_came_from(monkeypatch, tmp_path):
    path = write(tmp_path, FULL)
    monkeypatch.setenv("DEBRIEF_MODEL", "/models/tiny")
    text = describe(load_config(path))
    assert f"Config file: {path}\n" in text and "not there" not in text
    lines = {line.split()[0]: line for line in text.splitlines() if line.strip()}
    assert lines["playback.speed"].split()[1:] == ["1.25", "file"]
    assert lines["transcription.model"].endswith("env DEBRIEF_MODEL")
    assert lines["analysis.monologue_seconds"].endswith("file")
    assert "Tags (from the file)" in text and "open question" in text and "#00aaff" in text
    assert "play.toggle = space,p" in text
    assert "debrief config --init" not in text


def test_describe_never_prints_the_redaction_terms(tmp_path):
    text = describe(load_config(write(tmp_path, '[redaction]\nterms = ["Zebulon Client", "Maple Street"]\n')))
    assert "Zebulon" not in text and "Maple" not in text
    assert "2 terms" in text


def test_describe_says_when_debrief_config_chose_the_file(monkeypatch, tmp_path):
    monkeypatch.setenv("DEBRIEF_CONFIG", str(tmp_path / "other.toml"))
    assert "$DEBRIEF_CONFIG" in describe(load_config())


def test_config_does_not_import_textual():
    code = "import sys, tui.config; tui.config.load_config(); print('textual' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_the_expected_number_of_people_is_read_and_checked(tmp_path):
    assert load_config(tmp_path / "missing.toml").expected_speakers == 0  # estimate
    assert load_config(write(tmp_path, "[speakers]\nexpected = 2\n")).expected_speakers == 2
    with pytest.raises(ConfigError, match=r"line 2.*speakers\.expected.*0 to 8"):
        load_config(write(tmp_path, "[speakers]\nexpected = 12\n"))
