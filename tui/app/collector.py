"""Full garbage collections while the reviewer pauses, not in the middle of a key press.

With a two-hour session open, a full collection walks every long-lived object and takes
20-50 ms; Python starts one whenever enough objects have survived, which during a run of
key presses means one press in twenty or so is drawn late (it was the whole of the p99 key
latency). Here automatic full collections are put off and run by a timer once the keyboard
and mouse have been quiet for a moment. Young generations are still collected as usual, and
a reviewer who never pauses still gets a full collection after ``max_deferred`` young ones.
"""

from __future__ import annotations

import gc
import time

PUT_OFF = 1_000_000
"""A generation-2 threshold never reached: the timer below decides instead."""


class IdleCollector:
    """Owns the collector's thresholds while the app runs, and puts them back after."""

    def __init__(self, *, quiet_seconds: float = 1.0, max_deferred: int = 200,
                 clock=time.monotonic) -> None:
        self.quiet_seconds = quiet_seconds
        self.max_deferred = max_deferred
        self._clock = clock
        self._last_input = clock()
        self._saved: tuple[int, int, int] | None = None
        self.collections = 0
        """Full collections run so far (for tests and benchmarks)."""

    @property
    def due_after(self) -> int:
        """Young collections after which a full one is due (Python's own threshold)."""
        return (self._saved or gc.get_threshold())[2]

    def start(self) -> None:
        if self._saved is None:
            self._saved = gc.get_threshold()
            young, middle, _ = self._saved
            gc.set_threshold(young, middle, PUT_OFF)

    def stop(self) -> None:
        if self._saved is not None:
            gc.set_threshold(*self._saved)
            self._saved = None

    def input_seen(self) -> None:
        self._last_input = self._clock()

    def tick(self) -> bool:
        """Run a full collection if one is due and the reviewer is not typing; True if it ran."""
        if self._saved is None or not gc.isenabled():
            return False
        pending = gc.get_count()[2]
        if pending < self.due_after:
            return False
        quiet = self._clock() - self._last_input >= self.quiet_seconds
        if not quiet and pending < self.max_deferred:
            return False
        gc.collect()
        self.collections += 1
        return True
