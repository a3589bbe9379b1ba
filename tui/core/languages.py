"""Which language a session was held in: codes, names, and how a transcript's language is shown.

Codes are Whisper's (ISO 639-1 where one exists: ``en``, ``es``, ``de``…; ``haw`` and ``yue``
are longer). ``auto`` means "let a multilingual model detect it".
"""

from __future__ import annotations

from tui.core.model import Transcript

AUTO = "auto"

NAMES: dict[str, str] = {
    "af": "Afrikaans", "am": "Amharic", "ar": "Arabic", "as": "Assamese", "az": "Azerbaijani",
    "ba": "Bashkir", "be": "Belarusian", "bg": "Bulgarian", "bn": "Bengali", "bo": "Tibetan",
    "br": "Breton", "bs": "Bosnian", "ca": "Catalan", "cs": "Czech", "cy": "Welsh", "da": "Danish",
    "de": "German", "el": "Greek", "en": "English", "es": "Spanish", "et": "Estonian", "eu": "Basque",
    "fa": "Persian", "fi": "Finnish", "fo": "Faroese", "fr": "French", "gl": "Galician", "gu": "Gujarati",
    "ha": "Hausa", "haw": "Hawaiian", "he": "Hebrew", "hi": "Hindi", "hr": "Croatian", "ht": "Haitian Creole",
    "hu": "Hungarian", "hy": "Armenian", "id": "Indonesian", "is": "Icelandic", "it": "Italian",
    "ja": "Japanese", "jw": "Javanese", "ka": "Georgian", "kk": "Kazakh", "km": "Khmer", "kn": "Kannada",
    "ko": "Korean", "la": "Latin", "lb": "Luxembourgish", "ln": "Lingala", "lo": "Lao", "lt": "Lithuanian",
    "lv": "Latvian", "mg": "Malagasy", "mi": "Maori", "mk": "Macedonian", "ml": "Malayalam",
    "mn": "Mongolian", "mr": "Marathi", "ms": "Malay", "mt": "Maltese", "my": "Burmese", "ne": "Nepali",
    "nl": "Dutch", "nn": "Norwegian Nynorsk", "no": "Norwegian", "oc": "Occitan", "pa": "Punjabi",
    "pl": "Polish", "ps": "Pashto", "pt": "Portuguese", "ro": "Romanian", "ru": "Russian", "sa": "Sanskrit",
    "sd": "Sindhi", "si": "Sinhala", "sk": "Slovak", "sl": "Slovenian", "sn": "Shona", "so": "Somali",
    "sq": "Albanian", "sr": "Serbian", "su": "Sundanese", "sv": "Swedish", "sw": "Swahili", "ta": "Tamil",
    "te": "Telugu", "tg": "Tajik", "th": "Thai", "tk": "Turkmen", "tl": "Tagalog", "tr": "Turkish",
    "tt": "Tatar", "uk": "Ukrainian", "ur": "Urdu", "uz": "Uzbek", "vi": "Vietnamese", "yi": "Yiddish",
    "yo": "Yoruba", "zh": "Chinese", "yue": "Cantonese",
}

def language_name(code: str) -> str:
    return NAMES.get(code, code)


def check_language(value: str) -> str:
    """``value`` as a known code (or ``auto``); ValueError with the reason otherwise."""
    code = value.strip().lower()
    if code == AUTO or code in NAMES:
        return code
    by_name = {name.lower(): c for c, name in NAMES.items()}
    if code in by_name:
        return by_name[code]
    raise ValueError(f"{value!r} is not a language Debrief knows: use auto or a code such as en, es, de, fr")


def describe(language: str, probability: float | None = None) -> str:
    """``Spanish (es, detected 98 %)``, ``English (en)``, or "" when unknown."""
    if not language:
        return ""
    name = language_name(language)
    shown = f"{name} ({language}" if name != language else f"{language} ("
    if probability is not None:
        shown += f", detected {probability:.0%})"
    else:
        shown += ")"
    return shown.replace("( ", "(").replace("(, ", "(")


def english_only_note(language: str) -> str:
    """What a reader must know about the figures of a session not held in English ("" for English).

    Only questions follow the language (tui.core.question_languages knows which have rules); the
    other figures (talk share, turns, waits, monologues, interruptions, silences) are timing alone.
    """
    from tui.core.question_languages import has_question_rules  # not at import: config loads this module

    if not language or language == "en":
        return ""
    name = language_name(language)
    if has_question_rules(language):
        return (f"Session in {name}: questions are counted with basic {name} rules (question marks, question "
                "words, invitations); every other figure comes from timing alone.")
    return (f"Session in {name}: questions are counted by their question marks only, and open/closed follows "
            "English rules (not reliable here); every other figure comes from timing alone.")


def shown_for(transcript: Transcript) -> str:
    """The header line for a transcript's language, "" when there is nothing to tell.

    English assumed by an English-only model (or a transcript made before languages were
    recorded) is not shown; a detected language, or any language but English, is.
    """
    language = getattr(transcript, "language", "")
    probability = getattr(transcript, "language_probability", None)
    if not language or (language == "en" and probability is None):
        return ""
    return describe(language, probability)
