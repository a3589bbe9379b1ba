"""Fetching a standard faster-whisper model, only when the user asks: the one network client.

Why a module of its own: this is the only code in Debrief that opens a network connection
(``debrief models get NAME``); everything else about models works offline
(tui.media.model_catalog). Plain HTTP(S) against the Hugging Face hub or ``$HF_ENDPOINT``.
"""

from __future__ import annotations

import hashlib
import json
import os
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from pathlib import Path

from tui.media.model_catalog import (
    CHUNK,
    MODEL_FILES,
    REPOSITORIES,
    ModelError,
    cache_dir,
    complete_folder,
    finish_folder,
    private_dir,
    private_file,
    sha256_of,
)

DEFAULT_ENDPOINT = "https://huggingface.co"

Progress = Callable[[int, int], None]
"""Called with (bytes done, bytes in all)."""


def endpoint() -> str:
    """Where models come from: ``$HF_ENDPOINT`` (a mirror) or the Hugging Face hub."""
    return (os.environ.get("HF_ENDPOINT", "").strip() or DEFAULT_ENDPOINT).rstrip("/")


def fetch(name: str, *, on_progress: Progress | None = None, on_file: Callable[[str], None] | None = None,
          timeout: float = 30.0) -> Path:
    """Download the standard model ``name`` into the cache, resuming a partial download; the folder.

    Plain HTTP(S) with ``Range`` requests against the hub's (or ``$HF_ENDPOINT``'s) public API:
    the file list and each file's checksum come from ``/api/models/REPO/revision/main``, the files
    from ``/REPO/resolve/COMMIT/FILE``. Every file is checked (sha256 for large files, the git blob
    hash for small ones) before the folder is put in place.
    """
    if name not in REPOSITORIES:
        raise ModelError(f"unknown model {name!r}: known models are {', '.join(REPOSITORIES)}")
    target = cache_dir() / name
    if complete_folder(target):
        return target
    repo = REPOSITORIES[name]
    base = endpoint()
    listing = _get_json(f"{base}/api/models/{repo}/revision/main?blobs=true", timeout)
    try:
        commit = str(listing["sha"])
        wanted = [(str(s["rfilename"]), int(s.get("size") or s.get("lfs", {}).get("size", 0)),
                   s.get("lfs", {}).get("sha256", ""), str(s.get("blobId", "")))
                  for s in listing["siblings"] if s["rfilename"] in MODEL_FILES]
    except (KeyError, TypeError, ValueError) as exc:
        raise ModelError(f"{base} answered with an unexpected model listing ({exc})") from None
    if not any(f[0] == "model.bin" for f in wanted):
        raise ModelError(f"{repo} at {base} has no model.bin")
    private_dir(cache_dir())
    staging = private_dir(cache_dir() / f".download-{name}")
    state = staging / ".revision"
    if not state.is_file() or state.read_text().strip() != commit:  # a different upstream: start again
        for leftover in staging.iterdir():
            leftover.unlink()
        with private_file(state) as out:
            out.write(commit.encode())
    total = sum(size for _, size, _, _ in wanted)
    done_before = 0
    for filename, size, sha256, blob in wanted:
        if on_file:
            on_file(filename)
        url = f"{base}/{repo}/resolve/{commit}/{urllib.parse.quote(filename)}"
        _download(url, staging / filename, size, timeout,
                  lambda n, d=done_before: on_progress(d + n, total) if on_progress else None)
        problem = _check(staging / filename, size, sha256, blob)
        if problem:
            (staging / filename).unlink(missing_ok=True)
            raise ModelError(f"{filename} of {name} {problem}: run `debrief models get {name}` again")
        done_before += size
    state.unlink()
    return finish_folder(staging, target, [f for f, *_ in wanted], f"{base}/{repo}@{commit}")


def _get_json(url: str, timeout: float) -> dict:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=_HEADERS), timeout=timeout) as answer:
            return json.loads(answer.read(10 * 1024 * 1024))
    except urllib.error.HTTPError as exc:
        raise ModelError(f"{url} answered {exc.code} {exc.reason}") from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise ModelError(f"cannot reach {url} ({reason}); models come from {DEFAULT_ENDPOINT} or "
                         "$HF_ENDPOINT") from None
    except ValueError:
        raise ModelError(f"{url} did not answer with JSON") from None


_HEADERS = {"User-Agent": "debrief-models"}


def _download(url: str, path: Path, size: int, timeout: float, progress: Callable[[int], None]) -> None:
    """``path`` made whole from ``url``, continuing from what an earlier attempt left."""
    have = path.stat().st_size if path.exists() else 0
    if size and have > size:
        path.unlink()
        have = 0
    if size and have == size:
        progress(have)
        return
    headers = dict(_HEADERS)
    if have:
        headers["Range"] = f"bytes={have}-"
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=timeout) as answer:
            if have and answer.status != 206:  # the server ignored the range: start the file again
                have = 0
            with private_file(path, append=bool(have)) as out:
                for block in iter(lambda: answer.read(CHUNK), b""):
                    out.write(block)
                    have += len(block)
                    progress(have)
        if size and have < size:
            raise ModelError(f"the download of {path.name} stopped at {have} of {size} bytes (the connection "
                             "closed); run the same command again to resume where it stopped")
    except urllib.error.HTTPError as exc:
        if exc.code == 416 and size and have == size:
            return
        raise ModelError(f"{url} answered {exc.code} {exc.reason}; run the same command again to resume") from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise ModelError(f"the download of {path.name} stopped ({reason}); run the same command again to "
                         "resume where it stopped") from None


def _check(path: Path, size: int, sha256: str, blob: str) -> str:
    actual = path.stat().st_size
    if size and actual != size:
        return f"is {actual} bytes, not {size}"
    if sha256:
        return "" if sha256_of(path) == sha256 else "does not match its sha256 checksum"
    if blob:
        digest = hashlib.sha1(f"blob {actual}\0".encode())
        digest.update(path.read_bytes())
        return "" if digest.hexdigest() == blob else "does not match its checksum"
    return "has no checksum to check"
