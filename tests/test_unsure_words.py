"""Which batched chunks sound unsure: rules over word probabilities, measured by bench/bench_unsure.py.

The probabilities are the ones tiny.en gave to two batched chunks of bench's three_people case
with its first 2.4 s cut: the first chunk stopped after 10 of its ~70 words (Whisper's own
failure test passed it: mean log-probability -0.48), the second was heard right.
"""

from __future__ import annotations

from tui.media.unsure_words import (
    mean_rule,
    run_rule,
    share_rule,
    too_few_words,
    unheard_voice,
    unsure_stretches,
)

STOPPED_EARLY = [0.2382, 0.5476, 0.7764, 0.5776, 0.6025, 0.7752, 0.6024, 0.8976, 0.5943, 0.8907]
HEARD_RIGHT = [0.83, 0.97, 0.99, 0.98, 0.86, 0.6, 0.84, 0.98, 0.99, 1.0, 0.98, 0.98, 0.98, 0.97, 0.76, 0.97, 1.0,
               0.8, 0.87, 0.77]


def test_a_chunk_that_stopped_early_has_too_few_words_for_its_voice():
    assert too_few_words(len(STOPPED_EARLY), voice_seconds=28.1)
    assert not too_few_words(77, voice_seconds=31.7)  # the second chunk: ordinary speech, ~2.4 words a second
    assert too_few_words(0, voice_seconds=2.0) and not too_few_words(0, voice_seconds=0.0)


def test_the_mean_rule_finds_the_chunk_that_stopped_early_and_passes_the_one_heard_right():
    unsure = mean_rule()
    assert unsure(STOPPED_EARLY) and not unsure(HEARD_RIGHT)
    assert not unsure([])


def test_one_unsure_word_is_not_a_run_but_three_in_a_row_are():
    run = run_rule(length=3, below=0.4)
    assert not run([0.9, 0.9, 0.1, 0.9, 0.9, 0.9])
    assert run([0.9, 0.3, 0.35, 0.3, 0.9])
    assert run([0.2, 0.3])  # a chunk shorter than a run is judged whole


def test_the_share_rule_counts_words_below_the_line():
    assert share_rule(0.5, 0.15)(STOPPED_EARLY[:1] + HEARD_RIGHT[:4])  # 1 of 5 below 0.5
    assert not share_rule(0.5, 0.15)(HEARD_RIGHT)


def test_unsure_stretches_are_widened_and_joined():
    probabilities = [0.9] * 4 + [0.2] * 3 + [0.9] * 2 + [0.2] * 3 + [0.9] * 10
    assert unsure_stretches(probabilities, length=3, below=0.4, widen=2) == [(2, 14)]
    assert unsure_stretches([0.99] * 8 + [0.15] * 3, widen=2) == [(6, 11)]  # cut at the chunk end
    assert unsure_stretches(HEARD_RIGHT) == []


def test_voice_far_from_every_word_is_counted_as_unheard():
    assert unheard_voice([(0.0, 10.0)], [(1.0, 2.0), (5.0, 6.0)]) == 6.0  # 0-0.5, 2.5-4.5, 6.5-10
    assert unheard_voice([(0.0, 1.0), (3.0, 4.0)], []) == 2.0
    assert unheard_voice([(1.0, 2.0)], [(0.8, 2.2)]) == 0.0
