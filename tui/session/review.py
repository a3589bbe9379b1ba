"""One reviewing session: the cursor, and the parts that own the rest of its state.

The review screen owns one :class:`Review` and renders it; keys become calls here. The
state has one owner each: :class:`CorrectedTranscript` (what is shown and its figures),
:class:`Playback` (the playhead), :class:`MarkBook` (the marks), :class:`SpeakerFixes` (who
said what); the review owns the cursor and moves it. Durable edits are :class:`Change`\\ s: planned here, written by a worker,
applied with :meth:`Review.apply` on the event loop. No Textual here: the whole review can
be driven from a test without a terminal (:meth:`Review.commit` runs a change at once).
"""

from __future__ import annotations

from typing import Any, TypeVar

from tui.core.analytics import SessionStats
from tui.core.details import Measure, SessionDetails
from tui.core.feedback import SOURCE as FEEDBACK
from tui.core.model import DEFAULT_TAG, Mark, Segment, Speaker, Transcript
from tui.errors import DebriefError
from tui.media.playback import Player
from tui.services.feedback import mark_feedback_read, next_practice, unread_feedback
from tui.services.workspace import Workspace, current_author, redaction_terms

from .changes import Change, Kind, Written, check_writable, perform
from .corrected import CorrectedTranscript
from .marks import MarkBook
from .speaker_fixes import SpeakerFixes
from .playback import RESUME_REWIND_SECONDS, Playback
from .stored import Stored, read_stored

T = TypeVar("T")


class Review:
    """The model behind the review screen."""

    def __init__(self, workspace: Workspace, player: Player, *, transcript: Transcript | None = None,
                 speed: float = 1.0, follow: bool = True, resume_rewind: float = RESUME_REWIND_SECONDS,
                 skip_silence: float = 0.0, author: str | None = None) -> None:
        self.workspace = workspace
        self.player = player
        self.follow = follow
        """While playing, keep the cursor on the utterance being played."""
        self.author = current_author() if author is None else author
        self.cursor = 0
        """Index of the utterance the reviewer is on (the "here")."""
        stored = read_stored(workspace)
        transcript = transcript if transcript is not None else Transcript()
        self.text = CorrectedTranscript(transcript, stored.corrections, stored.names)
        duration = workspace.info.duration or transcript.duration
        self.playback = Playback(player, workspace.recording, duration, speed=speed,
                                 resume_rewind=resume_rewind, skip_silence=skip_silence)
        self.book = MarkBook(workspace)
        self.fixes = SpeakerFixes(workspace, self.text)
        """Who said what: assignments, names, merges and splits."""
        self._read_at = 0.0
        self.token: object = None
        """The store's change token when the marks were last read."""
        self.apply_stored(stored)
        self.unread_feedback = unread_feedback(workspace.annotations)
        """Mentor comments imported since the reviewer last opened this session."""
        self.suggested_practice = next_practice(workspace.annotations)
        """(next practice, mentor, when) from the latest feedback: offered as the series' focus goal."""
        position = workspace.annotations.get("position", 0.0)
        if isinstance(position, (int, float)) and 0 <= position < self.duration:
            self.playback.playhead = float(position)
            self.cursor = max(0, self.text.index.at(self.playhead))

    @classmethod
    def open(cls, workspace: Workspace, player: Player, **settings: Any) -> Review:
        """The review of ``workspace`` with its cached transcript, or an empty one still to be made."""
        transcript = workspace.cached_transcript() or Transcript(duration=workspace.info.duration, complete=False)
        return cls(workspace, player, transcript=transcript, **settings)

    # -- what is there -------------------------------------------------------------

    @property
    def duration(self) -> float:
        return self.playback.duration

    @property
    def transcript(self) -> Transcript:
        """The transcript with the reviewer's corrections and names."""
        return self.text.shown

    @property
    def segments(self) -> tuple[Segment, ...]:
        return self.text.segments

    @property
    def speakers(self) -> tuple[Speaker, ...]:
        """Speakers with the reviewer's names and corrections applied."""
        return self.text.shown.speakers

    def speaker_label(self, speaker_id: str) -> str:
        return self.text.label(speaker_id)

    @property
    def marks(self) -> tuple[Mark, ...]:
        return self.book.marks

    @property
    def current(self) -> Segment | None:
        return self.segments[self.cursor] if 0 <= self.cursor < len(self.segments) else None

    @property
    def now_playing(self) -> int:
        """Index of the utterance under the playhead, -1 in a pause."""
        return self.text.index.playing_at(self.playhead)

    @property
    def read_only(self) -> bool:
        return self.workspace.read_only

    def marked_indexes(self) -> frozenset[int]:
        """Utterances that hold a mark (for the glyph in the transcript)."""
        index = self.text.index
        return frozenset(index.at(m.start) for m in self.marks) if self.segments else frozenset()

    def mark_at_cursor(self) -> Mark | None:
        return self.book.at(self.current)

    def stats(self) -> SessionStats:
        return self.text.stats(self.duration)

    def slice_indexes(self, kind: str, value: str = "") -> list[int]:
        """Utterances of a thin slice: "marked", "tag" (value), "last"/"first" (value: minutes)."""
        if kind == "marked":
            return sorted(self.marked_indexes())
        if kind == "tag":
            return sorted({self.text.index.at(m.start) for m in self.marks if m.tag == value} - {-1})
        minutes = float(value or 15) * 60
        if kind == "last":
            return [i for i, s in enumerate(self.segments) if s.end > self.duration - minutes]
        if kind == "first":
            return [i for i, s in enumerate(self.segments) if s.start < minutes]
        raise ValueError(kind)

    def talk_share_text(self) -> str:
        """Talk share up to the playhead, e.g. ``Maria 62% · Sam 38%``."""
        shares = self.text.talk_share_until(self.playhead)
        if not any(shares.values()):
            return ""
        return " · ".join(f"{self.speaker_label(sid)} {share:.0%}" for sid, share in shares.items())

    def reflection(self) -> tuple[str, str, str]:
        """(focus goal of the series, look-fors, summary). Read from the store."""
        return self.workspace.reflection()

    def redaction_terms(self) -> tuple[str, ...]:
        """The library's own redaction list (client names, places)."""
        return redaction_terms(self.workspace.library)

    # -- the transcript arriving or changing (event loop) ---------------------------

    def set_transcript(self, transcript: Transcript) -> None:
        """Show ``transcript`` (as transcribed), with the reviewer's corrections applied."""
        self.text.rebuild(transcript)
        self._keep_cursor_inside()

    def add_segment(self, segment: Segment) -> None:
        self.text.add_segment(segment)

    def transcript_as_transcribed(self, *, complete: bool) -> Transcript:
        """The transcript before the reviewer's corrections (what the cache holds)."""
        return self.text.as_transcribed(complete=complete)

    def _keep_cursor_inside(self) -> None:
        self.cursor = min(self.cursor, max(0, len(self.segments) - 1))

    # -- durable changes: planned here, written in a worker, applied here -------------

    def apply(self, written: Written[T]) -> T:
        """Take a written change in (event loop only); returns what it wrote."""
        if written.kind is Kind.DELETE and isinstance(written.value, Mark):
            self.book.deleted(written.value)
        elif written.kind is Kind.UNDO and written.value is not None:
            self.book.restored()
        if written.stored is not None:
            self.apply_stored(written.stored)
        return written.value

    def apply_stored(self, stored: Stored) -> None:
        """What the store holds now (after our write, or another process's).

        Workers finish in any order: a read that began before the one applied last is stale.
        """
        if stored.read_at < self._read_at:
            return
        self._read_at = stored.read_at
        self.book.marks = stored.marks
        self.token = stored.token
        if stored.corrections != self.text.corrections or stored.names != self.text.names:
            self.text.rebuild(corrections=stored.corrections, names=stored.names)
            self._keep_cursor_inside()

    def commit(self, change: Change[T]) -> T:
        """Write and apply at once, on this thread: for tests and the command line."""
        return self.apply(perform(change, self.workspace))

    def check_writable(self) -> None:
        check_writable(self.workspace)

    # marks

    def mark_here(self, tag: str = DEFAULT_TAG, note: str = "") -> Change[Mark]:
        """Mark the cursor utterance (or the playhead while playing)."""
        self.check_writable()
        if self.playing or self.current is None:
            start, end = self.playhead, None
        else:
            start, end = self.current.start, self.current.end
        return self.book.add(start, end, tag, self.author, note)

    # the session's own fields

    def set_reflection(self, focus_goal: str, intention: str, summary: str) -> Change[None]:
        self.check_writable()
        workspace, goal_changed = self.workspace, focus_goal != self.reflection()[0]

        def write() -> None:
            if goal_changed:
                workspace.library.set("focus_goal", focus_goal)
            workspace.annotations.set("intention", intention)
            workspace.annotations.set("summary", summary)

        return Change(Kind.SESSION, write)

    def session_details(self, details: SessionDetails, measures: tuple[Measure, ...]) -> Change[None]:
        """Consent, tags and outcome measures (the values are checked when written)."""
        self.check_writable()
        workspace = self.workspace
        return Change(Kind.SESSION, lambda: workspace.save_details(details, measures))

    def feedback_seen(self) -> Change[None] | None:
        """The reviewer has the mentor's comments in front of them: the library's count clears."""
        if not self.unread_feedback or self.read_only:
            return None
        annotations = self.workspace.annotations
        return Change(Kind.SESSION, lambda: mark_feedback_read(annotations))

    def feedback_authors(self) -> tuple[str, ...]:
        """Who wrote the imported comments, in order of first comment."""
        return tuple(dict.fromkeys(m.author for m in self.marks if m.source == FEEDBACK and m.author))

    def position_change(self) -> Change[None] | None:
        """Where the reviewer left off, to be written in a worker (None: a read-only library)."""
        if self.read_only:
            return None
        annotations, at = self.workspace.annotations, round(self.playhead, 3)

        def write() -> None:
            try:
                annotations.set("position", at)
            except DebriefError:
                pass  # where the reviewer left off is a convenience, never worth an error

        return Change(Kind.SESSION, write)

    # -- moving --------------------------------------------------------------------

    def move(self, delta: int) -> None:
        self.go_to_index(self.cursor + delta)

    def go_to_index(self, index: int) -> None:
        if self.segments:
            self.cursor = max(0, min(len(self.segments) - 1, index))

    def go_to_time(self, t: float) -> None:
        """Put the cursor on the utterance at ``t`` (and the playhead, when not playing)."""
        t = max(0.0, min(self.duration, t))
        if not self.playing:
            self.playback.playhead = t
        if self.segments:
            self.cursor = self.text.index.at(t)

    def next_turn(self) -> None:
        self.cursor = self.text.index.next_turn(self.cursor)

    def previous_turn(self) -> None:
        self.cursor = self.text.index.previous_turn(self.cursor)

    def jump_mark(self, forward: bool) -> Mark | None:
        here = self.current.start if self.current else self.playhead
        mark = self.book.after(here) if forward else self.book.before(here)
        if mark is not None:
            self.go_to_time(mark.start)
        return mark

    # -- playing -------------------------------------------------------------------

    @property
    def playhead(self) -> float:
        return self.playback.playhead

    @playhead.setter
    def playhead(self, t: float) -> None:
        self.playback.playhead = t

    @property
    def playing(self) -> bool:
        return self.playback.playing

    @property
    def loop(self) -> tuple[float, float] | None:
        return self.playback.loop

    @property
    def skip_silence(self) -> float:
        return self.playback.skip_silence

    @skip_silence.setter
    def skip_silence(self, seconds: float) -> None:
        self.playback.skip_silence = seconds

    @property
    def paused_for_typing(self) -> bool:
        return self.playback.paused_for_typing

    def toggle_play(self) -> bool:
        """Pause, or play from the cursor row; returns whether it is now playing."""
        if self.playing:
            self.playback.pause()
            return False
        self.playback.play_from(self.current.start if self.current else self.playhead)
        return True

    def replay(self, seconds: float = 5.0) -> None:
        """Hear the last few seconds again."""
        self.playback.play_from(self.playhead - seconds)

    def toggle_loop(self) -> tuple[float, float] | None:
        """Loop the marked range at the cursor, else the cursor utterance; again to stop."""
        if self.loop is not None:
            self.playback.set_loop(None)
            return None
        mark, seg = self.mark_at_cursor(), self.current
        if mark is not None and mark.end is not None:
            self.playback.set_loop((mark.start, mark.end))
        elif seg is not None:
            self.playback.set_loop((seg.start, max(seg.end, seg.start + 0.5)))
        return self.loop

    def seek(self, delta: float) -> None:
        target = self.playback.seek_to(self.playhead + delta)
        self.cursor = max(0, self.text.index.at(target)) if self.segments else 0

    @property
    def speed(self) -> float:
        return self.playback.speed

    @speed.setter
    def speed(self, speed: float) -> None:
        self.playback.speed = speed

    def change_speed(self, step: int) -> float:
        return self.playback.change_speed(step)

    def pause_for_typing(self) -> None:
        self.playback.pause_for_typing()

    def resume_after_typing(self) -> None:
        self.playback.resume_after_typing()

    def tick(self) -> bool:
        """Follow the player; returns True when the cursor moved because of it."""
        if not self.playback.follow_player() and self.now_playing < 0:
            after = self.text.index.at(self.playhead) + 1
            self.playback.skip_pause(self.segments[after].start if after < len(self.segments) else None)
        if self.follow and self.playing and self.segments:
            playing = self.now_playing
            if playing >= 0 and playing != self.cursor:
                self.cursor = playing
                return True
        return False

    def leave(self) -> None:
        """Stop listening and remember where the reviewer was (the player stays usable)."""
        if self.playing:
            self.playback.pause()
        change = self.position_change()
        if change is not None:
            change.write()

    def close(self) -> None:
        self.leave()
        self.player.close()
