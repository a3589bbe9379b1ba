"""A client whose name is a word of Debrief's own wording (Mark, Will, Date…) still gets a
de-identified export, and a real leak of that name is still refused, in every format."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest

from formats_fixtures import make_report, mark
from test_redact import letters as seen_letters
from tui.core.feedback import SOURCE as FEEDBACK
from tui.errors import DebriefError
from tui.formats.redact import RedactionPolicy, blanks_for, check_clean, deidentify
from tui.services import exporting
from tui.services.exporting import FORMATS, ExportOptions, export

TEMPLATE_WORDS = ("Mark", "Date", "Speaker", "Talk", "Summary", "Note", "Will")

IN_OWN_WORDING = {
    "md": ("Mark", "Date", "Speaker", "Talk", "Summary"),
    "html": ("Mark", "Date", "Speaker", "Talk", "Summary", "Note", "Will"),
    "csv": ("Mark", "Date", "Speaker", "Summary", "Note"),
    "json": ("Mark", "Date", "Speaker", "Talk", "Summary", "Note"),
    "srt": (),
    "vtt": ("Summary", "Note"),
}
"""Which of the words Debrief's own export wording holds, format by format (checked below)."""

RECORDING = Path("/nonexistent/session.ogg")  # no clip is cut, so the recording is never read


def letters(text: str) -> str:
    """What a reader sees (test_redact's reading), without the page's own script."""
    return seen_letters(re.sub(r"<script>.*?</script>", "", text, flags=re.DOTALL))


def client_named(name: str):
    return make_report(
        [
            (1.0, 4.0, "S1", "Hi, how was the week?"),
            (4.5, 9.0, "S2", f"Good. {name} read aloud today."),
            (9.5, 12.0, "S1", "Tell me more about that."),
        ],
        marks=[mark("m1", 4.5, 9.0, tag="strength", note=f"{name} read aloud: worth noticing.")],
        title=f"Check-in about {name}",
        intention=f"Look for how {name} responds.",
        summary=f"Next: ask {name} about reading.",
        focus_goal="Wait time",
    )


def deidentified(fmt: str, name: str, **options) -> str:
    return export([(client_named(name), RECORDING)], ExportOptions(fmt, deidentify=True, terms=(name,), **options)).text


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_words_really_are_debriefs_own_wording(fmt):
    """Without telling the two apart, the gate refuses exactly these words: the cases below matter."""
    report = client_named("Jayden")
    clean = deidentify(report, RedactionPolicy.for_reports(report, ("Jayden",)))
    text = exporting._render([clean], ExportOptions(fmt), None, "")
    refused = []
    for word in TEMPLATE_WORDS:
        try:
            check_clean(text, RedactionPolicy((word,)), "export")
        except DebriefError:
            refused.append(word)
    assert tuple(refused) == IN_OWN_WORDING[fmt]


@pytest.mark.parametrize("name", TEMPLATE_WORDS)
@pytest.mark.parametrize("fmt", FORMATS)
def test_a_client_named_like_a_template_word_gets_a_deidentified_export(fmt, name):
    out = letters(deidentified(fmt, name))
    term = name.casefold()
    for said in (f"{term}readaloud", f"ask{term}about", f"about{term}", f"howdoes{term}"):
        assert said not in out
    assert "redactedreadaloud" in out  # the client's line is there, without the name


def test_the_page_script_needs_no_exception_of_its_own():
    """'will' and 'state' are in the reviewer mode's script; nothing special-cases it any more."""
    page = deidentified("html", "State")
    assert "<script>" in page and "redactedreadaloud" in letters(page)


# -- a real leak is still refused --------------------------------------------------------


def _note(report, name):
    return replace(report, marks=tuple(m.with_changes(note=f"{name} read aloud.") for m in report.marks))


def _title(report, name):
    return replace(report, info=replace(report.info, title=f"Session with {name}"))


def _utterance(report, name):
    segs = report.transcript.segments
    segs = (replace(segs[0], text=f"Hi {name}, how was the week?"), *segs[1:])
    return replace(report, transcript=replace(report.transcript, segments=segs))


def _summary(report, name):
    return replace(report, summary=f"Ask {name} next time.")


def _date(report, name):
    return replace(report, info=replace(report.info, date=f"{name} 2026-11-09"))


def _tag(report, name):
    return replace(report, marks=tuple(m.with_changes(tag=name.lower()) for m in report.marks))


def _speaker(report, name):
    speakers = tuple(replace(sp, role=name) if sp.id == "S2" else sp for sp in report.speakers)
    return replace(report, speakers=speakers)


def _mentor(report, name):
    return replace(report, marks=tuple(m.with_changes(author=name, source=FEEDBACK) for m in report.marks))


LEAKS = {
    "note": (_note, ("md", "html", "csv", "json")),
    "title": (_title, ("md", "html", "csv", "json")),
    "utterance": (_utterance, FORMATS),
    "summary": (_summary, ("md", "html", "csv", "json", "vtt")),
    "date": (_date, ("md", "html", "csv", "json")),
    "tag": (_tag, ("md", "html", "csv", "json")),
    "speaker": (_speaker, FORMATS),
    "mentor": (_mentor, ("md", "html", "csv", "json")),
}

CASES = [(fmt, site) for site, (_, formats) in LEAKS.items() for fmt in formats]


@pytest.mark.parametrize(("fmt", "site"), CASES)
def test_a_name_deidentify_missed_is_still_refused(monkeypatch, fmt, site):
    """'Mark' is also in the templates ("Marks: 4"), yet a Mark the session put there is caught."""
    leak, _ = LEAKS[site]
    real = exporting.deidentify
    monkeypatch.setattr(exporting, "deidentify", lambda report, policy: leak(real(report, policy), "Mark"))
    with pytest.raises(DebriefError, match=rf"'Mark' would survive in the {fmt} export \(line \d+\)"):
        deidentified(fmt, "Mark")


def test_a_leak_in_the_heading_or_the_tag_vocabulary_is_refused():
    report = client_named("Mark")
    report = replace(report, marks=tuple(m.with_changes(tag="mark") for m in report.marks))
    with pytest.raises(DebriefError, match="'Mark' would survive in the md export"):
        export([(report, RECORDING)], ExportOptions("md", deidentify=True, terms=("Mark",), tag="mark"))
    with pytest.raises(DebriefError, match="'Mark' would survive in the html export"):
        deidentified("html", "Mark", tags=("strength", "mark-moments"))


def test_a_leak_beside_a_template_word_on_its_line_is_refused():
    policy = RedactionPolicy(("Mark",))
    blanks = blanks_for(policy)
    blank = f"- **Marks:** 4 {blanks.text('Mark')}\n"
    check_clean("- **Marks:** 4 Jayd\n", policy, "md export", blank=blank, blanks=blanks)
    with pytest.raises(DebriefError, match=r"'Mark' would survive in md export \(line 1\)"):
        check_clean("- **Marks:** 4 Mark\n", policy, "md export", blank=blank, blanks=blanks)
    with pytest.raises(DebriefError, match=r"\(line 2\)"):  # the renderings do not line up: every match refuses
        check_clean("x\n- **Marks:** 4\n", policy, "md export", blank="- **Marks:** 4\n", blanks=blanks)


def test_the_blank_copy_keeps_debriefs_ids_and_the_feedback_tags():
    """Exports order marks at one time by id, and a mentor's overall note and look-fors answer both
    sit at 0:00: blanked ids could sort them the other way round, shifting every line after them
    (seen: `--deidentify --redact Mark` refused after a feedback import)."""
    blank = blanks_for(RedactionPolicy(terms=("Mark",)))
    assert blank.text("0123456789abcdef" * 2, "id") == "0123456789abcdef" * 2
    assert blank.text("feedback", "tag") == "feedback" and blank.text("look-fors", "tag") == "look-fors"
    assert blank.text("Mark's session", "title") != "Mark's session"

