"""One result row, the shape every benchmark returns and bench/run.py prints."""

from __future__ import annotations


def row(name: str, figure: float | None, unit: str, baseline: float | None = None, baseline_label: str = "",
        target: str = "", met: bool | None = None, details: dict | None = None, ratio: float | None = None) -> dict:
    """``ratio`` defaults to figure / baseline, measured in the same run; no figure: a suite that did not run."""
    if ratio is None and figure is not None and baseline:
        ratio = figure / baseline
    return {"benchmark": name, "figure": figure, "unit": unit, "baseline": baseline, "baseline_label": baseline_label,
            "ratio": ratio, "target": target, "met": met, "details": details or {}}
