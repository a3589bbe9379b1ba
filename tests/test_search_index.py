"""Library search gives exactly the hits of a plain line-by-line search, and reads transcripts fast.

The index joins each session's normalised lines into one text and finds terms with
``str.find``; the reference below is the straightforward loop it replaced (one test per
line), kept here so that every query kind can be compared hit for hit.
"""

from __future__ import annotations

import json
import unicodedata
from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tui.core.corrections import Corrections
from tui.core.model import Mark, Segment, SessionInfo, Speaker, Transcript, Word
from tui.core.search import Hit, LibraryIndex, Query, SessionIndex, matching_segments, normalise, parse_query
from tui.services.search_index import index_sessions
from tui.store import Library
from tui.store.transcripts import TranscriptCache
from tui.services.workspace import Workspace

SEARCH = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# -- the reference: one test per line, as search worked before the index was joined -----------


def reference_normalise(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def reference_search(info: SessionInfo, segments, speakers, marks, query: Query, limit: int | None) -> list[Hit]:
    if query.empty or (limit is not None and limit <= 0):
        return []
    labels = {sp.id: sp for sp in speakers}
    lines = []  # (start, end, who, who_key, tag_key, text, key, kind)
    for seg in segments:
        sp = labels.get(seg.speaker, Speaker(seg.speaker))
        who_key = reference_normalise(" ".join(x for x in (sp.id, sp.name, sp.role) if x))
        lines.append((seg.start, seg.end, sp.label, who_key, "", seg.text, reference_normalise(seg.text), "utterance"))
    for mark in marks:
        if not mark.deleted:
            text = f"{mark.tag}: {mark.note}" if mark.note else mark.tag
            lines.append((mark.start, mark.end, mark.author, reference_normalise(mark.author),
                          reference_normalise(mark.tag), text, reference_normalise(f"{mark.tag} {mark.note}"), "mark"))
    hits = []
    for start, end, who, who_key, tag_key, text, key, kind in lines:
        if query.tag and (kind != "mark" or query.tag not in tag_key):
            continue
        if query.speaker and (kind != "utterance" or query.speaker not in who_key):
            continue
        if all(term in key for term in query.terms):
            hits.append(Hit(info.id, info.title, info.path, start, end, who, text, kind))
            if limit is not None and len(hits) >= limit:
                break
    return hits


def reference_library_search(sessions, text: str, limit: int) -> list[Hit]:
    query = parse_query(text)
    hits: list[Hit] = []
    for args in sessions:
        if len(hits) >= limit:
            break
        hits.extend(reference_search(*args, query, limit - len(hits)))
    return hits


# -- sessions and queries to compare on ---------------------------------------------------------

WORDS = ["José", "jose", "JOSÉ", "café", "Cafe\u0301", "naïve", "Straße", "strasse", "ﬁne", "fine", "wait",
         "time", "waiting", "İstanbul", "Ångström", "x\x00y", "\x00", '"', "]", "'", "speaker:Sam", "", "é", "ǅ"]
NAMES = ["", "Maria", "José", "Sam", "Teacher"]
TAGS = ["growth-edge", "open-question", "Café", "wait"]

texts = st.lists(st.sampled_from(WORDS), max_size=6).map(" ".join)
voice_ids = st.sampled_from(["S1", "S2", "S3", "S4"])
segments_st = st.lists(st.builds(Segment, st.floats(0, 100), st.floats(0, 100), texts, voice_ids), max_size=12)
speakers_st = st.lists(st.builds(Speaker, st.sampled_from(["S1", "S2", "S3"]), st.sampled_from(NAMES),
                                 st.sampled_from(NAMES)), max_size=3, unique_by=lambda s: s.id)
marks_st = st.lists(st.builds(Mark, st.just("m"), st.floats(0, 100), st.none() | st.floats(0, 100),
                              st.sampled_from(TAGS), texts, st.sampled_from(NAMES), deleted=st.booleans()), max_size=5)
token = st.sampled_from(WORDS[:-3] + ["wait time", "é t", "ss", "a", "fi"]).map(lambda w: f'"{w}"' if " " in w else w)
filter_ = st.tuples(st.sampled_from(["speaker:", "tag:"]),
                    st.sampled_from(NAMES[1:] + TAGS + ["s1", "S4", "zz"])).map("".join)
odd_queries = st.sampled_from(['"wait time', '"', "", "  ", '"" x', "tag:"])
queries = st.lists(token | filter_, max_size=4).map(" ".join) | odd_queries
limits = st.sampled_from([None, 0, 1, 2, 5, 1000])
INFO = SessionInfo("s1", "/r/one.ogg", "One", 100.0)


@SEARCH
@given(segments_st, speakers_st, marks_st, queries, limits)
def test_the_index_finds_exactly_what_a_line_by_line_search_finds(segments, speakers, marks, text, limit):
    index = SessionIndex(INFO, segments, speakers, marks)
    query = parse_query(text)
    assert index.search(query, limit) == reference_search(INFO, segments, speakers, marks, query, limit)


@SEARCH
@given(st.lists(st.tuples(segments_st, speakers_st, marks_st), min_size=1, max_size=4), queries,
       st.integers(0, 12))
def test_library_search_keeps_session_order_and_the_limit(sessions, text, limit):
    infos = [SessionInfo(f"s{n}", f"/r/{n}.ogg", f"Session {n}", 100.0) for n in range(len(sessions))]
    args = [(info, *session) for info, session in zip(infos, sessions)]
    index = LibraryIndex(SessionIndex(*a) for a in args)
    hits = index.search(text, limit)
    assert hits == reference_library_search(args, text, limit)
    assert len(hits) <= limit


@SEARCH
@given(st.lists(texts, max_size=10), queries)
def test_search_in_one_transcript_matches_the_reference(lines, text):
    segments = [Segment(float(i), i + 1.0, line) for i, line in enumerate(lines)]
    terms = parse_query(text).terms
    expected = [i for i, seg in enumerate(segments) if terms and all(t in reference_normalise(seg.text) for t in terms)]
    assert matching_segments(segments, text) == expected


@SEARCH
@given(st.text(max_size=30) | texts)
def test_normalise_is_unchanged_by_its_ascii_shortcut(text):
    assert normalise(text) == reference_normalise(text)


# -- what a reviewer would notice, case by case -------------------------------------------------

SEGMENTS = (
    Segment(1.0, 2.0, "José said the wait time was long.", "S1"),
    Segment(3.0, 4.0, "Wait", "S2"),
    Segment(5.0, 6.0, "time to stop, Maria.", "S2"),
    Segment(7.0, 8.0, "An unnamed voice: café au lait.", "S9"),
    Segment(9.0, 9.5, "", "S1"),
)
SPEAKERS = (Speaker("S1", "Maria", "coach"), Speaker("S2", "Sam", "teacher"))
MARKS = (
    Mark("a", 1.5, None, "open-question", "ask about José", "coach"),
    Mark("b", 3.5, 4.0, "growth-edge", "", "mentor"),
    Mark("c", 5.5, None, "open-question", "deleted one", "coach", deleted=True),
)


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("jose", [1.0, 1.5]),  # an accent typed or not
        ('"JOSÉ SAID"', [1.0]),  # a phrase, accents and case ignored
        ('"wait time"', [1.0]),  # a phrase never spans two utterances ("Wait" / "time to stop")
        ("time wait", [1.0]),  # words in any order, within one utterance
        ("CAFE", [7.0]),
        ("speaker:maria", [1.0, 9.0]),  # utterances only, even the empty one
        ("speaker:teacher wait", [3.0]),  # by role
        ("speaker:s9", [7.0]),  # a voice not in the speaker list: by its id
        ("tag:open", [1.5]),  # marks only; the deleted one is gone
        ("tag:open deleted", []),
        ("tag:growth-edge speaker:maria", []),  # a mark has no speaker
        ("ask", [1.5]),  # a note's words
        ("growth", [3.5]),  # a tag's words
        ('"wait time', [1.0]),  # unclosed quote: the words as typed
        ("", []),
        ("zebra", []),
    ],
)
def test_search_cases(query, found):
    index = SessionIndex(INFO, SEGMENTS, SPEAKERS, MARKS)
    hits = index.search(parse_query(query))
    assert [h.start for h in hits] == found
    assert hits == reference_search(INFO, SEGMENTS, SPEAKERS, MARKS, parse_query(query), None)


def test_hits_say_who_and_what():
    index = SessionIndex(INFO, SEGMENTS, SPEAKERS, MARKS)
    utterance, note = index.search(parse_query("jose"))
    assert (utterance.who, utterance.kind) == ("Maria", "utterance")
    assert utterance.text == "José said the wait time was long."
    assert (note.who, note.text, note.kind, note.end) == ("coach", "open-question: ask about José", "mark", None)


def test_the_limit_keeps_the_first_hits_in_session_order():
    sessions = [SessionIndex(SessionInfo(f"s{n}", "", f"S{n}", 9.0), SEGMENTS, SPEAKERS, MARKS) for n in range(3)]
    hits = LibraryIndex(sessions).search("wait", limit=5)
    assert [(h.session_id, h.start) for h in hits] == [("s0", 1.0), ("s0", 3.0), ("s1", 1.0), ("s1", 3.0),
                                                        ("s2", 1.0)]
    assert LibraryIndex(sessions).search("wait", limit=0) == []


def test_a_line_holding_the_separator_is_still_found_alone():
    segments = (Segment(0, 1, "xa"), Segment(1, 2, "a\x00b"), Segment(2, 3, "by"))
    index = SessionIndex(INFO, segments, (), ())
    assert [h.start for h in index.search(Query(terms=("a\x00b",)))] == [1]
    assert [h.start for h in index.search(Query(terms=("a",)))] == [0, 1]
    assert [h.start for h in index.search(Query(terms=("xa", "by")))] == []


def test_word_timings_are_not_kept_by_the_index():
    words = (Word(0.0, 0.5, "José"), Word(0.5, 1.0, "said"))
    index = SessionIndex(INFO, (Segment(0.0, 1.0, "José said", "S1", words),), (), ())
    assert index.search(parse_query("jose"))[0].text == "José said"
    assert all(not seg.words for seg in index._segments)


# -- reading transcripts without their words ----------------------------------------------------

TRICKY = ["plain", "]", '"', "\\", '"words": [', "]}]", "é]", '\\"]', "{", "[", "\u2028", "\x00"]


@pytest.fixture(scope="module")
def cache(tmp_path_factory) -> TranscriptCache:
    """One folder for the module: hypothesis examples must not each make a temp dir."""
    return TranscriptCache(tmp_path_factory.mktemp("transcripts"))


def without_words(transcript: Transcript) -> Transcript:
    return replace(transcript, segments=tuple(replace(s, words=()) for s in transcript.segments))


word_texts = st.sampled_from(TRICKY) | st.text(max_size=5)
transcripts = st.lists(
    st.tuples(texts | st.text(max_size=8), st.lists(word_texts, max_size=4)), max_size=6
).map(lambda rows: Transcript(
    segments=tuple(Segment(float(i), i + 1.0, text, f"S{i % 2 + 1}", tuple(Word(i + 0.1 * j, i + 0.1 * j + 0.05, w)
                                                                      for j, w in enumerate(ws)))
                   for i, (text, ws) in enumerate(rows)),
    speakers=(Speaker("S1", "Maria ]", '"coach"'),), duration=9.0, source="test"))


@SEARCH
@given(transcripts)
def test_a_transcript_read_without_words_is_the_transcript_minus_its_words(cache, transcript):
    cache.save("abc", transcript)
    assert cache.load("abc") == transcript
    assert cache.load("abc", words=False) == without_words(transcript)


def test_a_file_of_another_shape_is_still_read_without_words(cache):
    """Words holding arrays (not what Debrief writes) defeat the shortcut; the full parse takes over."""
    segment = {"start": 0.0, "end": 1.0, "speaker": "S1", "text": "hello", "words": [{"text": "x", "start": 0, "end": 1,
                                                                                      "alts": [1, 2]}]}
    meta = {"schema": {"kind": "debrief-transcript", "version": 1}}
    transcript = {"segments": [segment, dict(segment, text="bye")]}
    cache.path("odd").write_text(json.dumps({"_meta": meta, "transcript": transcript}))
    assert [s.text for s in cache.load("odd", words=False).segments] == ["hello", "bye"]
    cache.path("odd").write_text('{"transcript": {"segments": [{"start": 0, "words": [')
    assert cache.load("odd", words=False) is None and cache.load("odd") is None


# -- the index built from a library on disk ----------------------------------------------------


def talk(n: int) -> Transcript:
    lines = ["We waited for José", "then the café closed", "and Sam asked an open question"]
    segments = []
    for i, line in enumerate(lines):
        words = tuple(Word(10 * i + j, 10 * i + j + 0.8, w) for j, w in enumerate(line.split()))
        segments.append(Segment(words[0].start, words[-1].end, line, f"S{(i + n) % 2 + 1}", words))
    return Transcript(tuple(segments), (Speaker("S1"), Speaker("S2")), 40.0)


@pytest.fixture
def library(tmp_path) -> Library:
    library = Library.open(tmp_path / "debrief.json")
    for n in range(3):
        info = SessionInfo(f"sess{n}", str(tmp_path / f"{n}.ogg"), f"Session {n}", 40.0, date=f"2026-01-0{n + 1}")
        library.record_session(info)
        library.transcripts.save(info.id, talk(n))
        annotations = library.annotations(info.id)
        annotations.set("speakers", {"S1": {"name": "Maria", "role": "coach"}})
        annotations.add_mark(Mark(f"m{n}", 12.0, None, "open-question", f"session {n} café", "coach"))
    # Session 1: "then the café closed" cut after "café" (a split needs the word timings) and
    # its second voice merged into the first.
    library.annotations("sess1").set("corrections", Corrections(merges={"S2": "S1"}, splits=(12.9,)).to_dict())
    return library


def reference_sessions(library: Library):
    for info in library.sessions():
        workspace = Workspace.of_known_session(library, info)
        transcript = workspace.corrected(workspace.cached_transcript())
        yield info, transcript.segments, transcript.speakers, workspace.annotations.marks()


@pytest.mark.parametrize("query", ["cafe", "closed", "speaker:maria", "speaker:s2", '"the cafe"', "tag:open cafe",
                                   "jose waited", "zebra"])
def test_the_library_index_finds_what_the_full_transcripts_hold(library, query):
    assert index_sessions(library).search(query) == reference_library_search(list(reference_sessions(library)), query,
                                                                             500)


def test_a_split_utterance_is_found_in_its_pieces(library):
    hits = index_sessions(library, ["sess1"]).search("closed")
    assert [(h.start, h.text, h.who) for h in hits] == [(13.0, "closed", "Maria")]
