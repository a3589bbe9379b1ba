"""User-facing errors.

Every failure a user can cause (bad file, bad time, locked database) is raised as a
:class:`DebriefError` whose message is one plain sentence. The CLI prints it as
``debrief: error: <message>`` and the app shows it as a notification; nothing else
should ever reach the user as a traceback.
"""

from __future__ import annotations


class DebriefError(Exception):
    """A problem the user can understand and act on."""


class MediaError(DebriefError):
    """The recording cannot be opened, decoded or played."""


class TranscriptError(DebriefError):
    """A transcript is missing, malformed or cannot be produced."""


class TimeFormatError(DebriefError):
    """A time given by the user is not SS, MM:SS or HH:MM:SS, or is out of range."""


class StoreError(DebriefError):
    """The annotation database cannot be read or written."""


class StoreCorruptError(StoreError):
    """A database file does not parse; it was left untouched."""


class StoreLockedError(StoreError):
    """Another process held the database lock for too long."""


class StoreReadOnlyError(StoreError):
    """A write was attempted on a database opened read-only."""


class StoreSchemaError(StoreError):
    """A database file was written by a newer Debrief."""


def describe_failure(error: BaseException) -> str:
    """One line for the reviewer: our own errors as they are, anything else as a bug to report."""
    return str(error) if isinstance(error, DebriefError) else f"unexpected problem: {error!r}"
