"""The schema behind config.toml: every setting it lists is read, checked and explained alike.

tests/test_config.py holds the cases a user meets; these walk every setting of the schema, so a
setting added later gets the same wording, line numbers and did-you-mean without a new test.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tui.config import SETTINGS, Config, ConfigError, load_config
from tui.errors import DebriefError

NUMBERS = [s for s in SETTINGS if s.meta.le is not None]


@pytest.fixture(autouse=True)
def no_overrides(monkeypatch):
    for setting in SETTINGS:
        if setting.env:
            monkeypatch.delenv(setting.env, raising=False)


def failure(tmp_path: Path, text: str) -> ConfigError:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert isinstance(caught.value, DebriefError)
    assert str(caught.value).startswith(f"{path} line "), caught.value
    return caught.value


@pytest.mark.parametrize("setting", SETTINGS, ids=lambda s: s.key)
def test_every_setting_has_help_and_its_default_is_the_config_default(setting):
    assert len(setting.help) > 20
    assert getattr(Config(), setting.attribute) == setting.default


@pytest.mark.parametrize("setting", SETTINGS, ids=lambda s: s.key)
def test_a_table_where_a_value_belongs_says_what_was_expected(tmp_path, setting):
    error = failure(tmp_path, f"# my settings\n[{setting.table}]\n{setting.name} = {{ a = 1 }}\n")
    assert error.line == 3 and error.key == setting.key
    assert f": {setting.key} must be " in str(error) and str(error).endswith(", not a table")
    assert "something else" not in str(error), "the schema words what this setting expects"


@pytest.mark.parametrize("setting", SETTINGS, ids=lambda s: s.key)
def test_a_misspelt_setting_gets_a_did_you_mean(tmp_path, setting):
    error = failure(tmp_path, f"[{setting.table}]\n\n{setting.name}s = 1\n")
    assert error.line == 3
    assert f"unknown setting {setting.key}s (did you mean {setting.name}?)" in str(error)


@pytest.mark.parametrize("setting", NUMBERS, ids=lambda s: s.key)
def test_a_number_is_accepted_up_to_its_limit_and_refused_past_it(tmp_path, setting):
    limit = setting.meta.le
    path = tmp_path / "config.toml"
    path.write_text(f"[{setting.table}]\n{setting.name} = {limit}\n")
    assert getattr(load_config(path), setting.attribute) == limit
    error = failure(tmp_path, f"[{setting.table}]\n{setting.name} = {limit + 1}\n")
    assert error.line == 2
    assert f"{setting.key} must be " in str(error) and f" {limit:g}" in str(error)
    assert str(error).endswith(f", not {limit + 1:g}")


def test_every_environment_variable_is_named_in_the_example_file():
    from tui.config import example_text

    header = example_text().split("#[")[0]
    for setting in SETTINGS:
        if setting.env:
            assert setting.env in header


def test_each_config_module_holds_one_idea_in_under_400_lines():
    folder = Path(__file__).parent.parent / "tui" / "config"
    sizes = {path.name: len(path.read_text().splitlines()) for path in folder.glob("*.py")}
    assert len(sizes) > 5 and max(sizes.values()) < 400, sizes


def test_a_tag_name_with_a_space_is_quoted_in_the_message_as_toml_writes_it(tmp_path):
    error = failure(tmp_path, '[tags."open q"]\ncolour = "cyan"\npost_roll = 700\n')
    assert error.line == 3 and error.key == 'tags."open q".post_roll'
    assert 'tags."open q".post_roll must be from 0 to 600 seconds, not 700' in str(error)
