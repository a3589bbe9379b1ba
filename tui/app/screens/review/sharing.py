"""What leaves or frames the session: `e` export for a mentor, `i` reflection, `I` session details."""

from __future__ import annotations

from textual import work

from ..details import DetailsResult, DetailsScreen
from ..export import ExportChoice, ExportScreen
from ..reflection import Reflection, ReflectionScreen
from .messages import Exported, Failed


class SharingKeys:
    """Mixed into :class:`~tui.app.screens.review.screen.ReviewScreen`: export, reflection, details."""

    def action_export(self) -> None:
        from tui.services.exporting import export  # numpy, PyAV and every format: only when exporting

        review, config = self.review, self.app.config
        if not review.segments:
            self.notify("Nothing to export before the transcript is ready.", timeout=3)
            return
        workspace = review.workspace
        folder = workspace.library.db_path.parent / "exports"
        stem = "-".join(f"{workspace.recording.stem} notes".split())  # no spaces: easy to type and attach
        terms = (*config.redaction_terms, *review.redaction_terms())

        def preview(options) -> str:
            return export([(workspace.report(), workspace.recording)], options).text

        def chosen(choice: ExportChoice | None) -> None:
            if choice is not None:
                self._write_export(choice)

        self.app.push_screen(ExportScreen(folder, stem, preview, terms, config.context_seconds,
                                          config.clip_pre_roll, config.clip_post_roll,
                                          tuple(tag.name for tag in self._tags)), chosen)

    @work(thread=True, group="export", exit_on_error=False)
    def _write_export(self, choice: ExportChoice) -> None:
        from tui.services.exporting import export, protected_paths, save

        workspace = self.review.workspace
        try:
            result = export([(workspace.report(), workspace.recording)], choice.options)
            save(result, choice.path, protect=protected_paths(workspace.library, [workspace.recording]))
        except Exception as exc:  # told to the reviewer, never a crash
            self.post_message(Failed("Export refused", exc))
            return
        self.post_message(Exported(choice.path, result.marks, result.warnings))

    def on_exported(self, message: Exported) -> None:
        self.notify(f"Wrote {message.path} ({message.marks} mark(s)); it is private to you.", timeout=6)
        for warning in message.warnings:
            self.notify(warning, title="Before you share it", severity="warning", timeout=10)

    def action_details(self) -> None:
        workspace = self.review.workspace
        speakers = ", ".join(f"{sp.label} ({sp.role})" if sp.role and sp.name else sp.label
                             for sp in self.review.speakers) or "not known yet"

        def done(result: DetailsResult | None) -> None:
            if result is not None:
                self._save(lambda: self.review.session_details(result.details, result.measures),
                           lambda _: self.notify("Session details saved.", timeout=3))

        self.app.push_screen(DetailsScreen(workspace.details(), workspace.measures(), speakers,
                                           workspace.info.title, workspace.info.date), done)

    def action_reflect(self) -> None:
        current = self.review.reflection()

        def done(result: Reflection | None) -> None:
            if result is not None and (result.focus_goal, result.intention, result.summary) != current:
                self._save(lambda: self.review.set_reflection(result.focus_goal, result.intention, result.summary),
                           lambda _: self.notify("Reflection saved; it goes at the top of every export.", timeout=3))

        suggested, mentor, _ = self.review.suggested_practice or ("", "", "")
        self.app.push_screen(ReflectionScreen(Reflection(*current), suggested, mentor), done)
