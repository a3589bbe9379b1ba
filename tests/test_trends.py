"""Progress across sessions: figures, outcome measures, details."""

from __future__ import annotations

import pytest
from conftest import SAMPLES, truth_transcript

from tui.core.analytics import session_stats
from tui.core.details import DEFAULT_MEASURES, Measure, SessionDetails, parse_measures, parse_tags
from tui.core.model import Speaker
from tui.core.trends import describe, measure_series, practitioner, series
from tui.errors import DebriefError


def coaching_stats(name: str):
    transcript, data = truth_transcript(name)
    named = tuple(Speaker(s["id"], s["name"], s["role"]) for s in data["speakers"])
    from dataclasses import replace

    return session_stats(replace(transcript, speakers=named))


def test_the_practitioner_is_found_by_role():
    stats = coaching_stats("coaching_session")
    assert practitioner(stats) == "S1"


def test_series_follow_the_practitioner_and_leave_gaps():
    a, b = coaching_stats("short_session"), coaching_stats("coaching_session")
    waits = series([a, None, b], "wait")
    assert waits[1] is None and waits[0] == a.speakers["S1"].wait_after_questions.median_seconds
    talk = series([a, b], "talk_share")
    assert talk == [pytest.approx(a.speakers["S1"].talk_share * 100), pytest.approx(b.speakers["S1"].talk_share * 100)]


@pytest.mark.parametrize(("values", "text"), [([None], "no data yet"), ([2.1, None, 2.7], "2.1 → 2.7 s"),
                                              ([1, 2, 3, 4, 5, 6], "… → 2 → 3 → 4 → 5 → 6 s")])
def test_describe(values, text):
    assert describe(values, "s") == text


def test_outcome_measures():
    assert measure_series([{"ORS": 22.0}, {}, {"ORS": 31.0}], "ORS") == [22.0, None, 31.0]
    assert parse_measures("ORS 0-40, SRS 0–40, Mood 1-10") == (Measure("ORS", 0, 40), Measure("SRS", 0, 40),
                                                              Measure("Mood", 1, 10))
    for bad in ("ORS", "ORS 40-0", "ORS 0-40, ors 0-10", "0-40"):
        with pytest.raises(DebriefError):
            parse_measures(bad)
    with pytest.raises(DebriefError, match="between 0 and 40"):
        DEFAULT_MEASURES[0].check(41)


def test_details_round_trip_and_tags():
    d = SessionDetails("T", "2026-11-01", "yes", "2026-10-30", parse_tags("science, term 2, science"), {"ORS": 30.0})
    assert d.tags == ("science", "term 2")
    assert SessionDetails.from_dict(d.to_dict()) == d
    assert SessionDetails.from_dict({"consent": "maybe", "outcomes": {"ORS": "x"}}) == SessionDetails()


def test_details_saved_durably_and_out_of_range_refused(short_workspace):
    short_workspace.save_details(SessionDetails(consent="yes", outcomes={"ORS": 30.5}), DEFAULT_MEASURES)
    assert short_workspace.details().outcomes == {"ORS": 30.5}
    with pytest.raises(DebriefError, match="between"):
        short_workspace.save_details(SessionDetails(outcomes={"ORS": 99}), DEFAULT_MEASURES)
    assert short_workspace.details().outcomes == {"ORS": 30.5}
    report = short_workspace.report()
    assert report.consent == "yes" and report.outcomes == {"ORS": 30.5}


def test_export_warns_without_consent_and_refuses_when_refused(short_workspace):
    from tui.services.exporting import ExportOptions, export

    pair = [(short_workspace.report(), short_workspace.recording)]
    assert any("consent" in w for w in export(pair, ExportOptions("md")).warnings)
    short_workspace.save_details(SessionDetails(consent="no"), DEFAULT_MEASURES)
    pair = [(short_workspace.report(), short_workspace.recording)]
    with pytest.raises(DebriefError, match="refused"):
        export(pair, ExportOptions("md"))
    assert export(pair, ExportOptions("md", deidentify=True)).text


async def test_library_shows_measures_trends_and_goal(tmp_path):
    import shutil

    from textual.widgets import Sparkline

    from app_helpers import make_library_app
    from tui.services.workspace import open_recording

    for name, date, ors in (("short_session", "2026-10-01", 22.0), ("coaching_session", "2026-10-15", 27.0)):
        rec = tmp_path / f"{name}.ogg"
        shutil.copy(SAMPLES / f"{name}.ogg", rec)
        ws = open_recording(rec)
        transcript, data = truth_transcript(name)
        ws.save_transcript(transcript)
        ws.annotations.set("speakers", {s["id"]: {"name": s["name"], "role": s["role"]} for s in data["speakers"]})
        ws.save_details(SessionDetails(date=date, consent="yes", outcomes={"ORS": ors}), DEFAULT_MEASURES)
    ws.library.set("focus_goal", "Wait 5 s after questions")
    app = make_library_app(tmp_path)
    async with app.run_test(size=(160, 30)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause(0.3)
        from app_helpers import screen_text

        text = screen_text(app)
        assert "Focus goal: Wait 5 s after questions" in text
        assert "ORS: 22 → 27" in text
        # Three figures and ORS have two sessions each: a trend. SRS has no data: no bar drawn for it.
        assert len(app.screen.query(Sparkline)) == 4
        assert "SRS: no data yet" in text
        await pilot.press("g")
        await pilot.pause()
        await pilot.press("end", "up", "enter")  # ORS is second to last: SRS, ORS … pick ORS
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "· ORS: 22 → 27" in screen_text(app)
