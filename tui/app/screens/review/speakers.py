"""Correcting who said what: `1`…`9`, `R` name, `M` merge, `x` split, `P` separate the voices again."""

from __future__ import annotations

from textual import work

from tui.core.model import Speaker, Transcript

from ..dialogs import ChoiceDialog, SpeakerDialog
from .messages import Failed, Separated, VoiceRemembered


class SpeakerKeys:
    """Mixed into :class:`~tui.app.screens.review.screen.ReviewScreen`: its keys for speakers."""

    def action_assign(self, index: int) -> None:
        self._sync_cursor()
        if self.review.current is None:
            return

        def then(speaker: Speaker) -> None:
            self.notify(f"Now said by {self.review.speaker_label(speaker.id)} (saved).", timeout=3)

        self._save(lambda: self.review.fixes.assign(self.review.current, index), then)

    def action_name_speaker(self) -> None:
        self._sync_cursor()
        seg = self.review.current
        if seg is None:
            return
        speaker = self.review.transcript.speaker(seg.speaker)

        def named(speaker_id: str) -> None:
            self.notify("Speaker named (saved).", timeout=3)
            if speaker_id:  # the voice is kept under the name just saved, never at the same time
                self._remember_voice(speaker_id)

        def done(result: tuple[str, str] | None) -> None:
            if result is not None:
                self._save(lambda: self.review.fixes.name(speaker.id, *result), named)

        recognised = f"recognised as {speaker.name} ({speaker.match:.0%} sure)" if speaker.guessed else ""
        self.app.push_screen(SpeakerDialog(speaker.id, speaker.name, speaker.role, recognised), done)

    @work(thread=True, group="voice", exit_on_error=False)
    def _remember_voice(self, speaker_id: str) -> None:
        try:
            self.post_message(VoiceRemembered(self.review.fixes.remember_voice(speaker_id)))
        except Exception as exc:  # told to the reviewer, never a crash
            self.post_message(Failed("Voice not remembered", exc))

    def on_voice_remembered(self, message: VoiceRemembered) -> None:
        self.notify(f"{message.name}'s voice will be recognised in new sessions of this library.", timeout=4)

    def action_merge_speaker(self) -> None:
        self._sync_cursor()
        seg = self.review.current
        if seg is None:
            return
        others = [sp for sp in self.review.speakers if sp.id != seg.speaker]
        if not others:
            self.notify("There is no other speaker to merge with.", timeout=3)
            return
        source = self.review.speaker_label(seg.speaker)

        def done(choice: int | None) -> None:
            if choice is not None:
                target = others[choice]
                self._save(lambda: self.review.fixes.merge(seg.speaker, target.id),
                           lambda _: self.notify("Speakers merged (saved).", timeout=3))

        self.app.push_screen(ChoiceDialog(f"{source} is really…", [sp.label for sp in others]), done)

    def action_split(self) -> None:
        self._sync_cursor()
        seg = self.review.current
        if seg is None:
            return
        at = self.review.playhead
        if not seg.start < at < seg.end:
            self.notify("Put the playhead on the word where the speaker changes (play, or ←/→), then press x.",
                        timeout=5)
            return
        self._save(lambda: self.review.fixes.split(seg, at), lambda _: self.notify("Utterance split (saved).", timeout=3))

    def action_separate_again(self) -> None:
        if not self.review.segments or not self.review.transcript.complete:
            self.notify("Wait for the transcript: speakers are separated once it is complete.", timeout=3)
            return
        raw = self.review.transcript_as_transcribed(complete=True)
        choices: list[int | None] = [None, *range(1, 7)]
        labels = ["Estimate how many", "1 person", *(f"{n} people" for n in range(2, 7))]

        def done(choice: int | None) -> None:
            if choice is not None:
                self.notify("Separating the voices again…", timeout=3)
                self._separate_again(raw, choices[choice])

        self.app.push_screen(ChoiceDialog("How many people speak in this session?", labels), done)

    @work(thread=True, exclusive=True, group="separate", exit_on_error=False)
    def _separate_again(self, raw: Transcript, count: int | None) -> None:
        try:
            self.post_message(Separated(self.review.workspace.separate_speakers(raw, count)))
        except Exception as exc:
            self.post_message(Failed("Speakers not separated", exc))

    def on_separated(self, message: Separated) -> None:
        self.review.set_transcript(message.transcript)
        self._show_transcript()
        self._show_cursor()
        self._show_status()
        self.notify(f"{len(self.review.speakers)} speaker(s); your names and corrections are kept.", timeout=4)
