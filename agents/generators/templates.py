"""Fixed files of the generated projects, kept as real files under templates/ so they read as code."""

from __future__ import annotations

import json
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


def package_lock(template: str, package_json: str) -> str:
    """The half's lockfile for this package.json: the dependencies are the same for every project,
    so one resolved tree serves all; only the name differs. Shipping it makes `npm install` fetch
    versions known to work together, not whatever the registry offers on the day. (Not `npm ci`:
    the registry it was resolved against lacks some other platforms' optional binaries, which
    `npm install` adds where they are needed and `npm ci` would refuse as missing.)"""
    lock = json.loads(_read(template))
    name = json.loads(package_json)["name"]
    lock["name"] = lock["packages"][""]["name"] = name
    return json.dumps(lock, indent=2) + "\n"
