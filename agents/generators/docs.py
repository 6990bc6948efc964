"""README.md and docs/API.md of a generated project: a shared introduction followed by each chosen
stack's own section, and the API reference read from the OpenAPI contract."""

from __future__ import annotations

from typing import Any

from agents.spec import Spec

from .devops import chosen_stacks
from .templates import render

METHODS = ("get", "post", "put", "delete")


def readme(spec: Spec) -> str:
    stacks = chosen_stacks(spec)
    return render("README.md.j2", spec=spec, stacks=stacks, sections=[s.readme_section(spec) for s in stacks])


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
