"""Durable edits in three steps, so that only the event loop ever changes a review's state.

A :class:`Change` is planned on the event loop from what the reviewer sees (the cursor, the
marks on screen), :func:`perform`-ed by a worker thread (disk only: it returns values and
touches nothing shared) and applied back on the event loop by ``Review.apply``. Tests and
the CLI run the three in a row with ``Review.commit``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum, auto
from typing import Generic, TypeVar

from tui.errors import StoreReadOnlyError
from tui.services.workspace import Workspace

from .stored import Stored, read_stored

T = TypeVar("T")


class Kind(Enum):
    """What a change did, which says what must be redrawn once it is applied."""

    MARK = auto()
    RETAG = auto()
    NOTE = auto()
    DELETE = auto()
    UNDO = auto()
    DRAFT = auto()
    SPEAKERS = auto()
    """Who said what: an assignment, a name, a merge or a split."""
    SESSION = auto()
    """Reflection, details, the place the reviewer left off: nothing on screen changes."""

    @property
    def rereads(self) -> bool:
        """Whether marks, names and corrections must be read back after the write."""
        return self not in (Kind.DRAFT, Kind.SESSION)


@dataclass(frozen=True, slots=True)
class Change(Generic[T]):
    kind: Kind
    write: Callable[[], T]
    """Disk only, safe on any thread; returns what the reviewer is told about (a mark, a speaker)."""


@dataclass(frozen=True, slots=True)
class Written(Generic[T]):
    change: Change[T]
    value: T
    stored: Stored | None
    """The session as stored right after the write (None when nothing there can have changed)."""

    @property
    def kind(self) -> Kind:
        return self.change.kind


def perform(change: Change[T], workspace: Workspace) -> Written[T]:
    """Write ``change`` and read the session back. The worker's half: no shared state is touched."""
    value = change.write()
    return Written(change, value, read_stored(workspace) if change.kind.rereads else None)


def check_writable(workspace: Workspace) -> None:
    """Refuse a change before it is planned when the library cannot be written."""
    if workspace.read_only:
        raise StoreReadOnlyError(
            f"{workspace.library.db_path} is read-only: marks cannot be saved "
            f"({workspace.library.read_only_reason})"
        )
