"""Terminals as reviewers have them (issue 9, part 3): TERM values, colour depths, NO_COLOR, sizes,
live resizing, no mouse, no function keys.

The real program runs in a pseudo-terminal under each TERM and must draw, answer ``q`` and
give the terminal back; what it draws is checked at the escape-sequence level (which colour
codes, which rows). Layout after resizing is checked with Pilot, where the widgets can be
asked where they are; a 200×50 SVG snapshot records the wide layout.
"""

from __future__ import annotations

import importlib
import inspect
import os
import pkgutil
import re
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from app_helpers import silent_review
from textual.binding import Binding

from conftest import ROOT, SAMPLES, truth_transcript
from hostile_pty import TerminalSession, plain
from tui.core.model import Mark

DRAW_TIMEOUT = 40.0
EXIT_DEADLINE = 10.0


# -- the library every terminal opens -----------------------------------------------------------


@pytest.fixture(scope="module")
def recording(tmp_path_factory) -> Path:
    """The short session with its transcript and a mark, in a library of its own."""
    from tui.services.workspace import open_recording

    folder = tmp_path_factory.mktemp("terminals")
    rec = folder / "check-in.ogg"
    shutil.copy2(SAMPLES / "short_session.ogg", rec)
    workspace = open_recording(rec, folder / "debrief.json")
    transcript, data = truth_transcript("short_session")
    workspace.save_transcript(transcript)
    workspace.annotations.set("speakers", {s["id"]: {"name": s["name"], "role": s["role"]} for s in data["speakers"]})
    workspace.annotations.add_mark(Mark("m1", 15.621, 17.858, "open-question", "Asked what she noticed", "coach",
                                        "2026-11-09T10:00:00Z"))
    return rec


# -- the real program under each TERM -------------------------------------------------------------

SGR = re.compile(rb"\x1b\[([0-9;]*)m")


def colours(output: bytes) -> set[tuple]:
    """Every colour the program asked for: ("16", code), ("256", index) or ("rgb", (r, g, b))."""
    found: set[tuple] = set()
    for match in SGR.finditer(output):
        parts = [int(p) if p else 0 for p in match.group(1).split(b";")]
        i = 0
        while i < len(parts):
            code = parts[i]
            if code in (38, 48) and i + 2 < len(parts) and parts[i + 1] == 5:
                found.add(("256", parts[i + 2]))
                i += 3
            elif code in (38, 48) and i + 4 < len(parts) and parts[i + 1] == 2:
                found.add(("rgb", tuple(parts[i + 2 : i + 5])))
                i += 5
            else:
                if 30 <= code <= 37 or 40 <= code <= 47 or 90 <= code <= 97 or 100 <= code <= 107:
                    found.add(("16", code))
                i += 1
    return found


def is_grey(colour: tuple) -> bool:
    kind, value = colour
    if kind == "rgb":
        return len(set(value)) == 1
    if kind == "256":
        cube = value - 16
        return value in (0, 7, 8, 15) or value >= 232 or (0 <= cube < 216 and cube // 36 == cube // 6 % 6 == cube % 6)
    return value in (30, 37, 40, 47, 90, 97, 100, 107)


@dataclass
class Run:
    term: str
    env: dict[str, str]
    size: tuple[int, int]
    drawn: bool = False
    drawing: bytes = b""
    exit_status: int | None = None
    after_quit: bytes = b""
    text: str = ""
    network_attempts: tuple[str, ...] = ()


TERMINALS = {
    # id: (TERM, extra environment, size)
    "xterm-256color": ("xterm-256color", {}, (80, 24)),
    "truecolor-300x80": ("xterm-256color", {"COLORTERM": "truecolor"}, (300, 80)),
    "screen": ("screen", {}, (80, 24)),
    "tmux-256color": ("tmux-256color", {}, (120, 40)),
    "linux-console": ("linux", {}, (80, 25)),
    "vt100": ("vt100", {}, (80, 24)),
    "no-color": ("xterm-256color", {"NO_COLOR": "1", "COLORTERM": "truecolor"}, (100, 30)),
}


def run_in(recording: Path, term: str, extra: dict[str, str], size: tuple[int, int]) -> Run:
    env = {"TERM": term, "COLORTERM": "", "NO_COLOR": "", **extra, "DEBRIEF_DB": "", "DEBRIEF_CONFIG": "",
           "XDG_CONFIG_HOME": str(recording.parent / "config")}
    run = Run(term, extra, size)
    with TerminalSession([recording], env=env, size=size) as session:
        run.drawn = session.wait_for("Timeline", "Notes", "Quit", timeout=DRAW_TIMEOUT)
        session.wait_quiet()
        run.drawing = session.output
        run.text = session.text()
        session.type("q")
        run.exit_status = session.wait(EXIT_DEADLINE)
        time.sleep(0.1)
        run.after_quit = session.output[len(run.drawing):]
    run.network_attempts = tuple(session.attempts)
    return run


@pytest.fixture(scope="module")
def runs(recording):
    """Every terminal, run once, three at a time (each mostly waits on its pty)."""
    with ThreadPoolExecutor(max_workers=3) as pool:
        futures = {name: pool.submit(run_in, recording, *spec) for name, spec in TERMINALS.items()}
    return {name: future.result() for name, future in futures.items()}


@pytest.mark.parametrize("name", list(TERMINALS))
def test_it_draws_quits_on_q_and_gives_the_terminal_back(runs, name):
    run = runs[name]
    assert run.drawn, f"under {run.term} the review screen never appeared: {run.text[-500:]!r}"
    assert "Traceback" not in run.text
    assert run.exit_status == 0, f"exit status {run.exit_status} after q"
    assert b"\x1b[?1049l" in run.after_quit, "the alternate screen was left"
    assert b"\x1b[?25h" in run.after_quit, "the cursor was shown again"


def test_no_terminal_run_tried_to_reach_the_network(runs):
    assert {name: run.network_attempts for name, run in runs.items() if run.network_attempts} == {}


@pytest.mark.parametrize("name", list(TERMINALS))
def test_it_draws_to_the_size_of_the_terminal_and_no_further(runs, name):
    run = runs[name]
    columns, rows = run.size
    positions = [(int(r), int(c)) for r, c in re.findall(rb"\x1b\[(\d+);(\d+)H", run.drawing)]
    assert positions, "the screen is drawn with cursor positioning"
    assert max(r for r, _ in positions) == rows, "down to the last row"
    assert max(c for _, c in positions) <= columns


@pytest.mark.parametrize(("name", "allowed"), [
    ("screen", {"16"}), ("linux-console", {"16"}), ("vt100", {"16"}),
    ("xterm-256color", {"16", "256"}), ("tmux-256color", {"16", "256"}),
])
def test_it_only_uses_the_colours_the_terminal_has(runs, name, allowed):
    used = {kind for kind, _ in colours(runs[name].drawing)}
    assert used, "some colour is used (speakers, cursor row)"
    assert used <= allowed, f"{runs[name].term} was sent {used - allowed} colour codes"


def test_truecolor_terminals_get_true_colour(runs):
    assert {kind for kind, _ in colours(runs["truecolor-300x80"].drawing)} & {"rgb"}


def test_no_color_means_no_colour_only_shades_of_grey(runs):
    used = colours(runs["no-color"].drawing)
    assert used, "cursor row and panes are still told apart (by shades and reverse/bold)"
    chromatic = sorted(c for c in used if not is_grey(c))
    assert not chromatic, f"NO_COLOR=1 still sent colours: {chromatic[:8]}"


def test_live_resizing_redraws_at_each_new_size(recording):
    """A terminal window dragged from 80×24 to 300×80 and back: each redraw fills exactly the new size."""
    env = {"DEBRIEF_DB": "", "XDG_CONFIG_HOME": str(recording.parent / "config")}
    with TerminalSession([recording], env=env, size=(80, 24)) as session:
        assert session.wait_for("Timeline", timeout=DRAW_TIMEOUT)
        session.wait_quiet()
        for columns, rows in ((300, 80), (80, 24)):
            mark = len(session.output)
            session.resize(columns, rows)
            time.sleep(0.2)
            session.wait_quiet()
            redraw = session.output[mark:]
            positions = [(int(r), int(c)) for r, c in re.findall(rb"\x1b\[(\d+);(\d+)H", redraw)]
            assert positions, f"nothing was redrawn after resizing to {columns}×{rows}"
            assert max(r for r, _ in positions) == rows and max(c for _, c in positions) <= columns
            assert "Timeline" in plain(redraw)
        session.type("q")
        assert session.wait(EXIT_DEADLINE) == 0


# -- layout after resizing, asked of the widgets themselves ----------------------------------------


@pytest.fixture(scope="module")
def coaching(tmp_path_factory) -> Path:
    """The 4½-minute coaching session, transcribed: long enough that the transcript scrolls at every size."""
    from tui.services.workspace import open_recording

    folder = tmp_path_factory.mktemp("coaching")
    rec = folder / "coaching_session.ogg"
    shutil.copy2(SAMPLES / "coaching_session.ogg", rec)
    workspace = open_recording(rec, folder / "debrief.json")
    transcript, _ = truth_transcript("coaching_session")
    workspace.save_transcript(transcript)
    return rec


def coaching_app(recording: Path):
    from tui.app.app import DebriefApp
    from tui.services.workspace import open_recording

    workspace = open_recording(recording, recording.parent / "debrief.json")
    return DebriefApp(silent_review(workspace))


def cursor_row_visible(app) -> bool:
    """The cursor utterance's first line (its time and first words) is among the lines the pane draws."""
    from tui.app.widgets.transcript import TranscriptView
    from tui.core.timefmt import format_time

    view = app.screen.query_one(TranscriptView)
    segment = app.review.current
    if view.region.height == 0 or segment is None:
        return False
    drawn = [view.render_line(y).text for y in range(view.scrollable_content_region.height)]
    stamp, words = format_time(segment.start), " ".join(segment.text.split()[:2])
    return any(stamp in line and words in line for line in drawn)


def on_screen(app, widget) -> bool:
    region, screen = widget.region, app.screen.region
    return region.height > 0 and region.width > 0 and screen.contains_region(region)


async def test_resizing_from_80x24_to_300x80_and_back_keeps_the_cursor_row_in_view(coaching):
    from tui.app.widgets.status import StatusBar

    app = coaching_app(coaching)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        # A row in the middle, then one near the end: the two places a resize could scroll away from.
        for keys, sizes in ((["j"] * 20, ((300, 80), (80, 24), (100, 30))), (["G", "k"], ((300, 80), (80, 24)))):
            await pilot.press(*keys)
            chosen = app.review.cursor
            assert chosen > 10 and cursor_row_visible(app)
            for size in sizes:
                await pilot.resize_terminal(*size)
                await pilot.pause()
                assert app.review.cursor == chosen, "resizing never moves the cursor"
                assert cursor_row_visible(app), f"the cursor row scrolled out of view at {size}"
                assert on_screen(app, app.screen.query_one(StatusBar)), f"status bar hidden at {size}"
        # Below what Debrief supports it may look cramped, but it must not fail, and comes back whole.
        for size in ((20, 6), (80, 24)):
            await pilot.resize_terminal(*size)
            await pilot.pause()
        await pilot.press("space", "l", "space")
        assert cursor_row_visible(app)


async def test_a_note_being_typed_survives_a_resize(coaching):
    from textual.widgets import Input

    from tui.app.screens.note_editor import NoteEditor

    app = coaching_app(coaching)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("j", "n")
        await app.workers.wait_for_complete()  # n marks the row first (saved in a worker), then opens the note
        await pilot.pause()
        assert isinstance(app.screen, NoteEditor)
        await pilot.press(*"wait longer")
        for size in ((300, 80), (40, 12), (80, 24)):
            await pilot.resize_terminal(*size)
            await pilot.pause()
            assert app.screen.query_one(Input).value == "wait longer"


# -- snapshot of the wide layout --------------------------------------------------------------------




def test_review_screen_at_200x50(snap_compare, review_app):
    assert snap_compare(review_app, terminal_size=(200, 50), press=["j", "j"])


# -- keys every terminal sends ----------------------------------------------------------------------

FUNCTION_KEY = re.compile(r"^(?:(?:shift|ctrl|alt|meta)\+)*f\d{1,2}$")
MISSING_ON_SOME_TERMINALS = {"pageup", "pagedown", "home", "end", "insert", "delete"}
"""A vt100 (and some serial consoles and phone SSH clients) has none of these."""
MULTIPLEXER_PREFIXES = {"ctrl+a", "ctrl+b"}
"""GNU screen's and tmux's default prefixes: the application never receives them."""


def all_bindings() -> list[tuple[str, Binding]]:
    """Every Binding declared by a class in the app package (screens, widgets, the app)."""
    import tui.app

    found = []
    modules = [tui.app] + [importlib.import_module(info.name)
                           for info in pkgutil.walk_packages(tui.app.__path__, "tui.app.")]
    seen: set[type] = set()
    for module in modules:
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if cls in seen or not cls.__module__.startswith("tui.app"):
                continue
            seen.add(cls)
            for binding in cls.__dict__.get("BINDINGS", []):
                if isinstance(binding, Binding):
                    found.append((f"{cls.__name__}:{binding.action}", binding))
    assert len(found) > 20, "found the bindings"
    return found


def keys_of(binding: Binding) -> list[str]:
    return [key.strip().lower() for key in binding.key.split(",") if key.strip()]


def test_no_binding_uses_a_function_key():
    offending = [(name, b.key) for name, b in all_bindings() if any(FUNCTION_KEY.match(k) for k in keys_of(b))]
    assert not offending


def test_every_action_has_a_key_that_every_terminal_sends():
    """Without a mouse, F-keys, Home/End or Page keys (a vt100, a phone SSH client), every action is reachable."""
    stranded = []
    for name, binding in all_bindings():
        portable = [k for k in keys_of(binding)
                    if not FUNCTION_KEY.match(k) and k not in MISSING_ON_SOME_TERMINALS and not k.startswith("shift+")]
        if not portable:
            stranded.append((name, binding.key))
    assert not stranded


def test_no_binding_relies_on_a_key_tmux_or_screen_keep_for_themselves():
    offending = [(name, b.key) for name, b in all_bindings() if set(keys_of(b)) & MULTIPLEXER_PREFIXES]
    assert not offending


# -- inside a real multiplexer, when one is installed -----------------------------------------------


@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed (the pty tests above cover TERM)")
def test_under_tmux_it_draws_resizes_and_quits(recording, tmp_path):
    """tmux is a real terminal emulator: what it shows is what a reviewer over SSH in tmux would see."""
    socket = f"debrief-test-{os.getpid()}"
    tmux = ["tmux", "-L", socket, "-f", "/dev/null"]
    command = (f"cd {ROOT} && env -u DEBRIEF_DB DEBRIEF_AUDIO=silent XDG_CONFIG_HOME={tmp_path} "
               f"{sys.executable} -m tui.cli '{recording}'; echo exited $? > {tmp_path / 'status'}; sleep 30")

    def screen() -> str:
        return subprocess.run([*tmux, "capture-pane", "-p", "-t", "review"], capture_output=True, text=True).stdout

    def wait_for(text: str, timeout: float = DRAW_TIMEOUT) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            shown = screen()
            if text in shown:
                return shown
            time.sleep(0.1)
        raise AssertionError(f"{text!r} never appeared under tmux:\n{screen()}")

    subprocess.run([*tmux, "new-session", "-d", "-s", "review", "-x", "80", "-y", "24", command], check=True,
                   env={**os.environ, "TERM": "xterm-256color"})
    try:
        shown = wait_for("Quit")
        assert "Timeline" in shown and "Maria" in shown
        for columns, rows in ((200, 50), (80, 24)):
            subprocess.run([*tmux, "resize-window", "-t", "review", "-x", str(columns), "-y", str(rows)], check=True)
            time.sleep(0.5)
            shown = wait_for("Quit")
            lines = shown.splitlines()
            assert len(lines) == rows and max(len(line) for line in lines) <= columns
            assert "Quit" in lines[-1], "the footer is on the last row"
        subprocess.run([*tmux, "send-keys", "-t", "review", "q"], check=True)
        deadline = time.monotonic() + EXIT_DEADLINE
        while not (tmp_path / "status").exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert (tmp_path / "status").read_text().strip() == "exited 0"
    finally:
        subprocess.run([*tmux, "kill-server"], capture_output=True)
