"""Questions in Spanish and German, and in languages Debrief has no rules for.

Spanish and German get basic rules a coach can check: a sentence is a question when it ends
with "?" (Spanish also opens it with "¿"), or, without one, when it starts with an invitation
("cuéntame…", "erzähl mir…"). It is open when, after fillers, it starts with a question word or
an invitation, and closed otherwise ("¿Te ayudó?", "Hat das geholfen?", "…, oder?"); question
words asking for a number ("cuántos", "wie viele", "wie lange") are closed. Every other
language: a sentence ending with "?" is a question, classified by the English rules.

Why a module of its own: the English rules (tui.core.questions) are long and a coach checks
them by hand; these are short, and a session's language picks between them.
"""

from __future__ import annotations

import re

from tui.core.questions import QuestionKind, classify_sentence, ends_with_question_mark

_OTHER_OPEN = {
    "es": frozenset("qué que cómo como por porqué cuándo cuando dónde donde adónde quién quien quiénes quienes cuál "
                    "cual cuáles cuales".split()),
    "de": frozenset("was wie warum wieso weshalb weswegen wann wo woher wohin wer wen wem wessen welche welcher "
                    "welches welchen welchem woran worüber wofür womit wozu worauf wodurch".split()),
}
_OTHER_CLOSED_HEADS = {
    "es": (("cuánto",), ("cuántos",), ("cuánta",), ("cuántas",), ("cuanto",), ("cuantos",)),
    "de": (("wie", "viel"), ("wie", "viele"), ("wie", "lange"), ("wie", "oft"), ("wie", "alt"), ("wie", "weit"),
           ("wie", "spät")),
}
_OTHER_INVITATIONS = {
    "es": frozenset("cuéntame cuénteme cuéntanos cuentame dime dígame describe descríbeme describeme explícame "
                    "explicame explica háblame hablame comparte compárteme detalla".split()),
    "de": frozenset("erzähl erzähle erzählen erzählt beschreib beschreibe beschreiben erklär erkläre erklären "
                    "schildere schildern".split()),
}
_OTHER_FILLERS = {
    "es": frozenset("y entonces bueno pues vale mira oye eh ah o sea a ver".split()),
    "de": frozenset("und also na nun ja okay gut so dann äh ähm".split()),
}
_OTHER_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


def has_question_rules(language: str) -> bool:
    """True when Debrief has open/closed rules for ``language`` (English, Spanish, German)."""
    return language in ("", "en", *_OTHER_OPEN)


def classify_sentence_in(sentence: str, language: str = "en") -> QuestionKind | None:
    """:func:`classify_sentence` for a session held in ``language``."""
    if language in ("", "en"):
        return classify_sentence(sentence)
    text = sentence.strip().lstrip("-–— ").strip()
    marked = ends_with_question_mark(text)
    if language not in _OTHER_OPEN:
        return classify_sentence(text) if marked else None
    if "¿" in text:
        text = text[text.rindex("¿") + 1:]  # a Spanish question starts at its ¿
    words = [w.lower() for w in _OTHER_WORD.findall(text)]
    while words and words[0] in _OTHER_FILLERS[language]:
        words = words[1:]
    if not words:
        return None
    invitation = words[0] in _OTHER_INVITATIONS[language]
    if not marked:
        return QuestionKind.OPEN if invitation else None
    if any(tuple(words[: len(head)]) == head for head in _OTHER_CLOSED_HEADS[language]):
        return QuestionKind.CLOSED
    return QuestionKind.OPEN if invitation or words[0] in _OTHER_OPEN[language] else QuestionKind.CLOSED
