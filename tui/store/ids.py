"""Identities and timestamps: what names a mark, a session and a moment in time.

A session is named by the content of its recording, not its path, so that a moved or
renamed file keeps its notes.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from datetime import datetime, timezone
from pathlib import Path

from tui.errors import MediaError, StoreError

SESSION_ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,127}")
"""Session ids become file names: nothing that could climb out of the sessions folder."""

_HASH_CHUNK = 1 << 20


def new_mark_id() -> str:
    """A random id, so that two reviewers adding marks at once never collide."""
    return uuid.uuid4().hex


def utc_now() -> str:
    """Now as ISO 8601 UTC with milliseconds, so that marks made in one second still order."""
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


def hash_recording(path: Path) -> str:
    """The content hash of a recording (32 hex characters of BLAKE2b)."""
    digest = hashlib.blake2b(digest_size=16)
    try:
        with open(path, "rb") as handle:
            while chunk := handle.read(_HASH_CHUNK):
                digest.update(chunk)
    except IsADirectoryError:
        raise MediaError(f"{path} is a folder, not a recording.") from None
    except OSError as exc:
        raise MediaError(f"Cannot read the recording {path}: {exc.strerror or exc}.") from None
    return digest.hexdigest()


def check_session_id(session_id: str) -> str:
    """Refuse ids that are not safe as file names before one reaches the disk."""
    if not isinstance(session_id, str) or not SESSION_ID_PATTERN.fullmatch(session_id):
        raise StoreError(
            f"{session_id!r} is not a valid session id (letters, digits, '-' and '_' only, at most 128)."
        )
    return session_id
