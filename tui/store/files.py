"""Durable, private file replacement: the one way the store puts bytes on disk.

A file is never rewritten in place. The new content goes to a temporary file in the same
folder, which is fsynced, renamed over the old one with ``os.replace`` (atomic on POSIX),
and then the folder is fsynced so that the rename itself survives a power cut. A crash at
any moment leaves either the old file or the new one, never a mixture; a full disk leaves
the old one.
"""

from __future__ import annotations

import errno
import os
import secrets
import stat
from dataclasses import dataclass
from pathlib import Path

from tui.errors import StoreError, StoreReadOnlyError

_DISK_FULL = {errno.ENOSPC, errno.EDQUOT}
_NOT_WRITABLE = {errno.EACCES, errno.EPERM, errno.EROFS}
TEMP_MARKER = ".tmp-"


@dataclass(frozen=True, slots=True)
class FileModes:
    """Permissions for what the store creates: private by default, group-shared on request.

    With ``shared_group`` files are 0660 and folders 2770 (setgid, so new files inherit
    the folder's group): a coach and a mentor in one Unix group can both write.
    """

    file: int = 0o600
    folder: int = 0o700
    keep_existing: bool = True
    """Keep a replaced file's own group bits (store files); False: always ``file`` (exports)."""

    @classmethod
    def for_sharing(cls, shared_group: bool) -> FileModes:
        return cls(file=0o660, folder=0o2770) if shared_group else cls()

    def mode_for(self, existing: os.stat_result | None) -> int:
        """Keep an existing file's own (possibly group-shared) mode, but never let others read it."""
        if existing is None or not self.keep_existing:
            return self.file
        return (stat.S_IMODE(existing.st_mode) & 0o770) | stat.S_IRUSR | stat.S_IWUSR


def temp_path_for(path: Path) -> Path:
    """A unique sibling name, hidden, so that a folder listing never mistakes it for data."""
    return path.with_name(f".{path.name}{TEMP_MARKER}{os.getpid()}-{secrets.token_hex(4)}")


def fsync_folder(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write(path: Path, data: bytes, modes: FileModes) -> None:
    """Replace ``path`` with ``data`` durably; on any failure the old file is untouched."""
    existing = _stat_or_none(path)
    mode = modes.mode_for(existing)
    group = None if existing is None or not modes.keep_existing else existing.st_gid
    temp = temp_path_for(path)
    try:
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), mode)
        try:
            os.fchmod(fd, mode)  # the umask must not loosen or tighten the final mode
            if group is not None and group != os.fstat(fd).st_gid:
                _try_fchown_group(fd, group)
            view = memoryview(data)
            while view:
                written = os.write(fd, view)
                view = view[written:]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(temp, path)
    except OSError as exc:
        _remove_quietly(temp)
        raise write_error(path, exc) from None
    try:
        fsync_folder(path.parent)
    except OSError as exc:
        raise write_error(path, exc) from None


def write_error(path: Path, exc: OSError) -> StoreError:
    """Turn an OS failure into one sentence that says what happened and what to do."""
    if exc.errno in _DISK_FULL:
        return StoreError(
            f"The disk holding {path} is full; nothing was saved and the previous version is intact, "
            "so free some space and try again."
        )
    if exc.errno in _NOT_WRITABLE:
        error = StoreReadOnlyError(
            f"Cannot write {path} ({exc.strerror}); it was left as it was, so check its permissions "
            "or open the library read-only."
        )
        error.reason = f"{path} cannot be written ({exc.strerror})"  # type: ignore[attr-defined]
        return error
    return StoreError(f"Cannot write {path} ({exc.strerror or exc}); the previous version is intact.")


def ensure_folder(folder: Path, modes: FileModes) -> None:
    """Create ``folder`` (and missing parents) with the private mode, fsyncing each new entry."""
    missing: list[Path] = []
    probe = folder
    while not probe.exists():
        missing.append(probe)
        if probe.parent == probe:
            break
        probe = probe.parent
    for new in reversed(missing):
        try:
            new.mkdir(mode=modes.folder)
        except FileExistsError:
            continue
        os.chmod(new, modes.folder)
        fsync_folder(new.parent)


def not_writable_reason(path: Path) -> str | None:
    """Why ``path`` (a file, existing or not) cannot be replaced, or None if it can."""
    folder = path.parent
    if path.exists() and not os.access(path, os.W_OK):
        return f"{path} is not writable by you"
    probe = folder
    while not probe.exists() and probe.parent != probe:
        probe = probe.parent
    if not probe.is_dir():
        return f"{probe} is not a folder"
    if not os.access(probe, os.W_OK | os.X_OK):
        return f"the folder {probe} is not writable by you"
    return None


def remove_stale_temps(path: Path) -> int:
    """Delete temporary files a killed writer left beside ``path``; call only while holding its lock."""
    prefix = f".{path.name}{TEMP_MARKER}"
    removed = 0
    try:
        names = os.listdir(path.parent)
    except OSError:
        return 0
    for name in names:
        if name.startswith(prefix):
            _remove_quietly(path.parent / name)
            removed += 1
    return removed


def _stat_or_none(path: Path) -> os.stat_result | None:
    try:
        return os.stat(path)
    except OSError:
        return None


def _try_fchown_group(fd: int, group: int) -> None:
    """Keep a shared file in its group when another member of that group rewrites it."""
    try:
        os.fchown(fd, -1, group)
    except OSError:
        pass


def _remove_quietly(path: Path) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass
