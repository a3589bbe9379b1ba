"""De-identified exports that fail closed.

``deidentify`` replaces speaker names with roles, drops the title, path and file tags,
and removes every listed term (client names, places) from every text an export can show.
``check_clean`` is the last gate: it scans the rendered output itself, so a term that
slipped through any renderer stops the export instead of reaching a mentor's inbox.

Matching is deliberately generous (tui.formats.term_matching says how): a false alarm
costs a retry and a miss costs a client's privacy.

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
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace

from tui.core.analytics import session_stats, stats_to_json
from tui.core.model import Segment, SessionInfo, Speaker, Word
from tui.core.report import SessionReport
from tui.core.timefmt import format_time
from tui.errors import DebriefError
from tui.formats.own_wording import Blank, Provenance
from tui.formats.scope import Reports, as_series, shareable_marks
from tui.formats.term_matching import (
    Matcher,
    Target,
    join_words,
    name_parts,
    quoted,
    redact_text,
    skeleton,
    substitute,
    word_runs,
)

REDACTED = "[redacted]"

MUTE_PADDING_SECONDS = 0.2
"""Muted around each word: word timings are typically off by a tenth of a second."""

_AUDIO_DATA_URI = re.compile(r"data:audio/[A-Za-z0-9.+-]+(?:;[A-Za-z0-9=.+-]+)*;base64,[A-Za-z0-9+/=\s]+")
_JSON_UNICODE = re.compile(r"\\u([0-9a-fA-F]{4})")
_JSON_ESCAPE = re.compile(r"\\[nrtbf]")


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
            if term.strip() and len(skeleton(term)) < 2:
                raise DebriefError(
                    f"The redaction term {quoted(term)} is too short to search for; use at least two letters or digits."
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
    return [n.strip() for n in found if n and len(skeleton(n)) >= 2]



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


def _targets(report: SessionReport, policy: RedactionPolicy, pseudonyms: dict[str, str]) -> list[Target]:
    targets: list[Target] = []
    speakers = {sp.id: sp for sp in report.transcript.speakers}
    speakers.update({sp.id: sp for sp in report.speakers})
    named: list[tuple[str, str]] = []
    for sid, sp in speakers.items():
        for name in {sp.name, report.transcript.speaker(sid).name}:
            if name.strip():
                named.append((name.strip(), f"[{pseudonyms.get(sid, REDACTED)}]"))
    for name, replacement in named:
        targets.append(Target(name, skeleton(name), replacement))
        for part in name_parts(name):
            targets.append(Target(part, skeleton(part), replacement))
    for name in policy.names:
        targets.append(Target(name, skeleton(name), REDACTED))
        for part in name_parts(name):
            targets.append(Target(part, skeleton(part), REDACTED))
    for term in policy.terms:
        targets.append(Target(term, skeleton(term), REDACTED))
    return targets


def _guard_targets(policy: RedactionPolicy) -> list[Target]:
    targets = [Target(term, skeleton(term), REDACTED) for term in policy.terms]
    for name in policy.names:
        targets.append(Target(name, skeleton(name), REDACTED))
        targets.extend(Target(part, skeleton(part), REDACTED) for part in name_parts(name))
    return targets


def deidentify(report: SessionReport, policy: RedactionPolicy) -> SessionReport:
    """A copy of ``report`` that can leave the app, checked before it is returned.

    Names become roles, the title becomes "Session <date>", the path, file tags and the
    transcript's source file name go, listed terms and names are cut from every text,
    authors become "Reviewer 1", "Reviewer 2", and private or deleted marks are dropped.
    """
    pseudonyms = speaker_pseudonyms(report, by_role=policy.replace_names_with_roles)
    matcher = Matcher(_targets(report, policy, pseudonyms))

    def clean(text: str) -> str:
        return redact_text(text, matcher)

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


def _redact_segment(seg: Segment, matcher: Matcher) -> Segment:
    text = redact_text(seg.text, matcher)
    if not seg.words:
        return replace(seg, text=text) if text != seg.text else seg
    joined, bounds = join_words(seg.words)
    matches = matcher.find(joined)
    words = list(seg.words)
    if matches:
        words = []
        clusters = word_runs(bounds, matches)
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
            words.append(Word(seg.words[k].start, seg.words[last].end, substitute(piece, inner),
                              min(w.probability for w in seg.words[k : last + 1])))
            k = last + 1
        joined_after, _ = join_words(tuple(words))
        if matcher.find(joined_after):
            words = [Word(seg.start, seg.end, text)]
    return replace(seg, text=text, words=tuple(words))



def mute_spans(
    report: SessionReport, policy: RedactionPolicy, *, padding: float = MUTE_PADDING_SECONDS
) -> list[tuple[float, float]]:
    """Media time spans to silence in clips of the original ``report`` (before :func:`deidentify`).

    The spans of the matching words, padded; a whole utterance when its words do not
    account for every match in its text (or it has no word timings).
    """
    pseudonyms = speaker_pseudonyms(report, by_role=policy.replace_names_with_roles)
    matcher = Matcher(_targets(report, policy, pseudonyms))
    spans: list[tuple[float, float]] = []
    for seg in report.transcript.segments:
        in_text = matcher.find(seg.text)
        word_spans: list[tuple[float, float]] = []
        if seg.words:
            joined, bounds = join_words(seg.words)
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
    matcher = Matcher(_guard_targets(policy))
    if not matcher:
        return

    def gate(text: str, where: str) -> None:
        found = matcher.find(text)
        if found:
            raise DebriefError(f"{quoted(found[0].target.label)} would survive in {where}; nothing was exported.")

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
            gate(join_words(seg.words)[0], f"the word timings at {format_time(seg.start)}")
    for number, mark in enumerate(shareable_marks(report), start=1):
        gate(mark.note, f"mark {number} ({format_time(mark.start)}) note")
        gate(mark.tag, f"mark {number} ({format_time(mark.start)}) tag")
        gate(mark.author, f"mark {number} ({format_time(mark.start)}) author")
    # The figures' texts and speaker ids, not their field names ("talk_seconds", "questions"): a client may be Will Talk.
    figures = [*report.stats.speakers, *_texts(stats_to_json(report.stats))]
    gate(json.dumps(figures, ensure_ascii=False), "the session figures")


def _texts(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _texts(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _texts(item)


def check_clean(
    text: str, policy: RedactionPolicy, where: str, *, blank: str | None = None, blanks: Blank | None = None
) -> None:
    """The final gate on a rendered export: raise if any guarded term survives in ``text``.

    ``where`` names the output ("html export", "clip file names"); the message adds the
    line and a little context. Embedded audio (``data:audio/…;base64``) is skipped: it
    is cleaned by muting, not by text.

    ``blank`` is the same export rendered from ``blanks.report`` of each report (see
    tui.formats.own_wording): a term then passes only where every character of its
    span is Debrief's own wording, the same in both renderings ("Marks: 4" for a client
    called Mark). Without it, every match refuses.
    """
    matcher = Matcher(_guard_targets(policy))
    if not matcher or not text:
        return
    for readable, readable_blank in zip(_readings(text), _readings(blank) if blank is not None else (None, None)):
        known = None
        if readable_blank is not None and blanks is not None:
            known = Provenance(readable, readable_blank, blanks)
        for match in matcher.find(readable):
            if known is None or known.from_session(match.start, match.end):
                line = readable.count("\n", 0, match.start) + 1
                raise DebriefError(
                    f"{quoted(match.target.label)} would survive in {where} (line {line}); nothing was exported."
                )


def _readings(text: str) -> tuple[str, str]:
    """The export as a reader may read it: entities and JSON escapes decoded, or entities alone."""
    plain = _AUDIO_DATA_URI.sub("data:audio", text)
    unescaped = _JSON_UNICODE.sub(lambda m: chr(int(m.group(1), 16)), plain)
    unescaped = _JSON_ESCAPE.sub("  ", unescaped)
    return html.unescape(unescaped), html.unescape(plain)


def blanks_for(policy: RedactionPolicy) -> Blank:
    """What blanks the session's texts for :func:`check_clean`: letters in no guarded term."""
    return Blank(target.label for target in _guard_targets(policy))


def check_report_series(reports: Reports, policy: RedactionPolicy) -> None:
    for report in as_series(reports):
        check_report(report, policy)


__all__ = [
    "REDACTED",
    "RedactionPolicy",
    "blanks_for",
    "check_clean",
    "check_report",
    "check_report_series",
    "deidentify",
    "mute_spans",
    "speaker_pseudonyms",
]
