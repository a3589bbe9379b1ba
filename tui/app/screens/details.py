"""Session details: title, date, consent, tags and the client's outcome measures."""

from __future__ import annotations

from dataclasses import dataclass

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Input, Label, Select

from tui.core.details import Measure, SessionDetails, format_measures, parse_measures, parse_tags
from tui.errors import DebriefError

from .base import Dialog, DialogProblem

CONSENT_CHOICES = [("Not recorded", ""), ("Yes, consent given", "yes"), ("No, consent refused", "no")]


@dataclass(frozen=True)
class DetailsResult:
    details: SessionDetails
    measures: tuple[Measure, ...]


class DetailsScreen(Dialog[DetailsResult | None]):
    """Edit what is known about the session: `enter` or `ctrl+s` saves, `tab` moves, `esc` cancels."""

    FIRST = "#details-title"

    def __init__(self, details: SessionDetails, measures: tuple[Measure, ...], speakers: str,
                 default_title: str, default_date: str) -> None:
        super().__init__()
        self._details, self._measures, self._speakers = details, measures, speakers
        self._default_title, self._default_date = default_title, default_date

    def compose(self) -> ComposeResult:
        d = self._details
        with Vertical(id="details-dialog"):
            yield Label("Session details", classes="dialog-heading")
            with VerticalScroll(id="details-fields", can_focus=False):
                yield Label(f"Participants: {self._speakers}  (R on an utterance names its speaker)",
                            classes="dialog-label")
                yield Label("Title", classes="dialog-label")
                yield Input(d.title, placeholder=self._default_title, id="details-title")
                yield Label("Date", classes="dialog-label")
                yield Input(d.date, placeholder=self._default_date or "YYYY-MM-DD", id="details-date")
                yield Label("Consent to record and share", classes="dialog-label")
                with Horizontal(classes="details-row"):
                    yield Select(CONSENT_CHOICES, value=d.consent, allow_blank=False, id="details-consent")
                    yield Input(d.consent_date, placeholder="date consent was given", id="details-consent-date")
                yield Label("Tags (comma separated)", classes="dialog-label")
                yield Input(", ".join(d.tags), placeholder="e.g. term 2, science, feedback", id="details-tags")
                yield Label("Outcome measures this session", classes="dialog-label")
                with Vertical(id="details-measures"):
                    for m in self._measures:
                        value = d.outcomes.get(m.name)
                        yield Input("" if value is None else f"{value:g}",
                                    placeholder=f"{m.name} ({m.low:g}–{m.high:g})",
                                    id=f"measure-{self._measures.index(m)}", type="number")
                yield Label("Measures used in this library (NAME LOW-HIGH, comma separated)", classes="dialog-label")
                yield Input(format_measures(self._measures), id="details-measure-names")
            yield Label("enter: save · tab: next field · esc: cancel", classes="dialog-hint", id="hint")

    def on_mount(self) -> None:
        super().on_mount()
        # Focusing the title scrolls it to the top edge; show the participants line above it too.
        self.call_after_refresh(self.query_one("#details-fields").scroll_home, animate=False)

    def _result(self) -> DetailsResult:
        measures = parse_measures(self.query_one("#details-measure-names", Input).value)
        outcomes: dict[str, float] = {}
        for i, old in enumerate(self._measures):
            text = self.query_one(f"#measure-{i}", Input).value.strip()
            if not text:
                continue
            name = old.name
            measure = next((m for m in measures if m.name == name), None)
            if measure is None:
                continue  # the measure was removed from the library's list
            try:
                outcomes[name] = measure.check(float(text))
            except ValueError:
                raise DebriefError(f"{name} must be a number, not {text!r}") from None
        consent = self.query_one("#details-consent", Select).value
        details = SessionDetails(
            title=self.query_one("#details-title", Input).value.strip(),
            date=self.query_one("#details-date", Input).value.strip(),
            consent=consent if isinstance(consent, str) else "",
            consent_date=self.query_one("#details-consent-date", Input).value.strip(),
            tags=parse_tags(self.query_one("#details-tags", Input).value),
            outcomes=outcomes,
        )
        return DetailsResult(details, measures)

    def result(self) -> DetailsResult:
        try:
            return self._result()
        except DebriefError as exc:
            raise DialogProblem(str(exc)) from None

