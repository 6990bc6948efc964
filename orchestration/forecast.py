"""What a run of a plan version is expected to spend, before anyone presses Run.

The plan is walked in the order it runs. A task whose fingerprint matches an earlier run's task
will be reused: it costs nothing, and the tasks after it see that task's files. Any other task
costs what the model will be asked, in tokens: the prompt its agent would send now (Agent.asked),
scaled by how earlier tasks of the same agent and model compared with their first prompt (repairs
and batches included), and their answers' measured length; with no history yet, the prompt's
estimate and LLM_OUTPUT_TOKEN_ESTIMATE. The files such a task will write are not known before it
runs; its scaffold (what it writes without a model) stands in for them, so a task after it is
expected to be reused only when the scaffold is what an earlier run's task really read.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass
from decimal import Decimal
from graphlib import TopologicalSorter
from statistics import mean

from django.conf import settings

from agents.base import Agent, AgentContext
from agents.file_agent import CHARS_PER_TOKEN
from agents.providers import Provider, ProviderError, get_provider
from agents.providers.base import estimate_tokens
from agents.providers.routes import resolved, route_for
from agents.registry import get_agent

from . import reuse, statements
from .models import LLMCall, PlanVersion, TaskRun, TaskStatus
from .plans import reachable
from .usage import cost_usd, project_token_budget

logger = logging.getLogger(__name__)

HISTORY = 20  # earlier tasks of an agent and model that a forecast learns from


@dataclass(frozen=True)
class TaskForecast:
    key: str
    title: str
    agent: str
    provider: str  # "offline" when the task asks no model
    model: str
    tokens_in: int
    tokens_out: int
    basis: str  # reused, offline, no model, measured, estimated, not configured
    reused_from: int | None = None  # the run whose files it takes

    @property
    def tokens(self) -> int:
        return self.tokens_in + self.tokens_out


@dataclass(frozen=True)
class Forecast:
    tasks: tuple[TaskForecast, ...]
    budget: int  # tokens; 0 = no limit

    @property
    def tokens(self) -> int:
        return sum(task.tokens for task in self.tasks)

    @property
    def cost_usd(self) -> Decimal:
        return cost_usd(sum(t.tokens_in for t in self.tasks), sum(t.tokens_out for t in self.tasks))

    @property
    def reused(self) -> list[TaskForecast]:
        return [task for task in self.tasks if task.reused_from is not None]

    @property
    def asking(self) -> list[TaskForecast]:
        """The tasks that will ask a model."""
        return [task for task in self.tasks if task.tokens]

    @property
    def over_budget(self) -> bool:
        return bool(self.budget) and self.tokens > self.budget

    def as_dict(self) -> dict:
        return {
            "tokens": self.tokens,
            "cost_usd": str(self.cost_usd),
            "budget": self.budget,
            "tasks": [asdict(task) for task in self.tasks],
        }

    @classmethod
    def from_dict(cls, data: dict) -> Forecast | None:
        """The forecast a run stored when it started; None for runs started before runs kept one."""
        if not data:
            return None
        return cls(tuple(TaskForecast(**task) for task in data["tasks"]), data["budget"])

    def words(self) -> str:
        """ "About 48,200 tokens ($0.12): 6 of 9 tasks ask a model; 3 reuse the files of run 4." """
        spend = f"About {self.tokens:,} tokens" + (f" (${self.cost_usd})" if self.cost_usd else "")
        if not self.tokens:
            spend = "No model calls"
        count = len(self.tasks)
        parts = [f"{len(self.asking)} of {count} task{'s' if count != 1 else ''} ask a model"]
        if self.reused:
            runs = sorted({task.reused_from for task in self.reused})
            parts.append(
                f"{len(self.reused)} reuse the files of run{'s' if len(runs) > 1 else ''} "
                + ", ".join(str(run) for run in runs)
            )
        return f"{spend}: {'; '.join(parts)}."


def forecast_run(version: PlanVersion, *, reuse_earlier: bool = True) -> Forecast:
    """What a run of `version` started now is expected to spend (with `reuse_earlier` off: when
    every task runs again)."""
    project = version.project
    spec = version.spec_model()
    tasks = {task["key"]: task for task in version.tasks}
    depends_on = {key: task.get("depends_on") or [] for key, task in tasks.items()}
    written: dict[str, dict[str, str]] = {}
    expected = []
    reuse_earlier = reuse_earlier and statements.any_reusable(project.pk)
    for key in TopologicalSorter(depends_on).static_order():
        task = tasks[key]
        provider_name, model = task_route(project, task["agent"])
        try:
            agent = get_agent(task["agent"])
            provider = get_provider(provider_name, model=model)
        except (KeyError, ProviderError) as exc:  # the run would fail this task, saying why
            logger.info("forecast of %s: %s", key, exc)
            expected.append(
                TaskForecast(key, task["title"], task["agent"], provider_name, model, 0, 0, "not configured")
            )
            continue
        upstream = {path: text for dep in reachable(depends_on, [key]) for path, text in written.get(dep, {}).items()}
        context = AgentContext(
            request=project.request,
            task_key=key,
            title=task["title"],
            instructions=task.get("instructions", ""),
            scope=list(task.get("scope") or []),
            upstream=upstream,
            spec=spec,
            spec_edited=version.spec_edited,
            feedback=version.feedback,
            provider=provider,
        )
        fingerprint = reuse.fingerprint(agent, context)
        source = reuse.reusable(project.pk, agent.name, fingerprint) if reuse_earlier else None
        if source is not None:
            written[key] = reuse.files_of(source)
            expected.append(
                TaskForecast(key, task["title"], agent.name, provider_name, model, 0, 0, "reused", source.run_id)
            )
            continue
        written[key] = _scaffold(agent, context)
        tokens_in, tokens_out, basis = _expected_tokens(agent, context, provider)
        expected.append(
            TaskForecast(key, task["title"], agent.name, provider_name, model, tokens_in, tokens_out, basis)
        )
    order = {key: index for index, key in enumerate(tasks)}
    return Forecast(tuple(sorted(expected, key=lambda t: order[t.key])), project_token_budget(project))


def task_route(project, agent: str) -> tuple[str, str]:
    """The provider and model a task of `agent` calls in a run of `project`: its route (the project's own,
    else the deployment's LLM_ROUTES, else the project's provider), with the model named."""
    route = resolved(route_for(agent, project_provider=project.provider, project_routes=project.llm_routes))
    return route.provider, route.model


def _scaffold(agent: Agent, context: AgentContext) -> dict[str, str]:
    try:
        return agent.scaffold(context)
    except Exception as exc:  # the task fails on it when it runs; what follows it is forecast without its files
        logger.info("forecast: no scaffold for %s: %s", context.task_key, exc)
        return {}


def _expected_tokens(agent: Agent, context: AgentContext, provider: Provider) -> tuple[int, int, str]:
    if provider.offline:
        return 0, 0, "offline"
    try:
        asked = agent.asked(context)
    except Exception as exc:  # as for the scaffold: the task will fail, saying why
        logger.info("forecast: no prompt for %s: %s", context.task_key, exc)
        asked = None
    if asked is None:
        return 0, 0, "no model"
    prompt = estimate_tokens(asked)
    history = _history(agent.name, provider)
    if not history:
        return prompt, settings.LLM_OUTPUT_TOKEN_ESTIMATE, "estimated"
    ratio = mean(tokens_in / first_prompt for tokens_in, _, first_prompt in history)
    return round(prompt * ratio), round(mean(tokens_out for _, tokens_out, _ in history)), "measured"


def _history(agent: str, provider: Provider) -> list[tuple[int, int, int]]:
    """(tokens in, tokens out, estimated tokens of its first prompt) of the latest tasks of this agent and
    model that asked it themselves (not reused) and succeeded."""
    tasks = list(
        TaskRun.objects.filter(
            agent=agent,
            provider=provider.name,
            model=provider.model,
            status=TaskStatus.SUCCEEDED,
            reused_from=None,
            tokens_in__gt=0,
        )
        .order_by("-pk")
        .values_list("pk", "tokens_in", "tokens_out")[:HISTORY]
    )
    first_prompts: dict[int, int] = {}
    for task_run_id, chars in (
        LLMCall.objects.filter(task_run_id__in=[pk for pk, _, _ in tasks])
        .order_by("task_run_id", "pk")
        .values_list("task_run_id", "prompt_chars")
    ):
        first_prompts.setdefault(task_run_id, chars)
    return [
        (tokens_in, tokens_out, first_prompts[pk] // CHARS_PER_TOKEN)
        for pk, tokens_in, tokens_out in tasks
        if first_prompts.get(pk, 0) >= CHARS_PER_TOKEN
    ]
