"""De-identified exports fail closed: no listed term or speaker name reaches any output."""

from __future__ import annotations

import html as html_module
import json
import re
import unicodedata

import pytest

from formats_fixtures import make_report, mark, replace, words
from tui.core.model import Segment, Speaker
from tui.errors import DebriefError
from tui.formats import csv_export, html, json_export, markdown, subtitles
from tui.formats.redact import RedactionPolicy, check_clean, check_report, deidentify, mute_spans

RENDERERS = {
    "html": html.render,
    "csv": csv_export.render,
    "srt": subtitles.render_srt,
    "vtt": subtitles.render_vtt,
    "md": markdown.render,
    "json": json_export.render,
}

ADVERSARIAL = [
    "Jayden",
    "JAYDEN",
    "jayden",
    "Jayden's",
    "JAYDEN'S",
    "Jayden’s",
    "Jaydens'",
    "Jaydens",
    "(Jayden)",
    "Jayden,",
    "“Jayden”",
    "Jay den",
    "Jay-den",
    "Jay\nden",
    "J.a.y.d.e.n",
    "J a y d e n",
    "J-A-Y-D-E-N",
    "Jáydén",
    "Ｊａｙｄｅｎ",
    "Jay\u200bden",
    "Jay\u00adden",
    "Jayden\u02bcs",
    "Jay<b>den</b>",
    "Jay\\_den",
    "#Jayden",
    "@jayden",
]


def letters(text: str) -> str:
    """What a reader sees once case, accents, spacing, markup and punctuation are ignored."""
    text = re.sub(r"<style>.*?</style>", "", text, flags=re.DOTALL)
    text = re.sub(r"<[^>]*>", "", html_module.unescape(text))
    text = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in text.casefold() if ch.isalnum() and not unicodedata.combining(ch))


def report_with(text: str):
    return make_report(
        [
            (1.0, 4.0, "S1", "Hi Sam, how was the week?"),
            (4.5, 9.0, "S2", f"Good. {text} finally read aloud at Lincoln Elementary."),
            (9.5, 12.0, "S1", "Tell me more about that."),
        ],
        marks=[mark("m1", 4.5, 9.0, tag="strength", note=f"{text} read aloud: worth noticing.")],
        intention=f"Look for how {text} responds.",
        summary="Next: ask Sam about Jayden's reading.",
        focus_goal="Wait time",
    )


POLICY_TERMS = ("Jayden", "Lincoln Elementary")


@pytest.mark.parametrize("spelling", ADVERSARIAL)
def test_every_spelling_of_a_listed_name_is_caught_by_the_final_gate(spelling):
    with pytest.raises(DebriefError, match="'Jayden' would survive in html export"):
        check_clean(f"<p>The note says {spelling} read well.</p>", RedactionPolicy(POLICY_TERMS), "html export")


@pytest.mark.parametrize("spelling", ADVERSARIAL)
@pytest.mark.parametrize("fmt", sorted(RENDERERS))
def test_deidentified_exports_hold_no_listed_term_in_any_spelling(spelling, fmt):
    report = report_with(spelling)
    policy = RedactionPolicy.for_reports(report, POLICY_TERMS)
    clean = deidentify(report, policy)
    out = RENDERERS[fmt](clean)
    check_clean(out, policy, f"{fmt} export")  # the gate passes...
    seen = letters(out)
    assert "jayden" not in seen  # ...because the name is really gone
    assert "lincolnelementary" not in seen
    assert "maria" not in seen and "sam" not in seen.replace("same", "")


@pytest.mark.parametrize(
    "text",
    ["Samantha came too", "the same thing", "it's am radio", "Jaydenville library", "Lincoln Park"],
)
def test_near_misses_are_not_flagged(text):
    """The gate is strict, not blind: a different word is not a leak."""
    check_clean(text, RedactionPolicy(("Jayden", "Lincoln Elementary", "Sam")), "html export")


def test_names_become_roles_and_title_and_path_go():
    report = report_with("Jayden")
    policy = RedactionPolicy.for_reports(report, POLICY_TERMS)
    clean = deidentify(report, policy)
    assert [sp.label for sp in clean.speakers] == ["Coach", "Teacher"]
    assert clean.info.title == "Session 2026-11-09"
    assert clean.info.path == "" and clean.info.tags == ()
    assert clean.transcript.segments[0].text == "Hi [Teacher], how was the week?"
    assert "[redacted]" in clean.transcript.segments[1].text
    page = html.render(clean)
    assert "Check-in with Sam" not in page and "/home/maria" not in page
    assert ">Coach<" in page and ">Teacher<" in page
    data = json.loads(json_export.render(clean))
    assert data["session"]["path"] == "" and data["session"]["title"] == "Session 2026-11-09"
    assert {s["name"] for s in data["stats"]["speakers"].values()} == {""}
    assert not any("Maria" in m["label"] for ms in data["stats"]["figures"].values() for m in ms)


def test_without_roles_speakers_are_numbered():
    report = make_report([(0, 1, "S1", "Hello Maria"), (1, 2, "S2", "Hi")], speakers=(("S1", "Maria", ""), ("S2", "Jo", "")))
    clean = deidentify(report, RedactionPolicy.for_reports(report, replace_names_with_roles=False))
    assert [sp.label for sp in clean.speakers] == ["Speaker 1", "Speaker 2"]
    assert clean.transcript.segments[0].text == "Hello [Speaker 1]"


def test_two_speakers_with_one_role_stay_apart():
    report = make_report([(0, 1, "S1", "a"), (1, 2, "S2", "b")], speakers=(("S1", "Ann", "client"), ("S2", "Bo", "client")))
    clean = deidentify(report, RedactionPolicy.for_reports(report))
    assert [sp.label for sp in clean.speakers] == ["Client 1", "Client 2"]


def test_display_names_from_an_imported_transcript_are_redacted_too():
    report = make_report([(0, 2, "S1", "Thanks Jane Doe for joining")], speakers=(("S1", "Maria", "coach"),))
    imported = report.transcript.__class__(
        segments=report.transcript.segments, speakers=(Speaker("S1", "Jane Doe"),), source="import:jane_doe_zoom.vtt"
    )
    report = report.__class__(report.info, report.speakers, imported, report.marks, report.stats)
    policy = RedactionPolicy.for_reports(report)
    assert "Jane Doe" in policy.names
    clean = deidentify(report, policy)
    assert clean.transcript.segments[0].text == "Thanks [Coach] for joining"
    assert clean.transcript.source == "import"
    check_clean(json_export.render(clean), policy, "json export")


def test_private_and_deleted_marks_never_leave():
    report = make_report(
        [(0, 5, "S1", "Hello there")],
        marks=[mark("a", 1, note="shareable"), mark("b", 2, note="PRIVATE THOUGHT", private=True)],
    )
    for render in (html.render, csv_export.render):
        assert "PRIVATE THOUGHT" not in render(report)
    clean = deidentify(report, RedactionPolicy.for_reports(report))
    assert [m.note for m in clean.marks] == ["shareable"]


def test_authors_become_numbered_reviewers():
    report = make_report([(0, 5, "S1", "x")], marks=[mark("a", 1, author="mlopez"), mark("b", 2, author="supervisor"),
                                                      mark("c", 3, author="mlopez")])
    clean = deidentify(report, RedactionPolicy.for_reports(report))
    assert [m.author for m in clean.marks] == ["Reviewer 1", "Reviewer 2", "Reviewer 1"]


def test_a_term_split_across_word_timings_is_removed_from_the_words():
    seg = Segment(10.0, 13.0, "Hi Jayden's mum", "S2", words(10.0, " Hi", " Jay", "den's", " mum"))
    report = make_report([seg], speakers=(("S2", "", "parent"),))
    policy = RedactionPolicy.for_reports(report, ("Jayden",))
    clean = deidentify(report, policy)
    texts = [w.text for w in clean.transcript.segments[0].words]
    assert texts == [" Hi", " [redacted]'s", " mum"]
    assert clean.transcript.segments[0].words[1].start == 10.5


def test_mute_spans_cover_the_words_of_a_term():
    seg = Segment(10.0, 13.0, "Hi Jayden's mum", "S2", words(10.0, " Hi", " Jay", "den's", " mum"))
    report = make_report([seg], speakers=(("S2", "", "parent"),))
    spans = mute_spans(report, RedactionPolicy.for_reports(report, ("Jayden",)), padding=0.2)
    assert spans == [(pytest.approx(10.3), pytest.approx(11.65))]


def test_mute_spans_take_the_whole_utterance_when_words_cannot_say_where():
    no_words = Segment(1.0, 3.0, "Jayden said so", "S1")
    disagreeing = Segment(5.0, 8.0, "I told Jayden", "S1", words(5.0, " I", " told", " Jade", " in"))
    other = Segment(9.0, 10.0, "Nothing here", "S1")
    report = make_report([no_words, disagreeing, other], speakers=(("S1", "", "coach"),))
    spans = mute_spans(report, RedactionPolicy.for_reports(report, ("Jayden",)), padding=0.0)
    assert spans == [(1.0, 3.0), (5.0, 8.0)]


def test_speaker_names_are_muted_too():
    report = make_report([(1.0, 3.0, "S1", "Hi Sam."), (3.5, 5.0, "S2", "Hello.")])
    spans = mute_spans(report, RedactionPolicy.for_reports(report), padding=0.0)
    assert spans == [(1.0, 3.0)]


def test_the_gate_refuses_an_export_that_was_not_deidentified():
    report = report_with("Jayden")
    policy = RedactionPolicy.for_reports(report, POLICY_TERMS)
    with pytest.raises(DebriefError, match=r"would survive in csv export \(line \d+\)"):
        check_clean(csv_export.render(report), policy, "csv export")
    leaky = replace(deidentify(report, policy), marks=(mark("m9", 9.5, note="Call Jayden's mum"),))
    with pytest.raises(DebriefError, match=r"'Jayden' would survive in mark 1 \(00:09\) note"):
        check_report(leaky, policy)


def test_the_gate_reads_through_escapes_of_every_format():
    policy = RedactionPolicy(("Jayden",))
    for leaked in ("Jay&#100;en", "Jay&#x64;en", "\\u004aayden", "Jay&shy;den", "Jay\\nden", "Jay&lt;i&gt;den"):
        with pytest.raises(DebriefError):
            check_clean(f"prefix {leaked} suffix", policy, "export")


def test_embedded_audio_is_not_read_as_text():
    policy = RedactionPolicy(("ab", "Jayden"))
    check_clean('<audio src="data:audio/ogg;base64,AB+ab/Jayden+AB=="></audio>', policy, "html export")


def test_a_term_too_short_to_search_for_is_refused():
    with pytest.raises(DebriefError, match="too short"):
        RedactionPolicy(("J",))


def test_a_term_that_matches_its_own_replacement_fails_closed():
    report = make_report([(0, 2, "S1", "The word redacted appears")], speakers=(("S1", "", "coach"),))
    with pytest.raises(DebriefError):
        deidentify(report, RedactionPolicy.for_reports(report, ("redacted",)))


def test_real_session_deidentified_html_with_muted_clips(short_workspace):
    """End to end on the sample: the teacher's name is gone from the page and silent in the clip."""
    import base64
    import io

    import av
    import numpy as np

    from tui.core.model import Mark
    from tui.media.clips import clip_bounds, encode_clip

    ws = short_workspace
    ws.annotations.add_mark(Mark("m1", 1.0, 6.0, "opening", "Opened with Sam's name; fine.", "maria"))
    report = ws.report()
    policy = RedactionPolicy.for_reports(report, ("Monday", "Wednesday"))
    clean = deidentify(report, policy)
    spans = mute_spans(report, policy)
    assert (pytest.approx(0.6), pytest.approx(6.812)) in spans  # "Hi Sam …" has no word timings: whole utterance
    start, end = clip_bounds(1.0, 6.0, pre_roll=1.0, post_roll=7.0, duration=report.info.duration)
    clip = encode_clip(ws.recording, start, end, mute=spans)
    page = html.render(clean, clips={clean.marks[0].id: clip})
    check_clean(page, policy, "html export")
    text = re.sub(r"base64,[A-Za-z0-9+/=]+", "", page)
    assert "Sam" not in text and "Maria" not in text and "Monday" not in text
    assert str(ws.recording) not in text and "[Teacher]" in text
    embedded = base64.b64decode(re.search(r"base64,([A-Za-z0-9+/=]+)", page).group(1))
    with av.open(io.BytesIO(embedded)) as container:
        pcm = np.concatenate([f.to_ndarray().reshape(-1) for f in container.decode(audio=0)])
    rate = 48000
    muted = pcm[int((0.62 - start) * rate) : int((6.79 - start) * rate)]
    after = pcm[int((10.0 - start) * rate) : int((12.0 - start) * rate)]
    assert np.sqrt(np.mean(muted**2)) < 1e-3
    assert np.sqrt(np.mean(after**2)) > 1e-3  # the silence is the mute, not a broken clip
