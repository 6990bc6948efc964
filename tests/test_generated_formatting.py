"""Every generated file passes its stack's own formatter and linter, for any spec the architect can
produce: 1 to 20 entities, every field type, relations, with and without log-ins and a website,
names from one letter to forty. Each batch of specs is checked with one Prettier and one ESLint run
per stack, on dependencies installed once from the stack's lockfile."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st

from agents.generators.naming import normalise_spec
from agents.spec import Spec
from agents.stacks import Stack, get_stack
from tests.node_projects import sh, share, write
from tests.strategies import specs

pytestmark = pytest.mark.slow

GUESTBOOK = normalise_spec(
    Spec.model_validate(
        {
            "app_name": "guestbook",
            "title": "Guestbook",
            "summary": "A simple guestbook where visitors leave a message",
            "entities": [
                {
                    "name": "Message",
                    "plural": "messages",
                    "label": "Message",
                    "fields": [{"name": "message", "type": "text"}],
                }
            ],
        }
    )
)


def _parts(spec: Spec) -> list[Stack]:
    return [get_stack(spec.stack.backend)] + ([get_stack(spec.stack.frontend)] if spec.frontend else [])


def _check_typescript(stack: Stack, halves: list[Path], batch: Path, node_modules: Path) -> None:
    # Prettier reads .prettierignore from where it runs only: the stack's, applying at any depth.
    ignore = batch / f"{stack.name}.prettierignore"
    own = stack.source(".prettierignore").split()
    ignore.write_text("".join(f"**/{pattern}\n" for pattern in own))
    paths = [str(h.relative_to(batch)) for h in halves]
    bin_dir = node_modules / ".bin"
    sh(batch, str(bin_dir / "prettier"), "--check", "--ignore-path", str(ignore), *paths)
    # ESLint 10 finds each file's config (and the config's plugins) from the file's own folder.
    sh(batch, str(bin_dir / "eslint"), "--max-warnings", "0", *paths)


CHECKS = {"typescript": _check_typescript}


@settings(
    max_examples=3,
    deadline=None,
    phases=(Phase.explicit, Phase.generate),
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(batch=st.lists(specs(), min_size=8, max_size=8, unique_by=lambda spec: spec.app_name))
@example(batch=[GUESTBOOK])
def test_every_generated_file_passes_its_stacks_formatter_and_linter(batch, node_modules, tmp_path_factory):
    root = tmp_path_factory.mktemp("batch")
    halves: dict[str, list[Path]] = {}
    for n, spec in enumerate(batch):
        for stack in _parts(spec):
            write(root / str(n), stack.files(spec, []))
            if stack.part == "backend":
                write(root / str(n), stack.journey_files(spec))
            half = root / str(n) / stack.root
            share(node_modules(stack), half)
            halves.setdefault(stack.name, []).append(half)
    for name, paths in halves.items():
        stack = get_stack(name)
        CHECKS[stack.language](stack, paths, root, node_modules(stack))
