"""The playhead: where the audio is, how fast it goes, what loops, and the pause for typing.

Owns the player; knows nothing of the cursor or the marks (the review decides where to play
from). The player's calls return at once (playback runs in a child process or a thread), so
these are safe on the event loop.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tui.media.playback import Player

SPEEDS = (0.5, 0.75, 1.0, 1.25, 1.5, 1.75, 2.0, 2.5)
RESUME_REWIND_SECONDS = 2.0


@dataclass
class Playback:
    player: Player
    recording: Path
    duration: float
    playhead: float = 0.0
    """Where the audio is, in seconds; follows the player while playing."""
    speed: float = 1.0
    loop: tuple[float, float] | None = None
    """A range played over and over (a "thin slice"), or None."""
    resume_rewind: float = RESUME_REWIND_SECONDS
    """After typing a note, playback resumes this many seconds earlier."""
    skip_silence: float = 0.0
    """While playing, jump over pauses longer than this many seconds (0: never)."""
    paused_for_typing: bool = False
    """Playback stopped while a note is typed (it resumes when the note closes)."""

    @property
    def playing(self) -> bool:
        return self.player.is_playing()

    def play_from(self, t: float) -> None:
        t = max(0.0, min(self.duration, t))
        if self.loop is not None and not self.loop[0] <= t < self.loop[1]:
            t = self.loop[0]
        self.playhead = t
        end = self.loop[1] if self.loop is not None else None
        self.player.play(self.recording, t, speed=self.speed, end=end)

    def pause(self) -> None:
        self.player.pause()
        self.follow_player()

    def seek_to(self, target: float) -> float:
        target = max(0.0, min(self.duration, target))
        if self.playing:
            self.play_from(target)
        else:
            self.playhead = target
        return target

    def set_loop(self, loop: tuple[float, float] | None) -> None:
        self.loop = loop
        if loop is not None:
            self.play_from(loop[0])
        elif self.playing:
            self.play_from(self.playhead)

    def change_speed(self, step: int) -> float:
        i = min(range(len(SPEEDS)), key=lambda k: abs(SPEEDS[k] - self.speed))
        self.speed = SPEEDS[max(0, min(len(SPEEDS) - 1, i + step))]
        if self.playing:
            self.play_from(self.playhead)
        return self.speed

    def follow_player(self) -> bool:
        """Take the player's position; True when the loop had run out and starts over."""
        position = self.player.position()
        if position is not None:
            self.playhead = min(self.duration, position)
        if self.loop is not None and not self.playing and self.playhead >= self.loop[1] - 0.05:
            self.play_from(self.loop[0])
            return True
        return False

    def skip_pause(self, next_start: float | None) -> None:
        """In a pause longer than :attr:`skip_silence`, jump to just before the next words."""
        if (self.skip_silence > 0 and next_start is not None and self.playing
                and next_start - self.playhead > self.skip_silence):
            self.play_from(next_start - 0.3)

    def pause_for_typing(self) -> None:
        if self.playing:
            self.pause()
            self.paused_for_typing = True

    def resume_after_typing(self) -> None:
        if self.paused_for_typing:
            self.paused_for_typing = False
            self.play_from(max(0.0, self.playhead - self.resume_rewind))
