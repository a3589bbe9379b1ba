"""Listening: play from the cursor, seek, loop a thin slice, change speed, follow the playhead."""

from __future__ import annotations

from tui.errors import DebriefError

from ...text import format_mark_range


class PlayingKeys:
    """Mixed into :class:`~tui.app.screens.review.screen.ReviewScreen`: its keys for listening."""

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
            self._save(self.review.position_change)
        self._show_status()

    def action_seek(self, seconds: float) -> None:
        self.review.seek(seconds)
        self._timeline.set_playhead(self.review.playhead)
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

    def _tick(self) -> None:
        """30 times a second while playing: the playhead, the row being played, the cursor."""
        moved = self.review.tick()
        self._timeline.set_playhead(self.review.playhead)
        playing = self.review.now_playing
        if playing != self._last_playing:
            self._last_playing = playing
            self._transcript.set_playing(playing)
        if moved:
            self._show_cursor()
        if not self.review.playing and self.review.loop is None:
            self._ticker.pause()
            self._save(self.review.position_change)
        self._show_status()

    def _explain_silence(self) -> None:
        """No sound: say why once, with the fix (the status bar keeps the short reason)."""
        player = self.review.player
        if player.backend != "silent" or player.detail.startswith("silent by choice"):
            return
        self.notify(f"{player.detail}.\nFix: run `debrief doctor`; for sound over SSH see docs/ssh-audio.md.",
                    title="No sound (the playhead still moves)", severity="warning", timeout=8)
