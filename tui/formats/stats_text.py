"""`debrief stats` as text: the figures a coach reads at a glance."""

from __future__ import annotations

from tui.core.analytics import SessionStats
from tui.core.languages import english_only_note
from tui.core.timefmt import format_time


def render(title: str, stats: SessionStats) -> str:
    rows = [("Speaker", "Talk", "Share", "Turns", "Longest", "Questions", "Open", "Closed", "Words/min")]
    for sp in stats.speakers.values():
        rows.append((
            sp.name or sp.role or sp.id,
            ("≈" if sp.approximate else "") + format_time(sp.talk_seconds),
            ("≈" if sp.approximate else "") + f"{sp.talk_share:.0%}",
            str(sp.turns),
            format_time(sp.longest_turn_seconds),
            str(sp.questions),
            str(sp.open_questions),
            str(sp.closed_questions),
            f"{sp.words_per_minute:.0f}",
        ))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = [title, f"duration {format_time(stats.duration)}, silence {format_time(stats.silence_seconds)}, "
                    f"overlap {stats.overlap_seconds:.1f} s, {stats.turns} turns", ""]
    if english_only_note(stats.language):
        lines[2:2] = [english_only_note(stats.language)]
    for n, row in enumerate(rows):
        cells = [row[0].ljust(widths[0])] + [cell.rjust(widths[i]) for i, cell in enumerate(row) if i]
        lines.append("  ".join(cells))
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    waits = stats.wait_after_questions
    lines.append("")
    if waits.count:
        lines.append(f"wait after questions: median {waits.median_seconds:.1f} s over {waits.count}; "
                     f"{waits.under_3s_share:.0%} under 3 s")
    else:
        lines.append("wait after questions: no answered questions")
    doubtful = stats.moments("doubtful")
    if any(sp.approximate for sp in stats.speakers.values()):
        lines.append(f"≈ rests on uncertain speaker attribution: check the {len(doubtful)} doubtful "
                     f"utterance(s) (! in the app) and give each to its speaker (1-9)")
    monologues = stats.moments("monologues")
    if monologues:
        lines.append(f"monologues over {stats.monologue_seconds:.0f} s: " + ", ".join(m.label for m in monologues))
    return "\n".join(lines) + "\n"
