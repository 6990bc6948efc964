"""What a stack is: one part of a generated project (a back end or a front end) in one technology,
with everything that technology needs known in its own folder.

A stack's folder holds `templates/`, a Jinja2 tree laid out as the part's files are, and a module
defining a `Stack` subclass. Template paths are templates too: a path segment that renders empty
drops the file (`{% if spec.auth %}auth.ts{% endif %}.j2`), and a path naming `entity` is rendered
once per entity (`src/routes/{{ entity.plural }}.ts.j2`) — those are the files a task scoped to
one entity writes. Files ending in `.j2` are rendered with StrictUndefined (a missing value is an
error); any other file is copied as it is. Templates under `_stack/` are not files of the part:
the stack renders them itself for the other agents (its README section, Dockerfile, a journey test).

A deployment may replace any template: each folder of the GENERATOR_TEMPLATE_DIRS setting is
searched first, as `<dir>/<stack name>/<template path>`.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, ClassVar, Literal

import jinja2

from agents.spec import Entity, Feature, Spec

Files = dict[str, str]
Part = Literal["backend", "frontend"]
CORE = "core"  # the scope naming a part's shared files, as opposed to one entity's
TEMPLATE_SUFFIX = ".j2"
OWN_TEMPLATES = "_stack/"  # templates a stack renders itself, outside its part's file tree


def template_dirs_setting() -> tuple[str, ...]:
    """The deployment's override folders, from Django's settings when configured, else the environment."""
    from django.conf import settings

    if settings.configured:
        return tuple(getattr(settings, "GENERATOR_TEMPLATE_DIRS", ()))
    return tuple(p for p in os.environ.get("GENERATOR_TEMPLATE_DIRS", "").split(",") if p)


def template_environment(
    name: str, folder: Path, overrides: tuple[str, ...], filters: dict[str, Any]
) -> jinja2.Environment:
    """The Jinja2 environment of one template tree (`folder`), searched after each override folder's
    `<dir>/<name>/`; a missing value is an error (StrictUndefined), never an empty string."""
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(Path(d) / name) for d in overrides] + [str(folder)]),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,
    )
    environment.filters.update(filters)
    return environment


@cache
def _environment(stack: type[Stack], overrides: tuple[str, ...]) -> jinja2.Environment:
    return template_environment(stack.name, stack.folder / "templates", overrides, stack.filters)


@cache
def _path_template(environment: jinja2.Environment, path: str) -> jinja2.Template:
    """A templated file path, compiled once: paths are rendered once per entity on every generation."""
    return environment.from_string(path)


class Stack:
    """One part of the generated project in one technology. Subclasses live in agents/stacks/<name>/."""

    name: ClassVar[str]  # the spec's value for this stack and its folder's name
    part: ClassVar[Part]
    label: ClassVar[str]  # for people: the framework, language and database, with major versions
    root: ClassVar[str]  # the folder of the generated project it writes: "backend" or "frontend"
    language: ClassVar[Literal["typescript", "python"]]  # decides which real formatter checks its files
    role: ClassVar[str]  # what the agent writing this part tells a model it writes
    reserved_names: ClassVar[frozenset[str]] = frozenset()  # entity names that clash with this stack's own names
    # Lower-case words in a request (or re-plan feedback) that ask for this stack: its language, its frameworks.
    asked_for_by: ClassVar[tuple[str, ...]] = ()
    folder: ClassVar[Path]  # set by subclasses: Path(__file__).parent
    filters: ClassVar[dict[str, Callable[..., Any]]] = {}  # Jinja2 filters its templates use, e.g. string quoting

    # --- the template tree -------------------------------------------------------------------

    @property
    def environment(self) -> jinja2.Environment:
        return _environment(type(self), template_dirs_setting())

    def render(self, template: str, **context: Any) -> str:
        """One template of this stack (a path under its templates/), rendered with `context`."""
        return self.environment.get_template(template).render(**context)

    def source(self, template: str) -> str:
        """One file of this stack's templates/ as it is, not rendered (a file without the .j2 suffix)."""
        return self.environment.loader.get_source(self.environment, template)[0]

    def context(self, spec: Spec) -> dict[str, Any]:
        """What every template of this stack sees; subclasses add their own names."""
        return {"spec": spec, "stack": self}

    def tree(self, spec: Spec, prefix: str = "") -> tuple[Files, dict[str, Files]]:
        """The rendered tree under `prefix` (a folder of templates/, "" for all): the shared files,
        and each entity's files by entity name. Output paths are relative to the part's root."""
        context = self.context(spec)
        core: Files = {}
        per_entity: dict[str, Files] = {e.name: {} for e in spec.entities}
        for template in self.environment.list_templates():
            if template.startswith(OWN_TEMPLATES) or (prefix and not template.startswith(prefix)):
                continue
            if "entity" in template:
                for entity in spec.entities:
                    self._render_into(per_entity[entity.name], template, context | {"entity": entity})
            else:
                self._render_into(core, template, context)
        return core, per_entity

    def _render_into(self, files: Files, template: str, context: dict[str, Any]) -> None:
        path = _path_template(self.environment, template).render(**context) if "{" in template else template
        if any(not segment for segment in path.split("/")) or path.endswith("/" + TEMPLATE_SUFFIX):
            return  # a segment rendered empty: this file is not wanted for this spec
        if path.endswith(TEMPLATE_SUFFIX):
            files[path.removesuffix(TEMPLATE_SUFFIX)] = self.render(template, **context)
        else:
            files[path] = self.source(template)

    # --- what the agents ask of a stack --------------------------------------------------------

    def files(self, spec: Spec, scope: list[str]) -> Files:
        """The part's code with its own tests, limited to `scope` (see select), paths from the project root."""
        raise NotImplementedError

    def journey_files(self, spec: Spec) -> Files:
        """What the tests agent adds: a person's journey through the whole app, end to end."""
        return {}

    def criteria_files(self, spec: Spec) -> Files:
        """Back ends: what the tests agent adds for the acceptance criteria (agents/criteria.py), paths
        from the project root: for each criterion a test can prove, tests tagged with its id."""
        return {}

    def feature_area(self, spec: Spec, feature: Feature) -> tuple[str, ...]:
        """The folders (paths from the project root, each ending in "/") where a feature's task writes
        its files and tests in this part. The part's core files discover what is there (its extension
        points), so a feature is new files only and never edits a file another task wrote."""
        raise NotImplementedError

    def feature_guide(self, spec: Spec, feature: Feature) -> str:
        """For a model's prompt: how a feature plugs into this part (the files it writes, what they
        export, what it may import, how its tests are named and tagged with criterion ids)."""
        raise NotImplementedError

    def devops_files(self, spec: Spec) -> Files:
        """The part's Dockerfile and friends, paths from the project root."""
        raise NotImplementedError

    def compose_service(self, spec: Spec) -> dict[str, Any]:
        """The part's docker-compose service, as data (the devops agent dumps it as YAML)."""
        raise NotImplementedError

    def github_job(self, spec: Spec) -> dict[str, Any]:
        """The part's GitHub Actions job, as data."""
        raise NotImplementedError

    def gitlab_job(self, spec: Spec) -> dict[str, Any]:
        """The part's GitLab CI job, as data."""
        raise NotImplementedError

    def readme_section(self, spec: Spec) -> str:
        """Markdown for the project README: how to install, run and test this part."""
        raise NotImplementedError

    def env_example(self, spec: Spec) -> str:
        """Lines of the project's .env.example this part reads, with a comment for each."""
        return ""

    def verification(self, files: Files) -> Verification:
        """What the verify stage runs for this part, given the part's files (paths relative to its root)."""
        raise NotImplementedError

    def api_path(self, entity: Entity) -> str:
        """Back ends: the collection URL of an entity's routes. Every back-end stack serves the same
        contract (agents/openapi.py), so they answer the same here."""
        raise NotImplementedError


def select(core: Files, per_entity: dict[str, Files], scope: list[str]) -> Files:
    """Everything for an empty scope; otherwise the shared files when "core" is named, plus the
    files of each named entity. Unknown names select nothing, so a typo cannot write extra files."""
    if not scope:
        chosen = dict(core)
        for files in per_entity.values():
            chosen |= files
        return chosen
    chosen = dict(core) if CORE in scope else {}
    for name in scope:
        chosen |= per_entity.get(name, {})
    return chosen


def under(root: str, files: Files) -> Files:
    return {f"{root}/{path}": text for path, text in files.items()}


# --- what the verify stage runs -------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """One check of a part: a shell command run in the part's folder, with no network."""

    name: str  # what people read after the part's name: "types", "lint", "tests", "build"
    command: str
    counts: str = ""  # the test runner whose summary line gives the counts: "jest", "vitest" or "pytest"
    # Where the command's test runner writes its report, test by test (agents/test_reports.py): a path
    # from the part's folder, outside it, so that the part's own lint and format checks never see it.
    report: str = ""


def report_path(part: str, suffix: str) -> str:
    """Where a part's test report goes: beside the part's folder, named for the part."""
    return f"../.{part}-tests.{suffix}"


@dataclass(frozen=True)
class Verification:
    """How the verify stage installs, checks and serves one part of a generated project."""

    tree: str  # the installed dependency tree: "node_modules" (in the part's folder) or "venv" (beside it)
    install_key: str  # identifies the tree: a hash of the lockfile (or dependency list) and the runtime
    install: str  # the command that installs the tree (the only one with network); {venv} names a venv's folder
    steps: tuple[Step, ...]
    prepare: tuple[str, ...] = ()  # run once the tree is in place, before the steps (generated clients)
    migrate: str = ""  # back ends: create the contract check's database
    serve: str = ""  # back ends: start the built server on $PORT, for the contract check
    env: tuple[tuple[str, str], ...] = ()  # what every command of the part is given (a JWT secret, a database)


def digest(*parts: str) -> str:
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:32]
