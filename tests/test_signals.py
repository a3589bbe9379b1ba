"""Dropped connections: the SSH link goes while a reviewer plays, transcribes or types (issue 9, part 2).

Each scenario runs the real ``debrief REC`` in a pseudo-terminal (its controlling terminal,
in a session of its own, as under sshd), brings it to the moment (a note half typed,
audio playing through a player command, transcription running), then ends the link:
SIGHUP, SIGTERM, or the terminal itself hung up (our side of the pty closed, so the
kernel sends the hangup, exactly as when sshd loses the client). Every scenario runs once
per module and several tests read its outcome: the app ends within seconds, no playback
process outlives it, the library still opens, everything it wrote is private, nothing it
wrote holds the typed words except the session's own file, and it never tried the network.

And nothing is lost: the half-typed note is kept as a draft (annotations ``"draft":
{"mark_id"|"start", "text"}``) and offered on the next open, the playhead is remembered,
and the terminal is given back (alternate screen left, cursor shown); a transcription cut
off keeps the utterances it finished, and onnxruntime's telemetry stays off.
"""

from __future__ import annotations

import shutil
import signal
import stat
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from conftest import SAMPLES, truth_transcript
from hostile_pty import TerminalSession, descendants, identity, still_running
from tui.store import Library

NOTE_TEXT = "half typed thought about the pause"
EXIT_DEADLINE = 10.0
"""Seconds the app may take to end after the link drops (it should take well under one)."""
PARALLEL_SCENARIOS = 3
TEST_FOLDERS = ("home", "config", "cache", "state", "data", "tmp")
"""Made by the test (with an ordinary umask) as the app's home, XDG folders and TMPDIR."""
DRAW_TIMEOUT = 40.0
"""Generous: two cores are shared with other test runs, and the first draw imports a lot."""

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads the process table from /proc")


@dataclass
class Drop:
    """What happened when the link dropped in one scenario."""

    activity: str
    how: str
    folder: Path
    recording: Path
    exit_status: int | None = None
    seconds_to_exit: float | None = None
    children: list = field(default_factory=list)
    """(pid, start time) of every descendant just before the link dropped."""
    survivors: list[str] = field(default_factory=list)
    output: bytes = b""
    output_before_drop: int = 0
    network_attempts: list[str] = field(default_factory=list)

    @property
    def db(self) -> Path:
        return self.folder / "debrief.json"

    def library(self) -> Library:
        return Library.open(self.db, read_only=True)

    def annotations(self):
        library = self.library()
        (info,) = library.sessions()
        return library.annotations(info.id)


def make_library(folder: Path, *, transcribed: bool) -> Path:
    """The short check-in, transcribed; or the 4½-minute session untranscribed, so transcription runs a while."""
    from tui.services.workspace import open_recording

    folder.mkdir(parents=True)
    sample = "short_session" if transcribed else "coaching_session"
    recording = folder / f"{sample}.ogg"
    shutil.copy2(SAMPLES / f"{sample}.ogg", recording)
    workspace = open_recording(recording, folder / "debrief.json")
    if transcribed:
        transcript, _ = truth_transcript("short_session")
        workspace.save_transcript(transcript)
    return recording


def environment(home: Path, activity: str) -> dict[str, str]:
    """Every place a program may write on its own (home, XDG folders, temp) points inside ``home``."""
    places = dict(zip(("HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME", "XDG_DATA_HOME", "TMPDIR"),
                      TEST_FOLDERS))
    for folder in places.values():
        (home / folder).mkdir(parents=True, exist_ok=True)
    env = {name: str(home / folder) for name, folder in places.items()}
    env.update(DEBRIEF_DB="", DEBRIEF_CONFIG="", DEBRIEF_AUDIO="silent")
    if activity == "playing":
        # A real playback child and a real player process: `cat` swallows the PCM like paplay would.
        env.update(DEBRIEF_AUDIO="command", DEBRIEF_AUDIO_COMMAND="cat")
    return env


def bring_to_the_moment(session: TerminalSession, activity: str) -> None:
    assert session.wait_for("Timeline", "Notes", timeout=DRAW_TIMEOUT), session.text()[-2000:]
    session.wait_quiet()
    if activity == "typing":
        session.type("n")
        assert session.wait_for("Note on", timeout=15), "the note dialog opened"
        mark = len(session.output)
        session.type(NOTE_TEXT)
        assert session.wait_for(NOTE_TEXT, since=mark, timeout=15), "the typed text was drawn"
        session.wait_quiet(0.3)
    elif activity == "playing":
        session.type(" ")
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and not _player_running(session.pid):
            time.sleep(0.1)
        assert _player_running(session.pid), "a playback child and its player were started"
        time.sleep(1.5)  # let the playhead move
    elif activity == "transcribing":
        assert session.wait_for("Transcribing", timeout=DRAW_TIMEOUT)
        # The first utterance on screen ("Hi Sam, thanks for making time today"): the model is loaded and
        # working through the rest of the 4½ minutes when the link drops.
        assert session.wait_for("thanks", timeout=DRAW_TIMEOUT), "transcription got under way"


def _player_running(pid: int) -> bool:
    names = []
    for child in descendants(pid):
        try:
            names.append(Path(f"/proc/{child}/cmdline").read_bytes())
        except OSError:
            pass
    return any(name.startswith(b"cat") for name in names) and any(b"play_child" in name for name in names)


def run_scenario(home: Path, activity: str, how: str) -> Drop:
    folder = home / f"{activity}-{how}" / "library"
    recording = make_library(folder, transcribed=activity != "transcribing")
    drop = Drop(activity, how, folder, recording)
    with TerminalSession([recording], env=environment(folder.parent, activity), size=(100, 30), umask=0) as session:
        bring_to_the_moment(session, activity)
        drop.children = [identity(pid) for pid in descendants(session.pid)]
        drop.output_before_drop = len(session.output)
        began = time.monotonic()
        if how == "hangup":
            session.hang_up()
        else:
            session.signal(getattr(signal, how))
        drop.exit_status = session.wait(EXIT_DEADLINE)
        if drop.exit_status is not None:
            drop.seconds_to_exit = time.monotonic() - began
        deadline = time.monotonic() + EXIT_DEADLINE
        while still_running(drop.children) and time.monotonic() < deadline:
            time.sleep(0.1)
        drop.survivors = still_running(drop.children)
        time.sleep(0.2)
        drop.output = session.output
    drop.network_attempts = session.attempts
    return drop


SCENARIOS = [
    ("typing", "SIGHUP"), ("typing", "SIGTERM"), ("typing", "hangup"),
    ("playing", "SIGHUP"), ("playing", "hangup"),
    ("transcribing", "SIGHUP"),
]
TYPING = [s for s in SCENARIOS if s[0] == "typing"]
PLAYING = [s for s in SCENARIOS if s[0] == "playing"]


def ids(scenarios):
    return [f"{a}-{h}" for a, h in scenarios]


@pytest.fixture(scope="module")
def drops(tmp_path_factory):
    """Every scenario, run once, a few at a time (each mostly waits on a terminal), shared by the tests."""
    home = tmp_path_factory.mktemp("signals")
    with ThreadPoolExecutor(max_workers=PARALLEL_SCENARIOS) as pool:
        futures = {scenario: pool.submit(run_scenario, home, *scenario) for scenario in SCENARIOS}
    done = {scenario: future.result() for scenario, future in futures.items()}
    return lambda activity, how: done[(activity, how)]


# -- what holds today ----------------------------------------------------------------------


@pytest.mark.parametrize(("activity", "how"), SCENARIOS, ids=ids(SCENARIOS))
def test_the_app_ends_within_seconds_when_the_link_drops(drops, activity, how):
    drop = drops(activity, how)
    assert drop.exit_status is not None, f"still running {EXIT_DEADLINE:g} s after {how}"


@pytest.mark.parametrize(("activity", "how"), SCENARIOS, ids=ids(SCENARIOS))
def test_no_playback_process_outlives_the_app(drops, activity, how):
    drop = drops(activity, how)
    if activity == "playing":
        assert len(drop.children) >= 2, "the scenario really had a playback child and a player running"
    assert not drop.survivors, f"left running after {how}: {drop.survivors}"


@pytest.mark.parametrize(("activity", "how"), SCENARIOS, ids=ids(SCENARIOS))
def test_the_library_still_opens_and_keeps_what_was_saved(drops, activity, how):
    drop = drops(activity, how)
    library = drop.library()
    (info,) = library.sessions()
    marks = library.annotations(info.id).marks()
    cached = library.transcripts.load(info.id)
    if activity != "transcribing":
        assert cached is not None and cached.segments, "the transcript cache is intact"
    if activity == "typing":
        assert len(marks) == 1, "the mark made before the note was typed is saved"
    assert not [p for p in drop.folder.rglob("*") if ".tmp-" in p.name or ".corrupt-" in p.name]


PRIVACY_SCENARIOS = [pytest.param(*s, id=f"{s[0]}-{s[1]}") for s in SCENARIOS]


@pytest.mark.parametrize(("activity", "how"), PRIVACY_SCENARIOS)
def test_everything_written_is_private_even_with_a_careless_umask(drops, activity, how):
    """The app ran with umask 000: whatever it created must still be 0600 / 0700."""
    drop = drops(activity, how)
    home = drop.folder.parent
    made_by_the_test = {drop.recording, drop.folder, *(home / name for name in TEST_FOLDERS)}
    created = [path for path in home.rglob("*") if path not in made_by_the_test]
    if activity != "transcribing":
        assert drop.annotations().path in created, "the app itself wrote the session's annotations, under umask 000"
    for path in created:
        mode = stat.S_IMODE(path.lstat().st_mode)
        assert mode & 0o077 == 0, f"{path.relative_to(home)} is {oct(mode)}"


@pytest.mark.parametrize(("activity", "how"), SCENARIOS, ids=ids(SCENARIOS))
def test_nothing_tried_to_reach_the_network(drops, activity, how):
    assert drops(activity, how).network_attempts == []


@pytest.mark.parametrize(("activity", "how"), TYPING, ids=ids(TYPING))
def test_the_typed_words_are_nowhere_but_the_sessions_own_file(drops, activity, how):
    """No log, cache, temp or index file holds what the reviewer typed: only the session's annotations do."""
    drop = drops(activity, how)
    needle = NOTE_TEXT.encode()
    holders = [path.relative_to(drop.folder.parent) for path in drop.folder.parent.rglob("*")
               if path.is_file() and needle in path.read_bytes()]
    assert holders == [drop.annotations().path.relative_to(drop.folder.parent)]


# -- nothing typed is lost, and the terminal is given back -----------------------------------


@pytest.mark.parametrize(("activity", "how"), TYPING, ids=ids(TYPING))
def test_the_half_typed_note_is_kept_as_a_draft(drops, activity, how):
    drop = drops(activity, how)
    annotations = drop.annotations()
    (mark,) = annotations.marks()
    draft = annotations.get("draft")
    assert isinstance(draft, dict) and draft.get("text") == NOTE_TEXT, draft
    assert draft.get("mark_id") == mark.id or draft.get("start") == mark.start, "the draft says which mark it is for"


def test_the_draft_is_offered_when_the_session_is_opened_again(drops, tmp_path):
    drop = drops("typing", "SIGHUP")
    assert drop.annotations().get("draft"), "a draft was kept"
    with TerminalSession([drop.recording], env=environment(tmp_path, "typing"), size=(100, 30)) as session:
        assert session.wait_for("Timeline", timeout=DRAW_TIMEOUT)
        assert session.wait_for("kept", timeout=10), "opening says that a note was kept"
        session.wait_quiet()
        mark = len(session.output)
        session.type("n")  # on the row the app brought the cursor to
        assert session.wait_for(NOTE_TEXT, since=mark, timeout=10), "the kept text is back, ready to finish"
        session.type("\r")  # keep it as the note
        session.wait_quiet()
        session.type("q")
        assert session.wait(EXIT_DEADLINE) == 0
    annotations = drop.annotations()
    assert [m.note for m in annotations.marks()] == [NOTE_TEXT]
    assert not annotations.get("draft"), "the draft is gone once it became the note"


@pytest.mark.parametrize(("activity", "how"), PLAYING, ids=ids(PLAYING))
def test_where_the_reviewer_was_is_remembered(drops, activity, how):
    position = drops(activity, how).annotations().get("position")
    assert isinstance(position, (int, float)) and position > 0.5


def test_a_transcription_cut_off_keeps_what_it_finished(drops):
    """The first utterances were on screen when the link dropped; they are kept (marked incomplete)."""
    library = drops("transcribing", "SIGHUP").library()
    (info,) = library.sessions()
    kept = library.transcripts.load(info.id)
    assert kept is not None and kept.segments and not kept.complete
    assert "thanks" in " ".join(seg.text for seg in kept.segments[:3])


@pytest.mark.parametrize("how", ["SIGTERM", "SIGHUP"])
def test_the_terminal_is_given_back(drops, how):
    """After SIGTERM (a `kill` from another shell) the terminal stays usable: alternate screen left, cursor shown."""
    drop = drops("typing", how)
    after = drop.output[drop.output_before_drop:]
    assert b"\x1b[?1049l" in after and b"\x1b[?25h" in after
