"""README.md and docs/API.md of a generated project: a shared introduction followed by each chosen
stack's own section, and the API reference read from the OpenAPI contract."""

from __future__ import annotations

from typing import Any

from agents.openapi import list_parameters, summary_description, summary_path
from agents.spec import Spec
from agents.stacks import get_stack

from .devops import chosen_stacks
from .templates import render

METHODS = ("get", "post", "put", "delete")


def readme(spec: Spec) -> str:
    stacks = chosen_stacks(spec)
    api_paths = {e.name: get_stack(spec.stack.backend).api_path(e) for e in spec.entities}
    return render("README.md.j2", spec=spec, stacks=stacks, sections=[s.readme_section(spec) for s in stacks],
                  api_paths=api_paths, lookups={e.name: list_parameters(e) for e in spec.entities},
                  summaries=[(s, summary_path(s), _first_sentence(summary_description(spec, s))) for s in spec.summaries])


def _first_sentence(text: str) -> str:
    """What a summary counts; the rules every summary shares are said once, above the table."""
    return text.split(". ", 1)[0] + "."


def api_reference(contract: dict[str, Any]) -> str:
    return render(
        "API.md.j2",
        info=contract.get("info", {}),
        paths=contract.get("paths", {}),
        schemas=contract.get("components", {}).get("schemas", {}),
        methods=METHODS,
    )


def docs_files(spec: Spec, contract: dict[str, Any]) -> dict[str, str]:
    return {"README.md": readme(spec), "docs/API.md": api_reference(contract)}
