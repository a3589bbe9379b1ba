"""How long a search across the whole library takes (the library screen searches on every keystroke).

The index is built once from the store (``tui.services.search_index.index_sessions``), as the library
screen does when it opens; then 50 queries of five kinds are timed with
``LibraryIndex.search`` (its default limit of 500 hits, as the screen uses it):
10 common words (the first 500 hits come fast), 10 rare or absent words (every entry read), 10 quoted phrases, 10 ``speaker:`` filters
(alone and with a word) and 10 ``tag:`` filters (alone and with a word). Each query runs
a few times; its median counts. The baseline is the same queries over 10 of the sessions,
in the same run. Building the index is timed too (no target: it runs in a worker).

    /tmp/dev/bin/python bench/bench_search.py [--quick]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

import make_data  # noqa: E402
from results import row as _row  # noqa: E402


def queries() -> dict[str, list[str]]:
    """Fifty queries drawn from the sentences the synthetic transcripts are made of."""
    pool = make_data.sentence_pool()
    words = Counter(w.strip(".,?!'\"").lower() for line in pool for w in line.split())
    words = Counter({w: n for w, n in words.items() if len(w) > 3 and w.isalpha()})
    common = [w for w, _ in words.most_common(10)]
    # Words of the lines mentioned once in 500 utterances (a few dozen hits in 100 h), then
    # three that are nowhere: both read every entry of every session.
    rare = ["saskatoon", "trampoline", "accreditation", "harmonica", "quadratic", "sabbatical", "catapult",
            "xylophone", "quantum", "zeppelin"]
    phrases = []
    for line in pool:
        parts = line.rstrip(".?!").split()
        if len(parts) >= 6 and len(phrases) < 10:
            phrases.append('"' + " ".join(parts[1:4]).strip(",") + '"')
    names = [s.name for s in make_data.SPEAKERS]
    speaker = [f"speaker:{n}" for n in names] + [f"speaker:{n} {w}" for n, w in zip(names * 2, common[:6])]
    tag = [f"tag:{t}" for t in make_data.TAGS] + [f"tag:{t} {w}" for t, w in
                                                   zip(make_data.TAGS, ("wait", "question", "client", "open", "goal"))]
    return {"common word": common, "rare word": rare, "phrase": phrases, "speaker:": speaker[:10], "tag:": tag[:10]}


def time_queries(index, qs: dict[str, list[str]], reps: int) -> dict[str, list[tuple[str, float, int]]]:
    out: dict[str, list[tuple[str, float, int]]] = {}
    for kind, texts in qs.items():
        rows = []
        for text in texts:
            times = []
            for _ in range(reps):
                began = time.perf_counter()
                hits = index.search(text)
                times.append(time.perf_counter() - began)
            rows.append((text, statistics.median(times), len(hits)))
        out[kind] = rows
    return out


def run(quick: bool) -> list[dict]:
    from tui.core.search import LibraryIndex
    from tui.services.search_index import index_sessions
    from tui.store import Library

    manifest = make_data.ensure()
    library = Library.open(make_data.LIBRARY100 / "debrief.json")
    ids = [info.id for info in library.sessions()]
    began = time.perf_counter()
    large = index_sessions(library)
    build_large = time.perf_counter() - began
    if quick:  # the same ten sessions, without paying for a second build
        small, build_small = LibraryIndex(s for s in large.sessions if s.info.id in set(ids[:10])), None
    else:
        began = time.perf_counter()
        small = index_sessions(library, ids[:10])
        build_small = time.perf_counter() - began
    qs = queries()
    reps = 3 if quick else 7
    timed_small = time_queries(small, qs, reps)
    timed_large = time_queries(large, qs, reps)
    all_large = [t for rows in timed_large.values() for _, t, _ in rows]
    all_small = [t for rows in timed_small.values() for _, t, _ in rows]
    median, base = statistics.median(all_large) * 1000, statistics.median(all_small) * 1000
    per_kind = {kind: {"median_ms": statistics.median(t for _, t, _ in rows) * 1000,
                       "max_ms": max(t for _, t, _ in rows) * 1000,
                       "slowest": max(rows, key=lambda r: r[1])[0],
                       "hits": [h for _, _, h in rows]}
                for kind, rows in timed_large.items()}
    hours = manifest["library100"]["hours"]
    rows = [
        _row(f"search across {len(large.sessions)} sessions ({hours:.0f} h), median of 50 queries", median, "ms",
             base, "same queries, 10 sessions", "<= 200 ms", median <= 200,
             {"per_kind": per_kind, "reps": reps, "max_ms": max(all_large) * 1000,
              "p95_ms": sorted(all_large)[round(0.95 * (len(all_large) - 1))] * 1000}),
        _row("search across 100 sessions, slowest of 50 queries", max(all_large) * 1000, "ms",
             max(all_small) * 1000, "same, 10 sessions", "", None),
        _row("library search index build (100 sessions, from the store)", build_large * 1000, "ms",
             build_small * 1000 if build_small else None, "same, 10 sessions", "", None),
    ]
    return rows



def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    args = parser.parse_args()
    for row in run(args.quick):
        print(json.dumps(row, indent=2))


if __name__ == "__main__":
    main()
