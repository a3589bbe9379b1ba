"""A child process that holds a data file's lock until it is killed (a stuck or slow writer).

Usage: hold_lock.py DATA_FILE
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from tui.store.files import FileModes
from tui.store.locking import FileLock


def main() -> None:
    lock = FileLock(Path(sys.argv[1]), timeout=5.0, modes=FileModes())
    with lock.hold():
        print("held", flush=True)
        time.sleep(120)


if __name__ == "__main__":
    main()
