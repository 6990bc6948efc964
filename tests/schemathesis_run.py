"""Schemathesis against a generated back end on 127.0.0.1, the same way for every stack: every
check it has, valid and invalid requests built from the contract, and a stateful phase that follows
the contract's own links (a new record's id to its routes)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

# Schemathesis's dependency analysis would also follow an optional relation's id, null included,
# into a path (GET /api/books/None), and report the 400 the contract documents for it as valid data
# refused; so the stateful phase uses the contract's links only.
CONFIG = """
[phases.stateful.inference]
algorithms = ["location-headers"]
"""


def run_schemathesis(
    contract: dict[str, Any], url: str, workdir: Path, token: str | None
) -> subprocess.CompletedProcess[str]:
    """Runs `st run` on `contract` against `url`, with `token` as the bearer token when there is one.
    Its contract file, config and cache go into `workdir`, not the checkout."""
    (workdir / "openapi.json").write_text(json.dumps(contract))
    (workdir / "schemathesis.toml").write_text(CONFIG)
    login = ["--header", f"Authorization: Bearer {token}"] if token else []
    st = Path(sys.executable).with_name("st")
    return subprocess.run(
        [
            str(st),
            "--config-file",
            "schemathesis.toml",
            "run",
            "openapi.json",
            "--url",
            url,
            "--checks",
            "all",
            "--max-examples",
            "25",
            "--seed",
            "1",
            "--no-color",
            *login,
        ],
        capture_output=True,
        text=True,
        timeout=1200,
        cwd=workdir,
        check=False,
    )
