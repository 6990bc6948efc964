"""The "What it costs" panel: before Run, what a run of the plan shown is expected to spend (and what
running everything again would); with a run, what it was expected to spend beside what it spent."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from orchestration.forecast import Forecast, TaskForecast, forecast_run

from .plan_display import Board

BASIS_WORDS = {
    "reused": "reuses the files of run {run}",
    "offline": "no model: the offline generators write it",
    "no model": "asks no model (a check that fails goes back to the agent that wrote the files)",
    "measured": "its prompt, scaled by earlier runs of this agent and model",
    "estimated": "estimated from its prompt; no earlier run of this agent and model to learn from",
    "not configured": "its provider is not configured: the task will fail",
}


@dataclass(frozen=True)
class Row:
    title: str
    model: str
    tokens: str  # "12,400"
    why: str


@dataclass(frozen=True)
class CostPanel:
    forecast: Forecast | None  # before Run: a run started now; with a run: what it expected when it started
    fresh: Forecast | None = None  # before Run, when some tasks would be reused: running everything again
    spent_tokens: int | None = None  # with a run
    spent_usd: Decimal | None = None
    run_active: bool = False

    @property
    def tokens(self) -> str:
        return f"{self.forecast.tokens:,}"

    @property
    def budget(self) -> str:
        return f"{self.forecast.budget:,}"

    @property
    def spent(self) -> str:
        """ "45,900 tokens ($0.1100)" """
        return f"{self.spent_tokens:,} tokens" + (f" (${self.spent_usd})" if self.spent_usd else "")

    @property
    def rows(self) -> list[Row]:
        return [_row(task) for task in self.forecast.tasks] if self.forecast else []


def cost_panel(board: Board | None, *, runnable: bool) -> CostPanel | None:
    """The panel for the page: a forecast when the person can press Run, the run's own figures when the
    board shows a run; None for neither (or a run started before runs kept a forecast)."""
    if board is None:
        return None
    if runnable:
        forecast = forecast_run(board.version)
        fresh = forecast_run(board.version, reuse_earlier=False) if forecast.reused else None
        return CostPanel(forecast, fresh)
    if board.run is None or not board.run.forecast:
        return None
    run = board.run
    return CostPanel(
        Forecast.from_dict(run.forecast),
        spent_tokens=run.tokens_total,
        spent_usd=run.cost_usd,
        run_active=board.run_active,
    )


def _row(task: TaskForecast) -> Row:
    model = (
        "offline" if task.provider == "offline" else f"{task.provider}, {task.model}" if task.model else task.provider
    )
    return Row(
        task.title, model, f"{task.tokens:,}", BASIS_WORDS.get(task.basis, task.basis).format(run=task.reused_from)
    )
