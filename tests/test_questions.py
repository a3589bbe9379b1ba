"""Question finding and open/closed classification, as a coach would count by hand."""

from __future__ import annotations

import pytest

from tui.core.questions import QuestionKind, classify_question, questions_in
from tui.core.sentences import split_sentences

OPEN = QuestionKind.OPEN
CLOSED = QuestionKind.CLOSED


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # wh-questions are open
        ("What did you notice when the students were testing their predictions?", OPEN),
        ("How did it feel to stand there in the silence?", OPEN),
        ("Why do you think that happened?", OPEN),
        ("What's that like for you?", OPEN),
        ("Where do you want to go from here?", OPEN),
        ("Who could support you with this?", OPEN),
        ("How come you stopped?", OPEN),
        ("What if you tried it the other way round?", OPEN),
        ("What about your manager?", OPEN),
        ("What else?", OPEN),
        ("Why not?", OPEN),
        # invitations, with or without a question mark, and as requests
        ("Tell me more about that.", OPEN),
        ("Describe the moment you knew.", OPEN),
        ("Walk me through what happened next.", OPEN),
        ("Say more.", OPEN),
        ("Help me understand what was going on for you.", OPEN),
        ("Can you walk me through it?", OPEN),
        ("Could you tell me a bit more about the team?", OPEN),
        ("Would you mind telling me what you said to her?", OPEN),
        ("Would you be willing to share what came up?", OPEN),
        ("Tell me about it, would you?", OPEN),
        # leading fillers, vocatives and clauses before the question
        ("So, how did that go?", OPEN),
        ("Okay, um, what would help right now?", OPEN),
        ("Sam, what do you think?", OPEN),
        ("If you could change one thing, what would it be?", OPEN),
        ("So... what would you do differently?", OPEN),
        ("How did it go, do you think?", OPEN),
        ("I wonder what would happen if you said no?", OPEN),
        # auxiliary first is closed
        ("Did you plan the prediction step, or did it come up in the moment?", CLOSED),
        ("Is that something you want to keep for the next unit?", CLOSED),
        ("Would it help if I came in and counted the wait time for you?", CLOSED),
        ("Do you feel ready?", CLOSED),
        ("Can we come back to that later?", CLOSED),
        ("Have you talked to her since?", CLOSED),
        ("Isn't that what you wanted?", CLOSED),
        ("Don't you think she knew?", CLOSED),
        ("Is it work, or is it home?", CLOSED),
        # tags and statements said as questions are closed
        ("You felt rushed?", CLOSED),
        ("Right?", CLOSED),
        ("You were upset, weren't you?", CLOSED),
        ("That was hard, right?", CLOSED),
        ("So what I'm hearing is you want more time, is that right?", CLOSED),
        ("What I'm hearing is you want more time?", CLOSED),
        ("Let's try it on Thursday, okay?", CLOSED),
        ("Maybe two seconds?", CLOSED),
        ("Yeah?", CLOSED),
        # facts, numbers and suggestions are closed
        ("How many times did that happen this week?", CLOSED),
        ("How long do you think you waited?", CLOSED),
        ("What time does the lesson start?", CLOSED),
        ("Which one, the red group or the blue group?", CLOSED),
        ("Why don't you try asking her directly?", CLOSED),
        ("How about we take a short break?", CLOSED),
        ("I wonder if you noticed that?", CLOSED),
        # questions whose "?" Whisper dropped
        ("What do you think", OPEN),
        ("Does that make sense.", CLOSED),
        # not questions
        ("So what I'm hearing is you want more time.", None),
        ("I counted the seconds after your questions.", None),
        ("That makes sense.", None),
        ("What you said really helped.", None),
        ("Mm hmm.", None),
        ("Hmm?", None),
        ("Have a seat.", None),
        ("Do that again next week.", None),
        ("Can I just say that was brilliant.", None),
        ('He asked me, "Why now?"', None),
        ('"Why now?" she asked.', None),
        ("", None),
        ("   ", None),
    ],
)
def test_classify_question(text: str, expected: QuestionKind | None) -> None:
    assert classify_question(text) == expected


def test_every_question_sentence_in_a_segment_counts() -> None:
    text = " Good. Let's start with what went well. What did you notice? And how did it feel? Okay."
    assert questions_in(text) == [("What did you notice?", OPEN), ("And how did it feel?", OPEN)]


def test_answer_with_two_guesses_is_two_closed_questions() -> None:
    assert questions_in("Maybe two seconds? Three?") == [("Maybe two seconds?", CLOSED), ("Three?", CLOSED)]


def test_reported_question_inside_a_question_counts_once() -> None:
    text = "When you asked, why did the candle float, how long do you think you waited before you called on someone?"
    assert questions_in(text) == [(text, CLOSED)]


def test_whisper_quirks_do_not_change_the_count() -> None:
    assert questions_in('  "How are you feeling about it?"  ') == [("How are you feeling about it?", OPEN)]
    assert questions_in("- What happened then? - I left.") == [("What happened then?", OPEN)]
    assert questions_in("I don't know… what do you think?") == [("I don't know… what do you think?", OPEN)]
    assert questions_in("Really?! That's amazing.") == [("Really?!", CLOSED)]
    assert questions_in("What’s the hardest part?") == [("What’s the hardest part?", OPEN)]


def test_last_question_decides_when_classifying_several_sentences() -> None:
    assert classify_question("What happened? Did you tell her?") == CLOSED
    assert classify_question("Did you tell her? What happened?") == OPEN


@pytest.mark.parametrize(
    ("text", "sentences"),
    [
        ("Hi Sam. How are you?", ["Hi Sam.", "How are you?"]),
        ("So... what now?", ["So... what now?"]),
        ("I was tired... Then it clicked.", ["I was tired...", "Then it clicked."]),
        ('"Why now?" she asked. I said nothing.', ['"Why now?" she asked.', "I said nothing."]),
        ("It was 3.5 hours! Too long", ["It was 3.5 hours!", "Too long"]),
        ("", []),
    ],
)
def test_split_sentences(text: str, sentences: list[str]) -> None:
    assert split_sentences(text) == sentences
