"""The focus goal of the series, and a mentor's feedback coming back into the library.

Mixed into :class:`~tui.app.screens.library.LibraryScreen`: `i` imports a feedback file saved
from an exported page, `a` makes the practice the mentor suggested the focus goal.
"""

from __future__ import annotations

from pathlib import Path

from textual import work

from tui.core.safe_text import visible
from tui.core.trends import FIGURES
from tui.services.feedback import ImportResult, import_feedback
from tui.services.workspace import focus_goal

from .dialogs import ChoiceDialog, FileDialog


class FeedbackAndGoal:
    """`g` the goal's figure, `a` the mentor's practice as the goal, `i` import a feedback file."""

    def _suggested_practice(self) -> tuple[str, str, str] | None:
        """The latest practice a mentor suggested, over every session's feedback."""
        suggestions = [s.suggested_practice for s in self._rows.values() if s.suggested_practice]
        return max(suggestions, key=lambda s: s[2]) if suggestions else None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "adopt_practice":
            suggestion = self._suggested_practice()
            return suggestion is not None and suggestion[0] != focus_goal(self.context.library)
        return True

    def action_adopt_practice(self) -> None:
        suggestion = self._suggested_practice()
        if suggestion is not None:
            self._save_focus_goal(suggestion[0])

    @work(thread=True, group="goal", exit_on_error=False)
    def _save_focus_goal(self, goal: str) -> None:
        self.context.library.set("focus_goal", goal)
        self.app.call_from_thread(self._goal_saved, goal)

    def _goal_saved(self, goal: str) -> None:
        self.notify(f"Focus goal: “{visible(goal)}”. Every export heads with it; the figure above follows it.",
                    timeout=5)
        self._show_trends()
        self.refresh_bindings()

    # -- a mentor's feedback ------------------------------------------------------------

    def action_import_feedback(self) -> None:
        def chosen(path: str | None) -> None:
            if path:
                self._import_feedback(Path(path).expanduser())

        self.app.push_screen(FileDialog("Import a mentor's feedback", "e.g. ~/Downloads/session.feedback.json",
                                        "import"), chosen)

    @work(thread=True, group="feedback", exit_on_error=False)
    def _import_feedback(self, path: Path) -> None:
        result = import_feedback(path, self.context.library.db_path)
        self.app.call_from_thread(self._feedback_imported, result)

    def _feedback_imported(self, result: ImportResult) -> None:
        self.notify(visible(result.summary()), title="Feedback", timeout=8)
        self.refresh_session(Path(result.session.path))

    def action_goal(self) -> None:
        keys = [f.key for f in FIGURES] + [f"measure:{m}" for m in self._measures]
        labels = [f.label for f in FIGURES] + list(self._measures)

        def done(choice: int | None) -> None:
            if choice is not None:
                self._save_goal_figure(keys[choice])

        self.app.push_screen(ChoiceDialog("Which figure follows your focus goal?", labels), done)

    @work(thread=True, group="goal", exit_on_error=False)
    def _save_goal_figure(self, key: str) -> None:
        self.context.library.set("focus_goal_figure", key)
        self.app.call_from_thread(self._show_trends)
