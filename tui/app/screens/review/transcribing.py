"""Transcribing a new recording in the app: rows arrive as they are heard, the bar shows how far."""

from __future__ import annotations

from textual import work
from textual.widgets import ProgressBar, Static

from tui.core import languages
from tui.core.model import Transcript
from tui.core.timefmt import format_time

from .messages import Progressed, SegmentArrived, Transcribed, TranscriptionFailed, TranscriptionStarted

ARRIVALS_REDRAW_SECONDS = 0.5


class TranscribingParts:
    """Mixed into :class:`~tui.app.screens.review.screen.ReviewScreen`: transcription in a worker."""

    def _start_transcription(self) -> None:
        if self._transcriber_factory is not None:
            self.add_class("-transcribing")
            self._transcribe()

    @work(thread=True, exclusive=True, group="transcribe", exit_on_error=False)
    def _transcribe(self) -> None:
        workspace, cancel = self.review.workspace, self._cancel
        try:
            transcriber = self._transcriber_factory()
            self.post_message(TranscriptionStarted(transcriber.label))
            transcript = transcriber.transcribe(
                workspace.recording,
                on_segment=lambda seg: cancel.is_set() or self.post_message(SegmentArrived(seg)),
                on_progress=lambda done, total: cancel.is_set() or self.post_message(Progressed(done, total)),
                cancel=cancel,
                voices=workspace.voices(),
            )
            workspace.save_transcript(transcript)
        except Exception as exc:  # told to the reviewer, never a crash
            self.post_message(TranscriptionFailed("Transcription failed", exc))
            return
        self.post_message(Transcribed(transcript))

    def on_transcription_started(self, message: TranscriptionStarted) -> None:
        self.query_one("#transcribing-label", Static).update(f"Transcribing offline with {message.label}…")
        if self.review.segments and not self.review.transcript.complete:
            self.review.set_transcript(Transcript(duration=self.review.duration))
            self._show_transcript()

    def on_transcription_failed(self, message: TranscriptionFailed) -> None:
        self.remove_class("-transcribing")
        self._failed(message.title, message.error)

    def on_progressed(self, message: Progressed) -> None:
        self.query_one("#transcribing-bar", ProgressBar).update(total=max(message.total, 0.001),
                                                                 progress=message.done)

    def on_segment_arrived(self, message: SegmentArrived) -> None:
        first = not self.review.segments
        self.review.add_segment(message.segment)
        if first:
            self._show_transcript()
            self._show_cursor()
        elif self._arrivals is None:
            # Segments come in bursts; laying out the whole transcript for each one would make
            # the last minutes of a long transcription stutter. Redraw at most twice a second.
            self._arrivals = self.set_timer(ARRIVALS_REDRAW_SECONDS, self._show_arrivals)

    def _show_arrivals(self) -> None:
        self._arrivals = None
        self._show_transcript()

    def on_transcribed(self, message: Transcribed) -> None:
        transcript = message.transcript
        self.remove_class("-transcribing")
        self.review.set_transcript(transcript)
        self._show_subtitle()
        self._show_transcript()
        self._show_marks()
        self._show_cursor()
        self._show_status()
        state = "" if transcript.complete else " (stopped part-way; reopen to finish)"
        self.notify(f"Transcript ready: {len(transcript.segments)} utterances{state}.", timeout=4)

    def _show_subtitle(self) -> None:
        """Length · file, and the session's language when there is something to tell (not assumed English)."""
        info = self.review.workspace.info
        language = languages.shown_for(self.review.transcript)
        self.sub_title = " · ".join(
            part for part in (format_time(info.duration), self.review.workspace.recording.name, language) if part)

    def keep_partial_transcript(self) -> None:
        """The connection is dropping mid-transcription: keep the utterances done so far."""
        if any(w.group == "transcribe" and w.is_running for w in self.workers) and self.review.segments:
            self._cancel.set()
            self.review.workspace.save_transcript(self.review.transcript_as_transcribed(complete=False))
