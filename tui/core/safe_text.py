"""The one rule for text Debrief did not write itself: notes, tags, names, titles, paths.

What is stored stays exactly what the user typed; this module decides how it is shown
on the way out (a terminal, a Markdown, CSV, HTML, SRT or WebVTT file), so that a note
planted in a shared library cannot clear a screen, retitle a window, write to the
clipboard (OSC 52), reorder the text around it or hide a word.

**Hostile characters** are

- C0 controls U+0000–U+001F (so ESC and every sequence it starts, BEL, CR, LF, TAB) and
  DEL U+007F;
- C1 controls U+0080–U+009F (U+009B is a one-character CSI, U+009D an OSC);
- bidirectional embeddings, overrides and isolates U+202A–U+202E, U+2066–U+2069;
- zero-width characters U+200B–U+200D, U+2060, U+FEFF;
- the line and paragraph separators U+2028, U+2029, and lone surrogates (bytes of a
  file name that are not UTF-8).

**How they are shown** (:func:`visible`): a C0 control or DEL becomes its Unicode
*control picture* (ESC → ``␛``, BEL → ``␇``, LF → ``␊``, CR → ``␍``, DEL → ``␡``), so
``\\x1b[2J`` reads ``␛[2J``; every other hostile character becomes ``<U+XXXX>`` (the way
``less`` shows them), e.g. a right-to-left override reads ``<U+202E>``. Nothing is
dropped, so what a reader sees still tells what is stored. Where a text may span lines
(a note, a summary) :func:`visible_lines` keeps line feeds and tabs and reads CR LF as a
line feed. JSON output stays lossless: :func:`json_safe` writes the same characters as
``\\uXXXX`` escapes, which any JSON reader turns back into the stored text.

Pure: no I/O, no Textual; the terminal, the exports and the app all call this module.
"""

from __future__ import annotations

import re
import unicodedata

BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
ZERO_WIDTH = frozenset("\u200b\u200c\u200d\u2060\ufeff")
SEPARATORS = frozenset("\u2028\u2029")
_INVISIBLE = BIDI_CONTROLS | ZERO_WIDTH | SEPARATORS


def is_hostile(ch: str) -> bool:
    """Would ``ch`` (one character) act on a terminal or hide or reorder the text around it?"""
    code = ord(ch)
    return code < 0x20 or 0x7F <= code <= 0x9F or ch in _INVISIBLE or 0xD800 <= code <= 0xDFFF


def picture(ch: str) -> str:
    """How one hostile character is shown: a control picture (C0, DEL) or ``<U+XXXX>``."""
    code = ord(ch)
    if code < 0x20:
        return chr(0x2400 + code)
    if code == 0x7F:
        return "\u2421"
    return f"<U+{code:04X}>"


def visible(text: str) -> str:
    """``text`` on one line with every hostile character shown as :func:`picture` (newlines too)."""
    if text.isprintable():  # every hostile character is unprintable: the common case costs one scan
        return text
    return "".join(picture(ch) if is_hostile(ch) else ch for ch in text)


def visible_lines(text: str) -> str:
    """Like :func:`visible`, but line feeds and tabs are kept (CR LF and a lone CR before LF read as LF)."""
    if text.isprintable():
        return text
    text = text.replace("\r\n", "\n")
    return "\n".join(
        "".join(ch if ch == "\t" or not is_hostile(ch) else picture(ch) for ch in line) for line in text.split("\n")
    )


def hostile_characters(text: str) -> list[tuple[int, str]]:
    """(position, character) of each hostile character in ``text``, in order."""
    if text.isprintable():
        return []
    return [(i, ch) for i, ch in enumerate(text) if is_hostile(ch)]


def describe(ch: str) -> str:
    """``U+200B ZERO WIDTH SPACE``: a hidden character named so that a user can find it."""
    name = unicodedata.name(ch, "")
    if not name:
        code = ord(ch)
        name = {0x1B: "ESCAPE", 0x07: "BELL", 0x0A: "LINE FEED", 0x0D: "CARRIAGE RETURN", 0x09: "TAB",
                0x00: "NUL", 0x7F: "DELETE"}.get(code, "CONTROL" if code < 0xA0 else "")
    return f"U+{ord(ch):04X} {name}".rstrip()


def tag_problem(tag: str) -> str | None:
    """Why ``tag`` cannot be a tag (a tag is one short visible word or phrase), or None if it can."""
    if not tag.strip():
        return "it is empty"
    found = hostile_characters(tag)
    if found:
        at, ch = found[0]
        kind = ("a line break" if ch in "\n\r\u2028\u2029" else
                "a control character" if ord(ch) < 0xA0 else
                "a bidirectional override" if ch in BIDI_CONTROLS else "an invisible character")
        return f"it contains {kind} ({describe(ch)}, character {at + 1}), shown as {visible(tag)!s}"
    return None


_JSON_HOSTILE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200d\u2060\ufeff"
                           "\u202a-\u202e\u2066-\u2069\u2028\u2029\ud800-\udfff]")
"""Hostile characters other than the line breaks and tabs that indent JSON (inside strings those are escaped)."""


def json_safe(text: str) -> str:
    """JSON text (from ``json.dumps``) with every hostile character written as a ``\\uXXXX`` escape.

    Lossless: a JSON reader gets back exactly the stored strings. Structural JSON is
    plain ASCII, so only the insides of strings change.
    """
    return _JSON_HOSTILE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
