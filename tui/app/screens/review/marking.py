"""Marking moments: `m` and the tag keys, `t` retag, `n` note (with a draft kept), `d`/`u`."""

from __future__ import annotations

from textual.binding import Binding

from tui.core.model import DEFAULT_TAG, Mark
from tui.core.timefmt import format_time

from ...text import format_mark_range, key_name
from ..dialogs import ChoiceDialog
from ..note_editor import NoteEditor


def _marked(mark: Mark) -> str:
    return f"Marked {format_mark_range(mark.start, mark.end)} as {mark.tag} (saved)."


class MarkingKeys:
    """Mixed into :class:`~tui.app.screens.review.screen.ReviewScreen`: its keys for marks and notes."""

    @property
    def default_tag(self) -> str:
        """The tag `m` marks with: the one keyed ``m`` in the config, else growth-edge, else the first."""
        for tag in self._tags:
            if tag.key == "m":
                return tag.name
        names = [t.name for t in self._tags]
        return DEFAULT_TAG if DEFAULT_TAG in names or not names else names[0]

    def _bind_tag_keys(self) -> list[str]:
        """A key for each tag that has one (``strength`` on ``a``): in the footer, `?` and the palette."""
        clashes: list[str] = []
        taken = {key for key, bindings in self._bindings.key_to_bindings.items() if bindings}
        for index, tag in enumerate(self._tags):
            if not tag.key or tag.key == "m":
                continue
            key = key_name(tag.key)
            if key in taken:
                clashes.append(f"{tag.name} ({tag.key})")
                continue
            taken.add(key)
            self._bindings.key_to_bindings.setdefault(key, []).append(
                Binding(key, f"mark_tag({index})", tag.name, id=f"mark.tag.{tag.name}",
                        tooltip=f"Mark the cursor utterance as {tag.name}", key_display=tag.key))
        return clashes

    def _mark(self, tag: str, then=None) -> None:
        self._sync_cursor()
        self._save(lambda: self.review.mark_here(tag), then or (lambda mark: self.notify(_marked(mark), timeout=3)))

    def action_mark(self) -> None:
        self._mark(self.default_tag)

    def action_mark_tag(self, index: int) -> None:
        self._mark(self._tags[index].name)

    def action_retag(self) -> None:
        self._sync_cursor()
        mark = self.review.mark_at_cursor()
        if mark is None:
            self.notify("No mark on this utterance: m marks it first.", timeout=3)
            return
        names = [t.name for t in self._tags]
        if mark.tag not in names:
            names.append(mark.tag)
        labels = [f"{name}  ({tag.key})" if (tag := next((t for t in self._tags if t.name == name), None)) and tag.key
                  else name for name in names]

        def done(choice: int | None) -> None:
            if choice is not None and names[choice] != mark.tag:
                new = names[choice]
                self._save(lambda: self.review.book.set_tag(mark.id, new), lambda saved: self.notify(
                    f"The mark at {format_mark_range(saved.start, saved.end)} is now {saved.tag} (saved).", timeout=3))

        self.app.push_screen(ChoiceDialog(f"Tag of the mark at {format_mark_range(mark.start, mark.end)}", labels,
                                          current=names.index(mark.tag)), done)

    def action_note(self) -> None:
        self._sync_cursor()
        mark = self.review.mark_at_cursor()
        if mark is not None:
            self._edit_note(mark)
        elif self.review.current is not None:
            # No mark here yet: mark first, then open the note on it.
            def then(saved: Mark) -> None:
                self.notify(_marked(saved), timeout=3)
                self._edit_note(saved)

            self._mark(self.default_tag, then)

    def _edit_note(self, mark: Mark) -> None:
        self.review.pause_for_typing()
        self._ticker.pause()
        self._show_status()
        heading = f"Note on {format_mark_range(mark.start, mark.end)} · {mark.tag}"
        draft = self._draft if self._draft and self._draft.get("mark_id") == mark.id else None
        if draft is not None:
            heading += " (your unsaved draft from last time)"

        def done(note: str | None) -> None:
            self._draft = None
            if note is not None and note != mark.note:
                self._save(lambda: self.review.book.set_note(mark.id, note), lambda saved: self.notify(
                    f"Note on {format_mark_range(saved.start, saved.end)} saved.", timeout=3))
            elif draft is not None:
                self._save(self.review.book.drop_draft)
            self.review.resume_after_typing()
            if self.review.playing:
                self._ticker.resume()
            self._show_status()

        def keep_draft(text: str) -> None:
            self._save(lambda: self.review.book.keep_draft(mark, text))

        def keep_draft_now(text: str) -> None:
            """The connection is dropping: write at once, on this thread."""
            change = self.review.book.keep_draft(mark, text)
            if change is not None:
                change.write()

        text = str(draft["text"]) if draft is not None else mark.note
        self.app.push_screen(NoteEditor(heading, text, on_draft=keep_draft, save_draft_now=keep_draft_now), done)

    def offer_draft(self) -> None:
        """A note was left half-typed (the connection dropped): go there and say so."""
        draft = self.review.book.pending_draft()
        if draft is None:
            return
        self._draft = draft
        self.review.go_to_time(float(draft.get("start", 0.0)))
        self._show_cursor()
        self.notify(f"Your unsaved note at {format_time(float(draft.get('start', 0.0)))} was kept: "
                    "press n to finish it.", title="Draft kept", timeout=10)

    def action_delete_mark(self) -> None:
        self._sync_cursor()
        mark = self.review.mark_at_cursor()
        if mark is None:
            self.notify("No mark on this utterance.", timeout=2)
            return
        self._save(lambda: self.review.book.delete(mark.id), lambda saved: self.notify(
            f"Deleted the mark at {format_mark_range(saved.start, saved.end)} (u to undo).", timeout=3))

    def action_undo(self) -> None:
        def then(restored: Mark | None) -> None:
            if restored is None:
                self.notify("Nothing to undo.", timeout=2)
            else:
                self.notify(f"Brought back the mark at {format_mark_range(restored.start, restored.end)}.", timeout=3)

        self._save(self.review.book.restore_last, then)
