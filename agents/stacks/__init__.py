"""The stacks the generator knows. Adding one is a folder, agents/stacks/<name>/, whose module
defines `STACK` (an instance of agents.stacks.base.Stack), and its name in REGISTERED."""

from __future__ import annotations

from functools import cache
from importlib import import_module

from .base import Stack

REGISTERED = ("express", "react", "fastapi")


@cache
def stacks() -> dict[str, Stack]:
    return {name: import_module(f"agents.stacks.{name}").STACK for name in REGISTERED}


def get_stack(name: str) -> Stack:
    try:
        return stacks()[name]
    except KeyError:
        raise KeyError(f"unknown stack {name!r}; known stacks: {', '.join(sorted(stacks()))}") from None


def stacks_for(part: str) -> dict[str, Stack]:
    """The registered stacks of one part ("backend" or "frontend"), by name."""
    return {name: stack for name, stack in stacks().items() if stack.part == part}
