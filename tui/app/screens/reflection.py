"""`i`: the reflection cycle — look-fors before reviewing, a summary and next steps after."""

from __future__ import annotations

from dataclasses import dataclass

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, Label, TextArea

from tui.core.safe_text import visible

from .base import Dialog


@dataclass(frozen=True)
class Reflection:
    focus_goal: str
    intention: str
    summary: str


class ReflectionScreen(Dialog[Reflection | None]):
    """Three fields that go at the top of every export: `ctrl+s` saves, `esc` cancels (asking first)."""

    FIRST = "#reflection-goal"

    BINDINGS = [
        Binding("ctrl+g", "take_suggestion", "Mentor's practice", id="reflection.take_suggestion",
                tooltip="Make the practice your mentor suggested the focus goal"),
    ]

    def __init__(self, current: Reflection, suggested: str = "", mentor: str = "") -> None:
        """``suggested``: the next practice a mentor's feedback proposed, offered for the goal."""
        super().__init__()
        self._current = current
        self._suggested = suggested if suggested.strip() and suggested != current.focus_goal else ""
        self._mentor = mentor or "your mentor"

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return bool(self._suggested) if action == "take_suggestion" else True

    def action_take_suggestion(self) -> None:
        goal = self.query_one("#reflection-goal", Input)
        goal.value = self._suggested
        goal.focus()

    def compose(self) -> ComposeResult:
        with Vertical(id="reflection-dialog"):
            yield Label("Reflection", classes="dialog-heading")
            yield Label("Focus goal for this series (the growth edge you are working on)", classes="dialog-label")
            yield Input(self._current.focus_goal, placeholder="e.g. Wait 5 seconds after every question",
                        id="reflection-goal")
            if self._suggested:
                yield Label(f"{visible(self._mentor)} suggests: “{visible(self._suggested)}” (ctrl+g puts it here)",
                            classes="dialog-label", id="reflection-suggested")
            yield Label("Before: what will you look for in this session?", classes="dialog-label")
            yield TextArea(self._current.intention, id="reflection-intention", soft_wrap=True, tab_behavior="focus")
            yield Label("After: what did you notice, and what will you try next?", classes="dialog-label")
            yield TextArea(self._current.summary, id="reflection-summary", soft_wrap=True, tab_behavior="focus")
            yield Label("ctrl+s (or enter in the goal): save · tab: next field · esc: cancel", classes="dialog-hint", id="hint")

    def result(self) -> Reflection:
        return Reflection(
            self.query_one("#reflection-goal", Input).value.strip(),
            self.query_one("#reflection-intention", TextArea).text.strip(),
            self.query_one("#reflection-summary", TextArea).text.strip(),
        )
