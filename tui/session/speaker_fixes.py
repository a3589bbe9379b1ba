"""Correcting who said what: kept as annotations over the transcript, never written into it.

So transcribing again, or separating the voices again, keeps every fix. Each method plans a
:class:`~tui.session.changes.Change` from the transcript on screen; the review applies the
corrections and names the store reads back.
"""

from __future__ import annotations

from typing import TypeVar

from tui.core.corrections import Corrections, next_speaker_id
from tui.core.model import Segment, Speaker
from tui.errors import DebriefError
from tui.services.workspace import Workspace

from .changes import Change, Kind, check_writable
from .corrected import CorrectedTranscript

T = TypeVar("T")


class SpeakerFixes:
    def __init__(self, workspace: Workspace, text: CorrectedTranscript) -> None:
        self.workspace = workspace
        self.text = text

    def assign(self, seg: Segment | None, speaker_index: int) -> Change[Speaker]:
        """Give ``seg`` to the speaker at ``speaker_index`` (one past the end: a new speaker)."""
        seg = _require(seg)
        speakers = self.text.shown.speakers
        corrections = self.text.corrections
        if speaker_index >= len(speakers):
            target = Speaker(next_speaker_id([sp.id for sp in speakers] + [s.speaker for s in self.text.raw.segments]))
            corrections = corrections.add_speaker(target.id)
        else:
            target = speakers[speaker_index]
        return self._save(corrections.assign(seg, target.id), target)

    def merge(self, source: str, target: str) -> Change[None]:
        return self._save(self.text.corrections.merge(source, target), None)

    def split(self, seg: Segment | None, at: float) -> Change[bool]:
        """Cut ``seg`` at ``at`` (a word boundary inside it)."""
        seg = _require(seg)
        if not seg.start < at < seg.end:
            raise DebriefError("put the playhead inside the utterance to split it")
        return self._save(self.text.corrections.split_at(at), True)

    def name(self, speaker_id: str, name: str, role: str) -> Change[str]:
        """Save the name and role; the change's value is ``speaker_id`` when the speaker now has a name.

        Remember the voice only after this is written: the voice is kept under the name saved here.
        """
        check_writable(self.workspace)
        names = dict(self.text.names)
        names[speaker_id] = {"name": name.strip(), "role": role.strip()}
        annotations = self.workspace.annotations

        def write() -> str:
            annotations.set("speakers", names)
            return speaker_id if name.strip() else ""

        return Change(Kind.SPEAKERS, write)

    def remember_voice(self, speaker_id: str) -> str:
        """Keep this speaker's voice under the name they have now, for later sessions. Disk: a worker."""
        return self.workspace.remember_voice(self.text.shown, speaker_id)

    def _save(self, corrections: Corrections, value: T) -> Change[T]:
        check_writable(self.workspace)
        annotations, saved = self.workspace.annotations, corrections.to_dict()

        def write() -> T:
            annotations.set("corrections", saved)
            return value

        return Change(Kind.SPEAKERS, write)


def _require(seg: Segment | None) -> Segment:
    if seg is None:
        raise DebriefError("there is no utterance here yet")
    return seg
