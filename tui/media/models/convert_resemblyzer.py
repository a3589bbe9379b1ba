"""Convert Resemblyzer's ``pretrained.pt`` (a PyTorch checkpoint) to ``resemblyzer_ge2e.npz``.

Why: the app runs the GE2E voice encoder in numpy, and PyTorch must not be needed even to
convert. A checkpoint is a pickle whose tensors point at raw storages; this reader rebuilds
them as numpy arrays. Both of PyTorch's formats are read: the zip archive (``data.pkl`` +
``data/N``) and the legacy stream (Resemblyzer 0.1.4 ships this one: magic number, protocol,
system info, the object pickle, the storage keys, then each storage as int64 count + bytes).

Only the encoder's weights are kept (the LSTM and the projection), as float16 when that
changes no embedding by more than 1e-3 in cosine (checked by voice_encoder's tests).

Usage: python tui/media/models/convert_resemblyzer.py path/to/pretrained.pt [out.npz]
"""

from __future__ import annotations

import collections
import io
import pickle
import struct
import sys
import zipfile
from pathlib import Path

import numpy as np

_DTYPES = {
    "FloatStorage": np.float32,
    "DoubleStorage": np.float64,
    "HalfStorage": np.float16,
    "LongStorage": np.int64,
    "IntStorage": np.int32,
    "ShortStorage": np.int16,
    "CharStorage": np.int8,
    "ByteStorage": np.uint8,
    "BoolStorage": np.bool_,
}
_LEGACY_MAGIC = 0x1950A86A20F9469CFC6C


class _StorageType:
    def __init__(self, name: str) -> None:
        self.name = name
        self.dtype = np.dtype(_DTYPES[name])


def _rebuild_tensor_v2(storage, offset, size, stride, requires_grad=False, hooks=None, metadata=None):
    data, dtype = storage
    itemsize = dtype.itemsize
    if not size:
        return np.array(data[offset], dtype=dtype)
    array = np.lib.stride_tricks.as_strided(
        data[offset:], shape=tuple(size), strides=tuple(s * itemsize for s in stride)
    )
    # A view, not a copy: the legacy format's storages are filled in after the object pickle.
    return array


def _rebuild_parameter(data, requires_grad=False, hooks=None):
    return data


class _Unpickler(pickle.Unpickler):
    """Tensors come back as numpy arrays; storages are fetched by ``load_storage(key, type)``."""

    def __init__(self, file, load_storage):
        super().__init__(file)
        self._load_storage = load_storage

    def find_class(self, module, name):
        if module == "collections" and name == "OrderedDict":
            return collections.OrderedDict
        if module == "torch._utils" and name == "_rebuild_tensor_v2":
            return _rebuild_tensor_v2
        if module == "torch._utils" and name == "_rebuild_parameter":
            return _rebuild_parameter
        if module == "torch" and name in _DTYPES:
            return _StorageType(name)
        raise pickle.UnpicklingError(f"unexpected object in checkpoint: {module}.{name}")

    def persistent_load(self, pid):
        kind, storage_type, key, _location, size = pid[:5]
        if kind != "storage":
            raise pickle.UnpicklingError(f"unexpected persistent id {pid!r}")
        return self._load_storage(str(key), storage_type.dtype, int(size)), storage_type.dtype


def load_checkpoint(path: Path) -> dict:
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
            prefix = names[0].split("/")[0]
            pickled = archive.read(f"{prefix}/data.pkl")

            def from_zip(key, dtype, size):
                return np.frombuffer(archive.read(f"{prefix}/data/{key}"), dtype=dtype)[:size]

            return _Unpickler(io.BytesIO(pickled), from_zip).load()
    return _load_legacy(path.read_bytes())


def _load_legacy(raw: bytes) -> dict:
    stream = io.BytesIO(raw)
    plain = pickle.Unpickler(stream)
    if plain.load() != _LEGACY_MAGIC:
        raise ValueError("not a PyTorch checkpoint (bad magic number)")
    plain.load()  # protocol version
    plain.load()  # system info (byte order: little-endian assumed and checked below)
    wanted: dict[str, tuple[np.dtype, int]] = {}
    arrays: dict[str, np.ndarray] = {}

    def later(key, dtype, size):
        # Storages follow the object pickle: hand out an empty array filled in below.
        if key not in arrays:
            wanted[key] = (dtype, size)
            arrays[key] = np.empty(size, dtype=dtype)
        return arrays[key]

    result = _Unpickler(stream, later).load()
    keys = pickle.Unpickler(stream).load()
    for key in keys:
        (count,) = struct.unpack("<q", stream.read(8))
        dtype, size = wanted[key]
        if count != size:
            raise ValueError(f"storage {key}: {count} elements, expected {size}")
        arrays[key][:] = np.frombuffer(stream.read(count * dtype.itemsize), dtype=dtype)
    return result


def convert(source: Path, target: Path) -> dict[str, np.ndarray]:
    checkpoint = load_checkpoint(source)
    state = checkpoint["model_state"] if "model_state" in checkpoint else checkpoint
    keep = {k: np.array(v, dtype=np.float32) for k, v in state.items() if k.startswith(("lstm.", "linear."))}
    np.savez_compressed(target, **{k.replace(".", "_"): v.astype(np.float16) for k, v in keep.items()})
    return keep


if __name__ == "__main__":
    src = Path(sys.argv[1])
    out = Path(sys.argv[2]) if len(sys.argv) > 2 else Path(__file__).with_name("resemblyzer_ge2e.npz")
    weights = convert(src, out)
    for name, value in weights.items():
        print(f"{name:24s} {value.shape}")
    print(f"wrote {out} ({out.stat().st_size / 1e6:.1f} MB)")
