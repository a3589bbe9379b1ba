"""Driving the app as a reviewer would: shared by every test that opens a screen."""

from __future__ import annotations

from tui.app.app import DebriefApp
from tui.config import Config
from tui.media.playback import open_player
from tui.session.review import Review


def silent_review(workspace, **settings) -> Review:
    """The review of ``workspace`` with no sound (the playhead still moves): what tests listen with."""
    return Review.open(workspace, open_player("silent"), **settings)


def make_app(workspace, config: Config | None = None, **settings) -> DebriefApp:
    return DebriefApp(silent_review(workspace, **settings), config=config)


def make_library_app(folder, make_transcriber=None) -> DebriefApp:
    """The library screen on ``folder``, opening sessions with no sound."""
    from tui.app.screens.library import LibraryContext
    from tui.services.catalog import open_library
    from tui.services.workspace import open_recording

    player = open_player("silent")
    return DebriefApp(library=LibraryContext(folder, open_library(folder),
                                             lambda path: Review.open(open_recording(path), player),
                                             make_transcriber, player))


def screen_text(app) -> str:
    """What the terminal shows, as plain text lines."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


def notifications(app, *, titles: bool = False) -> str:
    """The toasts the app has shown (with their titles: ``title: message``)."""
    return "\n".join(f"{n.title}: {n.message}" if titles else n.message for n in app._notifications)
