"""Token budgets: a run may spend Run.token_budget tokens (0 = no limit), a planning call the
project's budget. Checked before each call with an estimate; real usage is added afterwards."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db.models import F

from orchestration.models import Run, TaskRun

from .base import BudgetExceeded, Message, estimate_tokens


def project_token_budget(project) -> int:
    """What a run of this project (or one planning call) may spend; 0 means no limit."""
    return project.token_budget if project.token_budget is not None else settings.RUN_TOKEN_BUDGET


def estimate_call(system: str, messages: list[Message]) -> int:
    return estimate_tokens(system + "".join(m.text for m in messages)) + settings.LLM_OUTPUT_TOKEN_ESTIMATE


def check_budget(context, estimate: int, *, spent_here: int) -> None:
    """Refuse a call that would pass the budget. `spent_here` is what this generate() already used,
    which is all a planning call is charged with (a run's spending is in its row)."""
    if context.task_run is not None:
        run = Run.objects.only("token_budget", "tokens_in", "tokens_out").get(pk=context.task_run.run_id)
        budget, used, whose = run.token_budget, run.tokens_total, "the run"
    else:
        budget, used, whose = project_token_budget(context.project), spent_here, "planning"
    if budget and used + estimate > budget:
        raise BudgetExceeded(
            f"token budget exceeded: the next model call needs about {estimate:,} tokens and {whose} has used "
            f"{used:,} of its {budget:,}. Raise the project's token budget to continue."
        )


def cost_usd(tokens_in: int, tokens_out: int) -> Decimal:
    """What the tokens cost at the configured prices (USD per million tokens; 0 when unknown)."""
    per_token_in = Decimal(str(settings.LLM_PRICE_INPUT_PER_MTOK)) / 1_000_000
    per_token_out = Decimal(str(settings.LLM_PRICE_OUTPUT_PER_MTOK)) / 1_000_000
    return (tokens_in * per_token_in + tokens_out * per_token_out).quantize(Decimal("0.0001"))


def charge(context, tokens_in: int, tokens_out: int) -> None:
    """Add real usage to the task and its run. F() so concurrent workers never lose an update."""
    if context.task_run is None or not (tokens_in or tokens_out):
        return
    added = {"tokens_in": F("tokens_in") + tokens_in, "tokens_out": F("tokens_out") + tokens_out}
    Run.objects.filter(pk=context.task_run.run_id).update(
        **added, cost_usd=F("cost_usd") + cost_usd(tokens_in, tokens_out)
    )
    TaskRun.objects.filter(pk=context.task_run.pk).update(**added)
