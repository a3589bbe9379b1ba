"""Is commit B slower than commit A? The same measurements on two checkouts, interleaved.

A shared, busy machine moves every wall-clock figure by tens of percent within minutes, so
two separate benchmark runs cannot be compared. This script runs each measurement on the
"before" and the "after" checkout alternately (before, after, before, after …; the order
is swapped every other round), each in a fresh process started with that checkout's own
virtualenv python, so noise hits both alike. It prints each side's median and the
after/before ratio: the ratio of the medians, and the median of the per-round ratios
(the steadier of the two; a ratio above ~1.10 in both is a regression worth chasing).

The measuring code is the same for both sides: this file, run in "worker" mode with the
checkout's python and that checkout's ``bench/`` on ``sys.path`` (its own ``bench_app``
for the pty and Pilot helpers, whose import paths follow its code). Only the app differs.
Both read one copy of the data (``bench/make_data.py``'s, made by the after checkout;
the store's format must be readable by both).

What it measures (each part optional with ``--only``):

* ``startup``: ``debrief REC --audio silent`` in a pty until the first full frame, 2-hour
  and 5-minute sessions (``bench_app.time_startup``).
* ``keys``: Pilot key latency, 2-hour session, for bench_app's keys (cursor down, page
  down, next mark): send to the end of the last screen update; median and p95 of all
  presses pooled per side, and per-round medians for the ratio.
* ``cli``: ``debrief stats REC`` on the 2-hour session and ``debrief config``: wall
  seconds and the child's CPU seconds; plus ``python -X importtime -c 'import tui.cli'``
  (the slowest imports listed once per side at the end).
* ``store``, ``search``: ``bench_store.run(quick=True)`` and ``bench_search.run(quick=True)``
  of each checkout, a few rounds.

    .venv/bin/python bench/bench_before_after.py BEFORE_DIR AFTER_DIR [--rounds 5]
        [--presses 100] [--only startup keys cli store search] [--json OUT.json]

Each folder needs ``.venv/bin/python`` with the project installed (``pip install -e .``).
Make a "before" checkout with ``git worktree add /tmp/before COMMIT`` and its own venv.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PARTS = ("startup", "keys", "cli", "store", "search")
KEYS = {"cursor down": "down", "page down": "pagedown", "next mark": "right_square_bracket"}


# ---------------------------------------------------------------- worker: runs inside one checkout


def _worker_setup(root: Path, data: Path):
    """Import the checkout's own bench helpers, pointed at the shared data."""
    here = str(Path(__file__).resolve().parent)
    sys.path[:] = [p for p in sys.path if p != here]
    sys.path[:0] = [str(root), str(root / "bench")]
    import make_data
    import tui

    if not Path(tui.__file__).resolve().is_relative_to(root):
        raise SystemExit(f"tui imported from {tui.__file__}, not from {root}")
    make_data.DATA, make_data.REVIEW = data, data / "review"
    make_data.LIBRARY100, make_data.MANIFEST = data / "library100", data / "manifest.json"
    return make_data


def _work_startup(root: Path, data: Path, _args) -> dict:
    make_data = _worker_setup(root, data)
    import bench_app

    out: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="debrief-bench-config-") as config_home:
        env = bench_app.app_environment(Path(config_home)) | {"PYTHONPATH": str(root)}
        for key, name in (("startup 2 h", "two_hours.opus"), ("startup 5 min", "five_minutes.opus")):
            rec = make_data.REVIEW / name
            first, settled = bench_app.time_startup(bench_app.debrief_argv() + [str(rec), "--audio", "silent"], env,
                                                    bench_app.expected_content(rec))
            out[key], out[key + ", screen still"] = first, settled
    return out


async def _press_loop(recording: Path, presses: int) -> dict[str, list[float]]:
    """bench_app's key loop, returning every sample (bench_app keeps only summaries)."""
    import bench_app

    review = bench_app.build_review(recording)
    app = bench_app.timed_app(review)
    out: dict[str, list[float]] = {}
    async with app.run_test(size=(bench_app.COLS, bench_app.ROWS)) as pilot:
        await pilot.pause()
        for label, key in KEYS.items():
            await pilot.press("home")
            samples: list[float] = []
            while len(samples) < presses:
                before = review.cursor
                app.displays.clear()
                began = time.perf_counter()
                await pilot.press(key)
                if review.cursor == before:  # at the end: back to the top, untimed
                    await pilot.press("home")
                    continue
                if app.displays:
                    samples.append(app.displays[-1] - began)
            out[label] = samples
        review.close()
    return out


def _work_keys(root: Path, data: Path, args) -> dict:
    import asyncio

    make_data = _worker_setup(root, data)
    with tempfile.TemporaryDirectory(prefix="debrief-bench-config-") as config_home:
        os.environ["XDG_CONFIG_HOME"] = config_home  # the defaults, as the pty runs get
        return asyncio.run(_press_loop(make_data.REVIEW / "two_hours.opus", args.presses))


def _work_store(root: Path, data: Path, _args) -> dict:
    _worker_setup(root, data)
    import bench_store

    out = {}
    for r in bench_store.run(True):
        out[f"mark save, {r['sessions']} sessions, median"] = r["median_ms"] / 1000
        out[f"mark save, {r['sessions']} sessions, disk floor"] = r["disk_floor_median_ms"] / 1000
    return out


def _work_search(root: Path, data: Path, _args) -> dict:
    _worker_setup(root, data)
    import bench_search

    return {r["benchmark"]: r["figure"] / 1000 for r in bench_search.run(True) if r["unit"] == "ms"}


WORKERS = {"startup": _work_startup, "keys": _work_keys, "store": _work_store, "search": _work_search}


# ---------------------------------------------------------------- driver


def python_of(folder: Path) -> Path:
    python = folder / ".venv" / "bin" / "python"
    if not python.exists():
        sys.exit(f"bench_before_after: error: {python} not found (make a venv there and pip install -e .)")
    return python


def in_checkout(folder: Path, part: str, data: Path, args) -> dict:
    """One measurement in a fresh process of ``folder``'s python; its JSON result."""
    argv = [str(python_of(folder)), str(Path(__file__).resolve()), "--worker", part, "--root", str(folder),
            "--data", str(data), "--presses", str(args.presses)]
    done = subprocess.run(argv, capture_output=True, text=True, env=_clean_env(folder), cwd=data)
    if done.returncode:
        sys.exit(f"bench_before_after: error: {part} failed in {folder}:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _clean_env(folder: Path, config_home: str | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DEBRIEF_", "TEXTUAL", "PYTHON", "VIRTUAL_ENV"))}
    env["PYTHONPATH"] = str(folder)
    if config_home:
        env["XDG_CONFIG_HOME"] = config_home
    return env


def timed_child(argv: list[str], env: dict[str, str], cwd: Path) -> tuple[float, float]:
    """Wall and CPU seconds (user + system) of one child process, which must succeed."""
    with tempfile.TemporaryFile() as errors:  # a file, not a pipe: a chatty child cannot block
        began = time.perf_counter()
        child = subprocess.Popen(argv, env=env, cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                 stderr=errors)
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - began
        child.returncode = os.waitstatus_to_exitcode(status)
        if child.returncode:
            errors.seek(0)
            sys.exit(f"bench_before_after: error: {argv} exited {child.returncode}: {errors.read()[-800:]!r}")
    return wall, usage.ru_utime + usage.ru_stime


def cli_round(folder: Path, data: Path) -> dict:
    python = python_of(folder)
    debrief = python.with_name("debrief")
    rec = data / "review" / "two_hours.opus"
    with tempfile.TemporaryDirectory(prefix="debrief-bench-config-") as config_home:
        env = _clean_env(folder, config_home)
        out = {}
        for name, argv in (("debrief stats (2 h session)", [str(debrief), "stats", str(rec)]),
                           ("debrief config", [str(debrief), "config"]),
                           ("python -c 'import tui.cli'", [str(python), "-c", "import tui.cli"])):
            wall, cpu = timed_child(argv, env, data)
            out[name], out[name + ", CPU"] = wall, cpu
    return out


def _import_times(python: Path, code: str, folder: Path) -> list[tuple[int, int, str]]:
    """(cumulative µs, self µs, module) of every import ``code`` makes."""
    done = subprocess.run([str(python), "-X", "importtime", "-c", code], capture_output=True, text=True,
                          env=_clean_env(folder), cwd=folder / "bench")
    rows = []
    for line in done.stderr.splitlines():
        parts = line.removeprefix("import time:").split("|")
        if len(parts) == 3 and parts[1].strip().isdigit():
            rows.append((int(parts[1]), int(parts[0]), parts[2].strip()))
    return rows


def import_profile(folder: Path, top: int) -> list[tuple[int, str]]:
    """What ``debrief config`` imports beyond a bare interpreter, slowest first (cumulative µs)."""
    python = python_of(folder)
    bare = {name for _, _, name in _import_times(python, "pass", folder)}
    code = "import sys; from tui.cli import main; sys.exit(main(['config']))"
    rows = [r for r in _import_times(python, code, folder) if r[2] not in bare]
    total = sum(own for _, own, _ in rows)
    return [(total, f"everything it imports ({len(rows)} modules)")] + [(c, n) for c, _, n in sorted(rows, reverse=True)[:top]]


def loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before", type=Path, nargs="?")
    parser.add_argument("after", type=Path, nargs="?")
    parser.add_argument("--rounds", type=int, default=5, help="alternations of startup, keys and cli (default 5)")
    parser.add_argument("--slow-rounds", type=int, default=2, help="alternations of store and search (default 2)")
    parser.add_argument("--presses", type=int, default=100, help="timed presses per key per round (default 100)")
    parser.add_argument("--only", nargs="+", choices=PARTS, default=list(PARTS))
    parser.add_argument("--json", type=Path, help="also write every sample here")
    parser.add_argument("--worker", choices=tuple(WORKERS), help=argparse.SUPPRESS)
    parser.add_argument("--root", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(WORKERS[args.worker](args.root.resolve(), args.data, args)))
        return
    if args.before is None or args.after is None:
        parser.error("give the before and the after checkout folders")
    sides = {"before": args.before.resolve(), "after": args.after.resolve()}
    for folder in sides.values():
        python_of(folder)
    data = sides["after"] / "bench" / ".data" / "suite"
    print(f"making or checking the data with the after checkout ({data}) …", flush=True)
    subprocess.run([str(python_of(sides["after"])), str(sides["after"] / "bench" / "make_data.py")], check=True,
                   env=_clean_env(sides["after"]))

    samples: dict[str, dict[str, list]] = {"before": {}, "after": {}}
    rounds: list[dict] = []
    plan = [p for p in ("startup", "keys", "cli") if p in args.only]
    slow = [p for p in ("store", "search") if p in args.only]
    schedule = [(r, plan) for r in range(args.rounds)] + [(r, slow) for r in range(args.slow_rounds)]
    started = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime())
    for n, (r, parts) in enumerate(schedule):
        if not parts:
            continue
        order = ("before", "after") if r % 2 == 0 else ("after", "before")
        for part in parts:
            per_side = {}
            for side in order:
                load = loadavg()
                result = cli_round(sides[side], data) if part == "cli" else in_checkout(sides[side], part, data, args)
                per_side[side] = result
                for name, value in result.items():
                    samples[side].setdefault(name, []).append(value)
                rounds.append({"round": n, "part": part, "side": side, "load": load, "result": result})
                print(f"  {part:8} round {n + 1}/{len(schedule)} {side:6} load {load}", flush=True)
    finished = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime())
    report(samples, rounds, started, finished)
    if "cli" in args.only:
        for side, folder in sides.items():
            print(f"\nslowest imports of `debrief config`, {side} (cumulative ms, -X importtime):")
            for us, name in import_profile(folder, 12):
                print(f"  {us / 1000:8.1f}  {name}")
    if args.json:
        args.json.write_text(json.dumps({"sides": {k: str(v) for k, v in sides.items()}, "rounds": rounds,
                                         "started": started, "finished": finished}, indent=1))


def _round_ratios(rounds: list[dict], name: str) -> list[float]:
    """after/before of the medians within each round (one pair of processes)."""
    by_round: dict[int, dict[str, float]] = {}
    for entry in rounds:
        value = entry["result"].get(name)
        if value is None:
            continue
        by_round.setdefault(entry["round"], {})[entry["side"]] = (
            statistics.median(value) if isinstance(value, list) else value)
    return [pair["after"] / pair["before"] for pair in by_round.values() if len(pair) == 2 and pair["before"]]


def report(samples: dict, rounds: list[dict], started: str, finished: str) -> None:
    loads = [float(e["load"].split()[0]) for e in rounds]
    print(f"\n{started} to {finished}; load average (1 min) {min(loads):.1f}-{max(loads):.1f}, "
          f"median {statistics.median(loads):.1f} on {os.cpu_count()} cores\n")
    print("| measurement | before | after | after/before (medians) | after/before (median of rounds) |")
    print("|---|---|---|---|---|")
    for name, before in samples["before"].items():
        after = samples["after"].get(name)
        if not after:
            continue
        pooled = isinstance(before[0], list)
        b = [v for vs in before for v in vs] if pooled else before
        a = [v for vs in after for v in vs] if pooled else after
        per_round = _round_ratios(rounds, name)
        ratio = statistics.median(per_round) if per_round else float("nan")
        unit = "ms" if statistics.median(b) < 1 else "s"
        scale = 1000 if unit == "ms" else 1
        label = f"key '{name}', 2 h, median" if pooled else name
        print(f"| {label} | {statistics.median(b) * scale:.1f} {unit} | {statistics.median(a) * scale:.1f} {unit} | "
              f"{statistics.median(a) / statistics.median(b):.2f}× | {ratio:.2f}× |")
        if pooled:
            pb, pa = quantile(b, 0.95), quantile(a, 0.95)
            print(f"| key '{name}', 2 h, p95 ({len(b)} / {len(a)} presses) | {pb * 1000:.1f} ms | "
                  f"{pa * 1000:.1f} ms | {pa / pb:.2f}× | |")


if __name__ == "__main__":
    main()
