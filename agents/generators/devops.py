"""Dockerfiles (multi-stage, non-root), docker-compose.yml, CI for GitHub Actions and GitLab, .env.example."""

from __future__ import annotations

from agents.spec import Spec

from .templates import render

NODE = "20"


def devops_files(spec: Spec) -> dict[str, str]:
    files = {
        "backend/Dockerfile": render("devops/backend.Dockerfile"),
        "backend/.dockerignore": render("devops/dockerignore"),
        "docker-compose.yml": compose(spec),
        ".env.example": env_example(spec),
        ".gitignore": "node_modules\n.env\n*.db\n__pycache__/\n.pytest_cache/\n",
        ".github/workflows/ci.yml": github_ci(spec),
        ".gitlab-ci.yml": gitlab_ci(spec),
    }
    if spec.frontend:
        files |= {
            "frontend/Dockerfile": render("devops/frontend.Dockerfile"),
            "frontend/.dockerignore": render("devops/dockerignore"),
            "frontend/nginx.conf": render("devops/nginx.conf"),
        }
    return files


def env_example(spec: Spec) -> str:
    lines = ["# Copy to .env (never commit .env). docker compose reads it.", ""]
    if spec.auth:
        lines += [
            "# Required: signs login tokens. Generate one with: openssl rand -hex 32",
            "JWT_SECRET=",
            "",
        ]
    lines += [
        "# The API's SQLite database; in Docker it lives on the db volume.",
        "DATABASE_URL=file:./dev.db",
        "PORT=3000",
    ]
    if spec.frontend:
        lines += ["", "# The API's origin when the web app is not served beside it (default: same origin).", "VITE_API_URL="]
    return "\n".join(lines) + "\n"


def compose(spec: Spec) -> str:
    secret = ["      JWT_SECRET: ${JWT_SECRET:?set JWT_SECRET in .env or the environment}"] if spec.auth else []
    lines = [
        "services:",
        "  backend:",
        "    build: ./backend",
        "    environment:",
        *secret,
        "      DATABASE_URL: file:/data/app.db",
        "    volumes:",
        "      - db:/data",
        "    ports:",
        '      - "3000:3000"',
        "    healthcheck:",
        '      test: ["CMD", "node", "-e", "fetch(\'http://localhost:3000/api/health\').then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]',
        "      interval: 10s",
        "      retries: 5",
    ]
    if spec.frontend:
        lines += [
            "  frontend:",
            "    build: ./frontend",
            "    depends_on:",
            "      backend:",
            "        condition: service_healthy",
            "    ports:",
            '      - "8080:8080"',
        ]
    lines += ["volumes:", "  db: {}"]
    return "\n".join(lines) + "\n"


def _github_node_job(name: str, steps: list[str]) -> list[str]:
    return [
        f"  {name}:",
        "    runs-on: ubuntu-latest",
        "    defaults:",
        "      run:",
        f"        working-directory: {name}",
        "    steps:",
        "      - uses: actions/checkout@v4",
        "      - uses: actions/setup-node@v4",
        "        with:",
        f'          node-version: "{NODE}"',
        "      - run: npm install --no-audit --no-fund",
        *[f"      - run: {step}" for step in steps],
    ]


def github_ci(spec: Spec) -> str:
    lines = ["name: CI", "", "on:", "  push:", "  pull_request:", "", "jobs:"]
    lines += _github_node_job("backend", ["npx tsc --noEmit", "npm run lint", "npm test"])
    if spec.frontend:
        lines += _github_node_job("frontend", ["npm run lint", "npm run build", "npm test"])
    return "\n".join(lines) + "\n"


def gitlab_ci(spec: Spec) -> str:
    def node_job(name: str, steps: list[str]) -> list[str]:
        return [
            f"{name}:",
            "  stage: test",
            f"  image: node:{NODE}",
            "  script:",
            f"    - cd {name}",
            "    - npm install --no-audit --no-fund",
            *[f"    - {step}" for step in steps],
            "",
        ]

    lines = ["stages:", "  - test", ""]
    lines += node_job("backend", ["npx tsc --noEmit", "npm run lint", "npm test"])
    if spec.frontend:
        lines += node_job("frontend", ["npm run lint", "npm run build", "npm test"])
    return "\n".join(lines)
