"""The durable, shared annotation store.

TinyDB JSON files, made as trustworthy as a database: atomic fsynced replacement
(:mod:`tui.store.files`), one lock per file around each read-modify-write
(:mod:`tui.store.locking`), schema versions with migration (:mod:`tui.store.schema`),
damaged files left untouched with a copy kept (:mod:`tui.store.damage`), and marks kept
apart from transcripts and from other sessions (:mod:`tui.store.library`).
"""

from __future__ import annotations

from tui.store.annotations import SessionAnnotations
from tui.store.files import FileModes
from tui.store.ids import new_mark_id, utc_now
from tui.store.library import DEFAULT_DB_NAME, Library
from tui.store.schema import CURRENT_VERSION
from tui.store.transcripts import TranscriptCache

__all__ = [
    "CURRENT_VERSION",
    "DEFAULT_DB_NAME",
    "FileModes",
    "Library",
    "SessionAnnotations",
    "TranscriptCache",
    "new_mark_id",
    "utc_now",
]
