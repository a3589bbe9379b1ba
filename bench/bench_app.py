"""How the review app feels with a two-hour session: start-up, key latency, CPU while playing, memory.

Every figure is measured side by side with a baseline in the same run, so that a busy
machine slows both: the same thing on the 5-minute session (start-up, keys, memory), or
the same app idle (CPU). Data comes from bench/make_data.py.

* start-up: ``debrief REC --audio silent`` in a real pseudo-terminal (``pty.fork``, 160x48,
  TERM=xterm-256color), timed from the fork until the bytes the app wrote hold the status
  bar's "paused", the first words of the first transcript row and the notes pane's first
  mark: the first full frame. Also timed: ``python -c "import textual.app"``, the floor
  any Textual app pays.
* keys: Pilot (``run_test(size=(160, 48))``, headless) on the app built as ``debrief REC``
  builds it. Time from sending the key to the end of the screen update it caused; the
  update includes turning the compositor's output into terminal bytes
  (``render_segments``), which the headless driver would skip. ``pilot.press`` itself
  sleeps at least 40 ms while it waits for idleness, so its own duration is not used.
* CPU: the pty app idle for N s, then playing (silent backend) for N s; CPU seconds of the
  app process (all threads) from /proc/PID/stat, as % of one core. Also the terminal
  bytes per second while playing (what an SSH link carries).
* memory: VmHWM (peak RSS) of that app process after playing at least 10 s.

    /tmp/dev/bin/python bench/bench_app.py [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import pty
import select
import signal
import statistics
import struct
import sys
import tempfile
import termios
import fcntl
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

import make_data  # noqa: E402
from results import row as _row  # noqa: E402

ROWS, COLS = 48, 160
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


# ---------------------------------------------------------------- the app in a pseudo-terminal


def debrief_argv() -> list[str]:
    script = Path(sys.executable).with_name("debrief")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "import sys; from tui.cli import main; sys.exit(main())"]


def app_environment(config_home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DEBRIEF_", "TEXTUAL"))}
    env.update(TERM="xterm-256color", COLUMNS=str(COLS), LINES=str(ROWS), XDG_CONFIG_HOME=str(config_home),
               PYTHONPATH=str(ROOT))
    return env


class PtyProcess:
    """A child process whose terminal is a pty we read from (as a terminal emulator would)."""

    def __init__(self, argv: list[str], env: dict[str, str]) -> None:
        self.buffer = bytearray()
        self.started = time.perf_counter()
        pid, fd = pty.fork()
        if pid == 0:  # the child: size its terminal, then become the program
            try:
                fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLS, 0, 0))
                os.execve(argv[0], argv, env)
            finally:
                os._exit(127)
        self.pid, self.fd = pid, fd
        self.status: int | None = None

    def pump(self, timeout: float) -> int:
        """Read what the program wrote within ``timeout``; returns the bytes read."""
        got = 0
        ready, _, _ = select.select([self.fd], [], [], timeout)
        while ready:
            try:
                chunk = os.read(self.fd, 65536)
            except OSError:  # the program closed its terminal
                return got
            if not chunk:
                return got
            self.buffer += chunk
            got += len(chunk)
            ready, _, _ = select.select([self.fd], [], [], 0)
        return got

    def wait_for(self, needles: list[bytes], timeout: float) -> float | None:
        """Seconds from the fork until every needle has appeared in the output."""
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            self.pump(0.005)
            if all(n in self.buffer for n in needles):
                return time.perf_counter() - self.started
            if self.exited():
                return None
        return None

    def drain(self, seconds: float) -> int:
        """Keep reading for ``seconds`` (a program blocks when nobody reads its terminal)."""
        end, total = time.perf_counter() + seconds, 0
        while (left := end - time.perf_counter()) > 0:
            total += self.pump(min(0.05, left))
        return total

    def send(self, data: bytes) -> None:
        os.write(self.fd, data)

    def cpu_seconds(self) -> float:
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime, stime (fields 14, 15)

    def peak_rss_mib(self) -> float:
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        return float("nan")

    def exited(self) -> bool:
        if self.status is None:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.status = status
        return self.status is not None

    def close(self) -> None:
        """Quit as a user would (q); if the program does not go, end it (only this pid)."""
        try:
            self.send(b"q")
        except OSError:
            pass
        deadline = time.perf_counter() + 5
        while not self.exited() and time.perf_counter() < deadline:
            self.pump(0.05)
        if not self.exited():
            os.kill(self.pid, signal.SIGTERM)
            time.sleep(0.5)
            if not self.exited():
                os.kill(self.pid, signal.SIGKILL)
                os.waitpid(self.pid, 0)
        os.close(self.fd)


def expected_content(recording: Path) -> list[bytes]:
    """Bytes that are on screen only once the first frame is complete."""
    from tui.services.workspace import open_recording

    workspace = open_recording(recording)
    transcript = workspace.cached_transcript()
    first_words = " ".join(transcript.segments[0].text.split()[:2])
    marks = workspace.annotations.marks()
    needles = [b"paused", first_words.encode()]
    if marks:
        needles.append(marks[0].tag.encode())
    return needles


def time_startup(argv: list[str], env: dict[str, str], needles: list[bytes], timeout: float = 30.0
                 ) -> tuple[float, float]:
    """Seconds from the fork to the first full frame, and to the last byte before 0.5 s of quiet."""
    app = PtyProcess(argv, env)
    try:
        took = app.wait_for(needles, timeout)
        last = time.perf_counter()
        while took is not None and time.perf_counter() - last < 0.5 and time.perf_counter() - app.started < took + 8:
            if app.pump(0.05):
                last = time.perf_counter()
    finally:
        app.close()
    if took is None:
        tail = bytes(app.buffer[-600:]).decode("utf-8", "replace")
        raise RuntimeError(f"no full frame within {timeout} s ({argv}); last output: {tail!r}")
    return took, last - app.started


def time_process(argv: list[str], env: dict[str, str]) -> float:
    import subprocess

    began = time.perf_counter()
    subprocess.run(argv, env=env, check=True, stdin=subprocess.DEVNULL)
    return time.perf_counter() - began


def startup(reps: int) -> dict:
    """Median seconds to the first full frame (and to a still screen), 2-hour vs 5-minute session."""
    sessions = {"2h": make_data.REVIEW / "two_hours.opus", "5min": make_data.REVIEW / "five_minutes.opus"}
    needles = {k: expected_content(p) for k, p in sessions.items()}
    times: dict[str, list[float]] = {"2h": [], "5min": [], "2h settled": [], "5min settled": [], "import textual": []}
    with tempfile.TemporaryDirectory(prefix="debrief-bench-config-") as config_home:
        env = app_environment(Path(config_home))
        time_startup(debrief_argv() + [str(sessions["5min"]), "--audio", "silent"], env, needles["5min"])  # warm caches
        for _ in range(reps):
            for key, path in sessions.items():
                first, settled = time_startup(debrief_argv() + [str(path), "--audio", "silent"], env, needles[key])
                times[key].append(first)
                times[f"{key} settled"].append(settled)
            times["import textual"].append(time_process([sys.executable, "-c", "import textual.app"], env))
    return {k: statistics.median(v) for k, v in times.items()} | {"samples": times}


# ---------------------------------------------------------------- CPU and memory while playing


def playing(recording: Path, idle_seconds: float, play_seconds: float) -> dict:
    """CPU % of one core idle then playing, terminal bytes/s while playing, and peak RSS."""
    with tempfile.TemporaryDirectory(prefix="debrief-bench-config-") as config_home:
        return _playing(recording, app_environment(Path(config_home)), idle_seconds, play_seconds)


def _playing(recording: Path, env: dict[str, str], idle_seconds: float, play_seconds: float) -> dict:
    app = PtyProcess(debrief_argv() + [str(recording), "--audio", "silent"], env)
    try:
        if app.wait_for(expected_content(recording), 30) is None:
            raise RuntimeError("the app did not draw its first frame")
        app.drain(2.0)  # start-up work done, first timers settled
        cpu0 = app.cpu_seconds()
        app.drain(idle_seconds)
        idle = (app.cpu_seconds() - cpu0) / idle_seconds
        if b"playing" in app.buffer:
            raise RuntimeError("the app says playing before space was pressed")
        app.send(b" ")
        app.drain(0.5)
        cpu0, t0 = app.cpu_seconds(), time.perf_counter()
        sent = app.drain(play_seconds)
        elapsed = time.perf_counter() - t0
        busy = (app.cpu_seconds() - cpu0) / elapsed
        if b"playing" not in app.buffer:
            raise RuntimeError("the app did not start playing on space")
        peak = app.peak_rss_mib()
    finally:
        app.close()
    return {"idle_cpu_pct": idle * 100, "playing_cpu_pct": busy * 100, "bytes_per_s": sent / elapsed,
            "peak_rss_mib": peak}


# ---------------------------------------------------------------- key latency with Pilot


def build_review(recording: Path):
    """The review as ``debrief REC --audio silent`` builds it (tui/cli/opening.py)."""
    from tui.media.playback import open_player
    from tui.session.review import Review
    from tui.services.workspace import open_recording

    workspace = open_recording(recording)
    workspace.annotations.set("position", 0.0)
    return Review(workspace, open_player("silent"), transcript=workspace.cached_transcript())


def timed_app(review):
    """The app, recording when each screen update is ready to be written to the terminal."""
    from tui.app.app import DebriefApp

    app = DebriefApp(review)
    app.displays = []
    display = app._display

    def timed_display(screen, renderable) -> None:
        if renderable is not None and hasattr(renderable, "render_segments"):
            renderable.render_segments(app.console)  # the bytes a real terminal would get
        display(screen, renderable)
        if renderable is not None:
            app.displays.append(time.perf_counter())

    app._display = timed_display
    return app


KEYS = {"cursor down": "down", "page down": "pagedown", "next mark": "right_square_bracket"}


async def _key_latencies(recording: Path, presses: int) -> dict[str, dict]:
    review = build_review(recording)
    app = timed_app(review)
    results: dict[str, dict] = {}
    async with app.run_test(size=(COLS, ROWS)) as pilot:
        await pilot.pause()
        for label, key in KEYS.items():
            await pilot.press("home")
            samples: list[float] = []
            cpu: list[float] = []
            updates: list[int] = []
            restarts = no_update = 0
            while len(samples) < presses:
                before = review.cursor
                app.displays.clear()
                began, cpu_began = time.perf_counter(), time.process_time()
                await pilot.press(key)
                cpu_used = time.process_time() - cpu_began
                if review.cursor == before:  # at the end: start again from the top, untimed
                    restarts += 1
                    await pilot.press("home")
                    continue
                if not app.displays:
                    no_update += 1
                    continue
                samples.append(app.displays[-1] - began)
                cpu.append(cpu_used)
                updates.append(len(app.displays))
            ordered = sorted(samples)
            results[label] = {
                "median_ms": statistics.median(ordered) * 1000,
                "p99_ms": ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))] * 1000,
                "max_ms": ordered[-1] * 1000,
                "cpu_ms_per_press": statistics.median(cpu) * 1000,
                "updates_per_press": statistics.median(updates),
                "presses": presses,
                "restarts": restarts,
                "without_update": no_update,
            }
        review.close()
    return results


def key_latency(presses: int) -> dict[str, dict]:
    out = {}
    for key, name in (("5min", "five_minutes.opus"), ("2h", "two_hours.opus")):
        out[key] = asyncio.run(_key_latencies(make_data.REVIEW / name, presses))
    return out


# ---------------------------------------------------------------- suite rows


def run(quick: bool) -> list[dict]:
    make_data.ensure()
    rows: list[dict] = []

    s = startup(2 if quick else 7)
    rows.append(_row("start-up to first full frame, 2 h session", s["2h"] * 1000, "ms",
                     s["5min"] * 1000, "same, 5-min session", "<= 1500 ms", s["2h"] <= 1.5,
                     details={"import_textual_ms": s["import textual"] * 1000, "samples_s": s["samples"]}))
    rows.append(_row("  start-up until the screen stops changing, 2 h", s["2h settled"] * 1000, "ms",
                     s["5min settled"] * 1000, "same, 5-min session", "", None))
    rows.append(_row("  python -c 'import textual.app' (floor for any Textual app)", s["import textual"] * 1000, "ms",
                     None, "", "", None))

    keys = key_latency(40 if quick else 200)
    for label in KEYS:
        long, short = keys["2h"][label], keys["5min"][label]
        rows.append(_row(f"key '{label}' to updated screen, 2 h (median)", long["median_ms"], "ms",
                         short["median_ms"], "same key, 5-min session", "<= 16 ms", long["median_ms"] <= 16,
                         details={"2h": long, "5min": short}))
        rows.append(_row(f"key '{label}' to updated screen, 2 h (p99)", long["p99_ms"], "ms",
                         short["p99_ms"], "same key, 5-min session", "<= 50 ms", long["p99_ms"] <= 50))

    idle_s, play_s = (3.0, 10.0) if quick else (20.0, 20.0)
    long = playing(make_data.REVIEW / "two_hours.opus", idle_s, play_s)
    short = playing(make_data.REVIEW / "five_minutes.opus", idle_s, play_s)
    rows.append(_row("CPU while playing (silent backend), 2 h", long["playing_cpu_pct"], "% core",
                     long["idle_cpu_pct"], "same app idle", "<= 5 %", long["playing_cpu_pct"] <= 5,
                     details={"2h": long, "5min": short, "idle_s": idle_s, "play_s": play_s}))
    rows.append(_row("terminal output while playing, 2 h", long["bytes_per_s"] / 1024, "KiB/s",
                     short["bytes_per_s"] / 1024, "same, 5-min session", "", None))
    rows.append(_row(f"peak RSS, 2 h open and playing {play_s:.0f} s", long["peak_rss_mib"], "MiB",
                     short["peak_rss_mib"], "same, 5-min session", "<= 250 MB", long["peak_rss_mib"] * 1.048576 <= 250))
    return rows



def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions and shorter runs")
    parser.add_argument("--only", choices=("startup", "keys", "playing"), help="one part only (printed as JSON)")
    args = parser.parse_args()
    if args.only == "startup":
        print(json.dumps(startup(3), indent=2))
    elif args.only == "keys":
        print(json.dumps(key_latency(60 if args.quick else 200), indent=2))
    elif args.only == "playing":
        print(json.dumps(playing(make_data.REVIEW / "two_hours.opus", 5, 10), indent=2))
    else:
        for row in run(args.quick):
            print(json.dumps({k: v for k, v in row.items() if k != "details"}))


if __name__ == "__main__":
    main()
