"""The review session's state has one owner, and only the event loop changes it.

Workers write to disk and hand back what they read; the review takes it in on the event
loop. These tests check both halves without a terminal, then with the app running.
"""

from __future__ import annotations

import threading

from app_helpers import make_app, silent_review
from tui.core.model import Mark
from tui.session.changes import perform
from tui.session.review import Review
from tui.session.stored import read_stored


def test_a_mark_written_in_a_worker_changes_nothing_until_it_is_applied(short_workspace):
    review = silent_review(short_workspace)
    change = review.mark_here("strength")
    results = []
    worker = threading.Thread(target=lambda: results.append(perform(change, short_workspace)))
    worker.start()
    worker.join()
    assert review.marks == ()  # the worker touched only the disk
    assert [m.tag for m in short_workspace.annotations.marks()] == ["strength"]
    saved = review.apply(results[0])
    assert review.marks == (saved,) and saved.tag == "strength"


def test_a_read_overtaken_by_a_later_one_is_not_applied(short_workspace):
    review = silent_review(short_workspace)
    before = read_stored(short_workspace)  # a poll that started before the reviewer's mark
    saved = review.commit(review.mark_here())
    review.apply_stored(before)  # ...and finished after it
    assert review.marks == (saved,)


def test_delete_then_undo_brings_the_mark_back_and_empties_the_undo(short_workspace):
    review = silent_review(short_workspace)
    mark = review.commit(review.mark_here())
    review.commit(review.book.delete(mark.id))
    assert review.marks == ()
    assert review.commit(review.book.restore_last()).id == mark.id
    assert [m.id for m in review.marks] == [mark.id]
    assert review.commit(review.book.restore_last()) is None  # nothing left to undo


async def test_the_app_changes_the_review_only_on_its_event_loop(short_workspace, monkeypatch):
    threads: list[str] = []
    apply_stored = Review.apply_stored

    def recording(self, stored):
        threads.append(threading.current_thread().name)
        apply_stored(self, stored)

    monkeypatch.setattr(Review, "apply_stored", recording)
    app = make_app(short_workspace)
    async with app.run_test(size=(100, 30)) as pilot:
        loop_thread = threading.current_thread().name
        threads.clear()  # opening the review reads the store once, before the app runs
        await pilot.press("m")  # a save: written by a worker
        await app.workers.wait_for_complete()
        await pilot.pause()
        seg = app.review.segments[3]
        short_workspace.annotations.add_mark(Mark("other", seg.start, None, "strength", "", "second terminal"))
        for _ in range(40):  # the poll (once a second) notices the other terminal's mark
            await pilot.pause(0.1)
            if any(m.id == "other" for m in app.review.marks):
                break
        assert any(m.id == "other" for m in app.review.marks)
        assert len(app.review.marks) == 2
    assert len(threads) >= 2
    assert set(threads) == {loop_thread}
