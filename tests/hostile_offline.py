"""Run ``debrief`` with the network cut off, and write down every attempt to reach it.

``python tests/hostile_offline.py ARGS…`` is ``debrief ARGS…`` except that opening an
internet socket fails, and its address is appended to the file named by
``DEBRIEF_TEST_NETWORK_LOG``: conftest's guard covers tests run in-process, this covers
the real program that the terminal and signal tests start.
"""

from __future__ import annotations

import os
import runpy
import socket
import sys


def _guard() -> None:
    log = os.environ.get("DEBRIEF_TEST_NETWORK_LOG", "")
    real_connect = socket.socket.connect

    def connect(self, address):
        if self.family in (socket.AF_INET, socket.AF_INET6):
            if log:
                with open(log, "a", encoding="utf-8") as out:
                    out.write(f"{address!r}\n")
            raise OSError(f"debrief test: the network is not allowed ({address!r})")
        return real_connect(self, address)

    socket.socket.connect = connect  # type: ignore[method-assign]


if __name__ == "__main__":
    _guard()
    sys.argv = ["debrief", *sys.argv[1:]]
    runpy.run_module("tui.cli", run_name="__main__", alter_sys=True)
