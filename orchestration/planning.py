"""A project's request (and, when re-planning, the team's feedback) becomes a new PlanVersion.

Each version stores the spec its plan was made for, computed here once (offline_planner.planned_spec):
the offline planner fits its plan to it; a model writes the plan and chooses the stacks, and the
spec drawn from the request is its starting point. An edit of the tasks keeps its parent's spec.

plan_project does it now; request_plan does it on a worker and records the outcome on the
project; edit_plan stores a person's changes to the tasks, and edit_spec their changes to the
data model, as a new, validated version. Versions are never changed once saved: every plan is a
new number.
"""

from __future__ import annotations

import json
import logging
import time
from typing import NamedTuple

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Max
from django_q.tasks import async_task
from pydantic import Field, ValidationError

from agents.criteria import CRITERIA_GUIDE, carry_criteria, criteria_problems
from agents.extraction import chosen_options
from agents.generators.naming import normalise_spec
from agents.providers import ProviderError, generate, get_provider
from agents.registry import listed_agents
from agents.spec import MAX_CRITERIA, MAX_FEATURES, SPEC_GUIDE, Criterion, Feature, Spec, StackChoice
from agents.spec_words import built_features
from agents.stacks import stacks_for
from autodevos_site.logs import log_context
from projects.models import Project

from .models import LLMCall, PlanSource, PlanVersion
from .offline_planner import FEATURE_AGENT, offline_plan, planned_spec, spec_tasks
from .plan_checks import check_runnable
from .plan_diff import normalise_tasks
from .plans import MAX_REASONING, MAX_TASKS, Plan, PlanInvalid, validate_plan
from .spec_diff import spec_changes
from .usage import llm_context

logger = logging.getLogger(__name__)

UNEXPECTED_FAILURE = "Planning stopped because of an unexpected error on our side. Try again; if it keeps happening, tell an administrator."
QUEUE_UNREACHABLE = "Planning could not be started because the task queue is unreachable. Try again in a moment."

SYSTEM_PROMPT = """You are the planner of AutoDevOS, which turns a plain-language request into a working project.
Break the request into a plan: a small DAG of tasks, each done by one agent. Answer with JSON only.

Agents (use these names exactly):
{agents}

Stacks (the "stack" of your answer names one for each part; use these names exactly):
{stacks}

Rules:
- 1 to {max_tasks} tasks. Each task has a unique key: a short slug (lower-case letters, digits, dashes).
- depends_on lists the keys of tasks that must finish first; no task depends on itself; no cycles.
- The architect task comes first (it writes the spec and API contract that every other agent reads).
- Always include tests, docs and devops tasks. Include a frontend task only if the request wants a user interface.
- End with one verify task that depends on every task writing code (backend, frontend, tests): it builds and tests the project.
- scope: [] for the whole project, ["core"] for shared backend files, or [EntityName] for one entity's files.
  For four or more entities, use one backend task with scope ["core"] and one backend task per entity after it.
- timeout_s: null unless a task needs a specific limit in seconds.
- stack: the team's stack choices stand. Otherwise pick the back end in the language the request asks for
  (for example "in Python"); when re-planning, keep the current stacks unless the feedback asks otherwise.
- Scope entity tasks by the entity names of the spec you are given; a summary lives with its entity's task.
- features: the behaviour beyond records the request asks for (a game, a converter, a reminder, a chart), starting
  from the features of the spec you are given; reword, add or drop them to fit the request. For each feature, one task
  with agent "feature" and scope [its name], depending on the tasks that build the parts it lives in (the frontend
  task, the backend task(s)); the verify task depends on it too.
- keeps_records: false when the app keeps no records at all (a converter, a calculator, a game without scores): then
  the app has no entities, no log-ins and no back end, and the plan has no backend task.
- reasoning: say what you found in the request, which stacks you chose and why, and why the plan has this shape, in plain words;
  name what the spec's not_built says will not be built.

The spec you are given was read from the request; the architect task refines it. {spec_guide}

{criteria_guide}"""


class ModelPlan(Plan):
    """What a model answers: the plan, the stacks it is for, the features it builds beyond records,
    whether the app keeps records at all, and the app's acceptance criteria."""

    stack: StackChoice = Field(description="The registered stack that builds each part of the project.")
    features: list[Feature] = Field(
        default_factory=list,
        max_length=MAX_FEATURES,
        description="Behaviour beyond records, each built by its own feature task.",
    )
    keeps_records: bool = Field(
        default=True, description="False for an app that keeps nothing: no records, no back end."
    )
    criteria: list[Criterion] = Field(
        default_factory=list,
        max_length=MAX_CRITERIA,
        description="What the app must do, in plain words, each proven by a test.",
    )


def fitted_spec(spec: Spec, plan: ModelPlan) -> Spec:
    """The spec read from the request (with the stacks), fitted to what a model planned: its features
    and, for an app that keeps nothing, no records, no log-ins and so no back end. ValueError in plain
    words when they cannot go together."""
    update: dict = {"features": plan.features}
    if not plan.keeps_records:
        update |= {"entities": [], "summaries": [], "auth": False, "frontend": True}
    try:
        return normalise_spec(Spec.model_validate(spec.model_copy(update=update).model_dump()))
    except ValidationError as exc:
        raise ValueError("; ".join(error["msg"].removeprefix("Value error, ") for error in exc.errors())) from None


def _feature_problems(tasks: list[dict], spec: Spec) -> list[str]:
    """Each feature of the spec that no task of the plan builds."""
    built = built_features(tasks)
    return [
        f'feature {f.name} has no task: add one with agent "feature" and scope ["{f.name}"]'
        for f in spec.features
        if f.name not in built
    ]


def _system_prompt() -> str:
    agents = "\n".join(f"- {name}: {agent.description}" for name, agent in listed_agents().items())
    stacks = "\n".join(
        f"- {part}: " + "; ".join(f"{name} ({stack.label})" for name, stack in sorted(stacks_for(part).items()))
        for part in ("backend", "frontend")
    )
    return SYSTEM_PROMPT.format(
        agents=agents, stacks=stacks, max_tasks=MAX_TASKS, spec_guide=SPEC_GUIDE, criteria_guide=CRITERIA_GUIDE
    )


def _user_prompt(project: Project, previous: PlanVersion | None, feedback: str, read: Spec) -> str:
    parts = [
        f"Request:\n{project.request}",
        f"The spec read from the request:\n{read.model_dump_json(exclude={'stack', 'criteria'}, exclude_defaults=True)}",
        'The acceptance criteria derived from it (and those the team wrote, by "person"):\n'
        + json.dumps([c.model_dump(exclude_none=True) for c in read.criteria], indent=1),
    ]
    if chosen := chosen_options(project.options):
        parts.append(f"Choices made by the team:\n{json.dumps(chosen, sort_keys=True)}")
    if previous is not None:
        parts.append(f"Current plan (version {previous.number}):\n{json.dumps(previous.tasks, indent=2)}")
        if previous.spec is not None:
            parts.append(f"Current stacks:\n{json.dumps(previous.spec['stack'], sort_keys=True)}")
    if feedback.strip():
        parts.append(f"Feedback from the team on the current plan:\n{feedback.strip()}")
    parts.append(
        "Write the plan." if previous is None else "Write the revised plan, changing what the feedback asks for."
    )
    return "\n\n".join(parts)


def _plan_checker(read: Spec):
    """The provider's validate hook: a plan that is invalid, or that could not run for the spec read
    from the request, goes back to the model with the reasons, as a repair."""

    def check(plan: ModelPlan) -> ModelPlan:
        checked = validate_plan(plan.model_dump(exclude={"stack", "criteria", "features", "keeps_records"}))
        spec = fitted_spec(read.model_copy(update={"stack": plan.stack}), plan)
        tasks, notes = check_runnable(checked.task_list(), spec, model_divides=True)
        if problems := _feature_problems(tasks, spec):
            raise ValueError("; ".join(problems))
        criteria = [c.model_copy(update={"by": "model"}) if c.by == "planner" else c for c in plan.criteria]
        if criteria and (problems := criteria_problems(criteria, spec)):
            raise ValueError("the acceptance criteria cannot stand: " + "; ".join(problems))
        if not criteria:
            notes.append("the model wrote no acceptance criteria, so they were derived from the spec")
        said = f"{checked.reasoning}\n\nChecked before saving: {'; '.join(notes)}." if notes else checked.reasoning
        return ModelPlan(
            reasoning=said.strip()[:MAX_REASONING],
            tasks=tasks,
            stack=plan.stack,
            criteria=criteria,
            features=plan.features,
            keeps_records=plan.keeps_records,
        )

    return check


def _save_version(project: Project, **fields) -> PlanVersion:
    """Store a new version numbered latest + 1. The project row is locked (PostgreSQL) or the write
    lock held from BEGIN (SQLite IMMEDIATE), so two planners cannot both take the same number; the
    unique constraint backs that up, and a loser simply tries again with the next number."""
    tries_left = 3
    while True:
        tries_left -= 1
        try:
            with transaction.atomic():
                list(Project.objects.select_for_update().filter(pk=project.pk).values_list("pk"))
                latest = PlanVersion.objects.filter(project=project).aggregate(n=Max("number"))["n"] or 0
                return PlanVersion.objects.create(project=project, number=latest + 1, **fields)
        except IntegrityError:
            if not tries_left:
                raise


def plan_project(project: Project, *, user=None, provider_name: str | None = None, feedback: str = "") -> PlanVersion:
    """Plan the project now and store the result as its next version.

    The first version's source is "llm" or "offline"; later ones are "replan" with the latest
    version as parent. Raises ProviderError (in plain words) when the model gives no usable plan."""
    provider = get_provider(provider_name or project.provider or None)
    previous = project.plan_versions.order_by("-number").first()
    started = time.monotonic()
    # The spec is rebuilt from the request, so it reads all the feedback that led here.
    every_feedback = "\n".join([*_feedback_so_far(previous), feedback.strip()]).strip()
    if provider.offline:
        previous_spec = previous.spec_model() if previous is not None else None
        plan, spec = offline_plan(
            project.request, feedback=every_feedback, options=project.options, previous=previous_spec
        )
        usage, call_ids = {}, ()
    else:
        previous_spec = previous.spec_model() if previous is not None else None
        read = planned_spec(project.request, feedback=every_feedback, options=project.options, previous=previous_spec)
        generated = generate(
            provider,
            system=_system_prompt(),
            prompt=_user_prompt(project, previous, feedback, read),
            schema=ModelPlan,
            context=llm_context(project, purpose="plan"),
            validate=_plan_checker(read),
        )
        plan, call_ids = generated.value, generated.call_ids
        spec = fitted_spec(
            planned_spec(
                project.request,
                feedback=every_feedback,
                options=project.options,
                stack=plan.stack,
                previous=previous_spec,
            ),
            plan,
        )
        criteria = _with_own(plan.criteria, previous_spec) if plan.criteria else carry_criteria(spec, previous_spec)
        spec = spec.model_copy(update={"criteria": criteria})
        usage = {"tokens_in": generated.tokens_in, "tokens_out": generated.tokens_out}
    source = PlanSource.REPLAN if previous else (PlanSource.OFFLINE if provider.offline else PlanSource.LLM)
    version = _save_version(
        project,
        parent=previous,
        source=source,
        created_by=_person(user),
        feedback=feedback.strip(),
        reasoning=plan.reasoning,
        tasks=plan.task_list(),
        spec=spec.model_dump(mode="json"),
        provider=provider.name,
        model=provider.model,
        latency_ms=int((time.monotonic() - started) * 1000),
        **usage,
    )
    # LLMCall rows are immutable; linking them to the version they produced is the one update allowed.
    LLMCall.objects.filter(pk__in=call_ids).update(plan_version=version)
    return version


def _with_own(criteria: list[Criterion], previous: Spec | None) -> list[Criterion]:
    """A model's criteria, and every one the team wrote or reworded in the version before that the
    model left out (a person's words are never lost to a re-plan)."""
    ids = {c.id for c in criteria}
    own = [c for c in (previous.criteria if previous else []) if c.by == "person" and c.id not in ids]
    return (criteria + own)[:MAX_CRITERIA]


def _feedback_so_far(version: PlanVersion | None) -> list[str]:
    """The feedback of `version` and its ancestors, oldest first."""
    notes = []
    while version is not None:
        if version.feedback:
            notes.append(version.feedback)
        version = version.parent
    return notes[::-1]


class Edited(NamedTuple):
    """A saved edit, and what was mended or is worth knowing about it, in plain words."""

    version: PlanVersion
    notes: list[str]


def edit_plan(version: PlanVersion, tasks: list[dict], *, user) -> Edited:
    """A person's edit of `version`, stored as a new validated version (source "edit") that can run:
    the rehearsal of plan_checks mends a missing wait and says so. Raises PlanInvalid."""
    plan = validate_plan({"reasoning": "", "tasks": tasks})
    if normalise_tasks(plan.task_list()) == normalise_tasks(version.tasks):
        raise PlanInvalid([f"nothing changed: the plan is the same as version {version.number}"])
    spec = version.spec_model()
    tasks, notes = check_runnable(plan.task_list(), spec) if spec is not None else (plan.task_list(), [])
    who = getattr(user, "username", "") or "someone"
    said = [plan.reasoning] + ([f"Checked before saving: {'; '.join(notes)}."] if notes else [])
    reasoning = f"{who} edited version {version.number} by hand.\n\n" + "\n\n".join(filter(None, said))
    saved = _save_version(
        version.project,
        parent=version,
        source=PlanSource.EDIT,
        created_by=_person(user),
        reasoning=reasoning.strip(),
        tasks=tasks,
        spec=version.spec,
        spec_edited=version.spec_edited,
        provider="",
        model="",
    )
    return Edited(saved, notes)


def edit_spec(version: PlanVersion, spec: Spec, *, user) -> Edited:
    """A person's change to what the app keeps (the data-model editor), stored as a new version
    (source "model") whose tasks are planned again from the changed spec, offline and at once, and
    whose spec the architect then writes as it is. Its notes start with the changes in plain words.
    Raises PlanInvalid."""
    spec = normalise_spec(spec)
    spec = spec.model_copy(update={"criteria": carry_criteria(spec, version.spec_model())})
    if version.spec is not None and spec.model_dump(mode="json") == version.spec:
        raise PlanInvalid([f"Nothing changed: what the app keeps is the same as in version {version.number}."])
    # A version whose features a model builds keeps a task for each feature of the changed spec.
    features = any(task["agent"] == FEATURE_AGENT for task in version.tasks)
    tasks, notes = check_runnable(validate_plan({"tasks": spec_tasks(spec, features=features)}).task_list(), spec)
    every = spec_changes(version.spec_model(), spec)
    changes = [change.text for change in every if change.topic == "app"]
    if criteria := [change for change in every if change.topic == "criteria"]:
        changes.append(f"{len(criteria)} acceptance criteri{'on' if len(criteria) == 1 else 'a'} changed with it")
    who = getattr(user, "username", "") or "someone"
    said = "; ".join(changes) or "no change to its records"
    reasoning = (
        f"{who} changed what the app keeps, starting from version {version.number}: {said}. "
        "The tasks were planned again from the changed data model; the architect writes it as it is."
    )
    saved = _save_version(
        version.project,
        parent=version,
        source=PlanSource.MODEL,
        created_by=_person(user),
        reasoning=reasoning[:MAX_REASONING],
        tasks=tasks,
        spec=spec.model_dump(mode="json"),
        spec_edited=True,
        provider="",
        model="",
    )
    return Edited(saved, changes + notes)


def edit_criteria(version: PlanVersion, criteria: list[Criterion], *, user) -> Edited:
    """A person's change to the acceptance criteria (added, reworded or removed), stored as a new
    version (source "edit") with the same tasks and data model. Raises PlanInvalid when nothing
    changed or the criteria cannot stand (a criterion about something the spec no longer has is kept
    as free text, said in its notes)."""
    spec = version.spec_model()
    if spec is None:
        raise PlanInvalid(["This plan version was made before versions kept what the app must do: re-plan it first."])
    if len(criteria) > MAX_CRITERIA:
        raise PlanInvalid([f"At most {MAX_CRITERIA} criteria: remove {len(criteria) - MAX_CRITERIA}."])
    ids = [c.id for c in criteria]
    if len(set(ids)) != len(ids):
        raise PlanInvalid(["Two criteria have the same id."])
    edited = spec.model_copy(update={"criteria": criteria})
    if edited.model_dump(mode="json") == version.spec:
        raise PlanInvalid([f"Nothing changed: the criteria are the same as in version {version.number}."])
    changes = [change.text for change in spec_changes(spec, edited)]
    who = getattr(user, "username", "") or "someone"
    reasoning = f"{who} changed what the app must do, starting from version {version.number}: {'; '.join(changes)}."
    saved = _save_version(
        version.project,
        parent=version,
        source=PlanSource.EDIT,
        created_by=_person(user),
        reasoning=reasoning[:MAX_REASONING],
        tasks=version.tasks,
        spec=edited.model_dump(mode="json"),
        spec_edited=version.spec_edited,
        provider="",
        model="",
    )
    return Edited(saved, changes)


def request_plan(project: Project, *, user=None, provider_name: str | None = None, feedback: str = "") -> bool:
    """Plan the project on a worker. The project shows "planning" at once, then "idle" with a new
    version, or "failed" with the reason in planning_error. False, with nothing queued, when the
    project is being planned already (a double submit must not make two versions)."""
    started = (
        Project.objects.filter(pk=project.pk)
        .exclude(planning_status=Project.PlanningStatus.PLANNING)
        .update(planning_status=Project.PlanningStatus.PLANNING, planning_error="")
    )
    if not started:
        return False
    project.planning_status, project.planning_error = Project.PlanningStatus.PLANNING, ""
    person = _person(user)
    args = (project.pk, person.pk if person else None, provider_name, feedback)
    # After commit: a worker must find the project as this transaction leaves it.
    transaction.on_commit(lambda: _enqueue(*args))
    return True


def _enqueue(project_id: int, user_id: int | None, provider_name: str | None, feedback: str) -> None:
    try:
        async_task(
            plan_in_background,
            project_id,
            user_id,
            provider_name,
            feedback,
            task_name=f"plan-project-{project_id}",
            group="planning",
        )
    except Exception:
        logger.exception("could not enqueue planning of project %s", project_id)
        _planning_failed(project_id, QUEUE_UNREACHABLE)


def plan_in_background(project_id: int, user_id: int | None, provider_name: str | None, feedback: str) -> int | None:
    """The django-q2 task behind request_plan: the new version's id, or None when planning failed."""
    project = Project.objects.filter(pk=project_id).first()
    if project is None:
        return None  # deleted while waiting in the queue
    user = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    with log_context(project_id=project.pk, team_id=project.team_id):  # on the planner's lines too
        try:
            version = plan_project(project, user=user, provider_name=provider_name, feedback=feedback)
        except (ProviderError, PlanInvalid) as exc:
            _planning_failed(project_id, str(exc))
            logger.warning("planning project %s failed: %s", project_id, exc)
            return None
        except Exception:
            logger.exception("planning project %s failed", project_id)
            _planning_failed(project_id, UNEXPECTED_FAILURE)
            return None
    Project.objects.filter(pk=project_id).update(planning_status=Project.PlanningStatus.IDLE, planning_error="")
    return version.pk


def _planning_failed(project_id: int, message: str) -> None:
    Project.objects.filter(pk=project_id).update(planning_status=Project.PlanningStatus.FAILED, planning_error=message)


def _person(user):
    """A stored user, or None for anonymous and command-line callers."""
    return user if user is not None and getattr(user, "is_authenticated", False) and user.pk else None
