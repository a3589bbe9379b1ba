"""The review screen: transcript, speaker timeline and notes side by side.

The screen owns the :class:`~tui.session.review.Review` and is the only place that changes it,
on the event loop: panes post messages up ("the cursor moved", "this mark was chosen"), the
screen updates the review and pushes the new state down into the panes. Workers (saving,
transcribing, polling the store, exporting) do the disk and CPU work and post typed messages
(:mod:`.messages`) with what they found; the handlers here apply it. The keys live in mixins,
one module per concern; their bindings are declared here, where the footer and `?` read them.
"""

from __future__ import annotations

import gc
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Footer, Input, ProgressBar, Static

from tui.config import DEFAULT_TAGS, Tag
from tui.core.safe_text import visible
from tui.errors import DebriefError, describe_failure
from tui.session.changes import Change, Kind, perform
from tui.session.review import Review
from tui.session.stored import changed_since

from ...text import silent_reason
from ...widgets.notes import NotesPane
from ...widgets.status import StatusBar
from ...widgets.timeline import SpeakerTimeline
from ...widgets.transcript import TranscriptView, speaker_colour
from .marking import MarkingKeys
from .messages import Failed, PollFailed, Saved, StoredElsewhere
from .playing import PlayingKeys
from .sharing import SharingKeys
from .speakers import SpeakerKeys
from .transcribing import TranscribingParts
from .walking import WalkingKeys

TICK_SECONDS = 1 / 30
EXTERNAL_CHANGE_POLL_SECONDS = 1.0
NOTES_FOLLOW_SECONDS = 0.25
"""The notes pane catches up with the cursor once it has rested this long. Scrolling that
pane costs more than the move itself (7-8 ms a press on a 2-h session with 300 marks,
doubling page-down latency); a reviewer holding a key does not read it on the way."""

CHANGES_TO_MARKS = frozenset({Kind.MARK, Kind.RETAG, Kind.NOTE, Kind.DELETE, Kind.UNDO})
"""Changes after which the marks are redrawn (speaker changes redraw everything; the rest nothing)."""


class ReviewScreen(PlayingKeys, WalkingKeys, MarkingKeys, SpeakerKeys, TranscribingParts, SharingKeys, Screen):
    """Reviewing one recording. Every key is in :attr:`BINDINGS` (the footer, `?` and the palette show them)."""

    HELP = """
## Reviewing a session
Read the transcript, play from any row with `space`, mark moments that matter with `m`
and write what you noticed with `n`. `tab` moves between transcript, timeline and notes.
"""

    BINDINGS = [
        # `?` first, so that at 80 columns the footer never cuts the way to every other key.
        Binding("question_mark", "app.help", "Help", id="help.open", tooltip="Every key, and what the focused pane does"),
        Binding("space", "play_pause", "Play", id="play.toggle", tooltip="Play from the cursor row, or pause"),
        Binding("m", "mark", "Mark", id="mark.add", tooltip="Mark the cursor utterance (growth-edge, or the tag keyed m)"),
        Binding("t", "retag", "Tag", id="mark.retag", show=False, tooltip="Change the tag of the mark at the cursor"),
        # While a search or a figure is being walked, n/N step through it; otherwise n writes a note.
        Binding("slash", "search", "Search", id="search.open", show=False, tooltip="Find words in this transcript"),
        Binding("n", "walk_step(1)", "Next", id="search.next", tooltip="Next hit or moment (while walking a list)"),
        Binding("N", "walk_step(-1)", "Previous", id="search.previous", show=False,
                tooltip="Previous hit or moment (while walking a list)"),
        Binding("escape", "clear_walk", "Clear", id="search.clear", show=False,
                tooltip="Stop walking the list and show the whole transcript"),
        Binding("s", "stats", "Figures", id="stats.open", tooltip="Talk share, questions, waits: walk any figure"),
        Binding("e", "export", "Export", id="export.open", tooltip="Export notes for a mentor, with a preview"),
        Binding("i", "reflect", "Reflect", id="reflection.open", show=False,
                tooltip="Focus goal, look-fors before, summary and next steps after"),
        Binding("I", "details", "Details", id="session.details", show=False,
                tooltip="Session details: title, date, consent, tags, outcome measures"),
        Binding("F", "slice", "Slice", id="stats.slice", show=False,
                tooltip="Show only part of the transcript: a figure, marked moments, a tag, the last 15 minutes"),
        Binding("n", "note", "Note", id="mark.note", tooltip="Write or edit the note of the mark at the cursor"),
        Binding("d", "delete_mark", "Delete mark", id="mark.delete", show=False, tooltip="Delete the mark at the cursor (u undoes)"),
        Binding("u", "undo", "Undo", id="mark.undo", show=False, tooltip="Bring back the last deleted mark"),
        Binding("left,h", "seek(-5)", "−5 s", id="play.back5", show=False, tooltip="Back 5 seconds"),
        Binding("right,l", "seek(5)", "+5 s", id="play.forward5", show=False, tooltip="Forward 5 seconds"),
        Binding("H,shift+left", "seek(-30)", "−30 s", id="play.back30", show=False, tooltip="Back 30 seconds"),
        Binding("L,shift+right", "seek(30)", "+30 s", id="play.forward30", show=False, tooltip="Forward 30 seconds"),
        Binding("right_curly_bracket", "turn(1)", "Next turn", id="move.next_turn", show=False, tooltip="Next speaker turn"),
        Binding("left_curly_bracket", "turn(-1)", "Previous turn", id="move.previous_turn", show=False, tooltip="Previous speaker turn"),
        Binding("right_square_bracket", "jump_mark(1)", "Next mark", id="mark.next", show=False),
        Binding("left_square_bracket", "jump_mark(0)", "Previous mark", id="mark.previous", show=False),
        Binding("plus,equals_sign", "speed(1)", "Faster", id="play.faster", show=False),
        Binding("minus", "speed(-1)", "Slower", id="play.slower", show=False),
        Binding("f", "follow", "Follow", id="play.follow", show=False, tooltip="Keep the cursor on what is playing"),
        Binding("r", "replay", "Replay 5 s", id="play.replay", show=False, tooltip="Hear the last 5 seconds again"),
        Binding("o", "loop", "Loop", id="play.loop", show=False,
                tooltip="Loop the marked range or utterance at the cursor (again to stop)"),
        *(Binding(str(n), f"assign({n - 1})", f"Speaker {n}", id=f"speaker.assign{n}", show=False,
                  tooltip=f"This utterance was said by speaker {n} (the next number: a new speaker)")
          for n in range(1, 10)),
        Binding("R", "name_speaker", "Name speaker", id="speaker.name", show=False,
                tooltip="Name the speaker of this utterance and give their role"),
        Binding("M", "merge_speaker", "Merge speaker", id="speaker.merge", show=False,
                tooltip="This utterance's speaker is really another one: merge them"),
        Binding("x", "split", "Split here", id="speaker.split", show=False,
                tooltip="Cut this utterance in two at the playhead (where the speaker changes)"),
        Binding("P", "separate_again", "Separate again", id="speaker.separate", show=False,
                tooltip="Give the words to another number of people, without transcribing again"),
        Binding("escape", "back", "Library", id="app.library", tooltip="Back to the library (the session is saved)"),
    ]

    def __init__(self, review: Review, transcriber_factory: Callable[[], Any] | None = None, *,
                 back_to_library: bool = False, tags: Sequence[Tag] = DEFAULT_TAGS) -> None:
        super().__init__()
        self.review = review
        self._tags = tuple(tags) or DEFAULT_TAGS
        """The marking vocabulary of the config file; a tag with a key marks with that tag."""
        self._tag_clashes = self._bind_tag_keys()
        self._back_to_library = back_to_library
        self._transcriber_factory = transcriber_factory
        self._cancel = threading.Event()
        self._last_playing = -1
        self._draft: dict | None = None
        self._arrivals = None
        self._poll_error = ""
        self._walk: list[int] = []
        """Utterances being stepped through with n/N: search hits or a figure's moments."""
        self._walk_title = ""
        self._slice_label = ""
        """The thin slice shown (F), for the status bar; "" when everything is shown."""

    # -- building --------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        if self.review.read_only:
            reason = self.review.workspace.library.read_only_reason
            yield Static(f"Read-only: {reason}. Marks and notes cannot be saved.", id="banner")
        with Vertical(id="transcribing"):
            yield Static("Transcribing…", id="transcribing-label")
            yield ProgressBar(total=100, show_eta=True, id="transcribing-bar")
        with Horizontal(id="panes"):
            yield TranscriptView(id="transcript")
            yield SpeakerTimeline(id="timeline")
            yield NotesPane(id="notes")
        yield Input(placeholder="Find in this transcript (enter to search, esc to cancel)", id="find")
        yield StatusBar(id="status")
        yield Footer()

    def on_mount(self) -> None:
        self._transcript = self.query_one(TranscriptView)
        self._timeline = self.query_one(SpeakerTimeline)
        self._notes = self.query_one(NotesPane)
        self.set_class(self.app.size.width >= 140, "-wide")
        info = self.review.workspace.info
        self.title = info.title
        self._show_subtitle()
        self._transcript.border_title = info.title or "Transcript"
        self._timeline.border_title = "Timeline"
        self._notes.border_title = "Notes"
        self._ticker = self.set_interval(TICK_SECONDS, self._tick, pause=True)
        self.set_interval(EXTERNAL_CHANGE_POLL_SECONDS, self._poll_store)
        self._notes_moved_at = 0.0
        self._notes_timer = self.set_interval(NOTES_FOLLOW_SECONDS / 2, self._notes_catch_up, pause=True)
        self._show_transcript()
        self._show_marks()
        self._show_cursor()
        self._show_status()
        self._transcript.focus()
        self.offer_draft()
        if self._tag_clashes:
            self.notify("These tags' keys are already used by Debrief, so they only work with t: "
                        + ", ".join(self._tag_clashes) + ". Give them other keys in the config file.",
                        title="Tag keys", severity="warning", timeout=10)
        self._explain_silence()
        self._show_feedback_arrived()
        # Thousands of utterances are long-lived: keep the collector from walking them on every
        # pass. Again after the first frame, which lays them out and builds the panes' rows.
        gc.freeze()
        self.call_after_refresh(gc.freeze)
        if not self.review.transcript.complete or not self.review.segments:
            self._start_transcription()

    def _show_feedback_arrived(self) -> None:
        """A mentor's comments came back (`debrief import`): say so once, and where they are."""
        count, review = self.review.unread_feedback, self.review
        if not count:
            return
        mentors = " and ".join(visible(name) for name in review.feedback_authors()) or "your mentor"
        message = f"{count} comment(s) from {mentors}: in the notes, marked “from {mentors}”."
        if review.suggested_practice is not None and review.suggested_practice[0] != review.reflection()[0]:
            message += f"\nSuggested next practice: “{visible(review.suggested_practice[0])}” (i to make it your focus goal)."
        self.notify(message, title="Feedback from your mentor", timeout=12)

        def seen(_: None) -> None:
            review.unread_feedback = 0

        self._save(review.feedback_seen, seen)

    def on_resize(self, event) -> None:
        self.set_class(event.size.width >= 140, "-wide")

    # -- pushing state down ------------------------------------------------------------

    def _labels(self) -> dict[str, tuple[str, str]]:
        return {sp.id: (sp.label + ("?" if sp.guessed else ""), speaker_colour(i))
                for i, sp in enumerate(self.review.speakers)}

    def _show_transcript(self) -> None:
        labels = self._labels()
        self._transcript.set_content(self.review.segments, labels, self.review.marked_indexes())
        lanes = [(sid, label, colour) for sid, (label, colour) in labels.items()]
        self._timeline.set_content(self.review.segments, lanes, self.review.duration)

    def _show_marks(self) -> None:
        self._notes.set_marks(self.review.marks)
        self._timeline.set_marks([m.start for m in self.review.marks])
        self._transcript.set_marked(self.review.marked_indexes())

    def _show_cursor(self, *, scroll: bool = True) -> None:
        self._transcript.set_cursor(self.review.cursor, scroll=scroll)
        current = self.review.current
        here = current.start if current else self.review.playhead
        self._timeline.set_cursor_time(here)
        first = self._notes_moved_at == 0.0
        self._notes_moved_at = time.monotonic()
        if first:
            self._notes.follow(here)  # the first frame shows the notes in place
        else:
            self._notes_timer.resume()

    def _notes_catch_up(self) -> None:
        if time.monotonic() - self._notes_moved_at < NOTES_FOLLOW_SECONDS:
            return
        self._notes_timer.pause()
        current = self.review.current
        self._notes.follow(current.start if current else self.review.playhead)

    def _show_status(self, note: str = "") -> None:
        player = self.review.player
        self.query_one(StatusBar).show(
            playhead=self.review.playhead,
            duration=self.review.duration,
            playing=self.review.playing,
            speed=self.review.speed,
            follow=self.review.follow,
            backend=player.backend,
            talk_share=self.review.talk_share_text(),
            note=note or (player.error() or ""),
            typing=self.review.paused_for_typing,
            why_silent=silent_reason(player),
            slice_label=self._slice_label,
        )

    def _redraw_all(self, *, scroll: bool = True) -> None:
        self._show_transcript()
        self._show_marks()
        self._show_cursor(scroll=scroll)
        self._show_status()

    # -- messages from the panes -------------------------------------------------------

    def on_transcript_view_cursor_moved(self, event: TranscriptView.CursorMoved) -> None:
        if event.index != self._transcript.cursor:
            return  # the reviewer has moved on since (keys in a burst): the latest move wins
        self.review.go_to_index(event.index)
        self._after_move()

    def _sync_cursor(self) -> None:
        """Catch up with a move of the transcript cursor whose message is still on its way.

        Keys come in bursts (a fast typist over SSH, a paste): `j` `m` must mark the row `j`
        went to, even when `m` is handled before the screen has heard about the move.
        """
        index = self._transcript.pending_move
        if index is not None and self.review.segments and index != self.review.cursor:
            self.review.go_to_index(index)
            self._after_move()

    def on_speaker_timeline_time_selected(self, event: SpeakerTimeline.TimeSelected) -> None:
        self.review.go_to_time(event.seconds)
        self._transcript.set_cursor(self.review.cursor)
        self._show_status()

    def on_speaker_timeline_chosen(self, _event: SpeakerTimeline.Chosen) -> None:
        self._transcript.focus()

    def on_notes_pane_mark_chosen(self, event: NotesPane.MarkChosen) -> None:
        self.review.go_to_time(event.mark.start)
        self._after_move()

    def _after_move(self, *, scroll: bool = True) -> None:
        if not self.review.playing and self.review.current is not None:
            self.review.playhead = self.review.current.start
            self._timeline.set_playhead(self.review.playhead)
        self._show_cursor(scroll=scroll)
        self._show_status()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "back":
            return self._back_to_library
        if action == "walk_step":
            return bool(self._walk)
        if action == "clear_walk":
            return bool(self._walk) or self._transcript.filtered or self.query_one("#find").has_focus
        return True

    def action_back(self) -> None:
        self._cancel.set()
        self.app.leave_session()

    # -- durable changes: planned here, written in a worker, applied here ----------------

    def _save(self, plan: Callable[[], Change[Any] | None], then: Callable[[Any], None] | None = None) -> None:
        """Plan a change from what is on screen, and have a worker write it."""
        try:
            change = plan()
        except DebriefError as exc:  # e.g. a read-only library: refused before anything is written
            self._failed("Not saved", exc)
            return
        if change is not None:
            self._write(change, then)

    @work(thread=True, group="store", exit_on_error=False)
    def _write(self, change: Change[Any], then: Callable[[Any], None] | None) -> None:
        try:
            written = perform(change, self.review.workspace)
        except Exception as exc:  # told to the reviewer, never a crash
            self.post_message(Failed("Not saved", exc))
            return
        self.post_message(Saved(written, then))

    def on_saved(self, message: Saved) -> None:
        self.review.apply(message.written)
        kind = message.written.kind
        if kind is Kind.SPEAKERS:
            self._redraw_all()
        elif kind in CHANGES_TO_MARKS:
            self._show_marks()
        if message.then is not None:
            message.then(message.written.value)

    def on_failed(self, message: Failed) -> None:
        self._failed(message.title, message.error)

    def on_poll_failed(self, message: PollFailed) -> None:
        if str(message.error) != self._poll_error:
            self._poll_error = str(message.error)
            self._failed(message.title, message.error)

    def _failed(self, title: str, error: BaseException) -> None:
        self.notify(describe_failure(error), title=title, severity="error", timeout=10)

    def _poll_store(self) -> None:
        self._read_if_changed(self.review.token)

    @work(thread=True, exclusive=True, group="poll", exit_on_error=False)
    def _read_if_changed(self, token: object) -> None:
        """Another reviewer may have written to this session: a stat, and a re-read if so."""
        try:
            stored = changed_since(self.review.workspace, token)
        except Exception as exc:  # an unreadable store is said once, never a crash
            self.post_message(PollFailed("Cannot read marks", exc))
            return
        if stored is not None:
            self.post_message(StoredElsewhere(stored))

    def on_stored_elsewhere(self, message: StoredElsewhere) -> None:
        self._poll_error = ""
        self.review.apply_stored(message.stored)
        self._show_transcript()
        self._show_marks()
        self._show_cursor(scroll=False)

    def on_unmount(self) -> None:
        self._cancel.set()
        gc.unfreeze()  # this screen and its transcript become garbage: let the collector see them
