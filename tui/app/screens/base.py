"""What every Debrief dialog does the same way.

One rule, shown in each dialog's hint line:

- the first field has focus when the dialog opens;
- `enter` in a one-line field saves (`ctrl+s` saves from anywhere, also in multi-line boxes);
  `tab` / `shift+tab` move between fields;
- `esc` cancels. When something was typed that would be lost, the first `esc` does not close:
  the hint says so, and a second `esc` discards. Cancelling is what `esc` means everywhere
  else in a terminal, and the second press means nothing typed disappears unnoticed.

Keys can arrive in one burst (a paste, a slow SSH link). Textual hands each key to the
focused widget's queue before that widget has handled the ones before it, so a `tab`
handled by a field would leave the characters after it in the old field, and an `enter`
handled by a field would let the characters after it slip into the saved value. So `tab`
and `enter` are priority bindings here: focus moves in key order, and saving
waits until the field has taken every character typed before `enter`.
"""

from __future__ import annotations

from typing import TypeVar

from textual.binding import Binding
from textual.screen import ModalScreen
from textual.widgets import Checkbox, Input, Label, RadioSet, Select, TextArea

ResultType = TypeVar("ResultType")

class DialogProblem(Exception):
    """What was entered cannot be saved; the message says why (the dialog stays open)."""


DISCARD_HINT = "Unsaved changes: enter or ctrl+s saves them · esc again discards them"


class Dialog(ModalScreen[ResultType]):
    """A modal dialog following Debrief's one rule (see the module docstring).

    Subclasses set ``FIRST`` (the selector of the field focused on open), implement
    :meth:`result` (the value to close with, or :class:`DialogProblem`) and give
    their hint label the class ``dialog-hint`` and the id ``hint``.
    """

    FIRST = "Input"
    """Selector of the field that has focus when the dialog opens."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="dialog.cancel", tooltip="Close without saving (asks first if you typed)"),
        Binding("ctrl+s", "save", "Save", id="dialog.save", tooltip="Save and close"),
        Binding("tab", "move_focus(1)", "Next field", show=False, priority=True),
        Binding("enter", "enter", "Save", show=False, priority=True),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._initial: tuple = ()
        self._asked = False
        self._finished = False
        self._hint_text = ""

    def on_mount(self) -> None:
        first = self.query(self.FIRST).first()
        first.focus()
        self._initial = self._values()
        hints = self.query("#hint")
        if hints:
            self._hint_text = str(hints.first(Label).content)

    # -- what was typed ---------------------------------------------------------------

    def _values(self) -> tuple:
        values: list[object] = []
        for widget in self.query("Input, TextArea, Checkbox, Select, RadioSet"):
            if isinstance(widget, Input):
                values.append(widget.value)
            elif isinstance(widget, TextArea):
                values.append(widget.text)
            elif isinstance(widget, (Checkbox, Select)):
                values.append(widget.value)
            elif isinstance(widget, RadioSet):
                values.append(widget.pressed_index)
        return tuple(values)

    @property
    def changed(self) -> bool:
        """Something was typed or chosen since the dialog opened."""
        return self._values() != self._initial

    # -- keys -------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "enter":
            # Only a one-line field saves on enter; lists, radio buttons and text boxes keep theirs.
            return isinstance(self.focused, Input)
        return True

    def action_move_focus(self, direction: int) -> None:
        if direction > 0:
            self.focus_next()
        else:
            self.focus_previous()

    def action_enter(self) -> None:
        self.action_save()

    def action_save(self) -> None:
        field = self.focused
        if field is not None and field is not self:
            # Read the fields once the focused one has taken every key that came before this
            # one (its queue runs in order); close from the screen's own queue afterwards.
            field.call_later(self._collect)
        else:
            self._collect()

    def _collect(self) -> None:
        if self._finished or not self.is_attached:
            return
        try:
            value = self.result()
        except DialogProblem as problem:
            self.notify(str(problem), title="Not saved", severity="error")
            return
        self._finished = True
        self.call_later(self._close, value)

    def _close(self, value: ResultType) -> None:
        self.dismiss(value)  # not awaited: a screen cannot wait for its own removal
    def result(self) -> ResultType:
        """What the dialog gives back on save; raise :class:`DialogProblem` to stay open."""
        raise NotImplementedError


    def action_cancel(self) -> None:
        if self._finished:
            return
        if self.changed and not self._asked:
            self._asked = True
            self._set_hint(DISCARD_HINT, warn=True)
            self.app.bell()
            return
        self._finished = True
        self.dismiss(None)

    def on_input_changed(self, _event: Input.Changed) -> None:
        self._typed()

    def on_text_area_changed(self, _event: TextArea.Changed) -> None:
        self._typed()

    def _typed(self) -> None:
        if self._asked:  # typing again: the next esc asks again
            self._asked = False
            self._set_hint(self._hint_text, warn=False)

    def _set_hint(self, text: str, *, warn: bool) -> None:
        for hint in self.query("#hint").results(Label):
            hint.update(text)
            hint.set_class(warn, "-warn")
