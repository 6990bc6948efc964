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

from .base import Files, Stack, Step, Verification, digest, select, under

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

    # The verify stage's checks after the install, in order, and what a back end needs to serve.
    verify_steps: ClassVar[tuple[Step, ...]]
    prepare: ClassVar[tuple[str, ...]] = ()
    migrate: ClassVar[str] = ""
    serve: ClassVar[str] = ""
    verify_env: ClassVar[tuple[tuple[str, str], ...]] = ()

    def verification(self, files: Files) -> Verification:
        """`npm ci` from the lockfile (npm install without one, or when package.json asks for packages
        the lockfile does not hold: a feature's), then the part's steps. The tree is keyed by the
        lockfile without the package's own name and version, which differ per project."""
        lockfile = files.get("package-lock.json")
        if lockfile is None:
            key, install = (
                digest(self.name, "no lockfile", files.get("package.json", "")),
                "npm install --no-audit --no-fund",
            )
        elif added := _not_locked(files.get("package.json", ""), lockfile):
            # npm ci refuses a package.json its lockfile does not match; npm install keeps what the
            # lockfile pins and adds the rest.
            key, install = (
                digest(self.name, NODE, _dependency_tree(lockfile), *added),
                "npm install --no-audit --no-fund",
            )
        else:
            key, install = digest(self.name, NODE, _dependency_tree(lockfile)), "npm ci --no-audit --no-fund"
        return Verification(
            tree="node_modules",
            install_key=key,
            install=install,
            steps=self.verify_steps,
            prepare=self.prepare,
            migrate=self.migrate,
            serve=self.serve,
            env=self.verify_env,
        )

    def _ci_steps(self) -> list[str]:
        return ["npm install --no-audit --no-fund", *self.checks]

    def readme_section(self, spec: Spec) -> str:
        return self.render("_stack/README.md.j2", **self.context(spec))

    def env_example(self, spec: Spec) -> str:
        return self.render("_stack/env.example.j2", **self.context(spec))


def _not_locked(package: str, lockfile: str) -> list[str]:
    """The dependencies package.json asks for ("name@range") that the lockfile's own root does not
    list with that range; none when either file is not JSON (the install then says what is wrong)."""
    try:
        wanted, root = json.loads(package), json.loads(lockfile)["packages"][""]
        return sorted(
            f"{name}@{version}"
            for field in ("dependencies", "devDependencies")
            for name, version in wanted.get(field, {}).items()
            if root.get(field, {}).get(name) != version
        )
    except (ValueError, KeyError, TypeError, AttributeError):
        return []


def _dependency_tree(lockfile: str) -> str:
    """The lockfile as text, without the root package's name and version (the same tree for every
    project); the text as it is when it is not JSON (npm ci then says what is wrong)."""
    try:
        lock = json.loads(lockfile)
        lock.pop("name", None)
        lock.pop("version", None)
        root = lock.get("packages", {}).get("", {})
        root.pop("name", None)
        root.pop("version", None)
        return json.dumps(lock, sort_keys=True)
    except (ValueError, AttributeError):
        return lockfile
