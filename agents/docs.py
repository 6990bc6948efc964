"""The docs agent: README.md for the generated project and docs/API.md from the OpenAPI contract
(none for an app with no back end, which has no API)."""

from __future__ import annotations

import json

from .base import AgentContext, PermanentAgentError
from .file_agent import CONTRACT_PATH, SPEC_PATH, FileAgent
from .generators.docs import docs_files
from .registry import register
from .spec import Spec


@register
class DocsAgent(FileAgent):
    name = "docs"
    description = (
        "Writes README.md (what it is, how to run it, environment variables) and docs/API.md from the contract."
    )
    area = ("README.md", "docs/")
    reads = (SPEC_PATH, CONTRACT_PATH)
    role = "You write the project's README and its API reference from the OpenAPI contract."

    def offline(self, spec: Spec, context: AgentContext) -> dict[str, str]:
        if not spec.has_backend:
            return docs_files(spec, None)
        if CONTRACT_PATH not in context.upstream:
            raise PermanentAgentError(
                f"No {CONTRACT_PATH} among this task's inputs: the plan must make it depend on the architect."
            )
        return docs_files(spec, json.loads(context.upstream[CONTRACT_PATH]))
