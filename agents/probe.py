"""A test agent that does what its instructions say, so tests and benchmarks can drive the executor.

Its instructions are JSON, every key optional:

    {"sleep": 0.5, "fail_times": 2, "hang_times": 1, "permanent": false, "files": {"out/a.txt": "..."},
     "list_upstream": "out/seen.txt"}

- sleep: seconds of "work", in small steps that each call checkpoint(), so a cancel or a
  timeout stops it;
- hang_times: the first n attempts work until they are stopped (to exercise timeouts);
- fail_times: the first n attempts raise AgentError (retried), or PermanentAgentError with
  "permanent": true (not retried);
- files: returned as they are, with "{attempt}" in a content replaced by the attempt number;
- list_upstream: also write this file, listing the paths of the upstream files it was given.

Attempts are counted over the task's whole history, so a task retried after failing for good
carries on counting. The agent is not listed: planners never choose it.
"""

from __future__ import annotations

import time

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .base import Agent, AgentContext, AgentError, AgentResult, PermanentAgentError
from .registry import register

STEP_S = 0.05
HANG_S = 3600.0  # "until stopped", bounded for a context whose checkpoint never raises


class ProbeInstructions(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sleep: float = Field(default=0.0, ge=0, le=HANG_S)
    hang_times: int = Field(default=0, ge=0)
    fail_times: int = Field(default=0, ge=0)
    permanent: bool = False
    files: dict[str, str] = Field(default_factory=dict)
    list_upstream: str = ""


@register
class ProbeAgent(Agent):
    name = "probe"
    description = "Test agent: sleeps, fails or hangs as told and echoes the files it is given."
    listed = False

    def run(self, context: AgentContext) -> AgentResult:
        try:
            spec = ProbeInstructions.model_validate_json(context.instructions or "{}")
        except ValidationError as exc:
            raise PermanentAgentError(f"probe instructions are not valid: {exc.errors()[0]['msg']}") from None
        # The executor's context says which attempt this is; a bare AgentContext is a first attempt.
        attempt = getattr(context, "attempt", 1)
        _work(context, HANG_S if attempt <= spec.hang_times else spec.sleep)
        if attempt <= spec.fail_times:
            error = PermanentAgentError if spec.permanent else AgentError
            raise error(f"probe failed on attempt {attempt}, as instructed")
        files = {path: content.replace("{attempt}", str(attempt)) for path, content in spec.files.items()}
        if spec.list_upstream:
            files[spec.list_upstream] = "".join(f"{path}\n" for path in sorted(context.upstream))
        return AgentResult(files=files, reasoning=f"probe: attempt {attempt}")


def _work(context: AgentContext, seconds: float) -> None:
    end = time.monotonic() + seconds
    context.checkpoint()
    while (left := end - time.monotonic()) > 0:
        time.sleep(min(STEP_S, left))
        context.checkpoint()
