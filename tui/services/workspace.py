"""Opening a recording: probe it, find its library database, know it by content.

The CLI and the app both start here, so that "which database", "which session" and
"is this even audio" are answered once and fail with the same clear errors.
"""

from __future__ import annotations

import getpass
import os
from dataclasses import dataclass, replace
from pathlib import Path

from tui.core.analytics import session_stats
from tui.core.corrections import Corrections
from tui.core.details import DEFAULT_MEASURES, Measure, SessionDetails
from tui.core.corrections import apply as apply_corrections
from tui.core.corrections import named_speakers
from tui.core.model import SessionInfo, Speaker, Transcript
from tui.core.report import SessionReport
from tui.errors import DebriefError, MediaError, StoreReadOnlyError, TranscriptError
from tui.media.probe import MediaInfo, probe
from tui.store import Library, SessionAnnotations
from tui.store.files import not_writable_reason

DB_ENV = "DEBRIEF_DB"
DB_NAME = "debrief.json"


def resolve_db(target: Path, db: Path | None = None) -> Path:
    """``--db`` wins, then ``$DEBRIEF_DB``, then the library the target lies in.

    The library is the nearest folder, from the target's own upwards, that already holds
    a ``debrief.json`` (so a recording in a subfolder, or moved into one, stays in its
    library); with none, the target's own folder starts a new library.
    """
    if db is not None:
        return Path(db).expanduser()
    env = os.environ.get(DB_ENV)
    if env:
        return Path(env).expanduser()
    folder = (target if target.is_dir() else target.parent).resolve()
    for candidate in (folder, *folder.parents):
        if (candidate / DB_NAME).is_file():
            return candidate / DB_NAME
    return folder / DB_NAME


def current_author() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name (containers without passwd entries)
        return "reviewer"


@dataclass
class Workspace:
    """One recording opened against its library."""

    recording: Path
    media: MediaInfo
    library: Library
    info: SessionInfo
    annotations: SessionAnnotations

    @classmethod
    def of_known_session(cls, library: Library, info: SessionInfo, path: Path | None = None) -> Workspace:
        """A session the library already described, without probing the file again."""
        recording = Path(path or info.path)
        media = MediaInfo(recording, info.duration, 0, 0, "", "", info.title, info.date, {})
        return cls(recording, media, library, info, library.annotations(info.id))

    @property
    def read_only(self) -> bool:
        return self.library.read_only

    def cached_transcript(self) -> Transcript | None:
        return self.library.transcripts.load(self.info.id)

    def save_transcript(self, transcript: Transcript) -> None:
        if not self.library.read_only:
            self.library.transcripts.save(self.info.id, transcript)

    def separate_speakers(self, transcript: Transcript, count: int | None) -> Transcript:
        """``transcript`` (as transcribed) given to ``count`` voices (None: estimate), and saved.

        Nothing is re-transcribed; names and corrections stay with the voices they were
        given to, because each voice keeps its id where the old and new separation agree.
        """
        from tui.media.word_speakers import separate_again

        if self.library.read_only:
            raise StoreReadOnlyError(f"{self.recording.name}'s library is open read-only: speakers were not changed")
        separated = separate_again(self.recording, transcript, count)
        self.save_transcript(separated)
        return separated

    def replace_transcript(self, transcript: Transcript) -> Path | None:
        """Save ``transcript`` over the session's own, keeping the replaced one; returns where it is kept."""
        return self.library.transcripts.replace(self.info.id, transcript)

    def voices(self) -> dict[str, dict]:
        """Voices remembered in this library: name -> {"embedding": [...], "role": ...}."""
        voices = self.library.get("voices", {}) or {}
        return voices if isinstance(voices, dict) else {}

    def remember_voice(self, transcript: Transcript, speaker_id: str) -> str:
        """Keep the voice of ``speaker_id`` (by the name the reviewer gave) for later sessions."""
        from tui.media.decode import read_pcm
        from tui.media.voice_profiles import voice_embedding

        speaker = transcript.speaker(speaker_id)
        if not speaker.name:
            raise TranscriptError("name the speaker first (R), then their voice can be remembered")
        own = [s for s in transcript.segments if s.speaker == speaker_id]
        embedding = voice_embedding(read_pcm(self.recording, rate=16000, channels=1), own)
        voices = dict(self.voices())
        voices[speaker.name] = {"embedding": embedding, "role": speaker.role, "from": self.info.id}
        self.library.set("voices", voices)
        return speaker.name

    def details(self) -> SessionDetails:
        return SessionDetails.from_dict(self.annotations.get("details"))

    def measures(self) -> tuple[Measure, ...]:
        return library_measures(self.library)

    def save_details(self, details: SessionDetails, measures: tuple[Measure, ...]) -> None:
        """Durably record consent, tags and outcome measures (values checked against their scales)."""
        by_name = {m.name: m for m in measures}
        for name, value in details.outcomes.items():
            if name not in by_name:
                raise DebriefError(f"{name} is not one of this library's measures")
            by_name[name].check(value)
        if measures != self.measures():
            self.library.set("measures", [{"name": m.name, "low": m.low, "high": m.high} for m in measures])
        self.annotations.set("details", details.to_dict())

    def corrections(self) -> Corrections:
        return Corrections.from_dict(self.annotations.get("corrections"))

    def corrected(self, transcript: Transcript, corrections: Corrections | None = None,
                  names: dict | None = None) -> Transcript:
        """The transcript with the reviewer's speaker corrections and names applied.

        Pass ``corrections`` and ``names`` already read to apply them without reading the disk.
        """
        fixed = apply_corrections(transcript, self.corrections() if corrections is None else corrections)
        return replace(fixed, speakers=self.speakers(fixed, names))

    def speaker_names(self) -> dict:
        """speaker id -> {"name", "role"} as the reviewer gave them."""
        given = self.annotations.get("speakers", {}) or {}
        return given if isinstance(given, dict) else {}

    def speakers(self, transcript: Transcript, names: dict | None = None) -> tuple[Speaker, ...]:
        """The transcript's speakers with the names and roles the reviewer gave them."""
        return named_speakers(transcript, self.speaker_names() if names is None else names)

    def report(self, transcript: Transcript | None = None) -> SessionReport:
        """What an export of this session shows; refuses when there is no transcript yet.

        ``transcript``: the cached one, if the caller has already read it.
        """
        transcript = transcript if transcript is not None else self.cached_transcript()
        if transcript is None:
            raise TranscriptError(
                f"{self.recording.name} has no transcript yet: run `debrief transcribe {self.recording}` first"
            )
        transcript = self.corrected(transcript)
        marks = tuple(m for m in self.annotations.marks() if not m.private)
        stats = session_stats(transcript, duration=self.info.duration)
        details = self.details()
        goal, intention, summary = self.reflection()
        info = replace(self.info, title=details.title or self.info.title, date=details.date or self.info.date,
                       tags=details.tags or self.info.tags)
        return SessionReport(
            info, transcript.speakers, transcript, marks, stats,
            consent=details.consent,
            outcomes=dict(details.outcomes),
            focus_goal=goal, intention=intention, summary=summary,
        )

    def reflection(self) -> tuple[str, str, str]:
        """(focus goal of the series, look-fors, summary)."""
        return (focus_goal(self.library), str(self.annotations.get("intention", "") or ""),
                str(self.annotations.get("summary", "") or ""))


def focus_goal(library: Library) -> str:
    """What the reviewer is working on across this library's sessions."""
    return str(library.get("focus_goal", "") or "")


def redaction_terms(library: Library) -> tuple[str, ...]:
    """The library's own redaction list (client names, places)."""
    return tuple(str(t) for t in library.get("redaction_terms", []) or ())


def library_measures(library: Library) -> tuple[Measure, ...]:
    """The outcome measures this library uses (ORS and SRS unless the reviewer changed them)."""
    stored = library.get("measures")
    if isinstance(stored, list):
        try:
            return tuple(Measure(str(m["name"]), float(m["low"]), float(m["high"])) for m in stored)
        except (KeyError, TypeError, ValueError):
            pass
    return DEFAULT_MEASURES


def check_recording(path: Path) -> MediaInfo:
    """Is ``path`` a recording? Nothing is written (no library is opened or created)."""
    path = Path(path).expanduser()
    if not path.exists():
        raise MediaError(f"{path} does not exist")
    if path.is_dir():
        raise MediaError(f"{path} is a folder; open a recording inside it")
    return probe(path)


@dataclass(frozen=True)
class SessionPeek:
    """What a library already holds for a recording, found without writing anything."""

    db_path: Path
    session_id: str | None
    transcript: Transcript | None
    other_recordings: tuple[str, ...]
    """Other files with the same content: they share this session, and its transcript."""
    read_only_reason: str | None
    """Why a write would be refused, or None."""


def peek_session(path: Path, db: Path | None = None) -> SessionPeek:
    """The recording's session as stored, read without creating or changing a single file."""
    path = Path(path).expanduser()
    db_path = resolve_db(path, db)
    reason = not_writable_reason(db_path)
    if not db_path.exists():
        return SessionPeek(db_path, None, None, (), reason)
    library = Library.open(db_path, read_only=True)
    session_id = library.session_id(path)
    if reason is None:
        for folder in (library.data_dir, library.transcripts_dir):
            if folder.exists() and not os.access(folder, os.W_OK | os.X_OK):
                reason = f"the folder {folder} is not writable by you"
    real = os.path.realpath(path)
    others = tuple(p for p in library.recordings_of(session_id) if p != real)
    return SessionPeek(db_path, session_id, library.transcripts.load(session_id), others, reason)


def open_recording(path: Path, db: Path | None = None, media: MediaInfo | None = None, *,
                   read_only: bool = False) -> Workspace:
    """Probe ``path`` and attach it to its library; raises a :class:`DebriefError` on bad input.

    ``read_only``: for commands that only read (marks, stats, export): nothing is created
    or written, not even a database for a recording seen for the first time.
    """
    path = Path(path).expanduser()
    media = media if media is not None else check_recording(path)
    library = Library.open(resolve_db(path, db), read_only=read_only)
    session_id = library.session_id(path)
    info = SessionInfo(
        id=session_id,
        path=str(path.resolve()),
        title=media.title or path.stem.replace("_", " "),
        duration=media.duration,
        date=media.date,
    )
    if not library.read_only:
        library.record_session(info)
    return Workspace(path, media, library, info, library.annotations(session_id))


def library_folder(folder: Path) -> Path:
    """``folder`` as the folder of a library, or a clear error when it is not a folder."""
    folder = Path(folder).expanduser()
    if not folder.is_dir():
        raise MediaError(f"{folder} is not a folder")
    return folder


def library_reports(folder: Path, db: Path | None = None) -> list[SessionReport]:
    """Reports of every transcribed session the folder's library knows, oldest first."""
    db_path = resolve_db(library_folder(folder), db)
    if not db_path.exists():
        return []
    library = Library.open(db_path, read_only=True)  # a report only reads
    reports = []
    for info in sorted(library.sessions(), key=lambda i: (i.date, i.title)):
        workspace = Workspace.of_known_session(library, info)
        transcript = workspace.cached_transcript()
        if transcript is not None:
            reports.append(workspace.report(transcript))
    return reports
