"""The planner that needs no model: it reads the request through extract_spec and fits the plan to it.

planned_spec is where a plan version's spec is computed, once, for either planner: the request
and the feedback so far, read by the extractor, with the team's choices applied. Every task's
instructions name the stacks through their labels, so a new stack needs no change here.

The shape: the architect writes the spec and API contract first; the backend follows (one task,
or with four or more entities a core task and then one task per resource, so resources are
built in parallel); a frontend only when the request wants one; tests after the code they test;
docs and devops from the contract, in parallel with the code; and last the verify task, which builds
and tests everything the code tasks wrote. An app of website features only (a converter) keeps no
records and nobody logs in: it has no back end, so no backend task and no API contract.

With a model, each feature of the spec is its own task (`features=True`), after the tasks that
write the parts it plugs into and before verify; offline there is no model to build a feature, so
offline plans have none.
"""

from __future__ import annotations

import re

from agents.criteria import carry_criteria
from agents.extraction import apply_options, asked_backend, chosen_options, extract_spec
from agents.feature import FeatureAgent
from agents.generators.naming import normalise_spec
from agents.spec import Entity, Feature, Spec, StackChoice
from agents.stacks import get_stack

from .plans import Plan, PlanTask, validate_plan

PER_RESOURCE_FROM = 4  # entities; from here on each resource gets its own backend task


def planned_spec(
    request: str,
    *,
    feedback: str = "",
    options: dict | None = None,
    stack: StackChoice | None = None,
    previous: Spec | None = None,
) -> Spec:
    """The spec of a plan version: `request` and `feedback` (every re-plan's so far, one per line)
    read together, `stack` (the stacks chosen earlier) kept, and the project's `options` taking
    precedence over both; with the acceptance criteria it implies, and those the team wrote or
    reworded in `previous` (the version it follows) carried over."""
    spec = extract_spec(f"{request}\n{feedback}" if feedback.strip() else request)
    if stack is not None:
        spec = spec.model_copy(update={"stack": stack})
    spec = normalise_spec(apply_options(spec, options or {}))
    return spec.model_copy(update={"criteria": carry_criteria(spec, previous)})


def offline_plan(
    request: str, *, feedback: str = "", options: dict | None = None, previous: Spec | None = None
) -> tuple[Plan, Spec]:
    """A validated plan for `request`, and the spec it was fitted to. `feedback` (when re-planning)
    is read as part of the request; the stacks of `previous` (the current version's spec) are
    kept unless the feedback asks for another language or `options` (the project's choices) name
    one; options override what the request suggests."""
    text = f"{request}\n{feedback}"
    keep = previous.stack if previous is not None and asked_backend(text) is None else None
    spec = planned_spec(request, feedback=feedback, options=options, stack=keep, previous=previous)
    chosen = chosen_options(options or {})
    reasoning = _reasoning(spec, feedback, chosen, _backend_sentence(spec, text, chosen, kept=keep is not None))
    return validate_plan({"reasoning": reasoning, "tasks": spec_tasks(spec)}), spec


def spec_tasks(spec: Spec, *, features: bool = False) -> list[dict]:
    """The tasks that build `spec`, in the shape described at the top of this module; with `features`,
    one task per feature of the spec as well."""
    tasks = [_architect(spec)]
    backend_keys = _backend(spec, tasks) if spec.has_backend else []
    frontend_keys = ["frontend"] if spec.frontend else []
    if spec.frontend:
        tasks.append(_task("frontend", "Build the web frontend", "frontend", _frontend_instructions(spec), ["spec"]))
    code_keys = backend_keys + frontend_keys
    tasks.append(_task("tests", "Add end-to-end tests", "tests", _tests_instructions(spec), code_keys))
    tasks.append(_task("docs", _docs_title(spec), "docs", _docs_instructions(spec), ["spec"]))
    tasks.append(_task("devops", "Add Docker and CI", "devops", _devops_instructions(spec), ["spec"]))
    parts = {"backend": backend_keys, "frontend": frontend_keys}
    feature_tasks = [
        feature_task(feature, [key for part in feature.parts for key in parts[part]])
        for feature in (spec.features if features else [])
    ]
    tasks += feature_tasks
    # devops writes each part's Dockerfile
    tasks.append(verify_task(spec, code_keys + ["tests", "devops"] + [task.key for task in feature_tasks]))
    return [task.model_dump() for task in tasks]


FEATURE_AGENT = FeatureAgent.name


def feature_task(feature: Feature, depends_on: list[str]) -> PlanTask:
    """One feature's task, after the tasks that write the parts it plugs into (`depends_on`)."""
    return _task(
        f"feature-{_kebab(feature.name)}",
        f"Build the feature: {feature.title}",
        FEATURE_AGENT,
        feature.text,
        depends_on,
        [feature.name],
    )


def architect_title(spec: Spec) -> str:
    return "Design the data model and API contract" if spec.has_backend else "Describe the app and its features"


VERIFY_TITLE = "Build and test the project"


def verify_task(spec: Spec, depends_on: list[str], key: str = "verify") -> PlanTask:
    """The plan's last stage: build and test what the tasks in `depends_on` wrote."""
    halves = [f"the back end ({_label(spec, 'backend')})"] if spec.has_backend else []
    halves += [f"the website ({_label(spec, 'frontend')})"] if spec.frontend else []
    contract = ", and check the API against its contract" if spec.has_backend else ""
    instructions = (
        f"In a sandbox, install, type-check, lint, test and build {' and '.join(halves)}{contract}; "
        "failures go back to the agent that wrote the files."
    )
    return _task(key, VERIFY_TITLE, "verify", instructions, depends_on)


def _task(
    key: str, title: str, agent: str, instructions: str, depends_on: list[str], scope: list[str] | None = None
) -> PlanTask:
    return PlanTask(
        key=key, title=title, agent=agent, instructions=instructions, depends_on=depends_on, scope=scope or []
    )


def _architect(spec: Spec) -> PlanTask:
    if not spec.has_backend:
        instructions = (
            f"Write spec/spec.json for {spec.title!r}: a website of features only ({_feature_list(spec)}), "
            "with no server, so no API contract."
        )
        return _task("spec", architect_title(spec), "architect", instructions, [])
    instructions = (
        f"Write spec/spec.json and spec/openapi.json for {spec.title!r}: {_entity_list(spec) or 'no records'}."
        f"{' Users register and log in; writes need a token.' if spec.auth else ' No accounts: the app is public.'}"
    )
    return _task("spec", architect_title(spec), "architect", instructions, [])


def _backend(spec: Spec, tasks: list[PlanTask]) -> list[str]:
    """Add the backend task(s); return their keys."""
    if len(spec.entities) < PER_RESOURCE_FROM:
        tasks.append(_task("backend", "Build the API", "backend", _backend_instructions(spec), ["spec"]))
        return ["backend"]
    core = (
        f"Build the shared backend with {_label(spec, 'backend')}: the app, the database schema and initial migration "
        f"for every entity, {'register and login, ' if spec.auth else ''}error handling, and the router that mounts each resource."
    )
    tasks.append(_task("backend-core", "Build the API core", "backend", core, ["spec"], ["core"]))
    keys = ["backend-core"]
    for entity in spec.entities:
        key = f"backend-{_kebab(entity.name)}"
        title = f"Build the {entity.label.lower()} API"
        tasks.append(
            _task(key, title, "backend", _resource_instructions(spec, entity), ["backend-core"], [entity.name])
        )
        keys.append(key)
    return keys


def _backend_instructions(spec: Spec) -> str:
    if not spec.entities:
        return f"{_label(spec, 'backend')} back end with register and login, and tests."
    return (
        f"{_label(spec, 'backend')} back end with CRUD routes, validation and tests for {_names(spec.entities)}"
        f"{'; register/login protects every write' if spec.auth else ''}."
    )


def _resource_instructions(spec: Spec, entity: Entity) -> str:
    fields = ", ".join(f"{f.name} ({f.type})" for f in entity.fields)
    links = f"; belongs to {_names([spec.entity(r.target) for r in entity.relations])}" if entity.relations else ""
    return f"CRUD routes, validation and tests for /{entity.plural}: {fields}{links}."


def _frontend_instructions(spec: Spec) -> str:
    if not spec.has_backend:
        return f"{_label(spec, 'frontend')} app with a page for each feature to plug into ({_feature_list(spec)}); no server to call."
    auth = "register and login pages, " if spec.auth else ""
    pages = f"a list/create/edit/delete page for {_names(spec.entities)}, " if spec.entities else ""
    return f"{_label(spec, 'frontend')} app: {auth}{pages}through a typed API client."


def _tests_instructions(spec: Spec) -> str:
    if not spec.has_backend:
        return (
            "Map each acceptance criterion to the tests that prove it (spec/criteria.json); with no back end there is "
            "no API to walk through."
        )
    if not spec.entities:
        return "End-to-end API tests that register and log in as a user would."
    return f"End-to-end API tests that walk through {_names(spec.entities)} as a user would."


def _docs_title(spec: Spec) -> str:
    return "Write the README and API reference" if spec.has_backend else "Write the README"


def _docs_instructions(spec: Spec) -> str:
    if not spec.has_backend:
        return f"README for {spec.title} (what it is, how to run it): a website with no server, so no API reference."
    return f"README for {spec.title} (what it is, how to run it, its environment variables) and docs/API.md from the contract."


def _devops_instructions(spec: Spec) -> str:
    if not spec.has_backend:
        return (
            "A multi-stage Dockerfile serving the website as non-root, docker-compose.yml, and CI that lints, tests "
            "and builds the website."
        )
    halves = "backend and frontend" if spec.frontend else "backend"
    return f"Multi-stage Dockerfiles running as non-root, docker-compose.yml, and CI that lints and tests the {halves}."


def _reasoning(spec: Spec, feedback: str, chosen: dict, backend: str) -> str:
    if spec.entities:
        found = [f"I read the request as {spec.title!r} and found {_count(spec)} to store: {_entity_list(spec)}."]
    else:
        features = f", only what it does: {_feature_list(spec)}" if spec.features else ""
        found = [f"I read the request as {spec.title!r} and found no records to store{features}."]
    found += spec.not_built  # said before Run, so nobody expects what offline mode cannot build
    if feedback.strip():
        notes = "; ".join(line.strip() for line in feedback.splitlines() if line.strip())
        found.append(f"The feedback was read together with the request: \u201c{notes}\u201d.")
    found.append(_auth_sentence(spec.auth, chosen=("auth" in chosen)))
    found.append(_frontend_sentence(spec.frontend, chosen=("frontend" in chosen)))
    found.append(backend)
    if not spec.has_backend:
        found.append(
            "The architect writes the spec first, because every other agent reads it; with no server there is no API "
            "contract. The frontend task builds the website from the spec. Docs and devops work from the spec alongside "
            "it; tests run last, against the finished code."
        )
        return " ".join(found)
    if len(spec.entities) >= PER_RESOURCE_FROM:
        shape = (
            f"With {len(spec.entities)} entities the backend is split: a core task builds the shared parts, "
            "then one task per resource builds its routes and tests, in parallel."
        )
    elif not spec.entities:
        shape = "With no records to store, one backend task builds the log-ins."
    else:
        shape = f"With {len(spec.entities)} entit{'y' if len(spec.entities) == 1 else 'ies'} one backend task builds the whole API."
    found.append(
        "The architect writes the spec and API contract first, because every other agent reads it. "
        f"{shape} Docs and devops work from the contract alongside the code; tests run last, against the finished code."
    )
    return " ".join(found)


def _backend_sentence(spec: Spec, text: str, chosen: dict, *, kept: bool) -> str:
    if not spec.has_backend:
        return "With nothing to store and no log-ins, it is a website with no server: the plan has no back end and no database."
    label = _label(spec, "backend")
    if "backend" in chosen:
        return f"The team chose the back end: {label}."
    if (asked := asked_backend(text)) is not None:
        return f"It asks for {get_stack(asked).language.capitalize()}, so the back end is {label}."
    if kept:
        return f"The back end stays {label}, as in the current plan."
    return f"The back end is {label}, the default."


def _label(spec: Spec, part: str) -> str:
    return get_stack(getattr(spec.stack, part)).label


def _auth_sentence(auth: bool, *, chosen: bool) -> str:
    if chosen:
        return (
            "The team chose accounts: users sign up and log in."
            if auth
            else "The team chose no accounts, so there is no login."
        )
    return (
        "Users sign up and log in, and only they can change data."
        if auth
        else "Nothing in it needs accounts, so there is no login."
    )


def _frontend_sentence(frontend: bool, *, chosen: bool) -> str:
    if chosen:
        return (
            "The team chose a website, so there is a frontend task."
            if frontend
            else "The team chose an API only, so no frontend task."
        )
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


def _feature_list(spec: Spec) -> str:
    return "; ".join(feature.title for feature in spec.features)


def _names(entities: list[Entity]) -> str:
    names = [e.name for e in entities]
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def _kebab(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "-", name).lower()
