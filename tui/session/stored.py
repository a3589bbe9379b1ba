"""What the store holds for one session's review: marks, speaker names and corrections.

A worker reads it (disk) and hands it back as one immutable value; the event loop applies
it. Nothing a worker does ever changes the review a screen is drawing.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from tui.core.corrections import Corrections
from tui.core.model import Mark
from tui.services.workspace import Workspace


@dataclass(frozen=True, slots=True)
class Stored:
    marks: tuple[Mark, ...]
    token: object
    """The store's change token when this was read: another process's write changes it."""
    corrections: Corrections
    names: dict[str, Any]
    """speaker id -> {"name", "role"} as the reviewer gave them."""
    read_at: float = 0.0
    """When the read began (monotonic): a read overtaken by a later one is not applied."""


def read_stored(workspace: Workspace) -> Stored:
    """Read everything another process may have changed. Disk: call it from a worker."""
    annotations = workspace.annotations
    read_at = time.monotonic()
    token = annotations.change_token()  # before the reads: a write in between is seen next time
    return Stored(tuple(annotations.marks()), token, workspace.corrections(), dict(workspace.speaker_names()),
                  read_at)


def changed_since(workspace: Workspace, token: object) -> Stored | None:
    """The stored state when another process has written since ``token``, else None (one stat)."""
    if workspace.annotations.change_token() == token:
        return None
    return read_stored(workspace)
