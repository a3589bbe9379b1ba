"""Run ``debrief`` in a real pseudo-terminal, as a reviewer over SSH would, and watch it.

A tiny harness, no pexpect: the app gets a pty of a chosen size as its controlling
terminal (its own session, so a hangup reaches it the way a dropped SSH link does), a
thread collects everything it draws, and the test types keys, sends signals and reads
the process table under ``/proc`` to see which children are still alive.
"""

from __future__ import annotations

import fcntl
import os
import re
import signal
import struct
import subprocess
import sys
import tempfile
import termios
import threading
import time
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OFFLINE = Path(__file__).resolve().with_name("hostile_offline.py")
"""``debrief`` with internet sockets refused and every attempt written down."""

_ESCAPES = re.compile(rb"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[()][A-Za-z0-9]|\x1b[=>78M]")


def plain(raw: bytes) -> str:
    """The drawn text without escape sequences (good enough to look for words)."""
    return _ESCAPES.sub(b"", raw).decode("utf-8", "replace")


class TerminalSession:
    """One ``debrief …`` in a pty; ``output`` is everything it wrote to the terminal.

    It runs through :mod:`hostile_offline`, so the network is refused; after ``close``,
    ``attempts`` lists every address it tried anyway.
    """

    def __init__(self, args: Iterable[str], *, env: dict[str, str] | None = None, size: tuple[int, int] = (100, 30),
                 cwd: Path | None = None, umask: int = 0o022) -> None:
        self.columns, self.rows = size
        self.master, slave = os.openpty()
        self._set_size(slave, size)
        full_env = {**os.environ, "DEBRIEF_AUDIO": "silent", "TERM": "xterm-256color", "COLUMNS": "", "LINES": ""}
        full_env.update(env or {})
        full_env = {k: v for k, v in full_env.items() if v != ""}
        for noisy in ("TEXTUAL", "PYTEST_CURRENT_TEST", "PYTEST_XDIST_WORKER"):
            full_env.pop(noisy, None)
        full_env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)
        handle, log = tempfile.mkstemp(prefix="debrief-network-", suffix=".log")
        os.close(handle)
        self.network_log = Path(log)
        full_env["DEBRIEF_TEST_NETWORK_LOG"] = log
        self.process = subprocess.Popen(
            [sys.executable, str(OFFLINE), *map(str, args)],
            stdin=slave, stdout=slave, stderr=slave, env=full_env, cwd=cwd or ROOT,
            start_new_session=True, close_fds=True, umask=umask,
            preexec_fn=lambda: fcntl.ioctl(0, termios.TIOCSCTTY, 0),
        )
        os.close(slave)
        self.attempts: list[str] = []
        self._buffer = bytearray()
        self._lock = threading.Lock()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    @property
    def pid(self) -> int:
        return self.process.pid

    @property
    def output(self) -> bytes:
        with self._lock:
            return bytes(self._buffer)

    def text(self) -> str:
        return plain(self.output)

    def _read(self) -> None:
        while True:
            try:
                chunk = os.read(self.master, 65536)
            except OSError:  # EIO: the other side is gone
                return
            if not chunk:
                return
            with self._lock:
                self._buffer += chunk

    @staticmethod
    def _set_size(fd: int, size: tuple[int, int]) -> None:
        columns, rows = size
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))

    def resize(self, columns: int, rows: int) -> None:
        """What a terminal window does when dragged: new size, then SIGWINCH."""
        self.columns, self.rows = columns, rows
        self._set_size(self.master, (columns, rows))
        self.signal(signal.SIGWINCH)

    def wait_for(self, *words: str, timeout: float = 20.0, since: int = 0) -> bool:
        """True once every word has appeared in the drawn text (after byte ``since``)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            seen = plain(self.output[since:])
            if all(word in seen for word in words):
                return True
            if self.process.poll() is not None:
                time.sleep(0.1)
                seen = plain(self.output[since:])
                return all(word in seen for word in words)
            time.sleep(0.05)
        return False

    def wait_quiet(self, seconds: float = 0.4, timeout: float = 10.0) -> None:
        """Wait until the app has drawn nothing for ``seconds`` (it has settled)."""
        deadline = time.monotonic() + timeout
        last, since = len(self.output), time.monotonic()
        while time.monotonic() < deadline:
            time.sleep(0.05)
            now = len(self.output)
            if now != last:
                last, since = now, time.monotonic()
            elif time.monotonic() - since >= seconds:
                return

    def type(self, keys: str | bytes, pause: float = 0.15) -> None:
        data = keys.encode() if isinstance(keys, str) else keys
        os.write(self.master, data)
        time.sleep(pause)

    def signal(self, signum: int) -> None:
        os.kill(self.process.pid, signum)

    def hang_up(self) -> None:
        """Close our side of the pty: the kernel hangs up the terminal, as sshd does when a link drops."""
        try:
            os.close(self.master)
        except OSError:
            pass
        self.master = -1

    def wait(self, timeout: float) -> int | None:
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None

    def network_attempts(self) -> list[str]:
        """Every internet address the program tried to reach (there must never be one)."""
        try:
            return self.network_log.read_text().splitlines()
        except OSError:
            return []

    def close(self) -> None:
        """Make sure nothing is left behind, whatever the test found."""
        if self.process.poll() is None:
            for pid in descendants(self.process.pid):
                _kill_quietly(pid)
            _kill_quietly(self.process.pid)
            self.process.wait(timeout=5)
        if self.master >= 0:
            try:
                os.close(self.master)
            except OSError:
                pass
            self.master = -1
        self.attempts = self.network_attempts()
        self.network_log.unlink(missing_ok=True)

    def __enter__(self) -> TerminalSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# -- the process table ---------------------------------------------------------------------


def _stat_fields(pid: int) -> list[str] | None:
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # "pid (comm) state ppid …": comm may hold spaces and parentheses.
    return [raw[: raw.index(" ")], raw[raw.index("(") + 1 : raw.rindex(")")], *raw[raw.rindex(")") + 2 :].split()]


def children_of(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            fields = _stat_fields(int(entry))
            if fields is not None and fields[3] == str(pid):
                found.append(int(entry))
    return found


def descendants(pid: int) -> list[int]:
    result, todo = [], [pid]
    while todo:
        for child in children_of(todo.pop()):
            result.append(child)
            todo.append(child)
    return result


def identity(pid: int) -> tuple[int, str] | None:
    """(pid, start time) so that a reused pid is not mistaken for the same process."""
    fields = _stat_fields(pid)
    return None if fields is None else (pid, fields[21])


def still_running(identities: Iterable[tuple[int, str] | None]) -> list[str]:
    """Those processes that exist and are not zombies, described for a failure message."""
    alive = []
    for ident in identities:
        if ident is None:
            continue
        fields = _stat_fields(ident[0])
        if fields is not None and fields[21] == ident[1] and fields[2] not in ("Z", "X"):
            try:
                cmdline = Path(f"/proc/{ident[0]}/cmdline").read_bytes().replace(b"\0", b" ").decode()
            except OSError:
                cmdline = fields[1]
            alive.append(f"{ident[0]} {cmdline.strip()}")
    return alive


def _kill_quietly(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
    except OSError:
        pass
