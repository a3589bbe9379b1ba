"""What language a model heard, and whether an English-only model was listening to English at all.

An English-only Whisper given Spanish or German does not fail: it returns nothing, or a line of
invented English. Two signs give it away, both read from what faster-whisper reports:

- *almost nothing recognised*: far fewer words than the speech the voice detector found
  (English conversation runs at about 2-3 words a second; the bundled tiny.en, given
  Spanish, returns none);
- *guessing*: a low mean probability of the words it did return, or a very low average
  log-probability of its segments.

Measured with tiny.en (bench/README.md, "Languages and models"): real English recordings (the
AMI meeting, the phone call, JFK) and the English sample sessions gave 2.0-3.2 words a second,
mean word probability 0.84-0.89 and log-probability -0.32 to -0.40; Spanish and German espeak
sessions gave 0-1.7 words a second, word probability 0.31-0.48, log-probability -0.97 to -2.3
(the German one with 1.7 words a second is the "invented English" case of issue #20).
"""

from __future__ import annotations

from dataclasses import dataclass

from tui.core import languages

MIN_SPEECH_SECONDS = 8.0
"""Below this little speech, no verdict: a short greeting may well be English (a 5 s noisy English
clip gave word probability 0.64, too close to call)."""
MIN_WORDS_PER_SECOND = 0.6
MIN_WORD_PROBABILITY = 0.6
MIN_AVG_LOGPROB = -1.0


def language_kwargs(english_only: bool, language: str) -> dict[str, str]:
    """faster-whisper's ``language`` argument: forced for English-only models and chosen codes."""
    if english_only:
        return {"language": "en"}
    return {} if language == languages.AUTO else {"language": language}


@dataclass
class HeardLanguage:
    """What one transcription heard, summed over its channels."""

    language: str = ""
    probability: float | None = None
    speech_seconds: float = 0.0
    words: int = 0
    logprob_seconds: float = 0.0
    text_seconds: float = 0.0
    word_probability_sum: float = 0.0
    scored_words: int = 0

    def add_info(self, info) -> None:
        self.speech_seconds += float(getattr(info, "duration_after_vad", 0.0) or 0.0)
        probability = getattr(info, "language_probability", None)
        if getattr(info, "language", "") and (self.probability is None or (probability or 0) > self.probability):
            self.language, self.probability = str(info.language), probability

    def add_piece(self, piece) -> None:
        length = max(0.0, float(piece.end) - float(piece.start))
        words = [w for w in (piece.words or ()) if w.word.strip()]
        self.words += len(words) if piece.words is not None else len(piece.text.split())
        self.word_probability_sum += sum(float(w.probability) for w in words)
        self.scored_words += len(words)
        self.logprob_seconds += float(piece.avg_logprob) * length
        self.text_seconds += length

    @property
    def words_per_second(self) -> float:
        return self.words / self.speech_seconds if self.speech_seconds else 0.0

    @property
    def word_probability(self) -> float | None:
        return self.word_probability_sum / self.scored_words if self.scored_words else None

    @property
    def avg_logprob(self) -> float | None:
        return self.logprob_seconds / self.text_seconds if self.text_seconds else None

    def looks_not_english(self) -> bool:
        """For an English-only model: does the output look invented rather than heard?"""
        if self.speech_seconds < MIN_SPEECH_SECONDS:
            return False
        if self.words_per_second < MIN_WORDS_PER_SECOND:
            return True
        if self.word_probability is not None and self.word_probability < MIN_WORD_PROBABILITY:
            return True
        return self.avg_logprob is not None and self.avg_logprob < MIN_AVG_LOGPROB

    def language_of(self, english_only: bool, chosen: str) -> str:
        if english_only:
            return "en"
        if chosen != languages.AUTO:
            return chosen
        return self.language

    def probability_of(self, english_only: bool, chosen: str) -> float | None:
        if english_only or chosen != languages.AUTO or self.probability is None:
            return None
        return round(float(self.probability), 3)


def not_english_message(heard: HeardLanguage, model: str) -> str:
    logprob = f", mean word probability {heard.word_probability:.2f}" if heard.word_probability is not None else ""
    return (f"this recording does not sound like English: the English-only model {model} recognised "
            f"{heard.words} words in {heard.speech_seconds:.0f} s of speech{logprob}, so its text would be "
            f"invented. For another language install the multilingual model ({languages_hint()}); "
            "if it is English, transcribe with --language en to keep what it heard")


def languages_hint() -> str:
    from tui.media.model_catalog import EXTRA_INSTALL

    return EXTRA_INSTALL
