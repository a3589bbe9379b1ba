"""Debrief: a keyboard-driven terminal reviewer for recorded coaching, teaching and therapy sessions."""

__version__ = "0.1.0"

import os as _os

# Debrief's numpy work (speaker separation) is many small matrix products: OpenBLAS's
# threads cost more than they save there, and would compete with the transcriber's own
# threads. Must be set before numpy is first imported; a user's own setting wins.
_os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

# Nothing leaves the machine. Set for every entry point, before any library loads:
# models are never fetched from a hub, and onnxruntime (faster-whisper's voice detector)
# must not start Microsoft's telemetry (it resolves an events host and queues events in
# ~/.cache otherwise; disable_telemetry_events() does not stop it).
_os.environ["HF_HUB_OFFLINE"] = "1"
_os.environ["HF_HUB_DISABLE_TELEMETRY"] = "1"
_os.environ["ORT_DISABLE_TELEMETRY"] = "1"
