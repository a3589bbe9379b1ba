"""`e`: export this session for a mentor, seeing exactly what will be shared first."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from textual import work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Checkbox, Input, Label, Markdown, RadioButton, RadioSet
from textual.worker import Worker, WorkerState

from tui.errors import DebriefError
from tui.services.exporting import FORMATS, SUFFIXES, ExportOptions

from .base import Dialog, DialogProblem

FORMAT_NAMES = {"md": "Markdown", "html": "HTML page", "csv": "CSV (one row per mark)", "json": "JSON (everything)",
                "srt": "SRT subtitles", "vtt": "WebVTT subtitles"}


@dataclass(frozen=True)
class ExportChoice:
    options: ExportOptions
    path: Path


class ExportScreen(Dialog[ExportChoice | None]):
    """Choose format and safety options; the right side previews what leaves.

    `enter` (in a field) or `ctrl+s` writes the file, `esc` cancels.
    """

    FIRST = "#export-format"

    def __init__(self, default_folder: Path, stem: str, preview, terms: tuple[str, ...], context: float,
                 pre_roll: float, post_roll: float, tags: tuple[str, ...] = ()) -> None:
        """``preview(options) -> str`` renders Markdown of what ``options`` would share."""
        super().__init__()
        self._tags = tags
        """The session's tag vocabulary, offered to a mentor commenting in the HTML page."""
        self._folder, self._stem, self._preview = default_folder, stem, preview
        self._terms, self._context_seconds, self._rolls = terms, context, (pre_roll, post_roll)
        self._fmt = "md"

    def compose(self) -> ComposeResult:
        with Vertical(id="export-dialog"):
            yield Label("Export for a mentor", classes="dialog-heading")
            with Horizontal(id="export-body"):
                with VerticalScroll(id="export-options", can_focus=False):
                    with RadioSet(id="export-format"):
                        for fmt in FORMATS:
                            yield RadioButton(FORMAT_NAMES[fmt], value=fmt == "md", id=f"fmt-{fmt}")
                    yield Checkbox("De-identify (names → roles, redact)", id="export-deidentify")
                    yield Checkbox("Audio clip of each mark (HTML)", id="export-clips")
                    yield Input(placeholder="Only this tag (empty: every mark)", id="export-tag")
                with VerticalScroll(id="export-preview"):
                    yield Markdown("", id="export-markdown")
            with Horizontal(id="export-save"):
                yield Label("Save as", id="export-save-label")
                yield Input(str(self._path_for("md")), id="export-path")
            yield Label("enter or ctrl+s: export · esc: cancel · private notes never leave",
                        classes="dialog-hint", id="hint")

    def on_mount(self) -> None:
        self.query_one("#export-preview").border_title = "What will be shared"
        self._refresh_preview()

    def _path_for(self, fmt: str) -> Path:
        return self._folder / f"{self._stem}{SUFFIXES[fmt]}"

    def _options(self) -> ExportOptions:
        tag = self.query_one("#export-tag", Input).value.strip() or None
        return ExportOptions(
            fmt=self._fmt,
            context=self._context_seconds,
            deidentify=self.query_one("#export-deidentify", Checkbox).value,
            terms=self._terms,
            embed_clips=self.query_one("#export-clips", Checkbox).value and self._fmt == "html",
            tag=tag,
            pre_roll=self._rolls[0],
            post_roll=self._rolls[1],
            tags=self._tags,
        )

    def on_radio_set_changed(self, event: RadioSet.Changed) -> None:
        old = self._path_for(self._fmt)
        self._fmt = str(event.pressed.id).removeprefix("fmt-")
        path_input = self.query_one("#export-path", Input)
        if Path(path_input.value) == old:
            path_input.value = str(self._path_for(self._fmt))
        self._refresh_preview()

    def on_checkbox_changed(self, _event: Checkbox.Changed) -> None:
        self._refresh_preview()

    def on_input_changed(self, event: Input.Changed) -> None:
        self._typed()
        if event.input.id == "export-tag":
            self._refresh_preview()

    def _refresh_preview(self) -> None:
        self._render_preview(self._options())

    @work(thread=True, exclusive=True, group="preview", exit_on_error=False)
    def _render_preview(self, options: ExportOptions) -> str:
        # The preview never cuts audio: it shows the words and notes that would leave.
        return self._preview(replace(options, fmt="md", embed_clips=False))

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group != "preview":
            return
        markdown = self.query_one("#export-markdown", Markdown)
        if event.state == WorkerState.SUCCESS:
            markdown.update(event.worker.result)
        elif event.state == WorkerState.ERROR:
            error = event.worker.error
            reason = str(error) if isinstance(error, DebriefError) else repr(error)
            markdown.update(f"**This export would be refused:** {reason}")

    def result(self) -> ExportChoice:
        path = Path(self.query_one("#export-path", Input).value.strip()).expanduser()
        if not path.name:
            raise DialogProblem("Give the file a name.")
        return ExportChoice(self._options(), path)
