"""De-identified exports that fail closed.

``deidentify`` replaces speaker names with roles, drops the title, path and file tags,
and removes every listed term (client names, places) from every text an export can show.
``check_clean`` is the last gate: it scans the rendered output itself, so a term that
slipped through any renderer stops the export instead of reaching a mentor's inbox.

Matching is deliberately generous, because a false alarm costs a retry and a miss costs
a client's privacy. Text is compared after Unicode compatibility folding, case folding
and accent stripping, with zero-width characters ignored, so a term is found

- in any case and with any accents (``JAYDEN``, ``Jáyden``, full-width letters);
- next to punctuation or markup (``(Jayden)``, ``Jayden,``, ``<b>Jayden</b>``);
- as a possessive or plural (``Jayden's``, ``Jaydens'``, ``Jaydens``);
- split into pieces (``Jay den``, ``Jay-den``, ``J.a.y.d.e.n``, ``J a y d e n``,
  ``Jay<i>den</i>``, word timings ``" Jay"`` + ``"den"``), and across line breaks.

Pieces are joined across punctuation of up to three characters; across white space only
when the pieces are alike (all single letters, or all longer), so that "it's am" does
not read as "sam".

Speaker names are redacted like listed terms, replaced by the speaker's role
(``[Coach]``). Audio is redacted by muting the time spans of the matching words
(:func:`mute_spans`); an utterance whose text matches but whose word timings do not
say where is muted whole. Audio can only be as clean as its transcript: a name the
transcriber misheard is not found.
"""

from __future__ import annotations

import html
import json
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from tui.core.analytics import session_stats, stats_to_json
from tui.core.model import Segment, SessionInfo, Speaker, Word
from tui.core.report import SessionReport
from tui.core.safe_text import describe, hostile_characters, visible
from tui.core.timefmt import format_time
from tui.errors import DebriefError
from tui.formats.scope import Reports, as_series, shareable_marks

REDACTED = "[redacted]"

MUTE_PADDING_SECONDS = 0.2
"""Muted around each word: word timings are typically off by a tenth of a second."""

_IGNORABLE = frozenset("\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b\u200c\u200d\u200e\u200f"
                       "\u202a\u202b\u202c\u202d\u202e\u2060\u2061\u2062\u2063\u2064\ufeff")
"""Invisible characters that could hide a term from a naive search (soft hyphen, zero widths, bidi marks)."""

_FORCED_SEPARATORS = frozenset("\u02b9\u02ba\u02bb\u02bc\u02bd\u02be\u02bf\u02c8\u02ee")
"""Modifier-letter apostrophes: letters to Unicode, apostrophes to a reader."""

_TOKEN = re.compile(r"[^\W_]+")
_TAG = re.compile(r"<[^<>]*>")
_AUDIO_DATA_URI = re.compile(r"data:audio/[A-Za-z0-9.+-]+(?:;[A-Za-z0-9=.+-]+)*;base64,[A-Za-z0-9+/=\s]+")
_JSON_UNICODE = re.compile(r"\\u([0-9a-fA-F]{4})")
_JSON_ESCAPE = re.compile(r"\\[nrtbf]")
_MAX_PUNCTUATION_JOIN = 3
_MAX_PASSES = 4


# -- policy ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RedactionPolicy:
    """What must not leave: the library's list of terms, plus the speakers' names.

    Build it with :meth:`for_reports` so that :func:`check_clean` also guards the
    speakers' names; a policy built from terms alone guards only the terms.
    """

    terms: tuple[str, ...] = ()
    replace_names_with_roles: bool = True
    names: tuple[str, ...] = ()
    """Speaker names (display names from an imported transcript too), guarded like terms."""

    def __post_init__(self) -> None:
        for term in self.terms:
            if not isinstance(term, str):
                raise DebriefError(f"A redaction term must be text, not {term!r}.")
            if term.strip() and len(_skeleton(term)) < 2:
                raise DebriefError(
                    f"The redaction term {_label(term)} is too short to search for; use at least two letters or digits."
                )

    @classmethod
    def for_reports(
        cls, reports: Reports, terms: Iterable[str] = (), *, replace_names_with_roles: bool = True
    ) -> RedactionPolicy:
        """The policy for exporting ``reports``: ``terms`` plus every speaker name they hold."""
        names: list[str] = []
        for report in as_series(reports):
            names.extend(_speaker_names(report))
        return cls(
            terms=tuple(t for t in (str(t).strip() for t in terms) if t),
            replace_names_with_roles=replace_names_with_roles,
            names=tuple(dict.fromkeys(names)),
        )


def _speaker_names(report: SessionReport) -> list[str]:
    found = [sp.name for sp in report.speakers] + [sp.name for sp in report.transcript.speakers]
    found += [s.name for s in report.stats.speakers.values()]
    return [n.strip() for n in found if n and len(_skeleton(n)) >= 2]


# -- matching --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Target:
    label: str
    """The term or name as the user wrote it (for messages)."""
    skeleton: str
    replacement: str


@dataclass(frozen=True, slots=True)
class _Match:
    start: int
    end: int
    """Character span in the original text."""
    target: _Target


class _Matcher:
    """Finds every target in a text, under both readings (markup as text, markup removed)."""

    def __init__(self, targets: Iterable[_Target]) -> None:
        by_first: dict[str, list[_Target]] = {}
        seen: set[str] = set()
        for target in sorted(targets, key=lambda t: -len(t.skeleton)):
            if len(target.skeleton) < 2 or target.skeleton in seen:
                continue
            seen.add(target.skeleton)
            by_first.setdefault(target.skeleton[0], []).append(target)
        self._by_first = by_first

    def __bool__(self) -> bool:
        return bool(self._by_first)

    def find(self, text: str) -> list[_Match]:
        """Non-overlapping matches (leftmost, longest), from both readings of ``text``."""
        if not self._by_first or not text:
            return []
        found = self._find(text, drop_tags=False)
        if "<" in text and ">" in text:
            found += self._find(text, drop_tags=True)
        return _non_overlapping(found)

    def _find(self, text: str, *, drop_tags: bool) -> list[_Match]:
        norm, origin = _normalize(text, drop_tags=drop_tags)
        tokens = [(m.start(), m.end(), m.group()) for m in _TOKEN.finditer(norm)]
        matches: list[_Match] = []
        for i, (start, _, first) in enumerate(tokens):
            for target in self._by_first.get(first[0], ()):
                j = _run_end(norm, tokens, i, target.skeleton)
                if j is not None:
                    end = tokens[j][1]
                    matches.append(_Match(origin[start], origin[end - 1] + 1, target))
                    break
        return matches


def _run_end(norm: str, tokens: list[tuple[int, int, str]], i: int, skeleton: str) -> int | None:
    """Index of the last token of a run starting at ``i`` that spells ``skeleton`` (or its plural)."""
    plural = skeleton + "s"
    spelled = tokens[i][2]
    j = i
    while plural.startswith(spelled):
        if spelled == skeleton or spelled == plural:
            return j
        if j + 1 == len(tokens):
            return None
        left, right = tokens[j], tokens[j + 1]
        if not _joinable(norm[left[1] : right[0]], left[2], right[2]):
            return None
        spelled += right[2]
        j += 1
    return None


def _joinable(separator: str, left: str, right: str) -> bool:
    if any(ch.isspace() for ch in separator):
        if separator.isspace() or len(separator) <= _MAX_PUNCTUATION_JOIN:
            return (len(left) == 1) == (len(right) == 1)
        return False
    return len(separator) <= _MAX_PUNCTUATION_JOIN


def _normalize(text: str, *, drop_tags: bool) -> tuple[str, list[int]]:
    """Folded text plus, for each of its characters, the index of the original it came from."""
    dropped: set[int] = set()
    if drop_tags:
        for tag in _TAG.finditer(text):
            dropped.update(range(tag.start(), tag.end()))
    if text.isascii():
        keep = [i for i in range(len(text)) if i not in dropped] if dropped else range(len(text))
        folded = text.lower()
        return "".join(folded[i] for i in keep), list(keep)
    out: list[str] = []
    origin: list[int] = []
    for i, ch in enumerate(text):
        if i in dropped or ch in _IGNORABLE:
            continue
        if ch in _FORCED_SEPARATORS:
            out.append(" ")
            origin.append(i)
            continue
        for piece in unicodedata.normalize("NFKD", ch):
            if unicodedata.combining(piece):
                continue
            for folded in piece.casefold():
                out.append(folded)
                origin.append(i)
    return "".join(out), origin


def _parts(name: str) -> list[str]:
    """The words of a name, read as a person reads it: ``Li<U+200B>Sa`` is one word, ``LiSa``, not ``Li`` and ``Sa``."""
    return _TOKEN.findall("".join(ch for ch in name if ch not in _IGNORABLE))


def _label(text: str) -> str:
    """A term or name quoted for a message, its hidden characters shown and named."""
    hidden = hostile_characters(text)
    note = f" (it holds a hidden {describe(hidden[0][1])})" if hidden else ""
    return f"'{visible(text)}'{note}"


def _skeleton(term: str) -> str:
    norm, _ = _normalize(term, drop_tags=False)
    return "".join(_TOKEN.findall(norm))


def _non_overlapping(matches: list[_Match]) -> list[_Match]:
    chosen: list[_Match] = []
    for match in sorted(matches, key=lambda m: (m.start, -(m.end - m.start))):
        if chosen and match.start < chosen[-1].end:
            if match.end > chosen[-1].end:
                chosen[-1] = replace(chosen[-1], end=match.end)
            continue
        chosen.append(match)
    return chosen


def _substitute(text: str, matches: Sequence[_Match]) -> str:
    out = []
    at = 0
    for match in matches:
        out.append(text[at : match.start])
        out.append(match.target.replacement)
        at = match.end
    out.append(text[at:])
    return "".join(out)


def _redact_text(text: str, matcher: _Matcher) -> str:
    """Replace until nothing matches; a text that keeps matching is refused, not passed."""
    for _ in range(_MAX_PASSES):
        matches = matcher.find(text)
        if not matches:
            return text
        text = _substitute(text, matches)
    if matcher.find(text):
        raise DebriefError("A redaction term cannot be removed from the text (it matches its own replacement).")
    return text


# -- de-identifying a report -------------------------------------------------------------


def speaker_pseudonyms(report: SessionReport, *, by_role: bool = True) -> dict[str, str]:
    """Speaker id -> "Coach", "Client 2", "Speaker 3": what replaces each name."""
    ids = list(dict.fromkeys([sp.id for sp in report.speakers] + [sp.id for sp in report.transcript.speakers]
                             + [s.speaker for s in report.transcript.segments]))
    roles = {sp.id: sp.role for sp in report.transcript.speakers}
    roles.update({sp.id: sp.role for sp in report.speakers if sp.role})
    bases = {}
    for number, sid in enumerate(ids, start=1):
        role = " ".join(roles.get(sid, "").split())
        bases[sid] = role[:1].upper() + role[1:] if by_role and role else f"Speaker {number}"
    counts: dict[str, int] = {}
    for base in bases.values():
        counts[base] = counts.get(base, 0) + 1
    seen: dict[str, int] = {}
    result = {}
    for sid, base in bases.items():
        if counts[base] > 1 and not base.startswith("Speaker "):
            seen[base] = seen.get(base, 0) + 1
            result[sid] = f"{base} {seen[base]}"
        else:
            result[sid] = base
    return result


def _targets(report: SessionReport, policy: RedactionPolicy, pseudonyms: dict[str, str]) -> list[_Target]:
    targets: list[_Target] = []
    speakers = {sp.id: sp for sp in report.transcript.speakers}
    speakers.update({sp.id: sp for sp in report.speakers})
    named: list[tuple[str, str]] = []
    for sid, sp in speakers.items():
        for name in {sp.name, report.transcript.speaker(sid).name}:
            if name.strip():
                named.append((name.strip(), f"[{pseudonyms.get(sid, REDACTED)}]"))
    for name, replacement in named:
        targets.append(_Target(name, _skeleton(name), replacement))
        for part in _parts(name):
            targets.append(_Target(part, _skeleton(part), replacement))
    for name in policy.names:
        targets.append(_Target(name, _skeleton(name), REDACTED))
        for part in _parts(name):
            targets.append(_Target(part, _skeleton(part), REDACTED))
    for term in policy.terms:
        targets.append(_Target(term, _skeleton(term), REDACTED))
    return targets


def _guard_targets(policy: RedactionPolicy) -> list[_Target]:
    targets = [_Target(term, _skeleton(term), REDACTED) for term in policy.terms]
    for name in policy.names:
        targets.append(_Target(name, _skeleton(name), REDACTED))
        targets.extend(_Target(part, _skeleton(part), REDACTED) for part in _parts(name))
    return targets


def deidentify(report: SessionReport, policy: RedactionPolicy) -> SessionReport:
    """A copy of ``report`` that can leave the app, checked before it is returned.

    Names become roles, the title becomes "Session <date>", the path, file tags and the
    transcript's source file name go, listed terms and names are cut from every text,
    authors become "Reviewer 1", "Reviewer 2", and private or deleted marks are dropped.
    """
    pseudonyms = speaker_pseudonyms(report, by_role=policy.replace_names_with_roles)
    matcher = _Matcher(_targets(report, policy, pseudonyms))

    def clean(text: str) -> str:
        return _redact_text(text, matcher)

    speakers = tuple(Speaker(sp.id, "", clean(pseudonyms.get(sp.id, sp.id))) for sp in report.speakers)
    transcript_speakers = tuple(
        Speaker(sp.id, "", clean(pseudonyms.get(sp.id, sp.id))) for sp in report.transcript.speakers
    )
    segments = tuple(_redact_segment(seg, matcher) for seg in report.transcript.segments)
    transcript = replace(
        report.transcript, segments=segments, speakers=transcript_speakers, source=_safe_source(report.transcript.source)
    )
    info = report.info
    clean_info = SessionInfo(
        id=info.id, path="", title=f"Session {info.date}".strip(), duration=info.duration, date=clean(info.date), tags=()
    )
    authors: dict[str, str] = {}
    marks = []
    for mark in shareable_marks(report):
        author = ""
        if mark.author.strip():
            author = authors.setdefault(mark.author.strip(), f"Reviewer {len(authors) + 1}")
        marks.append(mark.with_changes(note=clean(mark.note), tag=clean(mark.tag), author=author))
    old = report.stats
    try:
        stats = session_stats(
            transcript,
            duration=info.duration or None,
            monologue_seconds=old.monologue_seconds,
            silence_threshold=old.silence_threshold,
        )
    except DebriefError:
        raise
    except Exception as exc:  # the figures must be rebuilt: labels quote names and text
        raise DebriefError(f"The session's figures could not be recomputed without names ({exc}).") from None
    changes: dict[str, object] = {}
    for field_name in ("intention", "summary", "focus_goal"):
        if hasattr(report, field_name):
            changes[field_name] = clean(str(getattr(report, field_name) or ""))
    result = replace(
        report, info=clean_info, speakers=speakers, transcript=transcript, marks=tuple(marks), stats=stats, **changes
    )
    check_report(result, policy)
    return result


def _safe_source(source: str) -> str:
    """Keep a model name; an imported file's name or a model folder's path may name someone."""
    if source.startswith("import"):
        return "import"
    return source if re.fullmatch(r"[\w.\-]{1,40}", source) else ""


def _redact_segment(seg: Segment, matcher: _Matcher) -> Segment:
    text = _redact_text(seg.text, matcher)
    if not seg.words:
        return replace(seg, text=text) if text != seg.text else seg
    joined, bounds = _join_words(seg.words)
    matches = matcher.find(joined)
    words = list(seg.words)
    if matches:
        words = []
        clusters = _clusters(bounds, matches)
        k = 0
        while k < len(seg.words):
            cluster = clusters.get(k)
            if cluster is None:
                words.append(seg.words[k])
                k += 1
                continue
            last = cluster
            piece = joined[bounds[k][0] : bounds[last][1]]
            inner = [replace(m, start=m.start - bounds[k][0], end=m.end - bounds[k][0])
                     for m in matches if m.start < bounds[last][1] and m.end > bounds[k][0]]
            words.append(Word(seg.words[k].start, seg.words[last].end, _substitute(piece, inner),
                              min(w.probability for w in seg.words[k : last + 1])))
            k = last + 1
        joined_after, _ = _join_words(tuple(words))
        if matcher.find(joined_after):
            words = [Word(seg.start, seg.end, text)]
    return replace(seg, text=text, words=tuple(words))


def _join_words(words: Sequence[Word]) -> tuple[str, list[tuple[int, int]]]:
    """Words as one text (as a transcriber spelled them), with each word's character span."""
    glue = "" if any(w.text[:1].isspace() for w in words) else " "
    parts: list[str] = []
    bounds: list[tuple[int, int]] = []
    at = 0
    for n, word in enumerate(words):
        if n and glue:
            parts.append(glue)
            at += len(glue)
        parts.append(word.text)
        bounds.append((at, at + len(word.text)))
        at += len(word.text)
    return "".join(parts), bounds


def _clusters(bounds: list[tuple[int, int]], matches: Sequence[_Match]) -> dict[int, int]:
    """First word index -> last word index of each run of words that matches touch."""
    ranges = []
    for m in matches:
        touched = [k for k, (a, b) in enumerate(bounds) if a < m.end and b > m.start]
        if touched:
            ranges.append((touched[0], touched[-1]))
    runs: dict[int, int] = {}
    current: list[int] | None = None
    for first, last in sorted(ranges):
        if current is not None and first <= current[1]:
            current[1] = max(current[1], last)
        else:
            current = [first, last]
            runs[first] = last
        runs[current[0]] = current[1]
    return runs


def mute_spans(
    report: SessionReport, policy: RedactionPolicy, *, padding: float = MUTE_PADDING_SECONDS
) -> list[tuple[float, float]]:
    """Media time spans to silence in clips of the original ``report`` (before :func:`deidentify`).

    The spans of the matching words, padded; a whole utterance when its words do not
    account for every match in its text (or it has no word timings).
    """
    pseudonyms = speaker_pseudonyms(report, by_role=policy.replace_names_with_roles)
    matcher = _Matcher(_targets(report, policy, pseudonyms))
    spans: list[tuple[float, float]] = []
    for seg in report.transcript.segments:
        in_text = matcher.find(seg.text)
        word_spans: list[tuple[float, float]] = []
        if seg.words:
            joined, bounds = _join_words(seg.words)
            in_words = matcher.find(joined)
            for match in in_words:
                hit = [w for w, (a, b) in zip(seg.words, bounds) if a < match.end and b > match.start]
                word_spans.append((min(w.start for w in hit), max(w.end for w in hit)))
            if len(in_words) < len(in_text):
                word_spans = [(seg.start, seg.end)]
        elif in_text:
            word_spans = [(seg.start, seg.end)]
        spans.extend((max(0.0, a - padding), b + padding) for a, b in word_spans)
    return _merge(spans)


def _merge(spans: list[tuple[float, float]]) -> list[tuple[float, float]]:
    merged: list[tuple[float, float]] = []
    for a, b in sorted(spans):
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return merged


# -- the gates ---------------------------------------------------------------------------


def check_report(report: SessionReport, policy: RedactionPolicy) -> None:
    """Refuse a report in which a guarded term survives, naming the field it is in."""
    matcher = _Matcher(_guard_targets(policy))
    if not matcher:
        return

    def gate(text: str, where: str) -> None:
        found = matcher.find(text)
        if found:
            raise DebriefError(f"{_label(found[0].target.label)} would survive in {where}; nothing was exported.")

    info = report.info
    gate(info.title, "the session title")
    gate(info.path, "the file path")
    gate(info.date, "the session date")
    gate(" ".join(info.tags), "the file tags")
    for field_name, label in (("focus_goal", "the focus goal"), ("intention", "the intention"),
                              ("summary", "the summary")):
        gate(str(getattr(report, field_name, "") or ""), label)
    for sp in report.speakers + report.transcript.speakers:
        gate(f"{sp.name} {sp.role}", f"the name of speaker {sp.id}")
    gate(report.transcript.source, "the transcript's source")
    for seg in report.transcript.segments:
        gate(seg.text, f"the utterance at {format_time(seg.start)}")
        if seg.words:
            gate(_join_words(seg.words)[0], f"the word timings at {format_time(seg.start)}")
    for number, mark in enumerate(shareable_marks(report), start=1):
        gate(mark.note, f"mark {number} ({format_time(mark.start)}) note")
        gate(mark.tag, f"mark {number} ({format_time(mark.start)}) tag")
        gate(mark.author, f"mark {number} ({format_time(mark.start)}) author")
    gate(json.dumps(stats_to_json(report.stats), ensure_ascii=False), "the session figures")


def check_clean(text: str, policy: RedactionPolicy, where: str) -> None:
    """The final gate on a rendered export: raise if any guarded term survives in ``text``.

    ``where`` names the output ("html export", "clip file names"); the message adds the
    line and a little context. Embedded audio (``data:audio/…;base64``) is skipped: it
    is cleaned by muting, not by text.
    """
    matcher = _Matcher(_guard_targets(policy))
    if not matcher or not text:
        return
    plain = _AUDIO_DATA_URI.sub("data:audio", text)
    unescaped = _JSON_UNICODE.sub(lambda m: chr(int(m.group(1), 16)), plain)
    unescaped = _JSON_ESCAPE.sub("  ", unescaped)
    for readable in (html.unescape(unescaped), html.unescape(plain)):
        found = matcher.find(readable)
        if found:
            match = found[0]
            line = readable.count("\n", 0, match.start) + 1
            raise DebriefError(
                f"{_label(match.target.label)} would survive in {where} (line {line}); nothing was exported."
            )


def check_report_series(reports: Reports, policy: RedactionPolicy) -> None:
    for report in as_series(reports):
        check_report(report, policy)


__all__ = [
    "REDACTED",
    "RedactionPolicy",
    "check_clean",
    "check_report",
    "check_report_series",
    "deidentify",
    "mute_spans",
    "speaker_pseudonyms",
]
