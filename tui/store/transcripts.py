"""The transcript cache: large, regenerable, and kept apart from the marks.

One plain JSON file per session (``{"_meta": {...}, "transcript": {...}}``), replaced
atomically like every store file. No lock: a save is a whole-file replacement, not a
read-modify-write, so the last writer wins and a reader always sees a whole file. A
damaged cache file is simply a missing one: the transcript can be made again.
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from pathlib import Path

from tui.core.model import Transcript
from tui.errors import StoreCorruptError, StoreError, StoreReadOnlyError, StoreSchemaError
from tui.store import schema
from tui.store.damage import read_bytes
from tui.store.files import FileModes, atomic_write
from tui.store.ids import check_session_id
from tui.store.storage import encode


class TranscriptCache:
    """Transcripts by session id, in one folder."""

    def __init__(self, folder: Path, *, modes: FileModes | None = None, read_only_reason: str | None = None) -> None:
        self.folder = folder
        self.modes = modes or FileModes()
        self.read_only_reason = read_only_reason

    def path(self, session_id: str) -> Path:
        return self.folder / f"{check_session_id(session_id)}.json"

    def load(self, session_id: str, *, words: bool = True) -> Transcript | None:
        """The cached transcript, or None if there is none or it is damaged (it can be regenerated).

        ``words=False`` leaves out the word timings: nine tenths of the file, so reading is
        about ten times faster, for whatever needs only utterances (library search).
        """
        path = self.path(session_id)
        raw = read_bytes(path)
        if raw is None:
            return None
        try:
            data, _ = schema.upgrade(schema.TRANSCRIPT, _parse_quietly(path, raw, words), path)
            return Transcript.from_dict(data["transcript"])
        except StoreSchemaError:
            raise
        except (StoreError, KeyError, TypeError, ValueError, AttributeError):
            return None

    def save(self, session_id: str, transcript: Transcript) -> None:
        """Replace the cached transcript atomically; durable when it returns."""
        path = self.path(session_id)
        if self.read_only_reason is not None:
            raise StoreReadOnlyError(f"{path} is open read-only ({self.read_only_reason}); the transcript was not saved.")
        raw = read_bytes(path)
        if raw is not None:
            try:
                schema.upgrade(schema.TRANSCRIPT, _parse_quietly(path, raw), path)  # refuses a newer file
            except StoreCorruptError:
                pass  # a damaged cache is regenerable: replacing it is the repair
        data = {**schema.stamp(schema.TRANSCRIPT, {}), "transcript": transcript.to_dict()}
        atomic_write(path, encode(data, path, None), self.modes)

    def replace(self, session_id: str, transcript: Transcript) -> Path | None:
        """Save ``transcript`` over the cached one, first keeping the replaced file beside it.

        The old file is copied, byte for byte and private, to ``<id>.json.replaced-<UTC time>``
        (renaming it back restores it); returns that path, or None when there was nothing
        to replace. A transcript may be regenerable, but an imported one may not be.
        """
        path = self.path(session_id)
        if self.read_only_reason is not None:
            raise StoreReadOnlyError(f"{path} is open read-only ({self.read_only_reason}); the transcript was not saved.")
        raw = read_bytes(path)
        kept = None
        if raw is not None:
            stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S.%fZ")
            kept = path.with_name(f"{path.name}{REPLACED_MARKER}{stamp}")
            atomic_write(kept, raw, self.modes)
        self.save(session_id, transcript)
        return kept

    def exists(self, session_id: str) -> bool:
        return self.path(session_id).exists()


REPLACED_MARKER = ".replaced-"


def _parse_quietly(path: Path, raw: bytes, words: bool = True) -> object:
    """Parse without leaving a ``.corrupt`` copy: regenerable data is not worth one."""
    if not words:
        light = _without_words(raw)
        if light is not None:
            try:
                return json.loads(light.decode("utf-8"))
            except (UnicodeDecodeError, json.JSONDecodeError):
                pass  # not the shape this writer makes: parse it all
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise StoreCorruptError(f"{path} is damaged.") from None


_WORDS = b'"words": ['
"""How :meth:`TranscriptCache.save` writes the start of an utterance's words."""
_REST_OF_ARRAY = re.compile(rb'[^\[\]"]*(?:"(?:[^"\\]|\\.)*"[^\[\]"]*)*\]')
"""Up to the ``]`` closing an array of objects with no arrays inside, skipping strings."""


def _without_words(raw: bytes) -> bytes | None:
    """``raw`` with every ``"words": [...]`` emptied, without parsing the words; None if unsure.

    Words are objects of numbers and one string, so an array of them ends at the first
    ``]``, unless that ``]`` is inside a string: then the quotes before it are odd in number
    or escaped, and a regular expression finds the real end. Anything else is left to the
    JSON parser, which refuses what this got wrong.
    """
    kept: list[bytes] = []
    done = 0
    find = raw.find
    escapes = b"\\" in raw
    start = find(_WORDS)
    while start != -1:
        body = start + len(_WORDS)
        close = find(b"]", body)
        if close == -1:
            return None
        if raw.count(b'"', body, close) % 2 or (escapes and find(b"\\", body, close) != -1):
            match = _REST_OF_ARRAY.match(raw, body)
            if match is None:
                return None
            close = match.end() - 1
        kept.append(raw[done:body])
        done = close
        start = find(_WORDS, close)
    kept.append(raw[done:])
    return b"".join(kept)
