"""The library screen: every recording in a folder, its figures, and search across all of them."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Input, OptionList, ProgressBar, Static
from textual.widgets.option_list import Option
from textual.worker import Worker, WorkerState

from tui.services.catalog import SessionSummary, summarise, summarise_one
from tui.core.search import Hit, LibraryIndex
from tui.core.trends import FIGURES, describe, measure_series
from tui.core.trends import figure as trend_figure
from tui.core.trends import series as trend_series
from tui.core.safe_text import visible
from tui.errors import describe_failure
from tui.services.search_index import index_sessions
from tui.store import Library
from tui.services.workspace import focus_goal, library_measures

from .library_feedback import FeedbackAndGoal
from .library_rows import cells, hit_prompt, trend_box

SORTS = ("date", "title", "length", "marks")


@dataclass
class LibraryContext:
    """What the library screen needs from outside: where, and how to open a session."""

    folder: Path
    library: Library
    open_review: Callable[[Path], object]
    """Builds a Review for a recording (run in a worker: it may hash and probe)."""
    make_transcriber: Callable[[], object] | None = None
    player: object | None = None
    """The player shared by every session opened from here (closed when the app quits)."""


class LibraryScreen(FeedbackAndGoal, Screen):
    """Sessions of one library folder.

    | Key | Action |
    |---|---|
    | `enter` | Open the session |
    | `/` | Search every transcript, speaker, tag and note |
    | `o` | Sort by date, title, length or marks |
    | `t` | Transcribe every session that has no transcript yet |
    | `x` | Stop transcribing (finished sessions are kept) |
    | `g` | Choose the figure that follows your focus goal |
    | `i` | Import a mentor's feedback file |
    | `a` | Make the practice your mentor suggested the focus goal |
    """

    HELP = """
## Library
Every recording in this folder. `enter` opens one; `escape` in a session comes back here.
`/` searches all transcripts and notes: words, "a phrase", `speaker:Maria`, `tag:growth-edge`.
"""

    BINDINGS = [
        Binding("enter", "open_session", "Open", id="library.open", tooltip="Open the selected session"),
        Binding("slash", "search", "Search", id="library.search", tooltip="Search all sessions"),
        Binding("o", "sort", "Sort", id="library.sort", tooltip="Sort by date, title, length or marks"),
        Binding("t", "transcribe_all", "Transcribe all", id="library.transcribe", tooltip="Transcribe every untranscribed session"),
        Binding("g", "goal", "Goal figure", id="library.goal",
                tooltip="Choose the figure that follows your focus goal session by session"),
        Binding("i", "import_feedback", "Feedback", id="library.import_feedback", show=False,
                tooltip="Bring back a mentor's .feedback.json saved from an exported page"),
        Binding("a", "adopt_practice", "Adopt practice", id="library.adopt_practice", show=False,
                tooltip="Make the practice your mentor suggested the focus goal of the series"),
        Binding("x", "cancel_transcription", "Stop", id="library.stop", show=False, tooltip="Stop batch transcription"),
        Binding("escape", "close_search", "Close search", id="library.close_search", show=False),
    ]

    def __init__(self, context: LibraryContext) -> None:
        super().__init__()
        self.context = context
        self._rows: dict[str, SessionSummary] = {}
        self._sort = 0
        self._index = LibraryIndex()
        self._hits: list[Hit] = []
        self._cancel = threading.Event()

    def compose(self) -> ComposeResult:
        yield Static(f"Library: {self.context.folder}", id="library-heading")
        yield Static("", id="goal")
        yield Horizontal(id="trends")
        with Vertical(id="batch"):
            yield Static("", id="batch-label")
            yield ProgressBar(total=100, show_eta=True, id="batch-bar")
        yield DataTable(id="sessions", cursor_type="row", zebra_stripes=True)
        yield Input(placeholder='Search: words, "a phrase", speaker:NAME, tag:NAME', id="search")
        yield OptionList(id="hits")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        self._measures = self._measure_names()
        # Widths keep every column (consent, outcome measures) on a 160-column terminal;
        # a longer title or list of speakers is cut, never the columns after it.
        for key, label, width in (("date", "Date", None), ("title", "Title", 22), ("length", "Length", None),
                                  ("speakers", "Speakers", 14), ("transcript", "Transcript", None),
                                  ("marks", "Marks", 18), ("talk", "Talk share", 20),
                                  ("questions", "Q open/closed", None), ("wait", "Wait", None),
                                  ("consent", "Consent", None), *((f"measure:{m}", m, None) for m in self._measures)):
            table.add_column(label, key=key, width=width)
        table.focus()
        self._scan()

    # -- filling the table ----------------------------------------------------------

    @work(thread=True, exclusive=True, group="scan", exit_on_error=False)
    def _scan(self) -> None:
        for summary in summarise(self.context.library, self.context.folder):
            self.app.call_from_thread(self._add_row, summary)
        self.app.call_from_thread(self._show_trends)
        index = index_sessions(self.context.library)
        self.app.call_from_thread(self._indexed, index)

    def _indexed(self, index: LibraryIndex) -> None:
        """The search index, built in the worker, taken in on the event loop (which searches it)."""
        self._index = index

    def _measure_names(self) -> list[str]:
        return [m.name for m in library_measures(self.context.library)]

    # -- progress across sessions -------------------------------------------------------

    def _by_date(self) -> list[SessionSummary]:
        return sorted((s for s in self._rows.values() if not s.problem), key=lambda s: (s.info.date, s.info.title))

    def _show_trends(self) -> None:
        sessions = self._by_date()
        stats = [s.stats for s in sessions]
        outcomes = [s.details.outcomes for s in sessions]
        panel = self.query_one("#trends", Horizontal)
        panel.remove_children()
        boxes = []
        for fig in FIGURES[:3]:
            boxes.append(trend_box(fig.short, trend_series(stats, fig.key), fig.unit))
        for name in self._measures:
            boxes.append(trend_box(name, measure_series(outcomes, name), ""))
        panel.mount_all(boxes)
        goal = focus_goal(self.context.library)
        key = str(self.context.library.get("focus_goal_figure", "wait") or "wait")
        if key.startswith("measure:"):
            label, values, unit = key.removeprefix("measure:"), measure_series(outcomes, key.removeprefix("measure:")), ""
        else:
            fig = trend_figure(key)
            label, values, unit = fig.label, trend_series(stats, key), fig.unit
        heading = f"Focus goal: {goal}" if goal else "Focus goal: none yet (i in a session sets it)"
        line = f"{heading} · {label}: {describe(values, unit)}"
        suggestion = self._suggested_practice()
        if suggestion is not None and suggestion[0] != goal:
            line += f"\n{visible(suggestion[1]) or 'Your mentor'} suggests as next practice: “{visible(suggestion[0])}” (a adopts it)"
        self.query_one("#goal", Static).update(line)

    def _add_row(self, summary: SessionSummary) -> None:
        table = self.query_one(DataTable)
        key = str(summary.path)
        row = cells(summary, self._measures)
        if key in self._rows:
            columns = ("date", "title", "length", "speakers", "transcript", "marks", "talk", "questions", "wait",
                       "consent", *(f"measure:{m}" for m in self._measures))
            for column, value in zip(columns, row):
                table.update_cell(key, column, value)
        else:
            table.add_row(*row, key=key)
        self._rows[key] = summary

    def refresh_session(self, path: Path) -> None:
        """Re-read one row (after reviewing it) in the background."""
        self._refresh_one(path)

    @work(thread=True, group="refresh", exit_on_error=False)
    def _refresh_one(self, path: Path) -> None:
        summary = summarise_one(self.context.library, path)
        self.app.call_from_thread(self._add_row, summary)
        self.app.call_from_thread(self._show_trends)
        sessions = index_sessions(self.context.library, [summary.info.id]).sessions
        self.app.call_from_thread(self._index_again, sessions)

    def _index_again(self, sessions) -> None:
        for session in sessions:
            self._index.add(session)

    # -- actions ----------------------------------------------------------------------

    def _selected(self) -> SessionSummary | None:
        table = self.query_one(DataTable)
        if not table.row_count:
            return None
        row_key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
        return self._rows.get(str(row_key.value))

    def action_open_session(self) -> None:
        if self.query_one("#hits").has_focus:
            return
        summary = self._selected()
        if summary is None:
            return
        if summary.problem:
            self.notify(summary.problem, title="Cannot open", severity="error")
            return
        self.app.open_session(summary.path)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open_session()

    def action_sort(self) -> None:
        self._sort = (self._sort + 1) % len(SORTS)
        key = SORTS[self._sort]
        orders = {
            "date": lambda s: (s.info.date, s.info.title),
            "title": lambda s: s.info.title.lower(),
            "length": lambda s: s.info.duration,
            "marks": lambda s: -s.marks,
        }
        rows = sorted(self._rows.values(), key=orders[key])
        self.query_one(DataTable).clear()
        self._rows.clear()
        for summary in rows:
            self._add_row(summary)
        self.notify(f"Sorted by {key}.", timeout=2)

    def action_search(self) -> None:
        self.add_class("-searching")
        self.query_one("#search", Input).focus()

    def action_close_search(self) -> None:
        self.remove_class("-searching", "-hits")
        self.query_one(DataTable).focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "search":
            self._show_hits(event.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "search" and self._hits:
            hits = self.query_one("#hits", OptionList)
            hits.focus()
            hits.highlighted = 0

    def _show_hits(self, text: str) -> None:
        self._hits = self._index.search(text) if text.strip() else []
        hits = self.query_one("#hits", OptionList)
        hits.clear_options()
        self.set_class(bool(text.strip()), "-hits")
        if not self._hits:
            if text.strip():
                hits.add_option(Option(Text("No matches.", style="italic"), disabled=True))
            return
        hits.add_options(Option(hit_prompt(h)) for h in self._hits)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option_list.id != "hits" or not 0 <= event.option_index < len(self._hits):
            return
        hit = self._hits[event.option_index]
        self.app.open_session(Path(hit.path), at=hit.start)

    # -- batch transcription ----------------------------------------------------------

    def action_transcribe_all(self) -> None:
        if self.context.make_transcriber is None:
            return
        todo = [s for s in self._rows.values() if s.transcribed != "yes" and not s.problem]
        if not todo:
            self.notify("Every session is transcribed.", timeout=3)
            return
        self._cancel.clear()
        self.add_class("-batch")
        self._transcribe_all(todo)

    def action_cancel_transcription(self) -> None:
        self._cancel.set()

    @work(thread=True, exclusive=True, group="batch", exit_on_error=False)
    def _transcribe_all(self, todo: list[SessionSummary]) -> int:
        """The batch service's loop (tui.services.batch.run) in this thread; the UI is updated from it."""
        from tui.services import batch

        durations = {s.path: s.info.duration for s in todo}
        titles = {s.path: s.info.title for s in todo}
        weights = [max(s.info.duration, 1.0) for s in todo]
        total = sum(weights)
        now = {"label": "", "before": 0.0}

        def on_start(n: int, path: Path) -> None:
            now["label"] = f"Transcribing {n}/{len(todo)}: {titles[path]}"
            now["before"] = sum(weights[:n - 1])
            self.app.call_from_thread(self._batch_progress, now["label"], now["before"], total)

        def on_progress(path: Path, done: float, length: float) -> None:
            self.app.call_from_thread(self._batch_progress, now["label"],
                                      now["before"] + done * durations[path] / max(length, 0.001), total)

        def on_failed(path: Path, why: str) -> None:
            self.app.call_from_thread(self.notify, f"{path.name}: not transcribed: {why}", title="Library",
                                      severity="error", timeout=10)

        return batch.run([s.path for s in todo], db=self.context.library.db_path, model=None, threads=None,
                         speakers=None, transcriber=self.context.make_transcriber(), cancel=self._cancel,
                         on_start=on_start, on_progress=on_progress, on_failed=on_failed,
                         on_done=lambda done: self.app.call_from_thread(self.refresh_session, done.path))

    def _batch_progress(self, label: str, done: float, total: float) -> None:
        self.query_one("#batch-label", Static).update(label + "   (x stops; finished sessions are kept)")
        self.query_one("#batch-bar", ProgressBar).update(total=total, progress=done)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        if event.state == WorkerState.ERROR:
            error = worker.error
            self.notify(describe_failure(error), title="Library", severity="error", timeout=10)
        if worker.group == "batch" and event.state in (WorkerState.SUCCESS, WorkerState.ERROR, WorkerState.CANCELLED):
            self.remove_class("-batch")
            if event.state == WorkerState.SUCCESS:
                stopped = " (stopped)" if self._cancel.is_set() else ""
                self.notify(f"Transcribed {worker.result} session(s){stopped}.", timeout=4)

    def on_unmount(self) -> None:
        self._cancel.set()

