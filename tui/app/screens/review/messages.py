"""What the review screen's workers report: typed messages, posted from the worker's thread.

A worker only does the disk or CPU work and returns what it found; the screen's handlers
apply it on the event loop. So the review a pane is drawing never changes under it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from textual.message import Message

from tui.core.model import Segment, Transcript
from tui.session.changes import Written
from tui.session.stored import Stored


class Saved(Message):
    """A change reached the store; ``then`` runs once it is applied (it gets the change's value)."""

    def __init__(self, written: Written[Any], then: Callable[[Any], None] | None) -> None:
        super().__init__()
        self.written = written
        self.then = then


class Failed(Message):
    """A worker could not do its job; ``title`` says which, the error says why."""

    def __init__(self, title: str, error: BaseException) -> None:
        super().__init__()
        self.title = title
        self.error = error


class TranscriptionFailed(Failed):
    """Transcription stopped with an error: the progress bar goes, the rows so far stay."""


class PollFailed(Failed):
    """The store could not be read for changes: said once, not every second."""


class StoredElsewhere(Message):
    """Another process (a second terminal, `debrief mark`) wrote this session's annotations."""

    def __init__(self, stored: Stored) -> None:
        super().__init__()
        self.stored = stored


class TranscriptionStarted(Message):
    def __init__(self, label: str) -> None:
        super().__init__()
        self.label = label


class SegmentArrived(Message):
    def __init__(self, segment: Segment) -> None:
        super().__init__()
        self.segment = segment


class Progressed(Message):
    def __init__(self, done: float, total: float) -> None:
        super().__init__()
        self.done = done
        self.total = total


class Transcribed(Message):
    """Transcription ended (complete, or stopped part-way) and the transcript is saved."""

    def __init__(self, transcript: Transcript) -> None:
        super().__init__()
        self.transcript = transcript


class Separated(Message):
    """The words were given to speakers again (`P`), without transcribing again."""

    def __init__(self, transcript: Transcript) -> None:
        super().__init__()
        self.transcript = transcript


class VoiceRemembered(Message):
    def __init__(self, name: str) -> None:
        super().__init__()
        self.name = name


class Exported(Message):
    def __init__(self, path: Path, marks: int, warnings: list[str]) -> None:
        super().__init__()
        self.path = path
        self.marks = marks
        self.warnings = warnings
