"""The agents a plan may name. Each agent module registers itself; get_agent loads them all: ours,
then the modules settings.AGENTS_EXTRA names (the tests' `agents.probe`, which production never loads)."""

from __future__ import annotations

import functools
import importlib

from django.conf import settings

from .base import Agent

_AGENTS: dict[str, Agent] = {}

AGENT_MODULES = ["architect", "backend", "frontend", "testing", "docs", "devops", "feature", "verify"]


def register(cls: type[Agent]) -> type[Agent]:
    _AGENTS[cls.name] = cls()
    return cls


def _load() -> None:
    _import(tuple(settings.AGENTS_EXTRA))


@functools.cache
def _import(extra: tuple[str, ...]) -> None:
    """Import (and so register) our agents and the extra ones, once per process and list of extras:
    every task looks its agent up, and importing a dozen modules again each time showed in its cost."""
    for module in [f"agents.{name}" for name in AGENT_MODULES] + list(extra):
        importlib.import_module(module)


def get_agent(name: str) -> Agent:
    _load()
    try:
        return _AGENTS[name]
    except KeyError:
        raise KeyError(f"unknown agent {name!r}; known agents: {', '.join(sorted(_AGENTS))}") from None


def listed_agents() -> dict[str, Agent]:
    """The agents a planner may put in a plan, by name."""
    _load()
    return {name: agent for name, agent in sorted(_AGENTS.items()) if agent.listed}
