"""What the review screen looks like, at the smallest supported size and a comfortable one.

Update baselines deliberately with ``pytest tests/test_snapshots.py --snapshot-update``
and look at the report before committing them.
"""

from __future__ import annotations

import pytest

from tui.app.app import DebriefApp
from tui.core.model import Mark
from tui.media.playback import open_player
from tui.review import Review


@pytest.fixture
def review_app(short_workspace):
    short_workspace.annotations.add_mark(
        Mark("m1", 15.621, 17.858, "open-question", "Asked what she noticed", "coach", "2026-11-09T10:00:00Z")
    )
    review = Review(short_workspace, open_player("silent"), transcript=short_workspace.cached_transcript())
    review.author = "coach"
    return DebriefApp(review)


@pytest.mark.parametrize("size", [(80, 24), (160, 48)], ids=["80x24", "160x48"])
def test_review_screen(snap_compare, review_app, size):
    assert snap_compare(review_app, terminal_size=size, press=["j", "j"])


def test_help_screen(snap_compare, review_app):
    assert snap_compare(review_app, terminal_size=(100, 40), press=["question_mark"])
