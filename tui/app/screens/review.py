"""The review screen: transcript, speaker timeline and notes side by side.

The screen owns the :class:`~tui.session.review.Review` and is the only place that changes it:
panes post messages up ("the cursor moved", "this mark was chosen"), the screen updates
the review and pushes the new state down into the panes. Disk work (saving marks,
transcribing) runs in workers; a pausable timer follows the playhead.
"""

from __future__ import annotations

import gc
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Footer, Input, ProgressBar, Static
from textual.worker import Worker, WorkerState

from tui.config import DEFAULT_TAGS, Tag
from tui.core import languages
from tui.core.model import DEFAULT_TAG, Mark, Segment, Transcript
from tui.core.search import matching_segments, parse_query
from tui.core.timefmt import format_time
from tui.errors import DebriefError
from tui.session.review import Review

from ..text import format_mark_range, key_name as _key_name, silent_reason
from ..widgets.notes import NotesPane
from ..widgets.status import StatusBar
from ..widgets.timeline import SpeakerTimeline
from ..widgets.transcript import TranscriptView, speaker_colour
from .details import DetailsResult, DetailsScreen
from .dialogs import ChoiceDialog, SpeakerDialog
from .export import ExportChoice, ExportScreen
from .reflection import Reflection, ReflectionScreen
from .stats import StatsScreen, Walk
from .note_editor import NoteEditor

TICK_SECONDS = 1 / 30
EXTERNAL_CHANGE_POLL_SECONDS = 1.0
NOTES_FOLLOW_SECONDS = 0.25
"""The notes pane catches up with the cursor once it has rested this long. Scrolling that
pane costs more than the move itself (7-8 ms a press on a 2-h session with 300 marks,
doubling page-down latency); a reviewer holding a key does not read it on the way."""
ARRIVALS_REDRAW_SECONDS = 0.5


class ReviewScreen(Screen):
    """Reviewing one recording.

    | Key | Action |
    |---|---|
    | `space` | Play / pause from the cursor |
    | `left`/`h`, `right`/`l` | Back / forward 5 s |
    | `H`, `L` | Back / forward 30 s |
    | `{`, `}` | Previous / next speaker turn |
    | `[`, `]` | Previous / next mark |
    | `m` | Mark the cursor utterance (growth edge) |
    | `n` | Write the note of the mark at the cursor |
    | `d`, `u` | Delete the mark at the cursor / undo |
    | `-`, `+` | Slower / faster |
    | `1`…`9` | This utterance was said by speaker N |
    | `R`, `M`, `x` | Name the speaker / merge into another / split the utterance at the playhead |
    | `P`, `!` | Separate the voices again with another number of people / next uncertain speaker |
    | `f` | Follow the playhead on/off |
    | `r` | Replay the last 5 s |
    | `o` | Loop the marked range / utterance at the cursor |
    | `/`, `n`, `N` | Search this transcript; next / previous hit while a search is on |
    | `s`, `F` | Figures (walk any of them with n/N) / show only a slice of the transcript |
    | `e`, `i` | Export for a mentor (with a preview) / reflection: focus goal, look-fors, summary |
    | `I` | Session details: title, date, consent, tags, outcome measures |
    """

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

    def __init__(self, review: Review, transcriber_factory: Callable[[], object] | None = None, *,
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
        self._search_terms: tuple[str, ...] = ()
        self._slice_label = ""
        """The thin slice shown (F), for the status bar; "" when everything is shown."""

    # -- the marking vocabulary ------------------------------------------------------

    @property
    def default_tag(self) -> str:
        """The tag `m` marks with: the one keyed ``m`` in the config, else growth-edge, else the first."""
        for tag in self._tags:
            if tag.key == "m":
                return tag.name
        names = [t.name for t in self._tags]
        return DEFAULT_TAG if DEFAULT_TAG in names or not names else names[0]

    def _bind_tag_keys(self) -> list[str]:
        """A key for each tag that has one (``strength`` on ``a``): in the footer, `?` and the palette."""
        clashes: list[str] = []
        taken = {key for key, bindings in self._bindings.key_to_bindings.items() if bindings}
        for index, tag in enumerate(self._tags):
            if not tag.key or tag.key == "m":
                continue
            key = _key_name(tag.key)
            if key in taken:
                clashes.append(f"{tag.name} ({tag.key})")
                continue
            taken.add(key)
            self._bindings.key_to_bindings.setdefault(key, []).append(
                Binding(key, f"mark_tag({index})", tag.name, id=f"mark.tag.{tag.name}",
                        tooltip=f"Mark the cursor utterance as {tag.name}", key_display=tag.key))
        return clashes

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
        self.set_class(self.app.size.width >= 140, "-wide")
        info = self.review.workspace.info
        self.title = info.title
        self._show_subtitle()
        self.query_one(TranscriptView).border_title = info.title or "Transcript"
        self.query_one(SpeakerTimeline).border_title = "Timeline"
        self.query_one(NotesPane).border_title = "Notes"
        self._ticker = self.set_interval(TICK_SECONDS, self._tick, pause=True)
        self.set_interval(EXTERNAL_CHANGE_POLL_SECONDS, self._check_external_changes)
        self._notes_moved_at = 0.0
        self._notes_timer = self.set_interval(NOTES_FOLLOW_SECONDS / 2, self._notes_catch_up, pause=True)
        self._show_transcript()
        self._show_marks()
        self._show_cursor()
        self._show_status()
        self.query_one("#find").display = False
        self.query_one(TranscriptView).focus()
        self.offer_draft()
        if self._tag_clashes:
            self.notify("These tags' keys are already used by Debrief, so they only work with t: "
                        + ", ".join(self._tag_clashes) + ". Give them other keys in the config file.",
                        title="Tag keys", severity="warning", timeout=10)
        self._explain_silence()
        # Thousands of utterances are long-lived: keep the collector from walking them on every
        # pass. Again after the first frame, which lays them out and builds the panes' rows.
        gc.freeze()
        self.call_after_refresh(gc.freeze)
        if not self.review.transcript.complete or not self.review.segments:
            self._start_transcription()
        else:
            self.query_one("#transcribing").display = False

    def on_resize(self, event) -> None:
        self.set_class(event.size.width >= 140, "-wide")

    # -- pushing state down ------------------------------------------------------------

    def _labels(self) -> dict[str, tuple[str, str]]:
        return {sp.id: (sp.label + ("?" if sp.guessed else ""), speaker_colour(i))
                for i, sp in enumerate(self.review.speakers)}

    def _show_transcript(self) -> None:
        labels = self._labels()
        self.query_one(TranscriptView).set_content(self.review.segments, labels, self.review.marked_indexes())
        lanes = [(sid, label, colour) for sid, (label, colour) in labels.items()]
        self.query_one(SpeakerTimeline).set_content(self.review.segments, lanes, self.review.duration)

    def _show_marks(self) -> None:
        self.query_one(NotesPane).set_marks(self.review.marks)
        self.query_one(SpeakerTimeline).set_marks([m.start for m in self.review.marks])
        self.query_one(TranscriptView).set_marked(self.review.marked_indexes())

    def _show_cursor(self, *, scroll: bool = True) -> None:
        self.query_one(TranscriptView).set_cursor(self.review.cursor, scroll=scroll)
        current = self.review.current
        here = current.start if current else self.review.playhead
        self.query_one(SpeakerTimeline).set_cursor_time(here)
        first = self._notes_moved_at == 0.0
        self._notes_moved_at = time.monotonic()
        if first:
            self.query_one(NotesPane).follow(here)  # the first frame shows the notes in place
        else:
            self._notes_timer.resume()

    def _notes_catch_up(self) -> None:
        if time.monotonic() - self._notes_moved_at < NOTES_FOLLOW_SECONDS:
            return
        self._notes_timer.pause()
        current = self.review.current
        self.query_one(NotesPane).follow(current.start if current else self.review.playhead)

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

    def _explain_silence(self) -> None:
        """No sound: say why once, with the fix (the status bar keeps the short reason)."""
        player = self.review.player
        if player.backend != "silent" or player.detail.startswith("silent by choice"):
            return
        self.notify(f"{player.detail}.\nFix: run `debrief doctor`; for sound over SSH see docs/ssh-audio.md.",
                    title="No sound (the playhead still moves)", severity="warning", timeout=8)

    # -- messages from the panes -------------------------------------------------------

    def on_transcript_view_cursor_moved(self, event: TranscriptView.CursorMoved) -> None:
        if event.index != self.query_one(TranscriptView).cursor:
            return  # the reviewer has moved on since (keys in a burst): the latest move wins
        self.review.go_to_index(event.index)
        self._after_move()

    def _sync_cursor(self) -> None:
        """Catch up with a move of the transcript cursor whose message is still on its way.

        Keys come in bursts (a fast typist over SSH, a paste): `j` `m` must mark the row `j`
        went to, even when `m` is handled before the screen has heard about the move.
        """
        index = self.query_one(TranscriptView).pending_move
        if index is not None and self.review.segments and index != self.review.cursor:
            self.review.go_to_index(index)
            self._after_move()

    def on_speaker_timeline_time_selected(self, event: SpeakerTimeline.TimeSelected) -> None:
        self.review.go_to_time(event.seconds)
        self.query_one(TranscriptView).set_cursor(self.review.cursor)
        self._show_status()

    def on_speaker_timeline_chosen(self, _event: SpeakerTimeline.Chosen) -> None:
        self.query_one(TranscriptView).focus()

    def on_notes_pane_mark_chosen(self, event: NotesPane.MarkChosen) -> None:
        self.review.go_to_time(event.mark.start)
        self._after_move()

    def _after_move(self, *, scroll: bool = True) -> None:
        if not self.review.playing and self.review.current is not None:
            self.review.playhead = self.review.current.start
            self.query_one(SpeakerTimeline).set_playhead(self.review.playhead)
        self._show_cursor(scroll=scroll)
        self._show_status()

    # -- actions -----------------------------------------------------------------------

    def action_play_pause(self) -> None:
        self._sync_cursor()
        try:
            playing = self.review.toggle_play()
        except DebriefError as exc:
            self.notify(str(exc), title="Cannot play", severity="error")
            return
        if playing:
            self._ticker.resume()
        else:
            self._ticker.pause()
        self._show_status()

    def action_seek(self, seconds: float) -> None:
        self.review.seek(seconds)
        self.query_one(SpeakerTimeline).set_playhead(self.review.playhead)
        self._show_cursor()
        self._show_status()

    def action_turn(self, direction: int) -> None:
        self._sync_cursor()
        self.review.next_turn() if direction > 0 else self.review.previous_turn()
        self._after_move()

    def action_jump_mark(self, forward: int) -> None:
        self._sync_cursor()
        mark = self.review.jump_mark(bool(forward))
        if mark is None:
            self.notify("No mark " + ("after" if forward else "before") + " this point.", timeout=2)
            return
        self._after_move()

    def action_speed(self, step: int) -> None:
        self.review.change_speed(step)
        self._show_status()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "back":
            return self._back_to_library
        if action == "walk_step":
            return bool(self._walk)
        if action == "clear_walk":
            return bool(self._walk) or self.query_one(TranscriptView).filtered or self.query_one("#find").has_focus
        return True

    # -- searching this transcript ----------------------------------------------------

    def action_search(self) -> None:
        box = self.query_one("#find", Input)
        box.display = True
        box.focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id != "find":
            return
        event.stop()
        event.input.display = False
        self.query_one(TranscriptView).focus()
        hits = matching_segments(self.review.segments, event.value)
        if not hits:
            self.notify(f"No utterance contains {event.value!r}.", timeout=3)
            return
        self._start_walk(f"“{event.value}”", hits, parse_query(event.value).terms)

    def on_descendant_blur(self, event) -> None:
        box = self.query_one("#find", Input)
        if event.widget is box:
            box.display = False

    def _start_walk(self, title: str, indexes: list[int], terms: tuple[str, ...] = ()) -> None:
        self._walk, self._walk_title, self._search_terms = sorted(set(indexes)), title, terms
        self.query_one(TranscriptView).set_search(frozenset(self._walk) if terms else frozenset(), terms)
        self.refresh_bindings()
        self.action_walk_step(1, include_current=True)

    def action_walk_step(self, direction: int, include_current: bool = False) -> None:
        self._sync_cursor()
        walk = self._walk
        if not walk:
            return
        here = self.review.cursor
        if direction > 0:
            later = [i for i in walk if i > here or (include_current and i == here)]
            target = later[0] if later else walk[0]
        else:
            earlier = [i for i in walk if i < here]
            target = earlier[-1] if earlier else walk[-1]
        self.review.go_to_index(target)
        self._after_move()
        self._show_status(f"{self._walk_title} {walk.index(target) + 1}/{len(walk)} · n/N · esc clears")

    def action_clear_walk(self) -> None:
        self.query_one("#find").display = False
        view = self.query_one(TranscriptView)
        view.focus()
        self._walk, self._walk_title, self._search_terms = [], "", ()
        view.set_search(frozenset(), ())
        if view.filtered:
            view.set_filter(None)
            self._show_cursor()
        self._slice_label = ""
        self.refresh_bindings()
        self._show_status()

    # -- figures and thin slices --------------------------------------------------------

    def action_stats(self) -> None:
        if not self.review.segments:
            self.notify("No transcript yet.", timeout=2)
            return

        def done(walk: Walk | None) -> None:
            if walk is not None and walk.moments:
                self._start_walk(walk.title, [m.segment_index for m in walk.moments if m.segment_index >= 0])

        self.app.push_screen(StatsScreen(self.review.stats(), self.review.speakers), done)

    def action_slice(self) -> None:
        self._sync_cursor()
        choices: list[tuple[str, list[int]]] = []
        if self._walk:
            choices.append((f"Only {self._walk_title} ({len(self._walk)})", self._walk))
        choices.append(("Only marked moments", self.review.slice_indexes("marked")))
        for tag in sorted({m.tag for m in self.review.marks}):
            choices.append((f"Only the tag {tag}", self.review.slice_indexes("tag", tag)))
        choices.append(("The last 15 minutes", self.review.slice_indexes("last", "15")))
        choices.append(("The first 15 minutes", self.review.slice_indexes("first", "15")))
        choices.append(("Everything (no slice)", []))

        def done(choice: int | None) -> None:
            if choice is None:
                return
            label, indexes = choices[choice]
            view = self.query_one(TranscriptView)
            if choice == len(choices) - 1:
                view.set_filter(None)
                self._slice_label = ""
            else:
                view.set_filter(indexes)
                self._slice_label = f"{label.removeprefix('Only ')} ({len(indexes)})"
                if indexes:
                    self.review.go_to_index(view.nearest_shown(self.review.cursor))
                self.notify(f"{label}: {len(indexes)} utterance(s). esc shows everything.", timeout=4)
            self.refresh_bindings()
            self._show_cursor()
            self._show_status()

        self.app.push_screen(ChoiceDialog("Show only…", [label for label, _ in choices]), done)

    def action_back(self) -> None:
        self._cancel.set()
        self.app.leave_session()

    def action_replay(self) -> None:
        self.review.replay()
        self._ticker.resume()
        self._show_status()

    def action_loop(self) -> None:
        self._sync_cursor()
        loop = self.review.toggle_loop()
        if loop is None:
            self.notify("Loop off.", timeout=2)
        else:
            self.notify(f"Looping {format_mark_range(*loop)} (o again to stop).", timeout=3)
            self._ticker.resume()
        self._show_status()

    def action_follow(self) -> None:
        self.review.follow = not self.review.follow
        self._show_status()

    def action_mark(self) -> None:
        self._sync_cursor()
        tag = self.default_tag
        self._save(lambda: self.review.mark_here(tag), "mark")

    def action_mark_tag(self, index: int) -> None:
        self._sync_cursor()
        tag = self._tags[index].name
        self._save(lambda: self.review.mark_here(tag), "mark")

    def action_retag(self) -> None:
        self._sync_cursor()
        mark = self.review.mark_at_cursor()
        if mark is None:
            self.notify("No mark on this utterance: m marks it first.", timeout=3)
            return
        names = [t.name for t in self._tags]
        if mark.tag not in names:
            names.append(mark.tag)
        labels = [f"{name}  ({tag.key})" if (tag := next((t for t in self._tags if t.name == name), None)) and tag.key
                  else name for name in names]

        def done(choice: int | None) -> None:
            if choice is not None and names[choice] != mark.tag:
                new = names[choice]
                self._save(lambda: self.review.set_tag(mark.id, new), "retag")

        self.app.push_screen(ChoiceDialog(f"Tag of the mark at {format_mark_range(mark.start, mark.end)}", labels,
                                          current=names.index(mark.tag)), done)

    def action_note(self) -> None:
        self._sync_cursor()
        mark = self.review.mark_at_cursor()
        if mark is None:
            if self.review.current is None:
                return
            # No mark here yet: mark first, then open the note on it.
            tag = self.default_tag
            self._save(lambda: self.review.mark_here(tag), "mark-then-note")
            return
        self._edit_note(mark)

    def _edit_note(self, mark: Mark) -> None:
        self.review.pause_for_typing()
        self._ticker.pause()
        self._show_status()
        heading = f"Note on {format_mark_range(mark.start, mark.end)} · {mark.tag}"
        draft = self._draft if self._draft and self._draft.get("mark_id") == mark.id else None
        if draft is not None:
            heading += " (your unsaved draft from last time)"

        def done(note: str | None) -> None:
            self._draft = None
            if note is not None and note != mark.note:
                self._save(lambda: self.review.set_note(mark.id, note), "note")
            elif draft is not None:
                self._save(self.review.clear_draft, "draft-cleared")
            self.review.resume_after_typing()
            if self.review.playing:
                self._ticker.resume()
            self._show_status()

        def keep_draft(text: str) -> None:
            self._save(lambda: self.review.save_draft(mark, text), "draft")

        text = str(draft["text"]) if draft is not None else mark.note
        self.app.push_screen(
            NoteEditor(heading, text, on_draft=keep_draft, save_draft_now=lambda t: self.review.save_draft(mark, t)),
            done,
        )

    def offer_draft(self) -> None:
        """A note was left half-typed (the connection dropped): go there and say so."""
        draft = self.review.pending_draft()
        if draft is None:
            return
        self._draft = draft
        self.review.go_to_time(float(draft.get("start", 0.0)))
        self._show_cursor()
        self.notify(f"Your unsaved note at {format_time(float(draft.get('start', 0.0)))} was kept: "
                    "press n to finish it.", title="Draft kept", timeout=10)

    def action_delete_mark(self) -> None:
        self._sync_cursor()
        mark = self.review.mark_at_cursor()
        if mark is None:
            self.notify("No mark on this utterance.", timeout=2)
            return
        self._save(lambda: self.review.delete_mark(mark.id), "delete")

    def action_undo(self) -> None:
        self._save(self.review.undo_delete, "undo")

    # -- exporting and reflecting -------------------------------------------------------

    def action_export(self) -> None:
        from tui.services.exporting import export

        review, config = self.review, self.app.config
        if not review.segments:
            self.notify("Nothing to export before the transcript is ready.", timeout=3)
            return
        workspace = review.workspace
        folder = workspace.library.db_path.parent / "exports"
        stem = "-".join(f"{workspace.recording.stem} notes".split())  # no spaces: easy to type and attach
        terms = (*config.redaction_terms, *review.redaction_terms())

        def preview(options) -> str:
            return export([(workspace.report(), workspace.recording)], options).text

        def chosen(choice: ExportChoice | None) -> None:
            if choice is not None:
                self._write_export(choice)

        self.app.push_screen(ExportScreen(folder, stem, preview, terms, config.context_seconds,
                                          config.clip_pre_roll, config.clip_post_roll), chosen)

    @work(thread=True, group="export", exit_on_error=False)
    def _write_export(self, choice: ExportChoice) -> tuple[Path, int, list[str]]:
        from tui.services.exporting import export, protected_paths, save

        workspace = self.review.workspace
        result = export([(workspace.report(), workspace.recording)], choice.options)
        save(result, choice.path, protect=protected_paths(workspace.library, [workspace.recording]))
        return choice.path, result.marks, result.warnings

    def action_details(self) -> None:
        workspace = self.review.workspace
        speakers = ", ".join(f"{sp.label} ({sp.role})" if sp.role and sp.name else sp.label
                             for sp in self.review.speakers) or "not known yet"

        def done(result: DetailsResult | None) -> None:
            if result is not None:
                self._save(lambda: workspace.save_details(result.details, result.measures), "details")

        self.app.push_screen(DetailsScreen(workspace.details(), workspace.measures(), speakers,
                                           workspace.info.title, workspace.info.date), done)

    def action_reflect(self) -> None:
        def done(result: Reflection | None) -> None:
            if result is not None and (result.focus_goal, result.intention, result.summary) != current:
                self._save(lambda: self.review.set_reflection(result.focus_goal, result.intention, result.summary),
                           "reflection")

        current = self.review.reflection()
        self.app.push_screen(ReflectionScreen(Reflection(*current)), done)

    # -- correcting speakers ----------------------------------------------------------

    def action_assign(self, index: int) -> None:
        self._sync_cursor()
        if self.review.current is None:
            return
        self._save(lambda: self.review.assign_current(index), "assign")

    def action_name_speaker(self) -> None:
        self._sync_cursor()
        seg = self.review.current
        if seg is None:
            return
        speaker = self.review.transcript.speaker(seg.speaker)

        def done(result: tuple[str, str] | None) -> None:
            if result is not None:
                # The voice is remembered once the name is saved (under that name), never at the same time.
                self._save(lambda: self.review.name_speaker(speaker.id, *result), "name")

        recognised = f"recognised as {speaker.name} ({speaker.match:.0%} sure)" if speaker.guessed else ""
        self.app.push_screen(SpeakerDialog(speaker.id, speaker.name, speaker.role, recognised), done)

    @work(thread=True, group="voice", exit_on_error=False)
    def _remember_voice(self, speaker_id: str) -> str:
        return self.review.remember_voice(speaker_id)

    def action_merge_speaker(self) -> None:
        self._sync_cursor()
        seg = self.review.current
        if seg is None:
            return
        others = [sp for sp in self.review.speakers if sp.id != seg.speaker]
        if not others:
            self.notify("There is no other speaker to merge with.", timeout=3)
            return
        source = self.review.speaker_label(seg.speaker)

        def done(choice: int | None) -> None:
            if choice is not None:
                target = others[choice]
                self._save(lambda: self.review.merge_speakers(seg.speaker, target.id), "merge")

        self.app.push_screen(ChoiceDialog(f"{source} is really…", [sp.label for sp in others]), done)

    def action_split(self) -> None:
        self._sync_cursor()
        seg = self.review.current
        if seg is None:
            return
        at = self.review.playhead
        if not seg.start < at < seg.end:
            self.notify("Put the playhead on the word where the speaker changes (play, or ←/→), then press x.",
                        timeout=5)
            return
        self._save(lambda: self.review.split_current(at), "split")

    def action_separate_again(self) -> None:
        if not self.review.segments or not self.review.transcript.complete:
            self.notify("Wait for the transcript: speakers are separated once it is complete.", timeout=3)
            return
        raw = self.review.transcript_as_transcribed(complete=True)
        choices: list[int | None] = [None, *range(1, 7)]
        labels = ["Estimate how many", "1 person", *(f"{n} people" for n in range(2, 7))]

        def done(choice: int | None) -> None:
            if choice is not None:
                self.notify("Separating the voices again…", timeout=3)
                self._separate_again(raw, choices[choice])

        self.app.push_screen(ChoiceDialog("How many people speak in this session?", labels), done)

    @work(thread=True, exclusive=True, group="separate", exit_on_error=False)
    def _separate_again(self, raw: Transcript, count: int | None) -> Transcript:
        return self.review.workspace.separate_speakers(raw, count)

    # -- durable saves, off the event loop ---------------------------------------------

    @work(thread=True, group="store", exit_on_error=False)
    def _save(self, operation: Callable[[], object], kind: str) -> tuple[str, object]:
        return kind, operation()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        if worker.group == "store":
            if event.state == WorkerState.SUCCESS:
                kind, mark = worker.result
                self._saved(kind, mark)
            elif event.state == WorkerState.ERROR:
                self._failed("Not saved", worker.error)
        elif worker.group == "poll":
            if event.state == WorkerState.SUCCESS and worker.result:
                self._show_transcript()
                self._show_marks()
                self._show_cursor(scroll=False)
            elif event.state == WorkerState.ERROR and str(worker.error) != self._poll_error:
                self._poll_error = str(worker.error)  # say it once, not every second
                self._failed("Cannot read marks", worker.error)
        elif worker.group == "voice":
            if event.state == WorkerState.SUCCESS:
                self.notify(f"{worker.result}'s voice will be recognised in new sessions of this library.",
                            timeout=4)
            elif event.state == WorkerState.ERROR:
                self._failed("Voice not remembered", worker.error)
        elif worker.group == "export":
            if event.state == WorkerState.SUCCESS:
                path, marks, warnings = worker.result
                self.notify(f"Wrote {path} ({marks} mark(s)); it is private to you.", timeout=6)
                for warning in warnings:
                    self.notify(warning, title="Before you share it", severity="warning", timeout=10)
            elif event.state == WorkerState.ERROR:
                self._failed("Export refused", worker.error)
        elif worker.group == "separate":
            if event.state == WorkerState.SUCCESS:
                self._separated(worker.result)
            elif event.state == WorkerState.ERROR:
                self._failed("Speakers not separated", worker.error)
        elif worker.group == "transcribe":
            if event.state == WorkerState.SUCCESS:
                self._transcribed(worker.result)
            elif event.state == WorkerState.ERROR:
                self.query_one("#transcribing").display = False
                self._failed("Transcription failed", worker.error)

    def _saved(self, kind: str, mark: Mark | None) -> None:
        if kind in ("draft", "draft-cleared"):
            return
        if kind == "details":
            self.notify("Session details saved.", timeout=3)
            return
        if kind == "reflection":
            self.notify("Reflection saved; it goes at the top of every export.", timeout=3)
            return
        if kind in ("assign", "name", "merge", "split"):
            self._show_transcript()
            self._show_marks()
            self._show_cursor()
            self._show_status()
            if kind == "name" and mark:
                self._remember_voice(str(mark))
            if kind == "assign":
                done = f"Now said by {mark.label} (saved)."
            else:
                done = {"name": "Speaker named (saved).", "merge": "Speakers merged (saved).",
                        "split": "Utterance split (saved)."}[kind]
            self.notify(done, timeout=3)
            return
        self._show_marks()
        if mark is None:
            self.notify("Nothing to undo.", timeout=2)
            return
        when = format_mark_range(mark.start, mark.end)
        messages = {
            "retag": f"The mark at {when} is now {mark.tag} (saved).",
            "mark": f"Marked {when} as {mark.tag} (saved).",
            "mark-then-note": f"Marked {when} as {mark.tag} (saved).",
            "note": f"Note on {when} saved.",
            "delete": f"Deleted the mark at {when} (u to undo).",
            "undo": f"Brought back the mark at {when}.",
        }
        self.notify(messages[kind], timeout=3)
        if kind == "mark-then-note":
            self._edit_note(mark)

    def _failed(self, title: str, error: BaseException | None) -> None:
        message = str(error) if isinstance(error, DebriefError) else f"unexpected problem: {error!r}"
        self.notify(message, title=title, severity="error", timeout=10)

    # -- transcription ---------------------------------------------------------------

    def _start_transcription(self) -> None:
        if self._transcriber_factory is None:
            self.query_one("#transcribing").display = False
            return
        self.query_one("#transcribing").display = True
        self._transcribe()

    @work(thread=True, exclusive=True, group="transcribe", exit_on_error=False)
    def _transcribe(self) -> Transcript:
        transcriber = self._transcriber_factory()
        self.app.call_from_thread(self._transcription_started, transcriber.label)
        transcript = transcriber.transcribe(
            self.review.workspace.recording,
            on_segment=lambda seg: self._from_thread(self._segment_arrived, seg),
            on_progress=lambda done, total: self._from_thread(self._progress, done, total),
            cancel=self._cancel,
            voices=self.review.workspace.voices(),
        )
        self.review.workspace.save_transcript(transcript)
        return transcript

    def _from_thread(self, callback, *args) -> None:
        if not self._cancel.is_set():
            try:
                self.app.call_from_thread(callback, *args)
            except RuntimeError:  # the app is closing
                self._cancel.set()

    def _transcription_started(self, label: str) -> None:
        self.query_one("#transcribing-label", Static).update(f"Transcribing offline with {label}…")
        if self.review.segments and not self.review.transcript.complete:
            self.review.set_transcript(Transcript(duration=self.review.duration))
            self._show_transcript()

    def _progress(self, done: float, total: float) -> None:
        bar = self.query_one("#transcribing-bar", ProgressBar)
        bar.update(total=max(total, 0.001), progress=done)

    def _segment_arrived(self, segment: Segment) -> None:
        first = not self.review.segments
        self.review.add_segment(segment)
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

    def _show_subtitle(self) -> None:
        """Length · file, and the session's language when there is something to tell (not assumed English)."""
        info = self.review.workspace.info
        language = languages.shown_for(self.review.transcript)
        self.sub_title = " · ".join(
            part for part in (format_time(info.duration), self.review.workspace.recording.name, language) if part)

    def _transcribed(self, transcript: Transcript) -> None:
        self.query_one("#transcribing").display = False
        self.review.set_transcript(transcript)
        self._show_subtitle()
        self._show_transcript()
        self._show_marks()
        self._show_cursor()
        self._show_status()
        state = "" if transcript.complete else " (stopped part-way; reopen to finish)"
        self.notify(f"Transcript ready: {len(transcript.segments)} utterances{state}.", timeout=4)

    def _separated(self, transcript: Transcript) -> None:
        self.review.set_transcript(transcript)
        self._show_transcript()
        self._show_cursor()
        self._show_status()
        self.notify(f"{len(self.review.speakers)} speaker(s); your names and corrections are kept.", timeout=4)

    # -- timers ----------------------------------------------------------------------

    def _tick(self) -> None:
        moved = self.review.tick()
        self.query_one(SpeakerTimeline).set_playhead(self.review.playhead)
        playing = self.review.now_playing
        if playing != self._last_playing:
            self._last_playing = playing
            self.query_one(TranscriptView).set_playing(playing)
        if moved:
            self._show_cursor()
        if not self.review.playing and self.review.loop is None:
            self._ticker.pause()
            self.review.remember_position()
        self._show_status()

    def _check_external_changes(self) -> None:
        self._poll_annotations()

    @work(thread=True, exclusive=True, group="poll", exit_on_error=False)
    def _poll_annotations(self) -> bool:
        """Another reviewer may have written to this session: a stat, and a re-read if so."""
        return self.review.marks_changed_elsewhere()

    def keep_partial_transcript(self) -> None:
        """The connection is dropping mid-transcription: keep the utterances done so far."""
        if any(w.group == "transcribe" and w.is_running for w in self.workers) and self.review.segments:
            self._cancel.set()
            self.review.workspace.save_transcript(self.review.transcript_as_transcribed(complete=False))

    def on_unmount(self) -> None:
        self._cancel.set()
        gc.unfreeze()  # this screen and its transcript become garbage: let the collector see them
