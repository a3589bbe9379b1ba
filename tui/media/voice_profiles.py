"""Remembered voices: a speaker's mean GE2E embedding, stored in the library, matched later.

Why a module of its own: naming a voice after a profile is a separate step from telling the
voices of one recording apart (tui.media.speakers); it compares recordings, so it uses
nothing normalised per recording.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence

import numpy as np

from tui.core.model import Segment, Speaker
from tui.errors import TranscriptError
from tui.media import voice_encoder as ve
from tui.media.speakers import speech_of
from tui.media.speech_windows import FRAME_RATE, HOP, SAMPLE_RATE, WINDOW, SpeechWindows, mono_16k

PROFILE_VERSION = "ge2e-256"
PROFILE_SIZE = ve.EMBEDDING_SIZE


def voice_embedding(audio: np.ndarray, segments_of_one_speaker: Sequence[Segment]) -> list[float]:
    """A voice profile to store in the library: the speaker's mean GE2E embedding (256 numbers).

    Comparable across recordings (the network was trained on many microphones and rooms),
    unlike anything normalised per recording.
    """
    speech = speech_of(mono_16k(audio, SAMPLE_RATE), segments_of_one_speaker)
    if len(speech) < SAMPLE_RATE // 2:
        raise TranscriptError("too little speech from this speaker to make a voice profile (need half a second)")
    return [round(float(x), 6) for x in ve.embed_utterance(speech, window=WINDOW, hop=HOP)]


def match_profiles(
    audio: np.ndarray | SpeechWindows,
    segments: Sequence[Segment],
    profiles: dict[str, list[float]],
) -> dict[str, tuple[str, float]]:
    """Speaker id -> (profile name, confidence 0..1) for speakers whose voice matches a profile.

    ``audio``: the recording (mono 16 kHz), or its voice evidence (tui.media.voice_evidence):
    each speaker's voice is then the mean of the windows their words fill.

    Each profile names at most one speaker; a speaker whose best match is weak is left out.
    Profiles of another length (made by an earlier version of Debrief) or damaged ones are
    skipped: they match nobody until the reviewer remembers the voice again.
    """
    if not isinstance(audio, SpeechWindows):
        audio = mono_16k(audio, SAMPLE_RATE)
    names, stored = [], []
    for name in sorted(profiles):
        vec = _profile_vector(profiles[name])
        if vec is not None:
            names.append(name)
            stored.append(vec)
    if not stored:
        return {}
    by_speaker: dict[str, list[Segment]] = {}
    for seg in segments:
        by_speaker.setdefault(seg.speaker, []).append(seg)
    ids, found = [], []
    for speaker_id, segs in sorted(by_speaker.items()):
        if isinstance(audio, SpeechWindows):
            voice = voice_of_windows(audio, segs)
        else:
            speech = speech_of(audio, segs)
            voice = ve.embed_utterance(speech, window=WINDOW, hop=HOP) if len(speech) >= SAMPLE_RATE // 2 else None
        if voice is not None:
            ids.append(speaker_id)
            found.append(voice)
    if not ids:
        return {}
    confidence = np.array([[profile_confidence(f, s) for s in stored] for f in found])
    result: dict[str, tuple[str, float]] = {}
    for (i, j) in _best_assignment(confidence):
        if confidence[i, j] >= MATCH_THRESHOLD:
            result[ids[i]] = (names[j], round(float(confidence[i, j]), 3))
    return result


MATCH_THRESHOLD = 0.5
"""Confidence below which a voice is not named after a profile."""
_PROFILE_MIDPOINT = 0.90
_PROFILE_SPREAD = 0.015
"""Logistic in the cosine between mean voices: 0.5 at 0.90. Measured (bench): the same person's
profiles from the two halves of the real phone call at 0.92-0.94, the other person at 0.83-0.86;
the same espeak voice across generated sessions at 0.94 or more in 90% of pairs, other espeak
voices at 0.75 in the median but up to 0.92 (near twins)."""


def voice_of_windows(windows: SpeechWindows, segments_of_one_speaker: Sequence[Segment]) -> np.ndarray | None:
    """One speaker's voice from the evidence alone: the mean embedding of the windows of speech
    that their words fill (half a window or more), weighted by how much; None below half a second."""
    words = [(w.start, w.end) for s in segments_of_one_speaker for w in (s.words or (s,))]
    if not len(windows.spans) or not words:
        return None
    n = max(windows.n_frames, int(windows.spans[:, 1].max()))
    said = np.zeros(n + 1)
    for start, end in words:
        a, b = int(start * FRAME_RATE), int(math.ceil(end * FRAME_RATE))
        said[max(0, min(a, n))] += 1
        said[max(0, min(b, n))] -= 1
    filled = np.concatenate([[0], np.cumsum(np.cumsum(said)[:-1] > 0)])
    share = (filled[windows.spans[:, 1]] - filled[windows.spans[:, 0]]) / (WINDOW * FRAME_RATE)
    chosen = share >= 0.5
    if share[chosen].sum() * WINDOW < 0.5:
        return None
    mean = (windows.embeddings[chosen] * share[chosen, None]).sum(0)
    return mean / max(float(np.linalg.norm(mean)), 1e-12)


def name_known_voices(audio, segments: Sequence[Segment], speakers: Sequence[Speaker],
                      voices: dict[str, dict]) -> tuple[Speaker, ...]:
    """``speakers`` named after the remembered ``voices`` their words match; a damaged profile names no one.

    ``audio``: the recording, or its voice evidence (:class:`SpeechWindows`), as :func:`match_profiles`.
    """
    profiles = {name: v["embedding"] for name, v in voices.items() if isinstance(v, dict) and v.get("embedding")}
    try:
        matches = match_profiles(audio, segments, profiles)
    except Exception:  # a damaged profile must never cost the transcript
        return tuple(speakers)
    named = []
    for sp in speakers:
        if sp.id in matches:
            name, confidence = matches[sp.id]
            role = str(voices.get(name, {}).get("role", ""))
            named.append(Speaker(sp.id, name, role, match=round(min(confidence, 0.999), 3)))
        else:
            named.append(sp)
    return tuple(named)


def profile_confidence(found: Sequence[float], stored: Sequence[float]) -> float:
    """How sure we are that two voice profiles are the same person, 0..1 (0 if incomparable)."""
    a, b = _profile_vector(found), _profile_vector(stored)
    if a is None or b is None:
        return 0.0
    cosine = float(a @ b)
    return float(1.0 / (1.0 + math.exp(-(cosine - _PROFILE_MIDPOINT) / _PROFILE_SPREAD)))


def _profile_vector(values: object) -> np.ndarray | None:
    """The profile as a unit vector, or None if it is not a GE2E profile (old or damaged)."""
    try:
        vec = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError):
        return None
    if vec.shape != (PROFILE_SIZE,) or not np.all(np.isfinite(vec)):
        return None
    norm = float(np.linalg.norm(vec))
    return vec / norm if norm > 1e-9 else None


def _best_assignment(score: np.ndarray) -> list[tuple[int, int]]:
    """Rows to columns, one-to-one, maximising total score (few speakers: brute force)."""
    rows, cols = score.shape
    if rows > 7 or cols > 7:
        pairs, used_r, used_c = [], set(), set()
        for flat in np.argsort(-score, axis=None):
            i, j = divmod(int(flat), cols)
            if i not in used_r and j not in used_c:
                pairs.append((i, j))
                used_r.add(i)
                used_c.add(j)
        return pairs
    best: list[tuple[int, int]] = []
    best_total = -np.inf
    if rows <= cols:
        for perm in itertools.permutations(range(cols), rows):
            total = sum(score[i, j] for i, j in enumerate(perm))
            if total > best_total:
                best, best_total = list(enumerate(perm)), total
    else:
        for perm in itertools.permutations(range(rows), cols):
            total = sum(score[i, j] for j, i in enumerate(perm))
            if total > best_total:
                best, best_total = [(i, j) for j, i in enumerate(perm)], total
    return best
