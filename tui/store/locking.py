"""One exclusive lock per data file, held around each whole read-modify-write.

The lock is ``flock`` on a sibling ``<file>.lock`` (via filelock): the kernel drops it when
its holder dies, even by ``kill -9``, so a crash never leaves the library locked. Readers
take no lock: files are only ever replaced atomically, so a reader sees the old or the
new version whole. Re-entrant within a thread, so an operation may call another.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import filelock

from tui.errors import StoreLockedError, StoreReadOnlyError
from tui.store.files import FileModes, write_error

POLL_SECONDS = 0.002
"""How often a waiting writer retries; saves take a few ms, so waiting 50 ms (filelock's default) would dominate."""


class FileLock:
    """The lock guarding one data file."""

    def __init__(self, data_path: Path, *, timeout: float, modes: FileModes) -> None:
        self.path = data_path.with_name(data_path.name + ".lock")
        self.data_path = data_path
        self.timeout = timeout
        self._lock = filelock.FileLock(str(self.path), mode=modes.file)

    @property
    def held(self) -> bool:
        return self._lock.is_locked

    @contextmanager
    def hold(self) -> Iterator[None]:
        try:
            self._lock.acquire(timeout=self.timeout, poll_interval=POLL_SECONDS)
        except filelock.Timeout:
            raise StoreLockedError(
                f"Another Debrief process has held the lock on {self.data_path} for more than "
                f"{self.timeout:g} s; nothing was saved, so wait for it to finish (or close it) and try again."
            ) from None
        except PermissionError as exc:
            raise StoreReadOnlyError(
                f"Cannot lock {self.data_path} ({exc.strerror}); nothing was saved, so check the folder's "
                "permissions or open the library read-only."
            ) from None
        except OSError as exc:
            raise write_error(self.path, exc) from None
        try:
            yield
        finally:
            self._lock.release()
