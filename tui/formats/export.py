"""Choosing an export format by name."""

from __future__ import annotations

from collections.abc import Callable

from tui.core.report import SessionReport
from tui.errors import DebriefError
from tui.formats import json_export, markdown

RENDERERS: dict[str, Callable[[SessionReport], str]] = {
    "md": markdown.render,
    "json": json_export.render,
}


def render(fmt: str, report: SessionReport) -> str:
    try:
        renderer = RENDERERS[fmt]
    except KeyError:
        raise DebriefError(f"unknown export format {fmt!r}; choose one of {', '.join(RENDERERS)}") from None
    return renderer(report)
