"""The devops agent: Dockerfiles, docker-compose.yml, CI for GitHub Actions and GitLab, .env.example."""

from __future__ import annotations

from .base import AgentContext
from .file_agent import FileAgent
from .generators.devops import devops_files
from .registry import register
from .spec import Spec


@register
class DevopsAgent(FileAgent):
    name = "devops"
    description = (
        "Writes multi-stage Dockerfiles running as non-root, docker-compose.yml, GitHub Actions and GitLab CI "
        "that lint and test both halves, and .env.example (no secrets)."
    )
    area = (
        "backend/Dockerfile",
        "backend/.dockerignore",
        "frontend/Dockerfile",
        "frontend/.dockerignore",
        "frontend/nginx.conf",
        "docker-compose.yml",
        ".env.example",
        ".gitignore",
        ".github/",
        ".gitlab-ci.yml",
    )
    shows_upstream = False  # the contract: the records again
    role = "You write the Dockerfiles, docker-compose.yml, CI workflows and .env.example."

    def offline(self, spec: Spec, context: AgentContext) -> dict[str, str]:
        return devops_files(spec)

    def spec_shown(self, spec: Spec) -> dict:
        """Containers and CI depend on the stacks, log-ins and features, not on the records' details: a model is
        shown the records by name only, so a new field leaves this task to be reused."""
        shown = spec.model_dump(exclude={"summaries", "criteria"})
        shown["entities"] = [entity.name for entity in spec.entities]
        return shown
