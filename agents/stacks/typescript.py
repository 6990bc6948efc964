"""What the TypeScript stacks' templates share: filters that turn names and values from the spec
into TypeScript source whose layout Prettier leaves alone, whatever their length.

Prettier never breaks or moves a template literal, so every text taken from the spec is written as
one (on its own `const` line or as a property value), never as an argument beside other code.
"""

from __future__ import annotations

import json
from typing import Any, ClassVar

from agents.generators.naming import article, kebab, lower_first, upper_first, words
from agents.spec import Spec

from .base import Files, Stack, select, under

NODE = "20"  # the Node.js major version the generated Dockerfiles and CI jobs use


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


class NodeStack(Stack):
    """What the Node.js stacks share: CI jobs that install and run the part's `checks` in its folder,
    a README section and .env.example lines from the stack's own `_stack/` templates, and the
    part's files: its template tree plus package.json written from `package()`."""

    checks: ClassVar[tuple[str, ...]]  # the commands CI runs in the part's folder after installing

    def files(self, spec: Spec, scope: list[str]) -> Files:
        core, per_entity = self.tree(spec)
        core["package.json"] = package_json(self.package(spec))
        return under(self.root, select(core, per_entity, scope))

    def package(self, spec: Spec) -> dict[str, Any]:
        """The part's package.json, as data."""
        raise NotImplementedError

    def github_job(self, spec: Spec) -> dict[str, Any]:
        return {
            "runs-on": "ubuntu-latest",
            "defaults": {"run": {"working-directory": self.root}},
            "steps": [
                {"uses": "actions/checkout@v4"},
                {"uses": "actions/setup-node@v4", "with": {"node-version": NODE}},
                *({"run": step} for step in self._ci_steps()),
            ],
        }

    def gitlab_job(self, spec: Spec) -> dict[str, Any]:
        return {"stage": "test", "image": f"node:{NODE}", "script": [f"cd {self.root}", *self._ci_steps()]}

    def _ci_steps(self) -> list[str]:
        return ["npm install --no-audit --no-fund", *self.checks]

    def readme_section(self, spec: Spec) -> str:
        return self.render("_stack/README.md.j2", **self.context(spec))

    def env_example(self, spec: Spec) -> str:
        return self.render("_stack/env.example.j2", **self.context(spec))
