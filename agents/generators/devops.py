"""docker-compose.yml, CI for GitHub Actions and GitLab, .env.example and .gitignore: each chosen
stack's service, jobs and variables gathered into one file, written by the YAML dumper."""

from __future__ import annotations

from typing import Any

import yaml

from agents.spec import Spec
from agents.stacks import chosen_stacks

# libyaml's dumper when PyYAML was built with it: the same output, several times faster.
DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def _yaml(data: dict[str, Any]) -> str:
    return yaml.dump(data, Dumper=DUMPER, sort_keys=False, default_flow_style=False, allow_unicode=True, width=1000)


def compose(spec: Spec) -> str:
    services = {stack.root: stack.compose_service(spec) for stack in chosen_stacks(spec)}
    # Named volumes are those a service mounts by name rather than by path.
    named = [v.split(":")[0] for s in services.values() for v in s.get("volumes", []) if not v.startswith((".", "/"))]
    return _yaml({"services": services} | ({"volumes": {name: {} for name in named}} if named else {}))


def github_ci(spec: Spec) -> str:
    jobs = {stack.root: stack.github_job(spec) for stack in chosen_stacks(spec)}
    return _yaml({"name": "CI", "on": {"push": None, "pull_request": None}, "jobs": jobs})


def gitlab_ci(spec: Spec) -> str:
    return _yaml({"stages": ["test"]} | {stack.root: stack.gitlab_job(spec) for stack in chosen_stacks(spec)})


def env_example(spec: Spec) -> str:
    header = "# Copy to .env (never commit .env). docker compose reads it.\n"
    return "\n".join([header] + [stack.env_example(spec) for stack in chosen_stacks(spec)])


def devops_files(spec: Spec) -> dict[str, str]:
    files: dict[str, str] = {}
    for stack in chosen_stacks(spec):
        files |= stack.devops_files(spec)
    return files | {
        "docker-compose.yml": compose(spec),
        ".env.example": env_example(spec),
        ".gitignore": "node_modules\n.env\n*.db\n__pycache__/\n.pytest_cache/\n.venv/\n",
        ".github/workflows/ci.yml": github_ci(spec),
        ".gitlab-ci.yml": gitlab_ci(spec),
    }
