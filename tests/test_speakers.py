"""Who spoke when: channel split detection, clustering by voice, word-level splits, profiles.

Voices are synthesised here with numpy (harmonics of a pitch shaped by vowel formants,
scaled like a shorter or longer vocal tract), so the tests need neither espeak nor a model.
The real recordings in tests/data/real/ check the same code on human speech.
"""

from __future__ import annotations

import importlib.util
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from tui.core.model import Segment, Word
from tui.errors import MediaError, TranscriptError
from tui.media import speakers

from conftest import REAL

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
SR = 16000

# (F1, F2, F3) of a few vowels for an adult male vocal tract, in Hz.
VOWELS = [(730, 1090, 2440), (270, 2290, 3010), (300, 870, 2240), (530, 1840, 2480),
          (570, 840, 2410), (440, 1020, 2240), (660, 1720, 2410)]


@dataclass(frozen=True)
class Voice:
    pitch: float  # mean F0, Hz
    tract: float  # formant scale: 1.0 adult male, ~1.17 adult female


LOW = Voice(pitch=110.0, tract=1.0)
HIGH = Voice(pitch=205.0, tract=1.17)
OTHER_LOW = Voice(pitch=130.0, tract=1.09)


def _word_sound(rng: np.random.Generator, voice: Voice, seconds: float) -> np.ndarray:
    n = int(seconds * SR)
    t = np.arange(n) / SR
    start, end = (np.array(VOWELS[rng.integers(len(VOWELS))]) * voice.tract for _ in range(2))
    formants = start[None, :] + np.linspace(0, 1, n)[:, None] * (end - start)[None, :]
    f0 = voice.pitch * (1 + 0.08 * rng.uniform(-1, 1)) * (1 + 0.03 * np.sin(2 * np.pi * 5 * t + rng.uniform(0, 6)))
    phase = 2 * np.pi * np.cumsum(f0) / SR
    out = np.zeros(n)
    for h in range(1, int(4000 / voice.pitch)):
        freq = h * f0
        gain = sum(1.0 / (1.0 + ((freq - formants[:, j]) / bw) ** 2) for j, bw in enumerate((90, 110, 170)))
        out += gain * np.exp(-freq / 4000) / np.sqrt(h) * np.sin(h * phase)
    return out * np.hanning(n) ** 0.3


@dataclass
class Session:
    audio: np.ndarray
    segments: list[Segment]  # as Whisper would give them: text and word timings, no speakers
    truth: list[str]  # the true voice ("A", "B", …) of every word, in order


def make_session(voices: dict[str, Voice], turns: list[tuple[str, int]], seed: int = 0,
                 merge: set[int] = frozenset()) -> Session:
    """Turns of (voice name, word count). Turn indices in ``merge`` join the previous
    turn's segment without a pause, as Whisper does with a quick reply."""
    rng = np.random.default_rng(seed)
    pieces = [np.zeros(int(0.4 * SR))]
    cursor = 0.4
    segments: list[Segment] = []
    truth: list[str] = []
    for i, (name, n_words) in enumerate(turns):
        words = []
        for _ in range(n_words):
            length = rng.uniform(0.22, 0.4)
            pieces.append(_word_sound(rng, voices[name], length))
            words.append(Word(round(cursor, 3), round(cursor + length, 3), f" {name.lower()}{len(truth)}"))
            truth.append(name)
            cursor += length
            gap = rng.uniform(0.0, 0.06)
            pieces.append(np.zeros(int(gap * SR)))
            cursor += int(gap * SR) / SR
        if i in merge and segments:
            prev = segments.pop()
            all_words = prev.words + tuple(words)
            segments.append(Segment(prev.start, words[-1].end, "".join(w.text for w in all_words).strip(),
                                    words=all_words))
        else:
            segments.append(Segment(words[0].start, words[-1].end, "".join(w.text for w in words).strip(),
                                    words=tuple(words)))
        pause = 0.1 if i + 1 in merge else rng.uniform(0.35, 0.7)
        pieces.append(np.zeros(int(pause * SR)))
        cursor += int(pause * SR) / SR
    audio = np.concatenate(pieces)
    audio = audio / np.max(np.abs(audio)) * 0.5 + rng.normal(0, 0.002, len(audio))
    return Session(audio.astype(np.float32), segments, truth)


def conversation(seed: int, a: str = "A", b: str = "B", turns: int = 16) -> list[tuple[str, int]]:
    rng = np.random.default_rng(100 + seed)
    return [((a, b)[i % 2], int(rng.integers(3, 9))) for i in range(turns)]


def word_speakers(segments: list[Segment]) -> list[str]:
    return [s.speaker for s in segments for _ in s.words]


def agreement(found: list[str], truth: list[str]) -> float:
    """Share of words whose speaker matches the truth under the best renaming of speakers."""
    from itertools import permutations

    names, ids = sorted(set(truth)), sorted(set(found))
    best = 0
    for perm in permutations(ids, min(len(ids), len(names))):
        mapping = dict(zip(perm, names))
        best = max(best, sum(mapping.get(f) == t for f, t in zip(found, truth)))
    return best / len(truth)


# ---------------------------------------------------------------- clustering by voice


@pytest.fixture(scope="module")
def two_voices() -> Session:
    return make_session({"A": LOW, "B": HIGH}, conversation(1), seed=1)


def test_two_synthetic_voices_are_told_apart(two_voices):
    result = speakers.diarize(two_voices.audio, two_voices.segments, num_speakers=2)
    assert {s.speaker for s in result} == {"S1", "S2"}
    assert agreement(word_speakers(result), two_voices.truth) >= 0.97


def test_speakers_are_numbered_by_first_appearance(two_voices):
    result = speakers.diarize(two_voices.audio, two_voices.segments, num_speakers=2)
    assert result[0].speaker == "S1"
    first_other = next(s.speaker for s in result if s.speaker != "S1")
    assert first_other == "S2"


def test_same_gender_voices_are_told_apart_when_count_is_given():
    session = make_session({"A": LOW, "B": OTHER_LOW}, conversation(2), seed=2)
    result = speakers.diarize(session.audio, session.segments, num_speakers=2)
    assert agreement(word_speakers(result), session.truth) >= 0.9


# The speaker count is tested on real speech: the synthetic vowels above vary far more
# from word to word than speech does, so one synthetic voice looks like several.


def _decode(path: Path) -> np.ndarray:
    from faster_whisper.audio import decode_audio

    return decode_audio(str(path), sampling_rate=SR)


def test_one_real_speaker_is_counted_as_one():
    audio = _decode(REAL / "one_speaker_speech.flac")
    segments = [Segment.from_dict(d) for d in json.loads((DATA / "one_speaker_speech.segments.json").read_text())]
    result = speakers.diarize(audio, segments)
    assert {s.speaker for s in result} == {"S1"}
    assert [s.text for s in result] == [s.text for s in segments]


def test_two_voices_of_the_sample_session_are_counted_and_attributed():
    truth = json.loads((ROOT / "sample_sessions" / "short_session.truth.json").read_text())["segments"]
    segments = [Segment(t["start"], t["end"], t["text"]) for t in truth]  # no word timings
    result = speakers.diarize(_decode(ROOT / "sample_sessions" / "short_session.ogg"), segments)
    assert agreement([s.speaker for s in result], [t["speaker"] for t in truth]) == 1.0
    assert len({s.speaker for s in result}) == 2


def test_given_count_of_one_labels_everything_s1(two_voices):
    result = speakers.diarize(two_voices.audio, two_voices.segments, num_speakers=1)
    assert [s.speaker for s in result] == ["S1"] * len(two_voices.segments)
    assert [s.text for s in result] == [s.text for s in two_voices.segments]


def test_a_segment_whose_voice_changes_half_way_is_split_at_the_word():
    turns = conversation(4, turns=12)
    session = make_session({"A": LOW, "B": HIGH}, turns, seed=4, merge={5})
    merged = next(s for s in session.segments if len({w.text.strip()[0] for w in s.words}) == 2)
    assert len(merged.words) == turns[4][1] + turns[5][1]
    result = speakers.diarize(session.audio, session.segments, num_speakers=2)

    pieces = [s for s in result if merged.start <= s.start and s.end <= merged.end]
    assert len(pieces) == 2
    first, second = pieces
    assert first.speaker != second.speaker
    assert len(first.words) == turns[4][1] and len(second.words) == turns[5][1]
    assert first.start == merged.start and second.end == merged.end
    assert first.text == "".join(w.text for w in merged.words[: turns[4][1]]).strip()
    assert first.end <= second.start
    assert len(result) == len(session.segments) + 1


def test_segments_without_word_timings_are_labelled_whole(two_voices):
    bare = [Segment(s.start, s.end, s.text) for s in two_voices.segments]
    result = speakers.diarize(two_voices.audio, bare, num_speakers=2)
    assert len(result) == len(bare)
    truth_by_segment = [s.words[0].text.strip()[0].upper() for s in two_voices.segments]
    assert agreement([s.speaker for s in result], truth_by_segment) >= 0.9


def test_other_sample_rates_are_accepted(two_voices):
    audio_8k = two_voices.audio[::2]
    result = speakers.diarize(audio_8k, two_voices.segments, num_speakers=2, sample_rate=8000)
    assert agreement(word_speakers(result), two_voices.truth) >= 0.9


def test_nothing_to_diarize_gives_nothing():
    assert speakers.diarize(np.zeros(SR, np.float32), []) == []


def test_very_little_speech_is_one_speaker():
    seg = Segment(0.1, 0.5, "hi", words=(Word(0.1, 0.5, " hi"),))
    audio = np.random.default_rng(0).normal(0, 0.1, SR).astype(np.float32)
    assert [s.speaker for s in speakers.diarize(audio, [seg])] == ["S1"]


@pytest.mark.parametrize(
    "audio, kwargs, error",
    [
        (np.full(SR, np.nan, np.float32), {}, MediaError),
        (np.zeros((2, 2, 10), np.float32), {}, MediaError),
        ("not audio", {}, MediaError),
        (np.zeros(SR, np.float32), {"num_speakers": 0}, TranscriptError),
        (np.zeros(SR, np.float32), {"sample_rate": 0}, MediaError),
    ],
)
def test_bad_input_is_a_clear_error(audio, kwargs, error):
    seg = [Segment(0.1, 0.5, "hi")]
    with pytest.raises(error) as info:
        speakers.diarize(audio, seg, **kwargs)
    assert str(info.value).strip() and "\n" not in str(info.value)


# ---------------------------------------------------------------- channels


def _stereo(path: Path) -> np.ndarray:
    from faster_whisper.audio import decode_audio

    left, right = decode_audio(str(path), sampling_rate=SR, split_stereo=True)
    return np.stack([left, right])


def test_real_two_channel_recording_is_split_by_channel():
    assert speakers.channels_are_separate_speakers(_stereo(REAL / "stereo_two_channels.wav"))


def test_mono_copied_to_both_channels_is_not_split():
    stereo = _stereo(REAL / "stereo_two_channels.wav")
    mono = stereo.mean(axis=0)
    assert not speakers.channels_are_separate_speakers(np.stack([mono, mono]))


def test_one_room_heard_by_two_microphones_is_not_split(two_voices):
    near = two_voices.audio
    far = 0.6 * np.concatenate([np.zeros(40, np.float32), near[:-40]])  # 2.5 ms later, quieter
    assert not speakers.channels_are_separate_speakers(np.stack([near, far]))


def test_two_voices_with_a_little_crosstalk_are_split():
    rng = np.random.default_rng(5)
    a = make_session({"A": LOW}, [("A", 5), ("A", 4)] * 3, seed=6).audio
    b = make_session({"B": HIGH}, [("B", 4), ("B", 5)] * 3, seed=7).audio
    n = min(len(a), len(b))
    # B answers while A pauses: shift B by half a turn; each side hears the other at -26 dB.
    b = np.roll(b[:n], n // 7)
    left = a[:n] + 0.05 * b + rng.normal(0, 1e-3, n).astype(np.float32)
    right = b + 0.05 * a[:n] + rng.normal(0, 1e-3, n).astype(np.float32)
    assert speakers.channels_are_separate_speakers(np.stack([left, right]))


def test_a_silent_second_channel_is_not_split(two_voices):
    stereo = np.stack([two_voices.audio, np.zeros_like(two_voices.audio)])
    assert not speakers.channels_are_separate_speakers(stereo)


def test_channel_check_needs_two_channels():
    with pytest.raises(MediaError):
        speakers.channels_are_separate_speakers(np.zeros(SR, np.float32))


# ---------------------------------------------------------------- real recording


def _bench():
    """The bench's DER scorer (frame-based, 0.25 s collar, best mapping), tested below too."""
    spec = importlib.util.spec_from_file_location("bench_diarization", ROOT / "bench" / "bench_diarization.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_der_scorer_counts_errors_and_forgives_renaming():
    bench = _bench()
    ref = [(0.0, 2.0, "x"), (2.0, 4.0, "y")]
    assert bench.der(ref, [(0.0, 2.0, "S2"), (2.0, 4.0, "S1")])["der"] == pytest.approx(0.0)
    one = bench.der(ref, [(0.0, 4.0, "S1")])
    assert one["confusion"] == pytest.approx(0.5, abs=0.03)
    half = bench.der(ref, [(0.0, 2.0, "S1")])
    assert half["missed"] == pytest.approx(0.5, abs=0.03) and half["confusion"] == 0


def test_real_phone_call_meets_the_error_target():
    bench = _bench()
    audio = _decode(REAL / "two_speakers_phone.wav")
    segments = [Segment.from_dict(d) for d in json.loads((DATA / "two_speakers_phone.segments.json").read_text())]
    result = speakers.diarize(audio, segments)  # speaker count estimated
    score = bench.der(bench.read_rttm(REAL / "two_speakers_phone.rttm"), bench.segments_to_turns(result))
    assert len({s.speaker for s in result}) == 2
    assert score["der"] <= 0.15
    assert score["confusion"] <= 0.05


# ---------------------------------------------------------------- voice profiles


@pytest.fixture(scope="module")
def enrolled(two_voices) -> dict[str, list[float]]:
    by_voice: dict[str, list[Segment]] = {"A": [], "B": []}
    for seg in two_voices.segments:
        by_voice[seg.words[0].text.strip()[0].upper()].append(seg)
    return {
        "Coach Maria": speakers.voice_embedding(two_voices.audio, by_voice["B"]),
        "Sam": speakers.voice_embedding(two_voices.audio, by_voice["A"]),
    }


def test_known_voices_are_recognised_in_a_new_session(enrolled):
    session = make_session({"A": LOW, "B": HIGH}, conversation(8), seed=8)
    labelled = speakers.diarize(session.audio, session.segments, num_speakers=2)
    matches = speakers.match_profiles(session.audio, labelled, enrolled)

    high_id = next(s.speaker for s in labelled if s.words[0].text.strip().startswith("b"))
    low_id = next(s.speaker for s in labelled if s.words[0].text.strip().startswith("a"))
    assert matches[high_id][0] == "Coach Maria"
    assert matches[low_id][0] == "Sam"
    assert all(0.5 <= confidence <= 1.0 for _, confidence in matches.values())


def test_an_unknown_voice_is_not_named(enrolled):
    session = make_session({"C": OTHER_LOW}, [("C", 6)] * 8, seed=9)
    only_maria = {"Coach Maria": enrolled["Coach Maria"]}
    assert speakers.match_profiles(session.audio, session.segments, only_maria) == {}


def test_profiles_are_plain_numbers_that_survive_json(enrolled):
    restored = json.loads(json.dumps(enrolled))
    assert restored == enrolled
    assert all(isinstance(x, float) for x in restored["Sam"])


def test_a_damaged_profile_is_a_clear_error(two_voices):
    with pytest.raises(TranscriptError):
        speakers.match_profiles(two_voices.audio, two_voices.segments, {"Sam": [1.0, 2.0]})


def test_too_little_speech_for_a_profile_is_a_clear_error(two_voices):
    with pytest.raises(TranscriptError):
        speakers.voice_embedding(two_voices.audio, [Segment(1.0, 1.2, "hm")])


def test_split_utterances_keep_spaces_between_words():
    """Words carry no surrounding spaces (tui.media.transcribe strips them); a split must re-space them."""
    import numpy as np

    from tui.core.model import Segment, Word
    from tui.media.speakers import diarize

    rate = 16000
    t = np.arange(rate * 4) / rate
    low = 0.3 * np.sin(2 * np.pi * 110 * t) * (t < 2)
    high = 0.3 * np.sin(2 * np.pi * 260 * t) * (t >= 2)
    words = tuple(Word(i * 0.5, i * 0.5 + 0.4, w) for i, w in enumerate("how did it go fine thanks a lot".split()))
    segs = diarize((low + high).astype(np.float32), [Segment(0.0, 4.0, "how did it go fine thanks a lot", "S1", words)],
                   num_speakers=2)
    assert len(segs) == 2, "the voice changes half-way, so the utterance is split"
    assert all("  " not in s.text and " " in s.text for s in segs)
    assert " ".join(s.text for s in segs) == "how did it go fine thanks a lot"


# ---------------------------------------------------------------- batched scoring


def test_the_same_recording_always_gets_the_same_labels(two_voices):
    first = speakers.diarize(two_voices.audio, two_voices.segments)
    again = speakers.diarize(two_voices.audio.copy(), list(two_voices.segments))
    assert first == again


def _reference_logliks(gmm, x: np.ndarray) -> np.ndarray:
    """Per frame and component, log(weight x density), straight from the formula in float64."""
    x = x.astype(np.float64)[:, None, :]
    return (np.log(gmm.weights) - 0.5 * np.log(2 * np.pi * gmm.variances).sum(1)
            - 0.5 * ((x - gmm.means) ** 2 / gmm.variances).sum(2))


def test_voices_scored_a_recording_at_a_time_match_scoring_each_stretch_alone():
    """The batched float32 scoring describes every stretch as the textbook float64 formulas do."""
    from tui.media import voice_features as vf

    rng = np.random.default_rng(3)
    x = np.concatenate([rng.normal(0, 1, (3000, 6)), rng.normal(2, 0.5, (2500, 6))]).astype(np.float32)
    ubm = vf.Gmm.train(x, 8)
    spans = [(0, 150), (150, 151), (140, 400), (400, 400), (2990, 3300), (3000, 5500)]

    expected = []
    for a, b in spans:
        ll = _reference_logliks(ubm, x[a:b])
        post = np.exp(ll - ll.max(1, keepdims=True))
        post /= post.sum(1, keepdims=True)
        n, first = post.sum(0), post.T @ x[a:b].astype(np.float64)
        means = (first + vf.RELEVANCE * ubm.means) / (n[:, None] + vf.RELEVANCE)
        expected.append((np.sqrt(ubm.weights)[:, None] * (means - ubm.means) / np.sqrt(ubm.variances)).ravel())
    assert np.allclose(ubm.supervectors(x, spans), expected, atol=1e-5)

    speaker = ubm.adapted(x[3000:], adapt_weights=True)
    found = vf.frame_logliks([ubm, speaker], x)
    for column, model in enumerate([ubm, speaker]):
        ll = _reference_logliks(model, x)
        top = ll.max(1)
        assert np.allclose(found[:, column], top + np.log(np.exp(ll - top[:, None]).sum(1)), atol=1e-3)
    assert (found[3000:, 1] > found[3000:, 0]).mean() > 0.9  # the adapted model fits its own frames


def test_an_hour_of_stretches_is_grouped_as_the_full_eigendecomposition_groups_it():
    """Above a few hundred stretches only the leading eigenvectors are computed (block Krylov),
    also when the graph falls apart into separate groups (a repeated eigenvalue of 1)."""
    rng = np.random.default_rng(5)
    sizes = [300, 250, 200, 180]  # the last two groups are linked weakly, the others not at all
    group = np.repeat(np.arange(4), sizes)
    affinity = rng.uniform(0.5, 1.0, (len(group), len(group))) * (group[:, None] == group[None, :])
    pair = np.isin(group, [2, 3])
    affinity += 0.01 * rng.uniform(0, 1, affinity.shape) * (pair[:, None] & pair[None, :])
    affinity = (affinity + affinity.T) / 2
    inv = 1 / np.sqrt(affinity.sum(1))
    m = affinity * inv[:, None] * inv[None, :]

    found = speakers._top_eigenvectors(m, 4)
    dense = np.linalg.eigh(m)[1][:, ::-1][:, :4]
    assert found.shape == dense.shape
    assert np.allclose(found.T @ found, np.eye(4), atol=1e-8)
    # The repeated eigenvalue's vectors are any basis of its space: compare the spaces.
    assert np.allclose(found[:, :3] @ found[:, :3].T, dense[:, :3] @ dense[:, :3].T, atol=1e-8)
    assert abs(found[:, 3] @ dense[:, 3]) == pytest.approx(1.0, abs=1e-8)
    labels = speakers._cluster(found, np.ones(len(group)), 4)
    assert agreement([str(x) for x in labels], [str(x) for x in group]) == 1.0
