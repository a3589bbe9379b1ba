"""Who said each word of one mixed channel: right after recognition, or again later with another count.

Why a module of its own: transcription hands its words and the voice evidence it gathered here
once recognition ends; ``P`` in the app (:func:`separate_again`) hands the saved transcript
and the decoded recording, without recognising anything again.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from tui.core.activity import fit_to_speech
from tui.core.attribution import carry_speaker_ids
from tui.core.model import Segment, Speaker, Transcript
from tui.core.timeline import sort_segments
from tui.core.utterances import join_unfinished, split_utterances
from tui.errors import TranscriptError
from tui.media.recognition_audio import decode_channels, stack_channels
from tui.media.speech_windows import SpeechWindows
from tui.media.voice_activity import speech_regions


def separate_again(path: Path, transcript: Transcript, num_speakers: int | None) -> Transcript:
    """``transcript``'s words given to ``num_speakers`` voices (None: estimate), without re-transcribing.

    Each voice keeps the id it had where the two agree, so names, roles and the reviewer's
    corrections (kept by id and time) still apply.
    """
    from tui.media.channel_speakers import channels_are_separate_speakers

    if not transcript.segments:
        raise TranscriptError("there is no transcript to separate yet")
    if not any(s.words for s in transcript.segments):
        raise TranscriptError("this transcript has no word timings (it was imported), so its speakers cannot be "
                              "separated again: transcribe it with Debrief first")
    channels = decode_channels(path)
    if len(channels) == 2 and channels_are_separate_speakers(stack_channels(channels)):
        raise TranscriptError("each speaker has their own channel in this recording: the channels decide who spoke")
    mono = channels[0] if len(channels) == 1 else (channels[0] + channels[1]) / 2
    segments = carry_speaker_ids(transcript.segments, separate_words(mono, transcript.segments, num_speakers))
    known = {s.id: s for s in transcript.speakers}
    ids = sorted({s.speaker for s in segments}, key=speaker_order)
    return replace(transcript, segments=tuple(segments), speakers=tuple(known.get(i, Speaker(i)) for i in ids))


def separate_words(voice, found: list[Segment] | tuple[Segment, ...], num_speakers: int | None,
              speech: list | None = None) -> tuple[Segment, ...]:
    """Who said each word of one mixed channel: fitted, then split into rows.

    ``voice``: the channel's samples, or its voice evidence gathered during recognition (then
    ``speech``, its speech regions, is given too).
    """
    from tui.media import speakers as speaker_separation

    if speech is None:
        speech = speech_regions(voice)
    trimmed = fit_to_speech(found, speech, widen=False)  # the voice model listens to the words only
    if isinstance(voice, SpeechWindows):
        separated = speaker_separation.separate(voice, trimmed, num_speakers=num_speakers)
    else:
        separated = speaker_separation.diarize(voice, trimmed, num_speakers=num_speakers, speech=speech)
    return sort_segments(split_utterances(join_unfinished(fit_to_speech(separated, speech))))


def speaker_order(speaker_id: str) -> tuple[int, str]:
    digits = "".join(ch for ch in speaker_id if ch.isdigit())
    return (int(digits) if digits else 0, speaker_id)
