"""One reviewing session's state: the transcript, the cursor, the playhead and the marks.

The review screen owns one :class:`Review` and renders it; keys become calls here.
Everything that must be durable (marks, notes, the place the reviewer left off) goes
through the store before a method returns, so "saved" on screen means saved on disk.
No Textual here: the whole review can be driven from a test without a terminal.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from tui.core.analytics import SessionStats, TalkShareIndex, session_stats
from tui.core.corrections import Corrections, next_speaker_id
from tui.core.model import DEFAULT_TAG, Mark, Segment, Speaker, Transcript
from tui.core.timeline import SegmentIndex, next_mark, previous_mark
from tui.errors import DebriefError, StoreReadOnlyError
from tui.media.playback import Player
from tui.store import new_mark_id, utc_now
from tui.services.workspace import Workspace, current_author, redaction_terms

SPEEDS = (0.5, 0.75, 1.0, 1.25, 1.5, 1.75, 2.0, 2.5)
RESUME_REWIND_SECONDS = 2.0


@dataclass
class Review:
    """The model behind the review screen."""

    workspace: Workspace
    player: Player
    transcript: Transcript = field(default_factory=Transcript)
    cursor: int = 0
    """Index of the utterance the reviewer is on (the "here")."""
    playhead: float = 0.0
    """Where the audio is, in seconds; follows the player while playing."""
    speed: float = 1.0
    follow: bool = True
    """While playing, keep the cursor on the utterance being played."""
    resume_rewind: float = RESUME_REWIND_SECONDS
    """After typing a note, playback resumes this many seconds earlier."""
    skip_silence: float = 0.0
    """While playing, jump over pauses longer than this many seconds (0: never)."""
    loop: tuple[float, float] | None = None
    """A range played over and over (a "thin slice"), or None."""
    author: str = field(default_factory=current_author)
    marks: list[Mark] = field(default_factory=list)
    _index: SegmentIndex = field(default_factory=lambda: SegmentIndex(()))
    _raw: Transcript = field(default_factory=Transcript)
    """The transcript as transcribed or imported, before the reviewer's corrections."""
    _corrections: Corrections = field(default_factory=Corrections)
    _names: dict[str, Any] = field(default_factory=dict)
    """Speaker names as last read from disk, so a transcript arriving segment by segment
    (on the event loop) is relabelled without reading the annotations each time."""
    _talk: TalkShareIndex | None = None
    _stats: tuple[Transcript, SessionStats] | None = None
    _undo: list[Mark] = field(default_factory=list)
    _marks_token: object = None
    _paused_for_typing: bool = False

    def __post_init__(self) -> None:
        self._corrections = self.workspace.corrections()
        self._names = self.workspace.speaker_names()
        self.set_transcript(self.transcript)
        self.reload_marks()
        position = self.workspace.annotations.get("position", 0.0)
        if isinstance(position, (int, float)) and 0 <= position < self.duration:
            self.playhead = float(position)
            self.cursor = max(0, self._index.at(self.playhead))

    # -- what is there -------------------------------------------------------------

    @property
    def duration(self) -> float:
        return self.workspace.info.duration or self.transcript.duration

    @property
    def segments(self) -> tuple[Segment, ...]:
        return self._index.segments

    @property
    def speakers(self) -> tuple[Speaker, ...]:
        """Speakers with the reviewer's names and corrections applied."""
        return self.transcript.speakers

    def speaker_label(self, speaker_id: str) -> str:
        for sp in self.speakers:
            if sp.id == speaker_id:
                return sp.label
        return speaker_id

    @property
    def current(self) -> Segment | None:
        return self.segments[self.cursor] if 0 <= self.cursor < len(self.segments) else None

    @property
    def now_playing(self) -> int:
        """Index of the utterance under the playhead, -1 in a pause."""
        return self._index.playing_at(self.playhead)

    def reflection(self) -> tuple[str, str, str]:
        """(focus goal of the series, look-fors, summary)."""
        return self.workspace.reflection()

    def set_reflection(self, focus_goal: str, intention: str, summary: str) -> None:
        self._check_writable()
        if focus_goal != self.reflection()[0]:
            self.workspace.library.set("focus_goal", focus_goal)
        self.workspace.annotations.set("intention", intention)
        self.workspace.annotations.set("summary", summary)

    def redaction_terms(self) -> tuple[str, ...]:
        """The library's own redaction list (client names, places)."""
        return redaction_terms(self.workspace.library)

    def marked_indexes(self) -> frozenset[int]:
        """Utterances that hold a mark (for the glyph in the transcript)."""
        return frozenset(self._index.at(m.start) for m in self.marks) if self.segments else frozenset()

    def stats(self) -> SessionStats:
        """The session's figures; moments index :attr:`segments`."""
        if self._stats is None or self._stats[0] is not self.transcript:
            sorted_view = Transcript(self.segments, self.speakers, self.duration)
            self._stats = (self.transcript, session_stats(sorted_view, duration=self.duration))
        return self._stats[1]

    def slice_indexes(self, kind: str, value: str = "") -> list[int]:
        """Utterances of a thin slice: "marked", "tag" (value), "last"/"first" (value: minutes)."""
        if kind == "marked":
            return sorted(self.marked_indexes())
        if kind == "tag":
            return sorted({self._index.at(m.start) for m in self.marks if m.tag == value} - {-1})
        minutes = float(value or 15) * 60
        if kind == "last":
            return [i for i, s in enumerate(self.segments) if s.end > self.duration - minutes]
        if kind == "first":
            return [i for i, s in enumerate(self.segments) if s.start < minutes]
        raise ValueError(kind)

    def talk_share_text(self) -> str:
        """Talk share up to the playhead, e.g. ``Maria 62% · Sam 38%``."""
        if not self.segments or self._talk is None:
            return ""
        shares = self._talk.share_until(self.playhead)
        if not any(shares.values()):
            return ""
        return " · ".join(f"{self.speaker_label(sid)} {share:.0%}" for sid, share in shares.items())

    @property
    def read_only(self) -> bool:
        return self.workspace.read_only

    def set_transcript(self, transcript: Transcript) -> None:
        """Show ``transcript`` (as transcribed), with the reviewer's corrections applied."""
        self._raw = transcript
        self.transcript = self.workspace.corrected(transcript, self._corrections, self._names)
        self._index = SegmentIndex(self.transcript.segments)
        self._talk = TalkShareIndex(Transcript(self._index.segments, self.transcript.speakers))
        self.cursor = min(self.cursor, max(0, len(self._index) - 1))

    def transcript_as_transcribed(self, *, complete: bool) -> Transcript:
        """The transcript before the reviewer's corrections (what the cache holds)."""
        return replace(self._raw, complete=complete)

    def add_segment(self, segment: Segment) -> None:
        """A segment arrived from a running transcription."""
        raw = self._raw
        self.set_transcript(replace(raw, segments=raw.segments + (segment,), complete=False))

    # -- correcting who said what (saved as annotations, never in the transcript) -----

    def assign_current(self, speaker_index: int) -> Speaker:
        """Give the cursor utterance to the speaker at ``speaker_index`` (one past the end: a new speaker)."""
        seg = self._require_current()
        ids = [sp.id for sp in self.speakers]
        corrections = self._corrections
        if speaker_index >= len(ids):
            target = next_speaker_id(ids + [s.speaker for s in self._raw.segments])
            corrections = corrections.add_speaker(target)
        else:
            target = ids[speaker_index]
        self._save_corrections(corrections.assign(seg, target))
        return self.transcript.speaker(target)

    def merge_speakers(self, source: str, target: str) -> None:
        self._save_corrections(self._corrections.merge(source, target))

    def split_current(self, at: float) -> bool:
        """Cut the cursor utterance at ``at`` (word boundary); False if ``at`` is not inside it."""
        seg = self._require_current()
        if not seg.start < at < seg.end:
            return False
        self._save_corrections(self._corrections.split_at(at))
        return True

    def name_speaker(self, speaker_id: str, name: str, role: str) -> str:
        """Save the name and role; returns ``speaker_id`` when the speaker now has a name (else "").

        Remember the voice only after this has returned: the voice is kept under the name saved here.
        """
        self._check_writable()
        names = dict(self.workspace.speaker_names())
        names[speaker_id] = {"name": name.strip(), "role": role.strip()}
        self.workspace.annotations.set("speakers", names)
        self._names = names
        self.set_transcript(self._raw)
        return speaker_id if name.strip() else ""

    def remember_voice(self, speaker_id: str) -> str:
        """Keep this speaker's voice under the name they have now, for later sessions."""
        return self.workspace.remember_voice(self.transcript, speaker_id)

    def _save_corrections(self, corrections: Corrections) -> None:
        self._check_writable()
        self.workspace.annotations.set("corrections", corrections.to_dict())
        self._corrections = corrections
        self.set_transcript(self._raw)

    def _require_current(self) -> Segment:
        if self.current is None:
            raise DebriefError("there is no utterance here yet")
        return self.current

    # -- moving --------------------------------------------------------------------

    def move(self, delta: int) -> None:
        if self.segments:
            self.cursor = max(0, min(len(self.segments) - 1, self.cursor + delta))

    def go_to_index(self, index: int) -> None:
        if self.segments:
            self.cursor = max(0, min(len(self.segments) - 1, index))

    def go_to_time(self, t: float) -> None:
        """Put the cursor on the utterance at ``t`` (and the playhead, when not playing)."""
        t = max(0.0, min(self.duration, t))
        if not self.player.is_playing():
            self.playhead = t
        if self.segments:
            self.cursor = self._index.at(t)

    def next_turn(self) -> None:
        self.cursor = self._index.next_turn(self.cursor)

    def previous_turn(self) -> None:
        self.cursor = self._index.previous_turn(self.cursor)

    def jump_mark(self, forward: bool) -> Mark | None:
        here = self.current.start if self.current else self.playhead
        mark = next_mark(self.marks, here) if forward else previous_mark(self.marks, here)
        if mark is not None:
            self.go_to_time(mark.start)
        return mark

    # -- playing -------------------------------------------------------------------

    @property
    def playing(self) -> bool:
        return self.player.is_playing()

    def toggle_play(self) -> bool:
        """Pause, or play from the cursor row; returns whether it is now playing."""
        if self.player.is_playing():
            self.pause()
            return False
        start = self.current.start if self.current else self.playhead
        self.play_from(start)
        return True

    def play_from(self, t: float) -> None:
        t = max(0.0, min(self.duration, t))
        if self.loop is not None and not self.loop[0] <= t < self.loop[1]:
            t = self.loop[0]
        self.playhead = t
        end = self.loop[1] if self.loop is not None else None
        self.player.play(self.workspace.recording, t, speed=self.speed, end=end)

    def replay(self, seconds: float = 5.0) -> None:
        """Hear the last few seconds again."""
        self.play_from(self.playhead - seconds)

    def toggle_loop(self) -> tuple[float, float] | None:
        """Loop the marked range at the cursor, else the cursor utterance; again to stop."""
        if self.loop is not None:
            self.loop = None
            if self.player.is_playing():
                self.play_from(self.playhead)
            return None
        mark = self.mark_at_cursor()
        seg = self.current
        if mark is not None and mark.end is not None:
            self.loop = (mark.start, mark.end)
        elif seg is not None:
            self.loop = (seg.start, max(seg.end, seg.start + 0.5))
        else:
            return None
        self.play_from(self.loop[0])
        return self.loop

    def pause(self) -> None:
        self.player.pause()
        self.tick()
        self.remember_position()

    def seek(self, delta: float) -> None:
        target = max(0.0, min(self.duration, self.playhead + delta))
        if self.player.is_playing():
            self.play_from(target)
        else:
            self.playhead = target
        self.cursor = max(0, self._index.at(target)) if self.segments else 0

    def change_speed(self, step: int) -> float:
        i = min(range(len(SPEEDS)), key=lambda k: abs(SPEEDS[k] - self.speed))
        self.speed = SPEEDS[max(0, min(len(SPEEDS) - 1, i + step))]
        if self.player.is_playing():
            self.play_from(self.playhead)
        return self.speed

    def tick(self) -> bool:
        """Follow the player; returns True when the cursor moved because of it."""
        position = self.player.position()
        if position is not None:
            self.playhead = min(self.duration, position)
        if self.loop is not None and not self.player.is_playing() and self.playhead >= self.loop[1] - 0.05:
            self.play_from(self.loop[0])
        elif self.skip_silence > 0 and self.player.is_playing() and self.now_playing < 0:
            after = self._index.at(self.playhead) + 1
            if after < len(self.segments):
                gap_end = self.segments[after].start
                if gap_end - self.playhead > self.skip_silence:
                    self.play_from(gap_end - 0.3)
        if self.follow and self.player.is_playing() and self.segments:
            playing = self.now_playing
            if playing >= 0 and playing != self.cursor:
                self.cursor = playing
                return True
        return False

    @property
    def paused_for_typing(self) -> bool:
        """Playback stopped while a note is typed (it resumes when the note closes)."""
        return self._paused_for_typing

    def pause_for_typing(self) -> None:
        if self.player.is_playing():
            self.pause()
            self._paused_for_typing = True

    def resume_after_typing(self) -> None:
        if self._paused_for_typing:
            self._paused_for_typing = False
            self.play_from(max(0.0, self.playhead - self.resume_rewind))

    def remember_position(self) -> None:
        if not self.read_only:
            try:
                self.workspace.annotations.set("position", round(self.playhead, 3))
            except DebriefError:
                pass  # where the reviewer left off is a convenience, never worth an error

    # -- marks ---------------------------------------------------------------------

    def reload_marks(self) -> None:
        """Re-read everything another process may have changed: marks, names, corrections."""
        self.marks = self.workspace.annotations.marks()
        self._marks_token = self.workspace.annotations.change_token()
        corrections, names = self.workspace.corrections(), self.workspace.speaker_names()
        if corrections != self._corrections or names != self._names:
            self._corrections, self._names = corrections, names
            self.set_transcript(self._raw)

    def marks_changed_elsewhere(self) -> bool:
        """True (and reloads) when another process wrote this session's annotations."""
        token = self.workspace.annotations.change_token()
        if token != self._marks_token:
            self.reload_marks()
            return True
        return False

    def mark_here(self, tag: str = DEFAULT_TAG, note: str = "") -> Mark:
        """Mark the cursor utterance (or the playhead while playing) at once, durably."""
        self._check_writable()
        if self.player.is_playing() or self.current is None:
            start, end = self.playhead, None
        else:
            start, end = self.current.start, self.current.end
        now = utc_now()
        mark = Mark(new_mark_id(), round(start, 3), None if end is None else round(end, 3), tag, note,
                    self.author, now, now)
        saved = self.workspace.annotations.add_mark(mark)
        self.reload_marks()
        return saved

    def mark_at_cursor(self) -> Mark | None:
        """The mark on the cursor utterance (the latest one if several)."""
        seg = self.current
        if seg is None:
            return None
        hits = [m for m in self.marks if seg.start - 0.05 <= m.start < max(seg.end, seg.start + 0.1)]
        return hits[-1] if hits else None

    def set_note(self, mark_id: str, note: str) -> Mark:
        self._check_writable()
        saved = self.workspace.annotations.update_mark(mark_id, note=note)
        self.clear_draft()
        self.reload_marks()
        return saved

    def save_draft(self, mark: Mark, text: str) -> None:
        """What is being typed for ``mark``'s note, kept until the note is saved."""
        if not self.read_only:
            self.workspace.annotations.set("draft", {"mark_id": mark.id, "start": mark.start, "text": text})

    def pending_draft(self) -> dict[str, Any] | None:
        """A note left half-typed last time (the connection dropped), if any."""
        draft = self.workspace.annotations.get("draft")
        if isinstance(draft, dict) and str(draft.get("text", "")).strip():
            return draft
        return None

    def clear_draft(self) -> None:
        if not self.read_only and self.workspace.annotations.get("draft") is not None:
            self.workspace.annotations.set("draft", None)

    def set_tag(self, mark_id: str, tag: str) -> Mark:
        self._check_writable()
        saved = self.workspace.annotations.update_mark(mark_id, tag=tag)
        self.reload_marks()
        return saved

    def delete_mark(self, mark_id: str) -> Mark:
        self._check_writable()
        deleted = self.workspace.annotations.delete_mark(mark_id)
        self._undo.append(deleted)
        self.reload_marks()
        return deleted

    def undo_delete(self) -> Mark | None:
        if not self._undo:
            return None
        self._check_writable()
        restored = self.workspace.annotations.restore_mark(self._undo.pop().id)
        self.reload_marks()
        return restored

    def _check_writable(self) -> None:
        if self.read_only:
            raise StoreReadOnlyError(
                f"{self.workspace.library.db_path} is read-only: marks cannot be saved "
                f"({self.workspace.library.read_only_reason})"
            )

    def leave(self) -> None:
        """Stop listening and remember where the reviewer was (the player stays usable)."""
        if self.player.is_playing():
            self.pause()
        else:
            self.remember_position()

    def close(self) -> None:
        self.leave()
        self.player.close()
