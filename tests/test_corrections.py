"""Correcting who said what: one or two keys, saved as annotations, surviving re-transcription."""

from __future__ import annotations

from app_helpers import silent_review
from conftest import truth_transcript

from tui.core.corrections import Corrections, apply
from tui.core.model import Segment, Speaker, Transcript, Word
from tui.services.workspace import open_recording

WORDS = (Word(0.0, 0.4, "How"), Word(0.5, 0.9, "did"), Word(1.0, 1.5, "it"), Word(1.6, 2.0, "go?"),
         Word(2.4, 2.8, "Really"), Word(2.9, 3.5, "well."))
TRANSCRIPT = Transcript(
    segments=(Segment(0.0, 3.5, "How did it go? Really well.", "S1", WORDS), Segment(4.0, 6.0, "Good.", "S2"),
              Segment(7.0, 9.0, "Thanks.", "S3")),
    speakers=(Speaker("S1"), Speaker("S2"), Speaker("S3")),
)


def test_no_corrections_change_nothing():
    assert apply(TRANSCRIPT, Corrections()) is TRANSCRIPT


def test_split_at_a_word_boundary_then_assign_the_second_half():
    c = Corrections().split_at(2.2)
    split = apply(TRANSCRIPT, c)
    assert [s.text for s in split.segments[:2]] == ["How did it go?", "Really well."]
    c = c.assign(split.segments[1], "S2")
    fixed = apply(TRANSCRIPT, c)
    assert [(s.text, s.speaker) for s in fixed.segments[:2]] == [("How did it go?", "S1"), ("Really well.", "S2")]


def test_merge_moves_every_utterance_and_drops_the_speaker():
    fixed = apply(TRANSCRIPT, Corrections().merge("S3", "S1"))
    assert [s.speaker for s in fixed.segments] == ["S1", "S2", "S1"]
    assert [s.id for s in fixed.speakers] == ["S1", "S2"]


def test_chained_merges_resolve():
    fixed = apply(TRANSCRIPT, Corrections().merge("S3", "S2").merge("S2", "S1"))
    assert {s.speaker for s in fixed.segments} == {"S1"}


def test_corrections_survive_a_new_transcription_with_shifted_boundaries():
    c = Corrections().assign(TRANSCRIPT.segments[1], "S1")
    again = Transcript(segments=(Segment(0.1, 3.4, "How did it go? Really well.", "S2"),
                                 Segment(4.2, 5.8, "Good!", "S1")),
                       speakers=(Speaker("S1"), Speaker("S2")))
    assert [s.speaker for s in apply(again, c).segments] == ["S2", "S1"]


def test_round_trip_through_json():
    c = Corrections().merge("S3", "S1").split_at(2.2).assign(TRANSCRIPT.segments[1], "S4").add_speaker("S4")
    assert Corrections.from_dict(c.to_dict()) == c
    assert Corrections.from_dict("garbage") == Corrections()


def test_review_corrections_are_durable_and_leave_the_cache_alone(short_workspace, short_recording):

    review = silent_review(short_workspace)
    review.go_to_index(1)  # Sam
    review.commit(review.fixes.assign(review.current, 0))  # was Maria, actually
    review.commit(review.fixes.name("S2", "Sam Park", "teacher"))
    assert review.current.speaker == "S1"
    reopened = open_recording(short_recording)
    cached = reopened.cached_transcript()
    assert cached.segments[1].speaker == "S2", "the transcript cache is never rewritten"
    report = reopened.report()
    assert report.transcript.segments[1].speaker == "S1"
    assert report.label("S2") == "Sam Park"


async def test_keys_reassign_name_and_split(short_workspace):
    from app_helpers import make_app

    from tui.app.screens.dialogs import SpeakerDialog

    app = make_app(short_workspace)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("j")
        assert app.review.current.speaker == "S2"
        await pilot.press("1")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.review.current.speaker == "S1"
        await pilot.press("3")  # one past the last speaker: a new one
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.review.current.speaker == "S3"
        await pilot.press("R")
        await pilot.pause()
        assert isinstance(app.screen, SpeakerDialog)
        await pilot.press("ctrl+a", *"Priya", "tab", *"student", "enter")  # tab: next field; enter saves
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.review.speaker_label("S3") == "Priya"
        _, data = truth_transcript("short_session")
        seg = app.review.segments[3]
        app.review.go_to_index(3)
        app.review.playhead = (seg.start + seg.end) / 2
        await pilot.press("x")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert len(app.review.segments) == len(data["segments"]) + 1


def test_a_named_voice_is_recognised_in_the_next_session(short_workspace, tmp_path):
    """Name the coach once; a new recording of the same voices is labelled automatically."""
    import shutil

    from conftest import SAMPLES

    from tui.media.transcribe import Transcriber

    review = silent_review(short_workspace)
    review.commit(review.fixes.name("S1", "Maria", "coach"))
    assert short_workspace.remember_voice(review.transcript, "S1") == "Maria"
    assert "Maria" in short_workspace.voices()

    other = short_workspace.recording.parent / "next week.ogg"
    shutil.copy(SAMPLES / "coaching_session.ogg", other)
    workspace = open_recording(other)
    transcript = Transcriber(threads=2).transcribe(other, voices=workspace.voices(), num_speakers=2)
    named = [sp for sp in transcript.speakers if sp.name == "Maria"]
    assert len(named) == 1 and named[0].role == "coach" and 0.5 <= named[0].match < 1
    truth, _ = truth_transcript("coaching_session")
    coach_time = [(t.start, t.end) for t in truth.segments if t.speaker == "S1"]

    def coach_share(seg):
        overlap = sum(max(0.0, min(seg.end, b) - max(seg.start, a)) for a, b in coach_time)
        return overlap / max(seg.duration, 1e-6)

    labelled = [seg for seg in transcript.segments if seg.speaker == named[0].id]
    assert sum(coach_share(s) * s.duration for s in labelled) / sum(s.duration for s in labelled) > 0.8
