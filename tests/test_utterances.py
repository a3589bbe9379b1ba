"""Utterances built from word timings (pure): what a reviewer sees as rows, and the figures read off them.

Batched recognition returns one segment per voice chunk, up to 30 s and several sentences.
These cases are chunks as it returns them: the rows must still be a sentence or a few, a
question must end its row (its wait is measured), and no word may be lost or moved.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from tui.core.analytics import session_stats
from tui.core.model import Segment, Speaker, Transcript, Word
from tui.core.utterances import ends_sentence, split_utterances


def chunk(*timed: tuple[float, float, str], speaker: str = "S1", confidence: float | None = None) -> Segment:
    words = tuple(Word(a, b, t) for a, b, t in timed)
    return Segment(words[0].start, words[-1].end, " ".join(w.text for w in words), speaker, words, confidence)


def spoken(text: str, start: float, *, word: float = 0.3, gap: float = 0.05,
           sentence_gap: float = 0.5) -> list[tuple[float, float, str]]:
    """``text``'s words one after another, ``sentence_gap`` of silence after each sentence end."""
    timed, t = [], start
    for w in text.split():
        timed.append((round(t, 3), round(t + word, 3), w))
        t += word + (sentence_gap if w[-1] in ".?!" else gap)
    return timed


def test_a_batched_chunk_of_several_sentences_becomes_one_row_per_sentence():
    text = ("Thanks for coming in today. How did the lesson go? It went better than last week. "
            "The groups stayed on task.")
    rows = split_utterances([chunk(*spoken(text, 2.0))])
    assert [r.text for r in rows] == ["Thanks for coming in today.", "How did the lesson go?",
                                      "It went better than last week.", "The groups stayed on task."]
    assert all(r.words[0].start == r.start and r.words[-1].end == r.end for r in rows)


def test_every_word_stays_once_in_order_with_its_time_speaker_and_confidence():
    text = "So what happened next? We tried it. Mr. Jones said 3.5 was fine. Okay."
    source = chunk(*spoken(text, 10.0), speaker="S2", confidence=0.8)
    rows = split_utterances([source])
    assert [w for r in rows for w in r.words] == list(source.words)
    assert {(r.speaker, r.speaker_confidence) for r in rows} == {("S2", 0.8)}
    assert len(rows) == 4  # "Mr." and "3.5" end no sentence


def test_sentences_run_together_without_a_pause_stay_one_row_until_the_row_is_long():
    short = chunk(*spoken("Yes. I will. Sure.", 0.0, sentence_gap=0.05))
    assert [r.text for r in split_utterances([short])] == ["Yes. I will. Sure."]
    # 30 s of fluent talk with sentence ends but no pause: cut at a sentence end once a row is 12 s long.
    sentence = "we kept going on and on about the plan for the next term."
    talk = chunk(*spoken(" ".join([sentence] * 8), 0.0, sentence_gap=0.05))
    rows = split_utterances([talk])
    assert len(rows) >= 3
    assert all(r.text.endswith(".") for r in rows)
    assert all(r.duration < 12.0 + 6.0 for r in rows)  # at most one sentence past the limit


def test_a_long_pause_still_ends_a_row_mid_sentence_and_pauses_alone_ignore_sentence_ends():
    timed = spoken("I was thinking that maybe", 0.0) + spoken("we could try groups. Then see.", 6.0)
    rows = split_utterances([chunk(*timed)])
    assert [r.text for r in rows] == ["I was thinking that maybe", "we could try groups.", "Then see."]
    assert [r.text for r in split_utterances([chunk(*timed)], sentence_pause=None)] == ["I was thinking that maybe",
                                                                  "we could try groups. Then see."]


def test_a_question_inside_a_chunk_ends_its_row_so_the_figures_see_it_and_the_wait_after_it():
    coach = chunk(*spoken("Good to see you. What would you change next time? Take your time.", 0.0,
                          sentence_gap=0.8))
    reply_start = coach.end + 2.0
    teacher = chunk(*spoken("More time for the groups.", reply_start), speaker="S2")
    transcript = Transcript(segments=(*split_utterances([coach]), teacher),
                            speakers=(Speaker("S1"), Speaker("S2")), duration=60.0)
    rows = transcript.segments
    assert rows[1].text == "What would you change next time?"
    stats = session_stats(transcript)
    assert stats.speakers["S1"].questions == 1
    # The question is followed by the coach's own words, then the reply: the coach rescued it.
    assert stats.speakers["S1"].wait_after_questions.rescued == 1


@pytest.mark.parametrize("word, ends", [("done.", True), ("why?", True), ("stop!\"", True), ("well…", True),
                                         ("Mr.", False), ("e.g.", False), ("3.5", False), ("so,", False)])
def test_which_words_end_a_sentence(word, ends):
    assert ends_sentence(word) is ends


def _said(speaker: str, *timed: tuple[float, float, str]) -> Segment:
    words = tuple(Word(a, b, w) for a, b, w in timed)
    return Segment(words[0].start, words[-1].end, " ".join(w.text for w in words), speaker, words)


def test_a_sentence_whisper_cut_in_two_is_one_row_again():
    from tui.core.utterances import join_unfinished

    first = _said("S1", (0.0, 0.3, "How"), (0.3, 0.5, "did"), (0.5, 0.8, "they"))
    rest = _said("S1", (1.0, 1.4, "go?"))
    assert [s.text for s in join_unfinished([first, rest])] == ["How did they go?"]
    assert [s.text for s in join_unfinished([first, replace(rest, speaker="S2")])] == ["How did they", "go?"]
    finished = _said("S1", (0.0, 0.5, "Good."))
    assert len(join_unfinished([finished, rest])) == 2  # a sentence ended: two rows
    late = _said("S1", (3.0, 3.4, "go?"))
    assert len(join_unfinished([first, late])) == 2  # a long silence: two rows
