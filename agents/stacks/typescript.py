"""What the TypeScript stacks' templates share: filters that turn names and values from the spec
into TypeScript source whose layout Prettier leaves alone, whatever their length.

Prettier never breaks or moves a template literal, so every text taken from the spec is written as
one (on its own `const` line or as a property value), never as an argument beside other code.
"""

from __future__ import annotations

import json
from typing import Any

from agents.generators.naming import article, kebab, lower_first, upper_first, words


def template_text(text: str) -> str:
    """`text` escaped for the inside of a JavaScript template literal."""
    return text.replace("\\", "\\\\").replace("`", "\\`").replace("${", "\\${")


def template_literal(text: str) -> str:
    """`text` as a JavaScript template literal."""
    return f"`{template_text(text)}`"


def ts_value(value: Any) -> str:
    """A JSON-like Python value as a TypeScript literal (strings as template literals)."""
    if isinstance(value, str):
        return template_literal(value)
    return json.dumps(value)


def package_json(package: dict[str, Any]) -> str:
    """package.json as npm writes it, which is also how Prettier formats it: two-space indents."""
    return json.dumps(package, indent=2, ensure_ascii=False) + "\n"


FILTERS = {
    "tpl": template_literal,
    "ts": ts_value,
    "kebab": kebab,
    "lower_first": lower_first,
    "upper_first": upper_first,
    "words": words,
    "article": article,
}
