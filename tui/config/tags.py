"""The [tags.<name>] tables: the marking vocabulary, which replaces the built-in one when present.

The schema checks each table; what spans tables (a name or key used twice) is checked here.
"""

from __future__ import annotations

from typing import Any

from tui.config.check import read_table
from tui.config.messages import Blame
from tui.config.schema import Tag, TagTable
from tui.config.values import shown, tag_name_problem


def read_tags(table: dict[str, Any], pre: float, post: float, blame: Blame) -> tuple[Tag, ...]:
    """The tags in file order; ``pre``/``post`` are the [export] rolls a tag does not override."""
    tags: list[Tag] = []
    seen_names: dict[str, str] = {}
    seen_keys: dict[str, str] = {}
    for name, content in table.items():
        where = ("tags", name)
        if not isinstance(content, dict):
            raise blame.fail(where, f"tags.{name} must be a table such as [tags.{name}] with key = \"…\", "
                                    f"not {shown(content)}")
        problem = tag_name_problem(name)
        if problem:
            raise blame.fail(where, f"the tag name {name!r} {problem}")
        if name.casefold() in seen_names:
            raise blame.fail(where, f"tag {name} is listed twice (also as {seen_names[name.casefold()]})")
        seen_names[name.casefold()] = name
        fields = {"pre_roll": pre, "post_roll": post, **read_table(content, TagTable, blame, where)}
        key = fields.get("key", "")
        if key and key in seen_keys:
            raise blame.fail((*where, "key"), f"tags {seen_keys[key]} and {name} both use the key {key!r}")
        if key:
            seen_keys[key] = name
        tags.append(Tag(name, **fields))
    if not tags:
        raise blame.fail(("tags",), "[tags] is empty: list at least one tag, or remove the table to keep "
                                    "the built-in ones")
    return tuple(tags)


