"""One piece of the document through the schema: msgspec checks it, then the refine functions.

Only keys the user wrote come back, so the loader knows which settings the file chose.
"""

from __future__ import annotations

from typing import Any

import msgspec

from tui.config.messages import Blame, Problem, dotted
from tui.config.schema import meta_of
from tui.config.values import Invalid


def read_table(content: dict[str, Any], kind: type[msgspec.Struct], blame: Blame,
               where: tuple[str, ...]) -> dict[str, Any]:
    """The keys of one [table] the file sets, checked and refined."""
    table = _convert(content, kind, blame, where, "")
    out: dict[str, Any] = {}
    for item in msgspec.structs.fields(kind):
        if item.name in content:
            out[item.name] = _refine(getattr(table, item.name), item.type, blame, (*where, item.name), "")
    return out


def read_value(value: object, kind: object, blame: Blame, where: tuple[str, ...], label: str) -> Any:
    """One value against an ``Annotated`` type; ``label`` names it in the message."""
    return _refine(_convert(value, kind, blame, where, label), kind, blame, where, label)


def _convert(value: object, kind: Any, blame: Blame, where: tuple[str, ...], label: str) -> Any:
    try:
        return msgspec.convert(value, kind)
    except msgspec.ValidationError as exc:
        problem = Problem(exc, kind)
        spot = (*where, *problem.names)
        name = problem.unknown_field
        if name is not None:
            raise blame.unknown((*spot, name), problem.known_fields()) from None
        raise blame.fail(spot, f"{label or dotted(spot)} must {problem.must(value)}") from None


def _refine(value: Any, kind: object, blame: Blame, where: tuple[str, ...], label: str) -> Any:
    meta = meta_of(kind)
    refine = (meta.extra or {}).get("refine") if meta is not None else None
    if refine is None or value is None:
        return value
    try:
        return refine(value)
    except Invalid as exc:
        raise blame.fail(where, f"{label or dotted(where)} must {exc}") from None
