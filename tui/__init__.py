"""Debrief: a keyboard-driven terminal reviewer for recorded coaching, teaching and therapy sessions."""

__version__ = "0.1.0"

import os as _os

# Debrief's numpy work (speaker separation) is many small matrix products: OpenBLAS's
# threads cost more than they save there, and would compete with the transcriber's own
# threads. Must be set before numpy is first imported; a user's own setting wins.
_os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
