"""Cutting a transcript's text into sentences: a Whisper segment often holds several.

Sentences
    A sentence ends at ``.``, ``?``, ``!`` or an ellipsis (``...``/``…``), plus any
    closing quotes, before whitespace or the end of the text. An ellipsis or full
    stop followed by a lower-case word is a pause, not an end ("So... what now?" is
    one sentence); so is a ``?``/``!`` inside quotes followed by a lower-case word
    (``"Why now?" she asked.``). Leading/trailing spaces, Whisper's dialogue dashes
    and quotes around the whole text are ignored.

Why a module of its own: questions are classified a sentence at a time (tui.core.questions),
and the figures place each sentence on the timeline (tui.core.session_walk).
"""

from __future__ import annotations

import re

TERMINATORS = ".?!…"
CLOSERS = "\"'”’»)]"
_SENTENCE_END = re.compile(r"[.?!…]+[\"'”’»)\]]*(?=\s|$)")


def split_sentences(text: str) -> list[str]:
    """The sentences of ``text``, stripped; Whisper often puts several in one segment."""
    text = strip_outer_quotes(text.strip())
    sentences: list[str] = []
    begin = 0
    for match in _SENTENCE_END.finditer(text):
        if not _is_boundary(text, match):
            continue
        sentence = text[begin : match.end()].strip().lstrip("-–— ")
        if sentence:
            sentences.append(sentence)
        begin = match.end()
    rest = text[begin:].strip().lstrip("-–— ")
    if rest:
        sentences.append(rest)
    return sentences


def strip_outer_quotes(text: str) -> str:
    pairs = {'"': '"', "“": "”", "«": "»"}
    while len(text) >= 2 and text[0] in pairs and text[-1] == pairs[text[0]]:
        opening, closing = text[0], pairs[text[0]]
        single_quotation = text.count(opening) == 2 if opening == closing else (
            text.count(opening) == 1 and text.count(closing) == 1
        )
        if not single_quotation:
            break
        text = text[1:-1].strip()
    return text


def _is_boundary(text: str, match: re.Match[str]) -> bool:
    """Whether a terminator ends the sentence (see "Sentences" in the module docstring)."""
    rest = text[match.end() :].lstrip()
    if not rest:
        return True
    starts_lower = rest[0].islower()
    punct = match.group().rstrip(CLOSERS)
    quoted = len(punct) < len(match.group())
    if "?" in punct or "!" in punct:
        return not (quoted and starts_lower)
    return not starts_lower
