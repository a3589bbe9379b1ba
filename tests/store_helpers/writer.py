"""A child process that adds marks and prints each id once its save has returned.

Usage: writer.py DB SESSION PREFIX COUNT [GO_FILE]

The parent treats every printed id as acknowledged: the store promised it was on disk.
With GO_FILE, the writer waits for that file to exist, so several writers start at once.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from tui.core.model import Mark
from tui.store import Library


def main() -> None:
    db, session_id, prefix, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    go = Path(sys.argv[5]) if len(sys.argv) > 5 else None
    annotations = Library.open(Path(db), lock_timeout=30.0).annotations(session_id)
    if go is not None:
        print("ready", flush=True)
        while not go.exists():
            time.sleep(0.002)
    for i in range(count):
        mark_id = f"{prefix}-{i:05d}"
        annotations.add_mark(Mark(id=mark_id, start=i * 0.5, tag="test", note=f"note {i} from {prefix}"))
        sys.stdout.write(mark_id + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
