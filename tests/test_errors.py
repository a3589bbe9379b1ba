"""How a failure is worded for the user: the same sentence on the command line and on every screen."""

from __future__ import annotations

import pytest

from tui.cli import main
from tui.errors import MediaError, describe_failure


@pytest.mark.parametrize(("error", "said"), [
    (MediaError("session.wav is empty"), "session.wav is empty"),
    (ValueError("bad value"), "unexpected problem (ValueError: bad value)"),
    (KeyError("speaker"), "unexpected problem (KeyError: 'speaker')"),
    (RuntimeError(), "unexpected problem (RuntimeError)"),
    (None, "unexpected problem (no details were given)"),
])
def test_a_failure_is_one_sentence_ours_as_written_anything_else_named_as_unexpected(error, said):
    assert describe_failure(error) == said


def test_the_command_line_says_the_same_and_how_to_see_more(monkeypatch, capsys):
    def broken(*args, **kwargs):
        raise ValueError("bad value")

    monkeypatch.delenv("DEBRIEF_DEBUG", raising=False)
    monkeypatch.setattr("tui.cli.open_parser", broken)
    assert main(["somewhere"]) == 1
    err = capsys.readouterr().err
    assert err == ("debrief: error: unexpected problem (ValueError: bad value); "
                   "run with DEBRIEF_DEBUG=1 for details\n")
