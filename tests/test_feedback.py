"""A mentor's feedback file: read strictly, neutralised, imported once, never half-written."""

from __future__ import annotations

import json
import math
import os
import shutil

import pytest

from tui.cli import main
from tui.core.feedback import MAX_COMMENTS, MAX_TEXT, Feedback, feedback_marks, parse_feedback
from tui.errors import DebriefError
from tui.services.feedback import (
    import_feedback,
    mark_feedback_read,
    next_practice,
    unread_feedback,
)


def feedback(session_id="feedbeef", **changes) -> dict:
    data = {
        "format": "debrief-feedback", "version": 1,
        "session": {"id": session_id, "title": "Check-in with Sam"},
        "reviewer": "Dana Mentor", "created": "2026-11-10T09:00:00.000Z",
        "overall": "A warm session.", "next_practice": "Count to five after each question.",
        "look_fors_answer": "Your waits grew longer.",
        "comments": [
            {"id": "c1", "start": 5.0, "end": 9.0, "tag": "try-instead", "text": "Ask: what did you notice?",
             "on": "moment", "mark_id": "m1"},
            {"id": "c2", "start": 20.5, "end": None, "tag": "strength", "text": "Lovely pause.", "on": "line"},
        ],
    }
    data.update(changes)
    return data


# -- parse_feedback ------------------------------------------------------------------------


def test_a_page_saved_file_reads_back_whole():
    parsed = parse_feedback(feedback())
    assert parsed.reviewer == "Dana Mentor" and parsed.session_id == "feedbeef"
    assert [(c.id, c.start, c.end, c.tag, c.on) for c in parsed.comments] == [
        ("c1", 5.0, 9.0, "try-instead", "moment"), ("c2", 20.5, None, "strength", "line")]
    assert parse_feedback(parsed.to_dict()) == parsed


def bad(**changes):
    return feedback(**changes)


def with_comment(**changes):
    data = feedback()
    data["comments"][0].update(changes)
    return data


REFUSED = [
    ("a list", [1, 2], "not a Debrief feedback file"),
    ("an export", {"format": "debrief-session", "version": 1}, "not a Debrief feedback file"),
    ("newer", bad(version=2), "made by a newer Debrief (version 2; this one reads version 1); update Debrief"),
    ("no version", bad(version="1"), "no valid version"),
    ("no session", bad(session={}), "which session"),
    ("a path as id", bad(session={"id": "../../etc"}), "which session"),
    ("no reviewer", bad(reviewer="  "), "does not name its reviewer"),
    ("negative", with_comment(start=-1), "not a time in the recording"),
    ("NaN", with_comment(start=math.nan), "not a time in the recording"),
    ("infinite end", with_comment(end=math.inf), "not a time in the recording"),
    ("a bool", with_comment(start=True), "not a number of seconds"),
    ("backwards", with_comment(start=9.0, end=5.0), "ends (00:05) before it starts (00:09)"),
    ("huge text", with_comment(text="x" * (MAX_TEXT + 1)), "longer than 20,000 characters"),
    ("too many", bad(comments=[{"id": f"c{n}", "start": 1} for n in range(MAX_COMMENTS + 1)]), "at most 5000"),
    ("twice the id", bad(comments=[{"id": "c", "start": 1}, {"id": "c", "start": 2}]), "share the id"),
    ("bad id", with_comment(id="<x>"), "no valid id"),
    ("anchored nowhere", with_comment(on="everywhere"), "not on a \"moment\" or a \"line\""),
    ("text not text", with_comment(text=["a"]), "not text"),
]


@pytest.mark.parametrize(("data", "message"), [r[1:] for r in REFUSED], ids=[r[0] for r in REFUSED])
def test_a_bad_file_is_refused_in_one_sentence(data, message):
    with pytest.raises(DebriefError, match=None) as caught:
        parse_feedback(data)
    text = str(caught.value)
    assert message in text and "\n" not in text and text.endswith(".")


def test_hostile_characters_are_shown_not_kept_and_html_stays_text():
    data = feedback(reviewer="Dana\u202e\x1b]52;c;AAAA\x07", overall="fine\x1b[2J\nnext line")
    data["comments"][0].update(text="<script>alert(1)</script>\u200b\x9b", tag="try\x1b[31m")
    parsed = parse_feedback(data)
    assert parsed.reviewer == "Dana<U+202E>␛]52;c;AAAA␇"
    assert parsed.overall == "fine␛[2J\nnext line"  # line breaks kept, as in any note
    comment = parsed.comments[0]
    assert comment.text == "<script>alert(1)</script><U+200B><U+009B>" and comment.tag == "try␛[31m"
    assert all(ch.isprintable() for m in feedback_marks(parsed, now="t") for ch in m.author + m.tag)


def test_the_same_comment_always_becomes_the_same_mark():
    one = feedback_marks(parse_feedback(feedback()), now="a")
    two = feedback_marks(parse_feedback(feedback()), now="b")
    assert [m.id for m in one] == [m.id for m in two] and len({m.id for m in one}) == 4
    assert [(m.tag, m.start) for m in one[:2]] == [("feedback", 0.0), ("look-fors", 0.0)]
    assert all(m.source == "feedback" and m.author == "Dana Mentor" for m in one)


# -- import into a library ------------------------------------------------------------------


def write(path, data) -> str:
    path.write_text(json.dumps(data))
    return str(path)


@pytest.fixture
def session(short_workspace):
    return short_workspace


def test_import_adds_the_mentors_marks_and_twice_changes_nothing(session, tmp_path):
    path = tmp_path / "elsewhere" / "renamed.json"
    path.parent.mkdir()
    write(path, feedback(session.info.id))
    result = import_feedback(path, session.library.db_path)
    assert (result.added, result.updated, result.unchanged) == (4, 0, 0)
    marks = {m.note: m for m in session.annotations.marks()}
    assert marks["Ask: what did you notice?"].author == "Dana Mentor"
    assert (marks["Ask: what did you notice?"].start, marks["Ask: what did you notice?"].end) == (5.0, 9.0)
    assert marks["Lovely pause."].tag == "strength" and marks["Lovely pause."].source == "feedback"
    assert unread_feedback(session.annotations) == 4
    assert next_practice(session.annotations)[:2] == ("Count to five after each question.", "Dana Mentor")
    token = session.annotations.change_token()
    again = import_feedback(path, session.library.db_path)
    assert (again.added, again.updated, again.unchanged) == (0, 0, 4) and "already imported" in again.summary()
    assert session.annotations.change_token() == token
    mark_feedback_read(session.annotations)
    assert unread_feedback(session.annotations) == 0


def test_a_changed_comment_updates_its_mark_unless_the_coach_edited_or_deleted_it(session, tmp_path):
    path = tmp_path / "f.json"
    write(path, feedback(session.info.id))
    import_feedback(path, session.library.db_path)
    mine = {m.note: m for m in session.annotations.marks()}
    session.annotations.update_mark(mine["Lovely pause."].id, note="Lovely pause (I agree).")
    session.annotations.delete_mark(mine["A warm session."].id)
    mark_feedback_read(session.annotations)
    newer = feedback(session.info.id, overall="A warm, focused session.")
    newer["comments"][0]["text"] = "Ask: what did the recorders show?"
    newer["comments"][1]["text"] = "Lovely pause, again."
    write(path, newer)
    result = import_feedback(path, session.library.db_path)
    assert (result.added, result.updated) == (0, 1)
    notes = {m.note for m in session.annotations.marks()}
    assert "Ask: what did the recorders show?" in notes and "Lovely pause (I agree)." in notes
    assert "A warm, focused session." not in notes  # deleted here: stays deleted
    assert unread_feedback(session.annotations) == 1


def test_feedback_for_another_session_is_refused_naming_it(session, tmp_path):
    before = {p: p.stat().st_mtime_ns for p in tmp_path.rglob("*") if p.is_file()}
    path = write(tmp_path / "f.json", feedback("0123abcd", session={"id": "0123abcd", "title": "Tuesday with Lee"}))
    with pytest.raises(DebriefError, match="this feedback is for “Tuesday with Lee”, which the library .* does not hold"):
        import_feedback(path, session.library.db_path)
    assert {p: p.stat().st_mtime_ns for p in tmp_path.rglob("*") if p.is_file() and p.name != "f.json"} == {
        p: t for p, t in before.items()}


def test_a_comment_past_the_end_of_the_recording_is_refused(session, tmp_path):
    data = feedback(session.info.id)
    data["comments"][1]["start"] = session.info.duration + 60
    with pytest.raises(DebriefError, match="past the end of"):
        import_feedback(write(tmp_path / "f.json", data), session.library.db_path)
    assert not [m for m in session.annotations.marks() if m.source]


def test_the_library_is_found_from_the_current_folder_when_the_file_is_elsewhere(session, tmp_path, monkeypatch):
    downloads = tmp_path / "Downloads"
    downloads.mkdir()
    path = downloads / "renamed.feedback.json"
    write(path, feedback(session.info.id))
    shutil.move(str(session.library.db_path), str(tmp_path / "lib.json"))  # no library above Downloads …
    with pytest.raises(DebriefError, match="no Debrief library found"):
        import_feedback(path, cwd=downloads)
    shutil.move(str(tmp_path / "lib.json"), str(session.library.db_path))
    assert import_feedback(path, cwd=session.recording.parent).added == 4  # … but above the current folder


@pytest.mark.parametrize(("content", "message"), [
    (None, "does not exist"),
    (b"", "not valid JSON"),
    (b"\xff\xfe{", "not UTF-8"),
    (b'{"format": "debrief-feedback", "version": 9}', "newer Debrief"),
    (b'WEBVTT\n\n00:00.000 --> 00:01.000\nhi\n', "not valid JSON"),
])
def test_each_bad_file_is_one_clear_line_and_nothing_is_written(session, tmp_path, capfd, content, message):
    path = tmp_path / "x.feedback.json"
    if content is not None:
        path.write_bytes(content)
    db = session.library.db_path
    token = session.annotations.change_token()
    capfd.readouterr()
    code = main(["import", str(path), "--db", str(db)])
    err = capfd.readouterr().err
    assert code == 1 and err.count("\n") == 1 and err.startswith("debrief: error:"), err
    if content is None or content.startswith(b"{"):
        assert message in err
    else:
        assert "not a feedback file" in err  # sniffed by content: not JSON, so not taken for feedback
    assert session.annotations.change_token() == token


@pytest.mark.parametrize("denied", ["library", "session file"])
def test_a_read_only_library_refuses_and_nothing_is_written(session, tmp_path, capfd, monkeypatch, denied):
    path = write(tmp_path / "f.json", feedback(session.info.id))
    session.annotations.set("x", 1)
    target = str(session.library.db_path.parent if denied == "library" else session.annotations.path)
    real_access = os.access

    def access(p, mode, *args, **kwargs):  # as a read-only folder or file reads to Debrief, even for root
        if mode & os.W_OK and os.path.abspath(p).startswith(target):
            return False
        return real_access(p, mode, *args, **kwargs)

    monkeypatch.setattr(os, "access", access)
    token = session.annotations.change_token()
    capfd.readouterr()
    assert main(["import", path, "--db", str(session.library.db_path)]) == 1
    err = capfd.readouterr().err
    assert err.count("\n") == 1 and "not imported" in err, err
    assert session.annotations.change_token() == token


def test_a_locked_session_file_refuses_in_one_line(session, tmp_path, capfd):
    from tui.store.files import FileModes
    from tui.store.locking import FileLock

    path = write(tmp_path / "f.json", feedback(session.info.id))
    session.annotations.set("x", 1)
    token = session.annotations.change_token()
    capfd.readouterr()
    with FileLock(session.annotations.path, timeout=0.1, modes=FileModes()).hold():  # another Debrief is saving
        code = main(["import", path, "--db", str(session.library.db_path)])
    err = capfd.readouterr().err
    assert code == 1 and err.count("\n") == 1 and "held the lock" in err, err
    assert session.annotations.change_token() == token


def test_cli_import_tells_what_it_did(session, tmp_path, capfd):
    path = write(tmp_path / "whatever.txt", feedback(session.info.id))  # recognised by content, not name
    assert main(["import", path, "--db", str(session.library.db_path)]) == 0
    assert "imported Dana Mentor's feedback on" in capfd.readouterr().out
    assert main(["import", path, "--db", str(session.library.db_path)]) == 0
    assert "already imported; nothing changed" in capfd.readouterr().out


def test_a_deidentified_export_keeps_the_comments_but_not_the_mentors_name(session, tmp_path, capfd):
    data = feedback(session.info.id)
    speaker = next(iter(session.speaker_names().values()))["name"]
    data["comments"][0]["text"] = f"{speaker} answered her own question."
    import_feedback(write(tmp_path / "f.json", data), session.library.db_path)
    out = tmp_path / "shared.md"
    assert main(["export", str(session.recording), "--format", "md", "--deidentify", "-o", str(out)]) == 0
    text = out.read_text()
    assert "answered her own question" in text and speaker not in text
    assert "Dana" not in text and "Reviewer" in text


def test_feedback_roundtrips_through_to_dict():
    parsed = parse_feedback(feedback())
    assert isinstance(parsed, Feedback) and parse_feedback(json.loads(json.dumps(parsed.to_dict()))) == parsed


def test_every_export_shows_the_mentors_comments_as_theirs(session, tmp_path):
    import_feedback(write(tmp_path / "f.json", feedback(session.info.id)), session.library.db_path)
    outputs = {}
    for fmt in ("md", "json", "csv", "html"):
        out = tmp_path / f"notes.{fmt}"
        assert main(["export", str(session.recording), "--format", fmt, "-o", str(out)]) == 0
        outputs[fmt] = out.read_text()
    assert "Ask: what did you notice?" in outputs["md"] and "_feedback from Dana Mentor, 2026-11-10 09:00_" in outputs["md"]
    marks = json.loads(outputs["json"])["marks"]
    assert {m["author"] for m in marks if m.get("source") == "feedback"} == {"Dana Mentor"}
    assert "Dana Mentor" in outputs["csv"] and "Lovely pause." in outputs["csv"]
    assert "Feedback from Dana Mentor" in outputs["html"]


def test_the_pages_own_script_does_not_stop_a_deidentified_export(session, tmp_path, capfd):
    """The script says "will" and "state"; a client called Will is still cut from everything that is theirs."""
    out = tmp_path / "shared.html"
    assert main(["export", str(session.recording), "--format", "html", "--deidentify", "--redact", "Will",
                 "--redact", "State", "-o", str(out)]) == 0, capfd.readouterr().err
    assert "script-src 'sha256-" in out.read_text()
