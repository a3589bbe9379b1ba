"""The HTML export: self-contained, complete, safe to open, small with its clips."""

from __future__ import annotations

import base64
import re
from collections import Counter
from html.parser import HTMLParser

import pytest

from conftest import SAMPLES
from formats_fixtures import long_report, make_report, mark, replace
from tui.errors import DebriefError
from tui.formats import html
from tui.formats.html_review_script import SCRIPT
from tui.formats.scope import only_tag


class Page(HTMLParser):
    """What a browser would build: tags, attributes, ids, visible text."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.text: list[str] = []
        self._skip = 0
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag in ("style", "title", "script"):
            self._skip += 1

    def handle_endtag(self, tag):
        if tag in ("style", "title", "script"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.text.append(data)

    @property
    def visible(self) -> str:
        return " ".join(" ".join(self.text).split())

    def all(self, name: str) -> list[dict[str, str]]:
        return [attrs for tag, attrs in self.tags if tag == name]


SEGMENTS = [
    (0.0, 4.0, "S1", "Hi Sam. How did the lab go?"),
    (5.0, 9.0, "S2", "Better than I expected."),
    (30.0, 34.0, "S1", "What did you notice about the recorders?"),
    (36.0, 40.0, "S2", "They wrote everything down."),
    (60.0, 64.0, "S1", "What would you try next time?"),
    (90.0, 95.0, "S2", "A reason to share the notes."),
]


def sample(**extra):
    marks = [
        mark("late", 60.0, 64.0, "strength", "Open question,\nthen waited.", "supervisor"),
        mark("early", 30.0, None, "growth-edge", "Closed <b>question</b> & no wait", "maria"),
        mark("secret", 36.0, None, "private", "PRIVATE THOUGHT", "maria", private=True),
    ]
    return make_report(SEGMENTS, marks=marks, duration=100.0, **extra)


def without_script(page: str) -> str:
    """The page as a browser without JavaScript reads it."""
    return re.sub(r"<script>.*?</script>", "", page, flags=re.DOTALL)


def test_no_external_requests_of_any_kind():
    page = html.render(sample(), clips={"early": b"OggS-fake", "late": b"OggS-fake"})
    without_audio = re.sub(r"data:audio/ogg;base64,[A-Za-z0-9+/=]+", "data:audio", page)
    assert not re.search(r"https?:|//", without_audio), "a URL or protocol-relative reference"
    assert "<link" not in page.lower()
    assert len(re.findall(r"<script", page, re.I)) == 1 and "<script>" in page  # the reviewer mode, inline
    assert "url(" not in page and "@import" not in page
    parsed = Page(page)
    for tag, attrs in parsed.tags:
        for name in ("src", "href", "action", "poster", "srcset", "xlink:href"):
            if name in attrs:
                assert attrs[name].startswith(("data:audio/", "#")), (tag, name, attrs[name][:40])
    csp = [a["content"] for a in parsed.all("meta") if a.get("http-equiv") == "Content-Security-Policy"]
    assert csp and csp[0].startswith("default-src 'none'")
    assert "unsafe-inline" not in csp[0].split("script-src")[1] and "unsafe-eval" not in csp[0]


def test_header_reflection_figures_then_marks_in_time_order():
    report = sample(
        intention="Watch the wait after each question.",
        summary="Waits grew longer.\nNext: plan two open questions.",
        focus_goal="Wait time",
    )
    text = Page(html.render(report)).visible
    order = ["Check-in with Sam", "2026-11-09", "01:40", "Maria (coach)", "Sam (teacher)", "Wait time",
             "Watch the wait after each question.", "Next: plan two open questions.", "Key figures",
             "Moments", "00:30", "growth-edge", "Closed <b>question</b> & no wait", "maria",
             "01:00–01:04", "strength", "Open question, then waited.", "supervisor"]
    at = 0
    for item in order:
        found = text.find(item, at)
        assert found >= 0, f"{item!r} missing or out of order"
        at = found + len(item)
    assert "PRIVATE THOUGHT" not in text


def test_reflection_is_left_out_when_empty():
    page = without_script(html.render(sample()))
    assert "look-fors" not in page and "Focus goal" not in page


def test_transcript_lines_around_each_mark_with_speakers_and_the_marked_ones_flagged():
    page = html.render(sample(), context=15.0)
    moments = re.findall(r'<article class="moment".*?</article>', page, re.DOTALL)
    assert len(moments) == 2
    first = Page(moments[0]).visible
    assert "Maria What did you notice about the recorders?" in first
    assert "Sam They wrote everything down." in first
    assert "Better than I expected" not in first  # 21 s before the mark
    inside = re.findall(r'<li class="inside"[^>]*>.*?</li>', moments[0])
    assert len(inside) == 1 and "recorders" in inside[0]
    narrow = html.render(sample(), context=0.0)
    first_narrow = re.findall(r'<article class="moment".*?</article>', narrow, re.DOTALL)[0]
    assert "They wrote everything down" not in first_narrow


def test_text_is_escaped_not_run():
    report = sample()
    evil = mark("x", 5.0, None, "<img src=x onerror=alert(1)>", "</article><script>alert(1)</script>", "a&b")
    page = html.render(replace(report, marks=report.marks + (evil,)))
    assert re.findall(r"<script>(.*?)</script>", page, re.DOTALL) == [SCRIPT]  # only the page's own
    assert "<img" not in page
    assert "&lt;/article&gt;&lt;script&gt;" in page and "a&amp;b" in page


def test_clips_are_embedded_as_players_for_their_marks_only():
    page = html.render(sample(), clips={"early": b"\x00clip-bytes\xff"}, clip_mime="audio/webm")
    players = Page(page).all("audio")
    assert len(players) == 1 and "controls" in players[0]
    src = players[0]["src"]
    assert src.startswith("data:audio/webm;base64,")
    assert base64.b64decode(src.split(",", 1)[1]) == b"\x00clip-bytes\xff"
    first = re.findall(r'<article class="moment".*?</article>', page, re.DOTALL)[0]
    assert "<audio" in first
    with pytest.raises(DebriefError, match="not an audio MIME type"):
        html.render(sample(), clips={"early": b"x"}, clip_mime='text/html"><script>')


def test_charts_are_inline_svg_and_flags_link_to_their_moments():
    page = html.render(sample())
    parsed = Page(page)
    assert len(parsed.all("svg")) == 2
    ids = [a["id"] for _, a in parsed.tags if "id" in a]
    assert not [i for i, n in Counter(ids).items() if n > 1]
    links = [a["href"][1:] for a in parsed.all("a")]
    assert links == ["mark-1", "mark-2"] and set(links) <= set(ids)
    talk = re.search(r'<svg[^>]*aria-label="Talk time by speaker".*?</svg>', page, re.DOTALL).group(0)
    widths = [float(w) for w in re.findall(r'<rect class="s\d" x="[\d.]+" y="[\d.]+" width="([\d.]+)"', talk)]
    stats = sample().stats.speakers
    assert widths[0] / widths[1] == pytest.approx(stats["S1"].talk_share / stats["S2"].talk_share, rel=0.01)


def test_a_series_is_one_document_with_every_session():
    first = sample()
    second = replace(sample(), info=replace(first.info, title="Follow-up", date="2026-11-16"))
    page = html.render([first, second], heading="Autumn coaching cycle")
    parsed = Page(page)
    text = parsed.visible
    assert "Autumn coaching cycle" in text and text.index("Check-in with Sam") < text.index("Follow-up")
    ids = [a["id"] for _, a in parsed.tags if "id" in a]
    assert len(ids) == len(set(ids))
    assert {a["href"][1:] for a in parsed.all("a")} <= set(ids)


def test_a_tag_across_sessions():
    first = sample()
    second = replace(sample(), info=replace(first.info, title="Follow-up"), marks=(mark("z", 5.0, None, "strength"),))
    page = html.render(only_tag([first, second], "growth-edge"), heading="All growth-edge moments")
    text = Page(page).visible
    assert "growth-edge" in text and "strength" not in text.replace("All growth-edge moments", "")
    assert "Follow-up" not in text  # no growth-edge moment there
    with pytest.raises(DebriefError, match="No mark is tagged 'absent'"):
        only_tag([first, second], "absent")


def test_an_hour_with_twenty_clips_stays_well_under_ten_megabytes():
    from tui.media.clips import clip_bounds, encode_clip

    report = long_report(minutes=60, marks=20)
    start, end = clip_bounds(100.0, 115.0)  # 5 s before, 10 s after: 30 s
    clip = encode_clip(SAMPLES / "coaching_session.ogg", start, end)
    page = html.render(report, clips={m.id: clip for m in report.marks})
    size = len(page.encode("utf-8"))
    print(f"\n60-min session, 20 marks, 20 x {end - start:.0f} s clips of {len(clip) / 1024:.0f} KiB: "
          f"HTML {size / 1_048_576:.2f} MiB")
    assert len(Page(page).all("audio")) == 20
    assert size < 5 * 1_048_576


# -- the reviewer mode (what the script is given; tests/test_feedback_browser.py drives it) --------------


def csp_of(page: str) -> str:
    return [a["content"] for a in Page(page).all("meta") if a.get("http-equiv") == "Content-Security-Policy"][0]


def test_the_one_inline_script_runs_by_its_hash_and_nothing_else_can():
    import hashlib

    page = html.render(sample())
    script = re.findall(r"<script>(.*?)</script>", page, re.DOTALL)
    assert script == [SCRIPT]
    digest = base64.b64encode(hashlib.sha256(script[0].encode()).digest()).decode()
    policy = csp_of(page)
    assert f"script-src 'sha256-{digest}'" in policy
    assert policy.startswith("default-src 'none';") and "connect-src" not in policy
    assert "'unsafe-inline'" not in policy.split("script-src")[1]


def test_without_javascript_the_page_reads_exactly_as_without_the_reviewer_mode():
    report = sample(intention="Watch the wait after each question.")
    with_mode, without = html.render(report), html.render(report, feedback=False)
    assert "<script" not in without and "script-src" not in csp_of(without)
    assert Page(with_mode).visible == Page(without).visible
    assert html.render(report, feedback=False) == without


def test_a_series_page_has_no_reviewer_mode():
    first = sample()
    second = replace(sample(), info=replace(first.info, id="cafe01", title="Follow-up"))
    page = html.render([first, second])
    assert "<script" not in page and "script-src" not in csp_of(page)


def test_the_script_gets_the_session_id_title_vocabulary_and_anchors():
    import json

    report = sample(intention="Watch the wait.")
    page = html.render(report, tags=("growth-edge", "missed-question"))
    main = Page(page).all("main")[0]
    assert main["data-session-id"] == "feedbeef" and main["data-title"] == "Check-in with Sam"
    vocabulary = json.loads(main["data-tags"])
    # configured, then the feedback words, then those in use (a private mark's tag never leaves)
    assert vocabulary == ["growth-edge", "missed-question", "strength", "try-instead", "question"]
    articles = Page(page).all("article")
    assert [(a["data-start"], a["data-end"], a["data-mark"]) for a in articles] == [
        ("30.0", "", "early"), ("60.0", "64.0", "late")]
    lines = [a for a in Page(page).all("li") if "data-start" in a]
    assert ("30.0", "34.0") in [(a["data-start"], a["data-end"]) for a in lines]
    assert len(Page(page).all("section")) >= 1 and any("data-look-fors" in a for a in Page(page).all("section"))
    in_use = replace(report, marks=report.marks + (mark("own", 70.0, None, "aha"),))
    assert json.loads(Page(html.render(in_use)).all("main")[0]["data-tags"]) == [
        "strength", "growth-edge", "try-instead", "question", "aha"]  # no vocabulary given: feedback words, in use


def test_a_hostile_title_or_tag_stays_inside_its_attribute():
    report = sample()
    evil = replace(report, info=replace(report.info, title='x" onload="alert(1)"><script>alert(2)</script>'),
                   marks=report.marks + (mark("t", 5.0, None, '"><b>tag'),))
    page = html.render(evil)
    main = Page(page).all("main")[0]
    assert set(main) == {"data-session-id", "data-title", "data-tags"}
    assert main["data-title"].startswith('x" onload=')
    assert re.findall(r"<script>(.*?)</script>", page, re.DOTALL) == [SCRIPT]


def test_a_mentors_comment_says_it_is_feedback_from_them():
    from tui.core.model import Mark

    report = sample()
    comment = Mark("fb1", 31.0, None, "try-instead", "Wait five seconds.", "Dana Mentor", "2026-11-10T09:00:00",
                   "2026-11-10T09:00:00", source="feedback")
    text = Page(html.render(replace(report, marks=report.marks + (comment,)))).visible
    assert "try-instead Wait five seconds. Feedback from Dana Mentor · 2026-11-10 09:00" in text
