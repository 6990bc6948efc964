"""The planner that needs no model: it reads the request through extract_spec and fits the plan to it.

The shape: the architect writes the spec and API contract first; the backend follows (one task,
or with four or more entities a core task and then one task per resource, so resources are
built in parallel); a frontend only when the request wants one; tests after the code they test;
docs and devops from the contract, in parallel with the code.
"""

from __future__ import annotations

import re

from agents.extraction import FEEDBACK_PREFIX, SWITCHES, apply_options, extract_spec
from agents.spec import Entity, Spec

from .plans import Plan, PlanTask, validate_plan

PER_RESOURCE_FROM = 4  # entities; from here on each resource gets its own backend task


def offline_plan(request: str, *, feedback: str = "", options: dict | None = None) -> Plan:
    """A validated plan for `request`; `feedback` (when re-planning) is read as part of the request,
    and `options` (the project's stack choices) override what the request suggests."""
    chosen = {name: value for name, value in (options or {}).items() if name in SWITCHES}
    spec = apply_options(extract_spec(f"{request}\n{feedback}" if feedback.strip() else request), chosen)
    tasks = [_architect(spec, feedback)]
    backend_keys = _backend(spec, tasks)
    if spec.frontend:
        tasks.append(_task("frontend", "Build the web frontend", "frontend", _frontend_instructions(spec), ["spec"]))
    code_keys = backend_keys + (["frontend"] if spec.frontend else [])
    tasks.append(_task("tests", "Add end-to-end tests", "tests", _tests_instructions(spec), code_keys))
    tasks.append(_task("docs", "Write the README and API reference", "docs", _docs_instructions(spec), ["spec"]))
    tasks.append(_task("devops", "Add Docker and CI", "devops", _devops_instructions(spec), ["spec"]))
    return validate_plan({"reasoning": _reasoning(spec, feedback, chosen), "tasks": [t.model_dump() for t in tasks]})


def _task(key: str, title: str, agent: str, instructions: str, depends_on: list[str], scope: list[str] | None = None) -> PlanTask:
    return PlanTask(key=key, title=title, agent=agent, instructions=instructions, depends_on=depends_on, scope=scope or [])


def _architect(spec: Spec, feedback: str) -> PlanTask:
    instructions = (
        f"Write spec/spec.json and spec/openapi.json for {spec.title!r}: {_entity_list(spec)}."
        f"{' Users register and log in; writes need a token.' if spec.auth else ' No accounts: the app is public.'}"
    )
    for line in feedback.splitlines():
        if line.strip():
            instructions += f"\n{FEEDBACK_PREFIX}{line.strip()}"
    return _task("spec", "Design the data model and API contract", "architect", instructions, [])


def _backend(spec: Spec, tasks: list[PlanTask]) -> list[str]:
    """Add the backend task(s); return their keys."""
    if len(spec.entities) < PER_RESOURCE_FROM:
        tasks.append(_task("backend", "Build the API", "backend", _backend_instructions(spec), ["spec"]))
        return ["backend"]
    core = (
        "Build the shared backend: Express app, Prisma schema and initial migration for every entity, "
        f"{'JWT register and login, ' if spec.auth else ''}error handling, and the router that mounts each resource."
    )
    tasks.append(_task("backend-core", "Build the API core", "backend", core, ["spec"], ["core"]))
    keys = ["backend-core"]
    for entity in spec.entities:
        key = f"backend-{_kebab(entity.name)}"
        title = f"Build the {entity.label.lower()} API"
        tasks.append(_task(key, title, "backend", _resource_instructions(spec, entity), ["backend-core"], [entity.name]))
        keys.append(key)
    return keys


def _backend_instructions(spec: Spec) -> str:
    return (
        f"Express + TypeScript + Prisma backend with CRUD routes, zod validation and Jest tests for {_names(spec.entities)}"
        f"{'; JWT register/login protects every write' if spec.auth else ''}."
    )


def _resource_instructions(spec: Spec, entity: Entity) -> str:
    fields = ", ".join(f"{f.name} ({f.type})" for f in entity.fields)
    links = f"; belongs to {_names([spec.entity(r.target) for r in entity.relations])}" if entity.relations else ""
    return f"CRUD routes, zod validation and Jest tests for /{entity.plural}: {fields}{links}."


def _frontend_instructions(spec: Spec) -> str:
    auth = "register and login pages, " if spec.auth else ""
    pages = f"a list/create/edit/delete page for {_names(spec.entities)}"
    return f"React + TypeScript + Tailwind app: {auth}{pages}, through a typed API client."


def _tests_instructions(spec: Spec) -> str:
    extra = " Include PyTest tests, since the request asks for Python." if spec.python else ""
    return f"End-to-end API tests that walk through {_names(spec.entities)} as a user would.{extra}"


def _docs_instructions(spec: Spec) -> str:
    return f"README for {spec.title} (what it is, how to run it, its environment variables) and docs/API.md from the contract."


def _devops_instructions(spec: Spec) -> str:
    halves = "backend and frontend" if spec.frontend else "backend"
    return f"Multi-stage Dockerfiles running as non-root, docker-compose.yml, and CI that lints and tests the {halves}."


def _reasoning(spec: Spec, feedback: str, chosen: dict) -> str:
    found = [f"I read the request as {spec.title!r} and found {_count(spec)} to store: {_entity_list(spec)}."]
    found += spec.not_built  # said before Run, so nobody expects what offline mode cannot build
    if feedback.strip():
        notes = "; ".join(line.strip() for line in feedback.splitlines() if line.strip())
        found.append(f"The feedback was read together with the request: \u201c{notes}\u201d.")
    found.append(_auth_sentence(spec.auth, chosen=("auth" in chosen)))
    found.append(_frontend_sentence(spec.frontend, chosen=("frontend" in chosen)))
    if spec.python:
        why = "The team asked for Python tests" if "python" in chosen else "It mentions Python"
        found.append(f"{why}, so the tests include PyTest.")
    if len(spec.entities) >= PER_RESOURCE_FROM:
        shape = (
            f"With {len(spec.entities)} entities the backend is split: a core task builds the shared parts, "
            "then one task per resource builds its routes and tests, in parallel."
        )
    else:
        shape = f"With {len(spec.entities)} entit{'y' if len(spec.entities) == 1 else 'ies'} one backend task builds the whole API."
    found.append(
        "The architect writes the spec and API contract first, because every other agent reads it. "
        f"{shape} Docs and devops work from the contract alongside the code; tests run last, against the finished code."
    )
    return " ".join(found)


def _auth_sentence(auth: bool, *, chosen: bool) -> str:
    if chosen:
        return "The team chose accounts: users sign up and log in." if auth else "The team chose no accounts, so there is no login."
    return "Users sign up and log in, and only they can change data." if auth else "Nothing in it needs accounts, so there is no login."


def _frontend_sentence(frontend: bool, *, chosen: bool) -> str:
    if chosen:
        return "The team chose a website, so there is a frontend task." if frontend else "The team chose an API only, so no frontend task."
    if frontend:
        return "It asks for a web app, so there is a frontend task."
    return "It asks for an API only, so the plan has no frontend task."


def _count(spec: Spec) -> str:
    return "one kind of record" if len(spec.entities) == 1 else f"{len(spec.entities)} kinds of record"


def _entity_list(spec: Spec) -> str:
    parts = []
    for entity in spec.entities:
        links = f", linked to {_names([spec.entity(r.target) for r in entity.relations])}" if entity.relations else ""
        parts.append(f"{entity.name} ({', '.join(f.name for f in entity.fields)}{links})")
    return "; ".join(parts)


def _names(entities: list[Entity]) -> str:
    names = [e.name for e in entities]
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def _kebab(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "-", name).lower()
