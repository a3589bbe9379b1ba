"""The notes pane: this session's marks in time order; choosing one jumps there."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence

from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from tui.core.feedback import SOURCE as FEEDBACK
from tui.core.model import Mark
from tui.core.safe_text import visible, visible_lines

from ..text import format_mark_range


class NotesPane(OptionList):
    """Marks of the session: time, tag, note, author.

    Its keys are in :attr:`BINDINGS` (the footer, `?` and the palette show them).
    """

    COMPONENT_CLASSES = {"notes--mentor"}
    """How a mentor's comment is told apart from the reviewer's own notes (debrief.tcss)."""

    PANE_NAME = "notes"
    """How the help screen names this pane."""

    HELP = """
## Notes
Every mark of this session in time order. `enter` jumps to it; `n` edits its note;
`d` deletes it (`u` undoes).
"""

    BINDINGS = [
        Binding("j", "cursor_down", "Next mark", id="notes.next", show=False),
        Binding("k", "cursor_up", "Previous mark", id="notes.previous", show=False),
    ]

    class MarkChosen(Message):
        """The reviewer chose a mark to go to."""

        def __init__(self, mark: Mark) -> None:
            super().__init__()
            self.mark = mark

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._marks: tuple[Mark, ...] | None = None
        self._starts: list[float] = []

    def on_mount(self) -> None:
        if self._marks is None:
            self.set_marks(())

    def set_marks(self, marks: Sequence[Mark]) -> None:
        if self._marks is not None and tuple(marks) == self._marks:
            return
        keep = self.highlighted_mark
        self._marks = tuple(marks)
        starts = [m.start for m in self._marks]
        self._starts = starts if starts == sorted(starts) else []  # follow() needs time order
        self.clear_options()
        if not self._marks:
            self.add_option(Option(Text("No marks yet: press m on a moment that matters.", style="italic"), disabled=True))
            return
        self.add_options(Option(self._prompt(m), id=m.id) for m in self._marks)
        if keep is not None:
            for i, m in enumerate(self._marks):
                if m.id == keep.id:
                    self.highlighted = i

    def follow(self, seconds: float) -> None:
        """Highlight the mark the reviewer is at or has just passed, and bring it into view.

        So the note of the moment being read or heard is on screen, and ``enter``/``n`` in
        this pane act on it. Nothing is redrawn while the same mark stays current.
        """
        if not self._starts or self.has_focus:
            return  # the reviewer is choosing here: do not move under their keys
        index = max(0, bisect_right(self._starts, seconds + 1e-6) - 1)
        if index != self.highlighted:
            self.highlighted = index
            self.scroll_to_highlight(top=True)  # this note first, the ones to come below it

    @property
    def highlighted_mark(self) -> Mark | None:
        if not self._marks or self.highlighted is None or not 0 <= self.highlighted < len(self._marks):
            return None
        return self._marks[self.highlighted]

    def _prompt(self, mark: Mark) -> Text:
        text = Text()
        text.append(format_mark_range(mark.start, mark.end), style="bold")
        text.append(f"  {visible(mark.tag)}", style="bold yellow")
        if mark.source == FEEDBACK:  # a mentor's comment, brought back from the exported page
            text.append(f"  from {visible(mark.author) or 'your mentor'}", style=self.get_component_rich_style("notes--mentor"))
        elif mark.author:
            text.append(f"  {visible(mark.author)}", style="dim")
        if mark.private:
            text.append("  private", style="italic dim")
        if mark.note:
            text.append("\n")
            text.append(visible_lines(mark.note))
        return text

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        mark = self.highlighted_mark
        if mark is not None:
            self.post_message(self.MarkChosen(mark))
