"""Walking a list of moments (search hits, a figure's moments) and showing only a thin slice."""

from __future__ import annotations

from textual.widgets import Input

from tui.core.search import matching_segments, parse_query

from ..dialogs import ChoiceDialog
from ..stats import StatsScreen, Walk


class WalkingKeys:
    """Mixed into :class:`~tui.app.screens.review.screen.ReviewScreen`: `/`, `n`/`N`, `s`, `F`, `esc`."""

    def action_search(self) -> None:
        self.add_class("-finding")
        self.query_one("#find", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id != "find":
            return
        event.stop()
        self.remove_class("-finding")
        self._transcript.focus()
        hits = matching_segments(self.review.segments, event.value)
        if not hits:
            self.notify(f"No utterance contains {event.value!r}.", timeout=3)
            return
        self._start_walk(f"“{event.value}”", hits, parse_query(event.value).terms)

    def on_descendant_blur(self, event) -> None:
        if event.widget is self.query_one("#find", Input):
            self.remove_class("-finding")

    def _start_walk(self, title: str, indexes: list[int], terms: tuple[str, ...] = ()) -> None:
        self._walk, self._walk_title = sorted(set(indexes)), title
        self._transcript.set_search(frozenset(self._walk) if terms else frozenset(), terms)
        self.refresh_bindings()
        self.action_walk_step(1, include_current=True)

    def action_walk_step(self, direction: int, include_current: bool = False) -> None:
        self._sync_cursor()
        walk = self._walk
        if not walk:
            return
        here = self.review.cursor
        if direction > 0:
            later = [i for i in walk if i > here or (include_current and i == here)]
            target = later[0] if later else walk[0]
        else:
            earlier = [i for i in walk if i < here]
            target = earlier[-1] if earlier else walk[-1]
        self.review.go_to_index(target)
        self._after_move()
        self._show_status(f"{self._walk_title} {walk.index(target) + 1}/{len(walk)} · n/N · esc clears")

    def action_clear_walk(self) -> None:
        self.remove_class("-finding")
        view = self._transcript
        view.focus()
        self._walk, self._walk_title = [], ""
        view.set_search(frozenset(), ())
        if view.filtered:
            view.set_filter(None)
            self._show_cursor()
        self._slice_label = ""
        self.refresh_bindings()
        self._show_status()

    def action_stats(self) -> None:
        if not self.review.segments:
            self.notify("No transcript yet.", timeout=2)
            return

        def done(walk: Walk | None) -> None:
            if walk is not None and walk.moments:
                self._start_walk(walk.title, [m.segment_index for m in walk.moments if m.segment_index >= 0])

        self.app.push_screen(StatsScreen(self.review.stats(), self.review.speakers), done)

    def action_slice(self) -> None:
        self._sync_cursor()
        choices: list[tuple[str, list[int]]] = []
        if self._walk:
            choices.append((f"Only {self._walk_title} ({len(self._walk)})", self._walk))
        choices.append(("Only marked moments", self.review.slice_indexes("marked")))
        for tag in sorted({m.tag for m in self.review.marks}):
            choices.append((f"Only the tag {tag}", self.review.slice_indexes("tag", tag)))
        choices.append(("The last 15 minutes", self.review.slice_indexes("last", "15")))
        choices.append(("The first 15 minutes", self.review.slice_indexes("first", "15")))
        choices.append(("Everything (no slice)", []))

        def done(choice: int | None) -> None:
            if choice is None:
                return
            label, indexes = choices[choice]
            view = self._transcript
            if choice == len(choices) - 1:
                view.set_filter(None)
                self._slice_label = ""
            else:
                view.set_filter(indexes)
                self._slice_label = f"{label.removeprefix('Only ')} ({len(indexes)})"
                if indexes:
                    self.review.go_to_index(view.nearest_shown(self.review.cursor))
                self.notify(f"{label}: {len(indexes)} utterance(s). esc shows everything.", timeout=4)
            self.refresh_bindings()
            self._show_cursor()
            self._show_status()

        self.app.push_screen(ChoiceDialog("Show only…", [label for label, _ in choices]), done)
