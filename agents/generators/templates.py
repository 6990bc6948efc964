"""Fixed files of the generated projects, kept as real files under templates/ so they read as code."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

TEMPLATES = Path(__file__).parent / "templates"
_PLACEHOLDER = re.compile(r"%%([A-Z_]+)%%")


@cache
def _read(name: str) -> str:
    return (TEMPLATES / name).read_text(encoding="utf-8")


def render(name: str, **values: str) -> str:
    """The template `name` with every %%KEY%% replaced; a missing value is a bug, so it raises."""
    return _PLACEHOLDER.sub(lambda m: values[m.group(1)], _read(name))

