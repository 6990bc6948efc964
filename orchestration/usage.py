"""Where model calls are recorded and charged: the usage recorder that agents' providers are given.

The providers (agents.providers.generation) know nothing of our models. They are handed an
LLMContext whose `usage` is a UsageRecorder; this one writes each HTTP attempt as an LLMCall row,
adds its tokens and cost to the task and its run, and refuses a call that would pass the budget:
a run may spend Run.token_budget tokens (0 = no limit), a planning call the project's budget.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import F

from agents.providers.base import BudgetExceeded
from agents.providers.generation import CallRecord, LLMContext

from .models import LLMCall, Run, TaskRun


def project_token_budget(project) -> int:
    """What a run of this project (or one planning call) may spend; 0 means no limit."""
    return project.token_budget if project.token_budget is not None else settings.RUN_TOKEN_BUDGET


def cost_usd(tokens_in: int, tokens_out: int) -> Decimal:
    """What the tokens cost at the configured prices (USD per million tokens; 0 when unknown)."""
    per_token_in = Decimal(str(settings.LLM_PRICE_INPUT_PER_MTOK)) / 1_000_000
    per_token_out = Decimal(str(settings.LLM_PRICE_OUTPUT_PER_MTOK)) / 1_000_000
    return (tokens_in * per_token_in + tokens_out * per_token_out).quantize(Decimal("0.0001"))


@dataclass(frozen=True)
class RecordedUsage:
    """A UsageRecorder for one task of a run, or (no task_run) for planning a project."""

    project: object
    task_run: TaskRun | None = None
    purpose: str = "plan"

    def check_budget(self, estimate: int, *, spent_here: int) -> None:
        """Refuse a call that would pass the budget. `spent_here` is what this generate() already used,
        which is all a planning call is charged with (a run's spending is in its row)."""
        if self.task_run is not None:
            run = Run.objects.only("token_budget", "tokens_in", "tokens_out").get(pk=self.task_run.run_id)
            budget, used, whose = run.token_budget, run.tokens_total, "the run"
        else:
            budget, used, whose = project_token_budget(self.project), spent_here, "planning"
        if budget and used + estimate > budget:
            raise BudgetExceeded(
                f"token budget exceeded: the next model call needs about {estimate:,} tokens and {whose} has used "
                f"{used:,} of its {budget:,}. Raise the project's token budget to continue."
            )

    def record(self, call: CallRecord) -> int:
        """Store the attempt and add its usage to the task and its run (F() so concurrent workers never
        lose an update). Returns the LLMCall's id."""
        with transaction.atomic():
            row = LLMCall.objects.create(
                project=self.project, task_run=self.task_run, purpose=self.purpose, **call.fields()
            )
            if self.task_run is not None and (call.tokens_in or call.tokens_out):
                added = {"tokens_in": F("tokens_in") + call.tokens_in, "tokens_out": F("tokens_out") + call.tokens_out}
                Run.objects.filter(pk=self.task_run.run_id).update(
                    **added, cost_usd=F("cost_usd") + cost_usd(call.tokens_in, call.tokens_out)
                )
                TaskRun.objects.filter(pk=self.task_run.pk).update(**added)
        return row.pk


def llm_context(
    project, task_run: TaskRun | None = None, *, purpose: str = "plan", on_text: Callable[[str], None] | None = None
) -> LLMContext:
    """The context a provider is called with: its calls recorded and charged to `task_run` or to planning `project`."""
    return LLMContext(usage=RecordedUsage(project, task_run, purpose), on_text=on_text)
