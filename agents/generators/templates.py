"""The Jinja2 environment of the project files no one stack owns (templates/ beside this module):
README.md and docs/API.md. A deployment overrides them like a stack's, as
`<dir>/project/<template path>` in a folder of GENERATOR_TEMPLATE_DIRS."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import jinja2

from agents.stacks.base import template_dirs_setting, template_environment

NAME = "project"


@cache
def _environment(overrides: tuple[str, ...]) -> jinja2.Environment:
    filters = {
        "cell": cell,
        "schema_text": schema_text,
        "json": lambda value: json.dumps(value, indent=2, ensure_ascii=False),
    }
    return template_environment(NAME, Path(__file__).parent / "templates", overrides, filters)


def cell(text: str) -> str:
    """Text that fits in a Markdown table cell."""
    return text.replace("|", "\\|").replace("\n", " ")


def schema_text(schema: dict[str, Any]) -> str:
    """A JSON Schema in a few words: `Team`, list of `Team`, `string or null`."""
    if "$ref" in schema:
        return f"`{schema['$ref'].rsplit('/', 1)[-1]}`"
    if schema.get("type") == "array":
        return f"list of {schema_text(schema.get('items', {}))}"
    if "allOf" in schema:
        return "part of " + " and ".join(schema_text(s) for s in schema["allOf"])
    kind = schema.get("type", "object")
    return f"`{' or '.join(kind) if isinstance(kind, list) else kind}`"


def render(template: str, **context: Any) -> str:
    return _environment(template_dirs_setting()).get_template(template).render(**context)
