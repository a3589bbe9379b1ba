"""The Textual application: built from its collaborators so tests can pass their own."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

import os
import signal
import threading
from pathlib import Path

from textual import events, work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from tui.config import Config
from tui.errors import describe_failure
from tui.session.review import Review

from .collector import IdleCollector
from .screens.help import HelpScreen, KeyHelp
from .screens.library import LibraryContext, LibraryScreen
from .screens.note_editor import NoteEditor
from .screens.review import ReviewScreen


COLLECTOR_TICK_SECONDS = 0.5


class DebriefApp(App[None]):
    """Debrief's reviewer.

    ``transcriber_factory`` makes a transcriber when a recording has no transcript yet
    (None: never transcribe, e.g. in tests that bring their own transcript).
    """

    CSS_PATH = "debrief.tcss"
    TITLE = "Debrief"
    ENABLE_COMMAND_PALETTE = True

    BINDINGS = [
        Binding("q", "quit", "Quit", id="app.quit", tooltip="Save where you are and quit"),
        Binding("question_mark", "help", "Help", id="app.help", tooltip="Every key, and what the focused pane does"),
    ]

    def __init__(
        self,
        review: Review | None = None,
        *,
        library: LibraryContext | None = None,
        transcriber_factory: Callable[[], object] | None = None,
        keymap: Mapping[str, str] | None = None,
        config: Config | None = None,
    ) -> None:
        super().__init__()
        self.config = config or Config()
        """Settings in effect (tags, redaction list, export defaults)."""
        if review is None and library is None:
            raise ValueError("DebriefApp needs a review or a library")
        self.review = review
        """The session being reviewed (None on the library screen)."""
        self.library = library
        self._transcriber_factory = transcriber_factory
        if keymap:
            self.set_keymap(dict(keymap))
        self.collector = IdleCollector()

    def on_mount(self) -> None:
        self.collector.start()
        self.set_interval(COLLECTOR_TICK_SECONDS, self.collector.tick)
        self._previous_handlers = {}
        if threading.current_thread() is threading.main_thread():
            for signum in (signal.SIGHUP, signal.SIGTERM):
                self._previous_handlers[signum] = signal.signal(signum, self._connection_dropped)

    def on_unmount(self) -> None:
        self.collector.stop()
        for signum, handler in self._previous_handlers.items():
            signal.signal(signum, handler)

    def _connection_dropped(self, signum: int, _frame) -> None:
        """SIGHUP (SSH link gone) or SIGTERM: keep the half-typed note, stop the audio, leave."""
        for screen in self.screen_stack:
            try:
                if isinstance(screen, NoteEditor):
                    screen.flush_draft()
                elif isinstance(screen, ReviewScreen):
                    screen.keep_partial_transcript()
            except Exception:  # keeping work is best effort here; never block the exit
                pass
        try:
            self.close_audio()
        finally:
            if not self.is_headless:
                # With the terminal gone, drawing may hang: do not wait for it for long.
                watchdog = threading.Timer(3.0, os._exit, (128 + signum,))
                watchdog.daemon = True
                watchdog.start()
            self.exit(return_code=128 + signum)

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.InputEvent):
            self.collector.input_seen()
        await super().on_event(event)

    def get_default_screen(self) -> Screen:
        if self.review is not None:
            return self._review_screen(self.review)
        return LibraryScreen(self.library)

    def _review_screen(self, review: Review, *, back_to_library: bool = False) -> ReviewScreen:
        if self.config.reviewer_name:
            review.author = self.config.reviewer_name  # marks and exports name the reviewer, not the login
        return ReviewScreen(review, self._transcriber_factory, back_to_library=back_to_library,
                            tags=self.config.tags)

    # -- moving between the library and a session ----------------------------------------

    def open_session(self, path: Path, at: float | None = None) -> None:
        """Open a recording of the library (probing and hashing happen in a worker)."""
        self._open_session(path, at)

    @work(thread=True, exclusive=True, group="open", exit_on_error=False)
    def _open_session(self, path: Path, at: float | None) -> tuple[Review, float | None]:
        return self.library.open_review(path), at

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group != "open":
            return
        if event.state == WorkerState.SUCCESS:
            review, at = event.worker.result
            if at is not None:
                review.go_to_time(at)
            self.review = review
            self.push_screen(self._review_screen(review, back_to_library=True))
        elif event.state == WorkerState.ERROR:
            error = event.worker.error
            self.notify(describe_failure(error), title="Cannot open", severity="error", timeout=10)

    def leave_session(self) -> None:
        """Back from a session to the library; the player stays for the next session."""
        if self.review is None:
            return
        review, self.review = self.review, None
        review.leave()
        self.pop_screen()
        if isinstance(self.screen, LibraryScreen):
            self.screen.refresh_session(review.workspace.recording)

    def action_help(self) -> None:
        screen = self.screen
        focused = screen.focused
        pane_help = "\n".join(
            part for part in (getattr(focused, "HELP", "") or "", getattr(screen, "HELP", "") or "") if part
        )
        self.push_screen(HelpScreen(pane_help, list(self._key_help(screen))))

    def _key_help(self, screen: Screen) -> Iterable[KeyHelp]:
        """Active bindings, grouped by action so that `j,down` reads as one row."""
        seen: dict[tuple[int, str], KeyHelp] = {}
        for key, active in screen.active_bindings.items():
            binding = active.binding
            node = active.node
            owner = "everywhere" if isinstance(node, (App, Screen)) else getattr(node, "PANE_NAME", type(node).__name__)
            base_action = binding.action.split("(", 1)[0]
            slot = (id(active.node), base_action if base_action == "assign" else binding.action)
            display = self.get_key_display(binding)
            if slot in seen:
                previous = seen[slot]
                description = "Speaker N" if base_action == "assign" else previous.description
                tooltip = "This utterance was said by speaker N" if base_action == "assign" else previous.tooltip
                seen[slot] = KeyHelp(previous.owner, f"{previous.keys}, {display}", description, tooltip)
            else:
                seen[slot] = KeyHelp(owner, display, binding.description or binding.action, binding.tooltip)
        return seen.values()

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """Every binding of the screen and the focused pane, by name ("play: Play", "mark: Note").

        Of Textual's own commands only the theme is offered: its Quit would skip saving where
        the reviewer was, and Keys, Maximize and Screenshot duplicate `?` or mean nothing here.
        """
        yield SystemCommand("app: Theme", "Change the colours", self.action_change_theme)
        done: set[tuple[int, str]] = set()
        for active in screen.active_bindings.values():
            binding, node = active.binding, active.node
            if binding.system or not binding.id or (id(node), binding.action) in done:
                continue
            done.add((id(node), binding.action))
            group = binding.id.split(".", 1)[0]
            title = f"{group}: {binding.description}"
            help_text = f"{binding.tooltip or binding.description} (key: {self.get_key_display(binding)})"
            yield SystemCommand(title, help_text, self._runner(binding.action, node))

    def _runner(self, action: str, node) -> Callable[[], object]:
        async def run() -> None:
            await self.run_action(action, node)

        return run

    async def action_quit(self) -> None:
        self.close_audio()
        self.exit()

    def close_audio(self) -> None:
        """Save where the reviewer was and end the playback child (idempotent)."""
        if self.review is not None:
            self.review.close()
        elif self.library is not None and self.library.player is not None:
            self.library.player.close()


def binding_ids() -> set[str]:
    """Every binding id a user may remap in the config file's [keys] table."""
    from .screens.note_editor import NoteEditor
    from .widgets.notes import NotesPane
    from .widgets.timeline import SpeakerTimeline
    from .widgets.transcript import TranscriptView

    from .screens.details import DetailsScreen
    from .screens.dialogs import ChoiceDialog, SpeakerDialog
    from .screens.export import ExportScreen
    from .screens.reflection import ReflectionScreen
    from .screens.stats import StatsScreen

    owners = (DebriefApp, ReviewScreen, LibraryScreen, TranscriptView, SpeakerTimeline, NotesPane, HelpScreen,
              NoteEditor, SpeakerDialog, ChoiceDialog, ExportScreen, ReflectionScreen, StatsScreen,
              DetailsScreen)
    return {b.id for owner in owners for b in owner.BINDINGS if isinstance(b, Binding) and b.id}
