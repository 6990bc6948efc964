"""The stacks the generator knows. Adding one is a folder, agents/stacks/<name>/, whose module
defines `STACK` (an instance of agents.stacks.base.Stack), and its name in REGISTERED."""

from __future__ import annotations

from functools import cache
from importlib import import_module
from typing import TYPE_CHECKING

from .base import Stack

if TYPE_CHECKING:
    from agents.spec import Spec

REGISTERED = ("express", "react", "fastapi")


@cache
def stacks() -> dict[str, Stack]:
    return {name: import_module(f"agents.stacks.{name}").STACK for name in REGISTERED}


def get_stack(name: str) -> Stack:
    try:
        return stacks()[name]
    except KeyError:
        raise KeyError(f"unknown stack {name!r}; known stacks: {', '.join(sorted(stacks()))}") from None


def chosen_stacks(spec: Spec) -> list[Stack]:
    """The stacks building this project, one for each part it has (Spec.parts), back end first."""
    return [get_stack(getattr(spec.stack, part)) for part in spec.parts]


def stacks_for(part: str) -> dict[str, Stack]:
    """The registered stacks of one part ("backend" or "frontend"), by name."""
    return {name: stack for name, stack in stacks().items() if stack.part == part}
