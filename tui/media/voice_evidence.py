"""Voice evidence gathered window by window of recognition, so that the samples need not be kept.

Why: the speaker separation needs only the GE2E embeddings of 1.5 s windows of speech
(tui.media.speech_windows), about 1 KB per 0.75 s of speech (5 MB for an hour), not the
decoded recording (230 MB per hour). Recognition already reads the recording a window at a
time (cut in silence), so each window's voice evidence is taken as it passes and the window
is let go; after recognition only the clustering and the words' Viterbi pass remain.

Two things make the evidence equal to the whole recording's, window for window:
- a region of speech that reaches a window's edge (the cut found no silence) is held, with
  its samples, until the next window continues it, and embedded whole; a few hundred samples
  before each edge are kept too, for the spectrogram frames that straddle it;
- the volume: the encoder hears quiet audio raised to -30 dBFS (Resemblyzer's
  ``normalize_volume``, increase only), by a gain the whole recording's RMS decides. Here the
  gain comes from the RMS of all the audio heard so far (running sums), which settles on the
  recording's own after a window or two; a window's embeddings are not redone when it moves
  (3 dB changes an embedding by a cosine of about 0.02: bench/bench_diarization.py measures
  the effect). At -30 dBFS or louder, as most recordings are, the gain is 1 either way.

The embedding runs inline, between windows: in a thread beside recognition it did not overlap
on two cores (CTranslate2 keeps both busy) and cost more wall time (bench/README.md, issue #21).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from tui.errors import MediaError
from tui.media import voice_encoder as ve
from tui.media.speech_windows import (
    FRAME_RATE,
    SAMPLE_RATE,
    SpeechWindows,
    clean_regions,
    embed_mel,
    frames_of,
    mel_of_spans,
    window_spans,
)

SETTLE_SECONDS = 300.0
"""Speech heard in the first five minutes is embedded only once they are heard (or the recording
ends): the running volume of a minute or less can be 3 dB off the recording's, enough to move
the embeddings (a cosine of 0.96-0.98), and an hour's first minute alone sets no volume."""
BATCH_WINDOWS = 256
"""Windows embedded together at least (but at the end): the network's batches run at full speed
from about this many; a piece of 20 s holds about 20, and was embedded at half the speed."""
_CONTEXT = ve.N_FFT
"""Samples kept before each edge: the first frames of the next window's speech read them."""


class VoiceEvidence:
    """Embeddings of the speech windows of a recording heard in consecutive pieces (``add``)."""

    def __init__(self) -> None:
        self._spans: list[np.ndarray] = []  # every window, in order
        self._embedded: list[np.ndarray] = []  # their embeddings, a group at a time
        self._pending: list[tuple[np.ndarray, int, np.ndarray]] = []  # (mel power, first frame, spans)
        self._held: list[tuple[float, float]] = []  # regions that reach the end of what was heard
        self._buffer = np.zeros(0, np.float32)  # the samples still needed: held speech, context
        self._buffer_start = 0  # the recording sample that _buffer starts at
        self._heard = 0  # samples heard
        self._energy = 0.0  # their sum of squares (float64): the running volume
        self._done: SpeechWindows | None = None

    def add(self, samples: np.ndarray, offset_seconds: float, regions: Sequence[tuple[float, float]]) -> None:
        """The next piece of the recording (mono 16 kHz, starting ``offset_seconds`` in) and its
        speech ``regions`` (in recording seconds)."""
        if self._done is not None:
            raise MediaError("voice evidence was already gathered: no more audio can be added")
        samples = np.asarray(samples, dtype=np.float32).reshape(-1)
        first = int(round(offset_seconds * SAMPLE_RATE))
        if first != self._heard:
            raise MediaError(f"voice evidence needs the recording in order: a piece at {offset_seconds:.3f} s "
                             f"follows audio that ended at {self._heard / SAMPLE_RATE:.3f} s")
        self._heard += len(samples)
        self._energy += float(np.sum(np.square(samples, dtype=np.float64)))
        self._buffer = np.concatenate([self._buffer, samples]) if len(self._buffer) else samples
        self._take(list(regions), final=False)

    def windows(self) -> SpeechWindows:
        """The evidence of all that was added (held speech embedded now): what the diarizer reads."""
        if self._done is None:
            self._take([], final=True)
            embeddings = self._embedded
            spans = np.concatenate(self._spans) if self._spans else np.zeros((0, 2), int)
            joined = np.concatenate(embeddings) if embeddings else np.zeros((0, ve.EMBEDDING_SIZE), np.float32)
            self._done = SpeechWindows(spans, joined, frames_of(self._heard))
            self._spans, self._embedded, self._buffer = [], [], np.zeros(0, np.float32)
        return self._done

    @property
    def nbytes(self) -> int:
        """Memory held for the evidence: embeddings, spans, mel power not yet embedded, samples still needed."""
        if self._done is not None:
            return self._done.nbytes
        arrays = self._embedded + [m for m, _, _ in self._pending]
        return int(sum(a.nbytes for a in self._spans) + sum(a.nbytes for a in arrays) + self._buffer.nbytes)

    @property
    def samples(self) -> int:
        """Samples heard so far: the recording's length once all is added."""
        return self._heard

    @property
    def gain(self) -> float:
        """The volume gain the encoder's input gets now (from the RMS of all heard so far)."""
        return ve.volume_gain(math.sqrt(self._energy / self._heard) if self._heard else 0.0)

    def _take(self, regions: list[tuple[float, float]], final: bool) -> None:
        """Take the mel power of the regions whose samples are all heard; hold the one that reaches
        the edge; embed what was taken once the volume is known and a batch is full."""
        regions = clean_regions(self._held + regions, self._heard / SAMPLE_RATE)
        ready: list[tuple[float, float]] = []
        self._held = []
        for region in regions:
            # A region whose last frame reads samples not yet heard may go on in the next piece.
            last = (math.ceil(region[1] * FRAME_RATE) - 1) * ve.HOP + ve.N_FFT // 2
            (ready if final or last <= self._heard else self._held).append(region)
        spans = window_spans(ready)
        if len(spans):
            # Mel power (a quarter of the samples' size) is scaled exactly by the gain applied later.
            self._spans.append(spans)
            self._pending.append((*mel_of_spans(self._buffer, self._buffer_start, spans), spans))
        waiting = sum(len(s) for _, _, s in self._pending)
        if waiting and (final or (self._heard >= SETTLE_SECONDS * SAMPLE_RATE and waiting >= BATCH_WINDOWS)):
            power = np.float32(self.gain) ** 2
            pieces = [(mel * power if power != 1 else mel, first, s) for mel, first, s in self._pending]
            self._embedded.append(embed_mel(pieces))
            self._pending = []
        # Keep only the samples the held speech and the next window's first frames read.
        keep = self._heard - _CONTEXT
        if self._held:
            keep = min(keep, int(self._held[0][0] * FRAME_RATE) * ve.HOP - ve.N_FFT // 2)
        keep = max(keep, self._buffer_start)
        # A copy: a view would keep the whole piece alive.
        self._buffer = self._buffer[keep - self._buffer_start:].copy()
        self._buffer_start = keep


def evidence_of(audio: np.ndarray, regions: Sequence[tuple[float, float]]) -> SpeechWindows:
    """The evidence of a whole recording at once (mono 16 kHz): one piece."""
    evidence = VoiceEvidence()
    evidence.add(audio, 0.0, regions)
    return evidence.windows()
