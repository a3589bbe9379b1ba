"""Full garbage collections wait for a pause in the typing (tui/app/collector.py)."""

from __future__ import annotations

import gc
import weakref

import pytest
from app_helpers import make_app

from tui.app.collector import PUT_OFF, IdleCollector


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def collector():
    clock = Clock()
    c = IdleCollector(quiet_seconds=1.0, max_deferred=50, clock=clock)
    saved = gc.get_threshold()
    c.start()
    yield c, clock
    c.stop()
    assert gc.get_threshold() == saved


def make_young_collections(n: int) -> None:
    for _ in range(n):
        gc.collect(1)


def test_start_puts_off_automatic_full_collections_and_stop_restores_them():
    saved = gc.get_threshold()
    c = IdleCollector()
    c.start()
    assert gc.get_threshold()[2] == PUT_OFF
    assert gc.get_threshold()[:2] == saved[:2]  # young generations are collected as before
    c.stop()
    assert gc.get_threshold() == saved


def test_no_full_collection_while_keys_arrive(collector):
    c, clock = collector
    gc.collect()
    make_young_collections(c.due_after + 1)
    c.input_seen()
    clock.now += 0.2
    assert not c.tick()
    assert gc.get_count()[2] > c.due_after  # still pending


def test_the_pending_collection_runs_once_the_reviewer_pauses(collector):
    c, clock = collector
    gc.collect()
    make_young_collections(c.due_after + 1)
    c.input_seen()
    clock.now += 1.5
    assert c.tick()
    assert gc.get_count()[2] == 0
    assert c.collections == 1
    assert not c.tick()  # nothing pending any more


def test_nothing_runs_when_no_collection_is_due(collector):
    c, clock = collector
    gc.collect()
    clock.now += 10
    assert not c.tick()


def test_a_reviewer_who_never_pauses_still_gets_collected(collector):
    c, _clock = collector
    gc.collect()
    make_young_collections(c.max_deferred)
    c.input_seen()
    assert c.tick()


def test_cycles_made_while_collections_are_put_off_are_freed_at_the_pause(collector):
    c, clock = collector
    gc.collect()

    class Node:
        pass

    freed = []
    for _ in range(3):
        a, b = Node(), Node()
        a.other, b.other = b, a
        freed.append(weakref.ref(a))
        del a, b
    make_young_collections(c.due_after + 1)  # promoted to the oldest generation by now
    clock.now += 2
    assert c.tick()
    assert all(ref() is None for ref in freed)


async def test_the_app_owns_the_thresholds_only_while_it_runs(short_workspace):
    saved = gc.get_threshold()
    app = make_app(short_workspace)
    async with app.run_test() as pilot:
        await pilot.pause()
        assert gc.get_threshold()[2] == PUT_OFF
        before = app.collector._last_input
        await pilot.press("down")
        assert app.collector._last_input > before
    assert gc.get_threshold() == saved
