"""Generated projects on disk for the slow tests: write a spec's files, install a TypeScript stack's
dependencies once and share them between projects, run a command and show its output when it fails."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from agents.spec import Spec
from agents.stacks import Stack

NPM_INSTALL = ("npm", "install", "--no-audit", "--no-fund")
# Any spec: a stack's package.json and lockfile pin the same dependencies whatever the entities.
ANY_SPEC = Spec.model_validate(
    {
        "app_name": "dependencies",
        "title": "Dependencies",
        "summary": "",
        "entities": [{"name": "Item", "plural": "items", "label": "Item", "fields": [{"name": "name"}]}],
    }
)


def sh(cwd: Path, *command: str, timeout: float = 900) -> str:
    env = os.environ | {"CI": "true", "NO_COLOR": "1"}
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, f"{' '.join(command)} in {cwd} failed:\n{done.stdout[-8000:]}\n{done.stderr[-4000:]}"
    return done.stdout


def write(root: Path, files: dict[str, str]) -> None:
    for path, text in files.items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)


def install(stack: Stack, into: Path, *, scripts: bool) -> Path:
    """Installs the stack's dependencies from its package.json and lockfile into `into` (a whole
    generated part, for the install scripts that read its files); returns the node_modules folder.
    Without scripts nothing is compiled or generated."""
    assert shutil.which("npm"), "these tests need Node.js and npm"
    prefix = f"{stack.root}/"
    write(into, {path.removeprefix(prefix): text for path, text in stack.files(ANY_SPEC, ["core"]).items()})
    sh(into, *NPM_INSTALL, *(() if scripts else ("--ignore-scripts",)))
    return into / "node_modules"


def share(node_modules: Path, half: Path, *, link: bool = False) -> None:
    """Gives a generated half the installed dependencies: a symbolic link, or with `link` a copy
    made of hard links (for tools that follow a module's real path, like Jest and Prisma)."""
    if link:
        shutil.copytree(node_modules, half / "node_modules", copy_function=os.link, symlinks=True)
    else:
        (half / "node_modules").symlink_to(node_modules, target_is_directory=True)
