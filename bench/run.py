"""Debrief's benchmark suite: one command makes the data, runs every benchmark, prints one table.

    /tmp/dev/bin/python bench/run.py [--quick] [--write-readme] [--only NAME ...]

--quick        fewer repetitions, shorter runs, the 2-minute file for transcription, no
               playback benchmark (< 3 minutes once the data exists)
--write-readme put the results table and the machine into bench/README.md (between markers)
--only         run some suites only: store search app transcribe diarization truth playback

Every figure is a median (or a percentile, where named) with a baseline measured in the
same run, because this machine is shared and its load changes minute by minute; the load
average is recorded before and after. Results go to bench/.out/results.json.

Needs only what the project installs (Textual, PyAV, numpy, faster-whisper with the
bundled tiny.en model) on Linux (/proc, pseudo-terminals). The first run makes its data
(bench/make_data.py, a few minutes); bench/bench_playback.py makes its own long files on
its first run (about eight minutes). No network, no external tools: espeak-ng and sox are
needed only to add the optional generated diarization sessions
(bench/make_two_voice_sessions.py).
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import time
import traceback
from datetime import datetime, timezone
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path[:0] = [str(ROOT), str(BENCH)]

from results import row  # noqa: E402

OUT = BENCH / ".out"
README = BENCH / "README.md"
START, END = "<!-- results:start -->", "<!-- results:end -->"
SUITES = ("store", "search", "app", "transcribe", "diarization", "truth", "playback")


# ---------------------------------------------------------------- the machine


def machine() -> dict:
    cpu = ""
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem_kib = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
    versions = {}
    for package in ("textual", "faster_whisper", "ctranslate2", "av", "numpy", "tinydb"):
        try:
            versions[package] = importlib.import_module(package).__version__
        except Exception:
            versions[package] = "?"
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "ram_gib": round(mem_kib / 1024 / 1024, 1),
        "python": platform.python_version(),
        "kernel": platform.release(),
        "versions": versions,
        "commit": _git("rev-parse", "--short", "HEAD"),
        "tree_changed": bool(_git("status", "--porcelain", "--untracked-files=no", "--", "tui")),
    }


def _git(*args: str) -> str:
    """Read-only questions to git (which commit was measured); empty when git is not there."""
    try:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=10).stdout.strip()
    except Exception:
        return ""


def load_average() -> list[float]:
    return [float(x) for x in Path("/proc/loadavg").read_text().split()[:3]]


# ---------------------------------------------------------------- suites


def suite_store(quick: bool) -> list[dict]:
    import bench_store

    rows = bench_store.run(quick)
    by_size = {r["sessions"]: r for r in rows}
    hundred = by_size[100]
    out = [row("mark save (add_mark), library of 100 sessions", hundred["median_ms"], "ms",
               hundred["disk_floor_median_ms"], "disk floor: same bytes written, fsynced, replaced",
               "<= 15 ms", hundred["median_ms"] <= 15, details={"rows": rows})]
    out.append(row("  same, p95", hundred["p95_ms"], "ms", hundred["baseline_p95_ms"],
                   "stock TinyDB, one file (p95)", "", None))
    largest = max(by_size)
    out.append(row(f"  same, library of {largest} sessions", by_size[largest]["median_ms"], "ms",
                   by_size[10]["median_ms"], "library of 10 sessions", "", None))
    return out


def suite_search(quick: bool) -> list[dict]:
    import bench_search

    return bench_search.run(quick)


def suite_app(quick: bool) -> list[dict]:
    import bench_app

    return bench_app.run(quick)


def suite_transcribe(quick: bool) -> list[dict]:
    import bench_transcribe

    return bench_transcribe.run(quick)


def suite_diarization(quick: bool) -> list[dict]:
    import bench_diarization

    if not hasattr(bench_diarization, "run"):
        return [row("speaker separation: skipped, bench_diarization.run() is not there yet", None, "")]
    rows = bench_diarization.run(quick)
    estimated = [r for r in rows if r["given_n"] == "-"]
    hour = [r for r in rows if "1 h" in r["file"]]
    if hour:
        cost, where = hour[0]["s_per_hour"], hour[0]["file"]
    else:
        cost, where = statistics.median(r["s_per_hour"] for r in estimated), f"median of {len(estimated)} short recordings"
    mean_der = sum(r["der"] for r in estimated) / len(estimated)
    return [
        row(f"speaker separation cost ({where})", cost, "s per audio hour", details={"rows": rows}),
        row(f"speaker separation DER, mean of {len(estimated)} recordings, speaker count estimated",
            mean_der * 100, "%"),
    ]


def suite_truth(quick: bool) -> list[dict]:
    """What users get: `debrief transcribe` + `debrief stats` scored against references."""
    import bench_truth

    scored, rows = bench_truth.run(quick)
    rows[0]["details"]["table"] = scored
    return rows


def suite_playback(quick: bool) -> list[dict]:
    """bench_playback.py has no run(): run it as its own process (it changes HOME) and read its lines."""
    if quick:
        return [row("playback: skipped in --quick (makes 8 minutes of files on its first run)", None, "")]
    done = subprocess.run([sys.executable, str(BENCH / "bench_playback.py"), "--runs", "5"], cwd=ROOT,
                          capture_output=True, text=True, timeout=1800)
    text = done.stdout + done.stderr
    if done.returncode != 0:
        raise RuntimeError(f"bench_playback.py failed:\n{text[-2000:]}")
    out = []
    for m in re.finditer(r"(\.\w+)\s+baseline \(3-min file, 0:00\)\s+([\d.]+) ms\s+1:45:00 into 2 h\s+([\d.]+) ms", text):
        fmt, base, deep = m.group(1), float(m.group(2)), float(m.group(3))
        out.append(row(f"key press to first sample, 1:45:00 into a 2 h {fmt}", deep, "ms", base,
                       "same, top of a 3-min file", "<= 150 ms (playback issue)", deep <= 150))
    m = re.search(r"3-minute file\s+([\d.]+) MiB\s+3-hour file\s+([\d.]+) MiB", text)
    if m:
        out.append(row("playback child peak RSS, 3 h file", float(m.group(2)), "MiB", float(m.group(1)),
                       "same, 3-min file"))
    if not out:
        raise RuntimeError(f"could not read bench_playback.py's output:\n{text[-2000:]}")
    out[0]["details"]["output"] = text
    return out


RUNNERS = {"store": suite_store, "search": suite_search, "app": suite_app, "transcribe": suite_transcribe,
           "diarization": suite_diarization, "truth": suite_truth, "playback": suite_playback}


# ---------------------------------------------------------------- output


def fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    if unit in ("ms", "s", "MiB", "%", "% core", "KiB/s", "s per audio hour"):
        digits = 0 if abs(value) >= 1000 else 1 if abs(value) >= 10 or unit in ("%", "% core") else 2
        return f"{value:,.{digits}f} {unit}"
    if unit == "x real time":
        return f"{value:.1f}x real time"
    return f"{value:.3g} {unit}".strip()


def table(rows: list[dict]) -> str:
    lines = ["| benchmark | figure | baseline (same run) | ratio | target | met? |", "|---|---|---|---|---|---|"]
    for r in rows:
        base = fmt(r["baseline"], r["unit"]) + (f" ({r['baseline_label']})" if r["baseline_label"] else "")
        if r["baseline"] is None:
            base = "—"
        ratio = f"{r['ratio']:.2f}x" if r["ratio"] is not None else "—"
        met = {True: "yes", False: "**NO**", None: ""}[r["met"]]
        name = "↳ " + r["benchmark"].strip() if r["benchmark"].startswith("  ") else r["benchmark"]
        lines.append(f"| {name} | {fmt(r['figure'], r['unit'])} | {base} | {ratio} | {r['target']} | {met} |")
    return "\n".join(lines)


def machine_text(info: dict, started: str, loads: dict, quick: bool, minutes: float) -> str:
    v = info["versions"]
    return (
        f"Measured {started} ({'--quick' if quick else 'full run'}, {minutes:.0f} min) at commit "
        f"{info['commit'] or '?'}{' with uncommitted changes under tui/' if info['tree_changed'] else ''}. "
        f"Machine: {info['nproc']} cores ({info['cpu']}), {info['ram_gib']} GiB RAM, Linux {info['kernel']}, "
        f"Python {info['python']}, Textual {v['textual']}, faster-whisper {v['faster_whisper']}, "
        f"CTranslate2 {v['ctranslate2']}, PyAV {v['av']}. Load average (1/5/15 min) before "
        f"{'/'.join(f'{x:.1f}' for x in loads['before'])}, after {'/'.join(f'{x:.1f}' for x in loads['after'])}: "
        f"the machine is shared, so read the ratios."
    )


def write_readme(text: str) -> None:
    readme = README.read_text()
    if START not in readme or END not in readme:
        raise SystemExit(f"{README} has no {START} … {END} markers")
    head, rest = readme.split(START, 1)
    _, tail = rest.split(END, 1)
    README.write_text(f"{head}{START}\n{text}\n{END}{tail}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions, smaller data, no playback")
    parser.add_argument("--write-readme", action="store_true", help="update the results in bench/README.md")
    parser.add_argument("--only", nargs="+", choices=SUITES, help="run only these suites")
    args = parser.parse_args()
    os.umask(0o077)

    import make_data

    began = time.monotonic()
    started = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    info = machine()
    make_data.ensure()
    loads = {"before": load_average()}
    print(f"{info['nproc']} cores, {info['cpu']}, load {loads['before']}", flush=True)
    rows: list[dict] = []
    for name in args.only or SUITES:
        print(f"running {name} …", flush=True)
        t0 = time.monotonic()
        try:
            got = RUNNERS[name](args.quick)
        except Exception as exc:
            traceback.print_exc()
            got = [row(f"{name}: FAILED ({type(exc).__name__}: {str(exc).splitlines()[0][:120]})", None, "")]
        for r in got:
            r["suite"] = name
        rows += got
        print(f"  {name} done in {time.monotonic() - t0:.0f} s (load {load_average()[0]:.1f})", flush=True)
    loads["after"] = load_average()
    minutes = (time.monotonic() - began) / 60

    result_table = table(rows)
    print()
    print(result_table)
    missed = [r["benchmark"] for r in rows if r["met"] is False]
    print(f"\n{len(missed)} target(s) missed" + (": " + "; ".join(missed) if missed else ""))

    OUT.mkdir(mode=0o700, exist_ok=True)
    results = {"started": started, "quick": args.quick, "minutes": round(minutes, 1), "machine": info,
               "load_average": loads, "rows": rows}
    out_file = OUT / "results.json"
    out_file.write_text(json.dumps(results, indent=2, default=str))
    out_file.chmod(0o600)
    print(f"wrote {out_file.relative_to(ROOT)}")
    if args.write_readme:
        write_readme(machine_text(info, started, loads, args.quick, minutes) + "\n\n" + result_table)
        print(f"updated {README.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
