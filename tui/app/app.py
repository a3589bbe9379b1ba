"""The Textual application: built from its collaborators so tests can pass their own."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from tui.review import Review

from .screens.help import HelpScreen, KeyHelp
from .screens.review import ReviewScreen


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
        review: Review,
        *,
        transcriber_factory: Callable[[], object] | None = None,
        keymap: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__()
        self.review = review
        self._transcriber_factory = transcriber_factory
        if keymap:
            self.set_keymap(dict(keymap))

    def get_default_screen(self) -> Screen:
        return ReviewScreen(self.review, self._transcriber_factory)

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
            owner = "everywhere" if isinstance(node, (App, Screen)) else str(node.border_title or type(node).__name__)
            slot = (id(active.node), binding.action)
            display = self.get_key_display(binding)
            if slot in seen:
                previous = seen[slot]
                seen[slot] = KeyHelp(previous.owner, f"{previous.keys}, {display}", previous.description, previous.tooltip)
            else:
                seen[slot] = KeyHelp(owner, display, binding.description or binding.action, binding.tooltip)
        return seen.values()

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """Every binding of the screen and the focused pane, by name ("play: Play/pause")."""
        yield from super().get_system_commands(screen)
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
        self.review.close()
        self.exit()


def binding_ids() -> set[str]:
    """Every binding id a user may remap in the config file's [keys] table."""
    from .screens.note_editor import NoteEditor
    from .widgets.notes import NotesPane
    from .widgets.timeline import SpeakerTimeline
    from .widgets.transcript import TranscriptView

    owners = (DebriefApp, ReviewScreen, TranscriptView, SpeakerTimeline, NotesPane, HelpScreen, NoteEditor)
    return {b.id for owner in owners for b in owner.BINDINGS if isinstance(b, Binding) and b.id}
