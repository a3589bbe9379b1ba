"""Which sentences are questions, and whether they are open or closed.

A reviewer asks "did I ask open questions?", so the rules must be ones a coach can
check by hand. They follow the usual coaching and MITI-style coding: an *open*
question invites the other person to tell their story; a *closed* one can be
answered with yes/no, a number or a short fact.

Text is split into sentences first (tui.core.sentences), and every question sentence counts
once. Spanish and German have rules of their own (tui.core.question_languages).

Is it a question?
    1. It ends with ``?`` (after closing quotes or brackets). A ``?`` that belongs to
       a quotation opened mid-sentence is reported speech, not a question
       (``He asked me, "Why now?"``).
    2. Or, without ``?``, one of its clauses is an *invitation*: "tell me…",
       "describe…", "walk/talk/take me through…", "say more…", "help me
       understand…", "explain…", "give me an example…", "share…", "expand…",
       "elaborate…", "unpack…", "talk about…", also as a request ("Can you walk me
       through it", "Would you mind telling me…"). These are open questions.
    3. Or, without ``?``, a one-clause sentence starts like a question — a wh-word,
       an auxiliary and a subject ("What do you think.") or an auxiliary and a
       subject ("Does that make sense.") — because Whisper sometimes drops the
       ``?``. Sentences holding a ``?`` elsewhere are reported speech and never
       recovered this way. Everything else is not a question: "So what I'm hearing
       is you want more time." is a reflection, not a question.
    4. Back-channel noises alone ("Mm-hmm?", "Hmm?") are not questions.

Open or closed? The sentence is cut into clauses (at commas, semicolons, colons,
dashes and ellipses); leading fillers ("so", "and", "okay", "um", "well", "now",
"then", "like"…) and vocatives before a comma are passed over. The last clause that
starts like a question decides, so "If you could change one thing, what would it
be?" is open and "So what I'm hearing is you want more time, is that right?" is
closed.

    Open
        - invitations (rule 2), also as requests: "Can you walk me through it?",
          "Could you tell me more?", "Would you like to say more?" — a request to
          tell, describe or walk through is an invitation, not a yes/no question;
        - wh-questions: what, how, why, who, when, where, which, whose, "how come",
          "what if", "what about X", "how about X", "why not?" on its own, and
          "I wonder/I'm curious" + a wh-word.
    Closed
        - auxiliary first: do, is, are, can, could, would, will, should, have, did,
          was, were… and their negatives ("Isn't it…", "Don't you think…");
        - tag questions: a clause such as "right?", "yeah?", "okay?", "correct?",
          "you know?", "isn't it?", "wouldn't you?" after a statement ("You felt
          rushed, right?"); a tag after an invitation keeps it open ("Tell me about
          it, would you?");
        - wh-words asking for a number or a single fact: "how many/much/long/
          often/old/far/soon", "what time", "which … or …";
        - suggestions phrased as questions: "why don't you/we…", "why not…",
          "how/what about we/I/us…", "how/what about trying…";
        - "I wonder/I'm curious if/whether…";
        - a statement spoken as a question ("You felt rushed?", "Right?", "Maybe
          two seconds?"), including a reflection that merely starts with a
          wh-word and a subject ("What I'm hearing is you want more time?").
    Parentheticals such as "do you think", "would you say", "you reckon" at the
    end of a sentence are passed over: "How did it go, do you think?" is open.

When a clause that is not the first starts with "when"/"where" and then a subject
("when you were there"), it is a subordinate clause, not a question.
"""

from __future__ import annotations

import re
from enum import StrEnum

from tui.core.sentences import CLOSERS, TERMINATORS, split_sentences, strip_outer_quotes


class QuestionKind(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


_CLAUSE_BREAK = re.compile(r"[,;:—–]|\s-\s|\.\.\.+|…|\(|\)")
_TOKEN = re.compile(r"[a-z0-9]+(?:['-][a-z0-9]+)*")

_FILLERS = frozenset(
    "so and but or then okay ok alright well now um uh uhm erm er hmm hm mm mhm "
    "oh ah yeah yes no like just actually also anyway again plus please look listen".split()
)
_NOISES = frozenset("um uh uhm erm er hmm hm mm mhm mm-hmm mm-hm uh-huh uh-hum ah oh huh-uh".split())
_WH = frozenset("what how why who whom whose when where which".split())
_AUX = frozenset(
    """do does did don't doesn't didn't is isn't are aren't was wasn't were weren't am
    can can't cannot could couldn't will won't would wouldn't should shouldn't shall
    may might mightn't must mustn't have haven't has hasn't had hadn't d'you""".split()
)
_SUBJECTS = frozenset(
    """i you we they he she it that this there these those your my his her our their
    the a an anyone anybody anything someone somebody something everyone everybody
    everything people y'all u""".split()
)
# Subjects that make "aux + subject" a question even without "?" (no determiners:
# "Have a seat." and "Do the exercise." are requests, not questions).
_RECOVERY_SUBJECTS = frozenset("i you we they he she it there this that these those".split())
_PERSONAL = frozenset(
    "i i'm i've i'd you you're you've you'd we we're we've they they're he he's she she's it it's".split()
)
_TAG_WORDS = frozenset(
    "right yeah yes okay ok correct true huh eh no yep agreed fair see innit".split()
)
_PARENTHETICAL_VERBS = frozenset("think say reckon feel guess suppose imagine".split())
_NUMBER_HOW = frozenset("many much long often old far soon".split())
_INVITATIONS: tuple[tuple[str, ...], ...] = (
    ("tell", "me"),
    ("tell", "us"),
    ("describe",),
    ("walk", "me", "through"),
    ("walk", "us", "through"),
    ("talk", "me", "through"),
    ("talk", "us", "through"),
    ("take", "me", "through"),
    ("take", "us", "through"),
    ("say", "more"),
    ("say", "a", "bit", "more"),
    ("say", "a", "little", "more"),
    ("say", "something", "more"),
    ("help", "me", "understand"),
    ("help", "us", "understand"),
    ("explain",),
    ("give", "me", "an", "example"),
    ("give", "us", "an", "example"),
    ("share",),
    ("expand",),
    ("elaborate",),
    ("unpack",),
    ("talk", "about"),
    ("talk", "a", "bit", "about"),
    ("talk", "a", "little", "about"),
)
_INVITATIONS_BY_VERB: dict[str, tuple[tuple[str, ...], ...]] = {
    verb: tuple(p for p in _INVITATIONS if p[0] == verb) for verb in {p[0] for p in _INVITATIONS}
}
_GERUNDS = {
    "telling": "tell",
    "describing": "describe",
    "walking": "walk",
    "talking": "talk",
    "taking": "take",
    "saying": "say",
    "helping": "help",
    "explaining": "explain",
    "giving": "give",
    "sharing": "share",
    "expanding": "expand",
    "elaborating": "elaborate",
    "unpacking": "unpack",
}
# Words allowed between "can/could/would/will you" (or "do you") and the invitation verb.
_REQUEST_PADDING = frozenset("please just maybe perhaps like want wanna mind care be willing able to kindly".split())
_REQUEST_AUX = frozenset("can could would will do d'you".split())
_WONDER = (("i", "wonder"), ("i'm", "wondering"), ("i", "was", "wondering"), ("i'm", "curious"), ("i", "am", "curious"))
_SUBORDINATE_WH = frozenset("when where".split())
_SAY_OPENERS = frozenset("say tell add mention ask".split())


def classify_question(text: str) -> QuestionKind | None:
    """Open, closed, or ``None`` if ``text`` is not a question (rules in the module docstring).

    If ``text`` holds several sentences, the last question among them decides: it is
    the one the listener is left to answer.
    """
    kinds = [kind for _, kind in questions_in(text)]
    return kinds[-1] if kinds else None


def questions_in(segment_text: str) -> list[tuple[str, QuestionKind]]:
    """Every question sentence in a segment's text, in order, with its kind."""
    found: list[tuple[str, QuestionKind]] = []
    for sentence in split_sentences(segment_text):
        kind = classify_sentence(sentence)
        if kind is not None:
            found.append((sentence, kind))
    return found


def classify_sentence(sentence: str) -> QuestionKind | None:
    """Classify one sentence (no splitting): the rules of the module docstring."""
    sentence = strip_outer_quotes(sentence.strip().lstrip("-–— ").strip())
    clauses = [_tokens(c) for c in _CLAUSE_BREAK.split(sentence)]
    clauses = [c for c in clauses if c]
    if not clauses or all(t in _NOISES for c in clauses for t in c):
        return None
    if ends_with_question_mark(sentence):
        if _question_mark_is_quoted(sentence):
            return None
        return _kind_of_question(clauses)
    if "?" in sentence:
        return None  # a quoted question inside a statement: reported speech
    if any(_is_invitation(_without_fillers(c)) for c in clauses):
        return QuestionKind.OPEN
    if len(clauses) == 1:
        return _recovered_question(_without_fillers(clauses[0]))
    return None


def _kind_of_question(clauses: list[list[str]]) -> QuestionKind:
    """The last clause that starts like a question decides; a statement with ``?`` is closed."""
    words = [_without_fillers(c) for c in clauses]
    last = len(words) - 1
    while last > 0 and (not words[last] or _is_parenthetical(words[last])):
        last -= 1
    either_or = any("or" in clause for clause in words)
    tagged = last > 0 and _is_tag(words[last])
    if tagged:
        last -= 1
    for index in range(last, -1, -1):
        clause = words[index]
        if not clause:
            continue
        if _is_invitation(clause):
            return QuestionKind.OPEN
        if tagged:
            continue  # a tag after a statement (or after a wh-question) asks for agreement
        kind = _head_kind(clause, first=index == 0, either_or=either_or)
        if kind is not None:
            return kind
    return QuestionKind.CLOSED


def _head_kind(words: list[str], *, first: bool, either_or: bool = False) -> QuestionKind | None:
    """Kind of a clause that starts like a question, else ``None``."""
    head = words[0]
    base = head.split("'")[0]
    nxt = words[1] if len(words) > 1 else ""
    for opener in _WONDER:
        if tuple(words[: len(opener)]) == opener:
            rest = words[len(opener) :]
            if rest and rest[0] in ("if", "whether"):
                return QuestionKind.CLOSED
            if rest and rest[0] == "about":
                return QuestionKind.OPEN
            return QuestionKind.OPEN if any(w.split("'")[0] in _WH for w in rest) else QuestionKind.CLOSED
    if base in _WH:
        if head == base and base in _SUBORDINATE_WH and nxt in _SUBJECTS and not first:
            return None  # "…, when you were there, …": a subordinate clause
        if base in ("how", "what") and nxt == "about":
            proposal = len(words) > 2 and (
                words[2] in ("we", "i", "us") or words[2].endswith("ing") or (words[2] == "you" and len(words) > 3)
            )
            return QuestionKind.CLOSED if proposal else QuestionKind.OPEN
        if head == base and nxt in _PERSONAL and any(w in ("is", "was") for w in words[3:]):
            return None  # "What I'm hearing is you want more time?": a reflection, not a wh-question
        suggests = nxt == "not" or (nxt in ("don't", "dont") and len(words) > 2 and words[2] in ("you", "we", "i"))
        if base == "why" and suggests and len(words) > 2:
            return QuestionKind.CLOSED
        if base == "how" and nxt in _NUMBER_HOW:
            return QuestionKind.CLOSED
        if base == "what" and nxt == "time":
            return QuestionKind.CLOSED
        if base == "which" and (either_or or "or" in words):
            return QuestionKind.CLOSED
        return QuestionKind.OPEN
    if head in _AUX:
        return QuestionKind.CLOSED
    return None


def _recovered_question(words: list[str]) -> QuestionKind | None:
    """A question whose ``?`` Whisper dropped: "What do you think." / "Does that make sense."."""
    if len(words) < 2:
        return None
    if words[0] in _WH and words[1] in _AUX and len(words) > 2 and words[2] in _RECOVERY_SUBJECTS:
        return _head_kind(words, first=True)
    if words[0] in _AUX and words[1] in _RECOVERY_SUBJECTS:
        if words[0] == "do" and words[1] not in _PERSONAL:
            return None  # "Do that again."
        rest = [w for w in words[2:] if w != "just"]
        if words[1] == "i" and rest and rest[0] in _SAY_OPENERS:
            return None  # "Can I just say that was great."
        return QuestionKind.CLOSED
    return None


def _is_invitation(words: list[str]) -> bool:
    """"Tell me more", "walk me through it", or a request for one ("Can you describe it")."""
    words = [w for w in words if w not in ("please", "just")]
    if _starts_with_invitation(words):
        return True
    if len(words) >= 3 and words[0] in _REQUEST_AUX and words[1] == "you":
        rest = words[2:]
        while rest and rest[0] in _REQUEST_PADDING:
            rest = rest[1:]
        return _starts_with_invitation(rest)
    return False


def _starts_with_invitation(words: list[str]) -> bool:
    if not words:
        return False
    verb = _GERUNDS.get(words[0], words[0])
    phrases = _INVITATIONS_BY_VERB.get(verb, ())
    return any(tuple(words[1 : len(phrase)]) == phrase[1:] for phrase in phrases)


def _is_tag(words: list[str]) -> bool:
    """"right", "yeah", "you know", "isn't it", "wouldn't you", "did you not"."""
    if len(words) <= 2 and all(w in _TAG_WORDS for w in words):
        return True
    if words == ["you", "know"]:
        return True
    if 2 <= len(words) <= 3 and words[0] in _AUX and words[1] in _SUBJECTS:
        return len(words) == 2 or words[2] == "not"
    return False


def _is_parenthetical(words: list[str]) -> bool:
    """"do you think", "would you say", "you reckon": asides that do not change the question."""
    if words and words[0] in _AUX:
        words = words[1:]
    return len(words) == 2 and words[0] == "you" and words[1] in _PARENTHETICAL_VERBS


def _without_fillers(words: list[str]) -> list[str]:
    index = 0
    while index < len(words) and words[index] in _FILLERS:
        index += 1
    # "Right?" / "Okay?" alone are tags, not empty clauses.
    return words[index:] if index < len(words) else words[-1:] if words[-1] in _TAG_WORDS else []


def _tokens(text: str) -> list[str]:
    return _TOKEN.findall(text.lower().replace("’", "'").replace("‘", "'"))


def ends_with_question_mark(sentence: str) -> bool:
    tail = sentence.rstrip().rstrip(CLOSERS + " ")
    end = len(tail)
    while end > 0 and tail[end - 1] in TERMINATORS:
        end -= 1
    return "?" in tail[end:]


def _question_mark_is_quoted(sentence: str) -> bool:
    """True when the final ``?`` sits inside a quotation opened after the sentence began."""
    mark = sentence.rfind("?")
    opened_at = -1
    straight_open = False
    for index, char in enumerate(sentence[:mark]):
        if char == '"':
            straight_open = not straight_open
            opened_at = index if straight_open else -1
        elif char in "“«":
            opened_at = index
        elif char in "”»":
            opened_at = -1
    return opened_at > 0
