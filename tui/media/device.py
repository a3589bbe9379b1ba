"""Where the speech model runs: the CPU, or a CUDA GPU when one works here.

``auto`` is decided on the machine that loads the model (on a cluster: each worker), so
one command uses the GPU of a GPU node and the cores of the others.
"""

from __future__ import annotations

from dataclasses import dataclass

from tui.errors import TranscriptError

DEVICES = ("auto", "cpu", "cuda")
COMPUTE_TYPES = ("default", "auto", "int8", "int8_float32", "int8_float16", "int8_bfloat16", "int16",
                 "float16", "bfloat16", "float32")
"""CTranslate2's names; which of them a device supports is asked of CTranslate2 itself."""


@dataclass(frozen=True, slots=True)
class Placement:
    device: str
    compute_type: str


def cuda_devices() -> int:
    """How many CUDA GPUs CTranslate2 can use here (0 without a driver or a CUDA build)."""
    try:
        import ctranslate2

        return int(ctranslate2.get_cuda_device_count())
    except Exception:
        return 0


def supported_compute_types(device: str) -> set[str]:
    try:
        import ctranslate2

        return set(ctranslate2.get_supported_compute_types(device))
    except Exception:
        return set()


def choose(device: str | None = None, compute_type: str | None = None) -> Placement:
    """The device and compute type to load the model with; a clear error when they cannot work here.

    ``device``: auto (CUDA when a GPU works, else the CPU), cpu or cuda. ``compute_type``: None
    means int8 on the CPU (as Debrief always ran) and float16 on a GPU.
    """
    device = device or "auto"
    if device not in DEVICES:
        raise TranscriptError(f"device {device!r} is not one of {', '.join(DEVICES)}")
    if compute_type is not None and compute_type not in COMPUTE_TYPES:
        raise TranscriptError(f"compute type {compute_type!r} is not one of {', '.join(COMPUTE_TYPES)}")
    gpus = cuda_devices() if device != "cpu" else 0
    if device == "cuda" and gpus == 0:
        raise TranscriptError("--device cuda: no CUDA GPU works on this machine (no driver, no GPU, or a CPU-only "
                              "CTranslate2); use --device auto or cpu (`debrief doctor` shows what it found)")
    chosen = "cuda" if gpus > 0 else "cpu"
    kind = compute_type or ("float16" if chosen == "cuda" else "int8")
    if compute_type is not None and kind not in ("default", "auto"):  # the defaults work everywhere
        supported = supported_compute_types(chosen)
        if supported and kind not in supported:
            raise TranscriptError(f"compute type {kind} does not work on this machine's {chosen} "
                                  f"(it supports {', '.join(sorted(supported))})")
    return Placement(chosen, kind)
