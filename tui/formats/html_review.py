"""The export page's reviewer mode: what the page tells its script, and the policy that lets it run.

Only a single-session page offers it (a feedback file answers one session). The script is
allowed by the SHA-256 of its exact text in the Content-Security-Policy, computed here at
render time, so nothing else inline or fetched could ever run.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Sequence
from html import escape

from tui.core.feedback import FEEDBACK_TAGS, MAX_TAG
from tui.core.model import DEFAULT_TAG
from tui.core.report import SessionReport
from tui.core.safe_text import tag_problem
from tui.formats.html_review_script import CSS, SCRIPT
from tui.formats.scope import shareable_marks

assert "</script" not in SCRIPT.lower()

BASE_POLICY = ("default-src 'none'; style-src 'unsafe-inline'; media-src data:; img-src data:; base-uri 'none'; "
               "form-action 'none'")


def script_hash() -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(SCRIPT.encode("utf-8")).digest()).decode("ascii")


def policy(with_script: bool) -> str:
    """The page's CSP: nothing may be fetched; with the reviewer mode, exactly one inline script may run."""
    return f"{BASE_POLICY}; script-src '{script_hash()}'" if with_script else BASE_POLICY


def vocabulary(report: SessionReport, tags: Sequence[str] = ()) -> list[str]:
    """The tags a mentor may choose: the configured ones, the feedback words (try-instead…), those in use."""
    seen: dict[str, str] = {}
    for tag in [*tags, *FEEDBACK_TAGS, *(m.tag for m in shareable_marks(report)), DEFAULT_TAG]:
        tag = tag.strip()
        if tag and len(tag) <= MAX_TAG and tag_problem(tag) is None:
            seen.setdefault(tag.casefold(), tag)
    return list(seen.values())


def main_attributes(report: SessionReport, tags: Sequence[str] = ()) -> str:
    """``<main>``'s attributes for the script: the session's content id, title and tag vocabulary."""
    info = report.info
    words = json.dumps(vocabulary(report, tags), ensure_ascii=True)
    return (f' data-session-id="{escape(info.id)}" data-title="{escape(info.title or "Session")}"'
            f' data-tags="{escape(words)}"')


def style() -> str:
    return CSS


def script_element() -> str:
    return f"<script>{SCRIPT}</script>"
