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


def describe_failure(error: BaseException | None) -> str:
    """One sentence for the user about any failure: ours as written, anything else as the bug it is.

    Written once so that the command line and every screen word an unexpected exception the
    same way ("unexpected problem" is what the hostile-input tests look for).
    """
    if isinstance(error, DebriefError):
        return str(error)
    if error is None:
        return "unexpected problem (no details were given)"
    detail = str(error)
    return f"unexpected problem ({type(error).__name__}: {detail})" if detail else \
        f"unexpected problem ({type(error).__name__})"
