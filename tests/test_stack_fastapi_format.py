"""Every Python file the FastAPI stack generates passes `ruff format --check` and `ruff check`, for
specs the architect can produce: a batch of varied projects is written out, then checked by one
run of each (every project's own pyproject.toml sets its rules)."""

import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from agents.spec import Spec
from agents.stacks import get_stack
from tests.strategies import specs

STACK = get_stack("fastapi")
pytestmark = pytest.mark.slow


def _ruff(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "ruff", *args], capture_output=True, text=True, timeout=600)


def test_every_generated_python_file_passes_ruff_format_and_ruff_check(tmp_path: Path) -> None:
    written: list[Path] = []

    @settings(max_examples=100, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(specs(backend="fastapi", max_entities=6))
    def write_project(spec: Spec) -> None:
        project = tmp_path / f"project{len(written)}"
        for path, text in (STACK.files(spec, []) | STACK.journey_files(spec)).items():
            (project / path).parent.mkdir(parents=True, exist_ok=True)
            (project / path).write_text(text)
        written.append(project)

    write_project()
    assert len(written) >= 50
    formatted = _ruff("format", "--check", "--no-cache", str(tmp_path))
    assert formatted.returncode == 0, formatted.stdout[-6000:] + formatted.stderr[-2000:]
    checked = _ruff("check", "--no-cache", str(tmp_path))
    assert checked.returncode == 0, checked.stdout[-6000:] + checked.stderr[-2000:]


def test_imports_are_ordered_as_ruff_orders_them_digits_by_value(tmp_path: Path) -> None:
    entities = [
        {
            "name": name,
            "plural": plural,
            "label": name,
            "fields": [{"name": "title"}],
            "relations": [{"name": "owner", "target": "N", "required": True}] if name != "N" else [],
        }
        for name, plural in [("N", "n"), ("NC7AuNHf", "nC7AuNHf"), ("A9", "a9"), ("A10", "a10"), ("Ab", "aB")]
    ]
    spec = Spec.model_validate(
        {"app_name": "order", "title": "Order", "summary": "", "entities": entities, "stack": {"backend": "fastapi"}}
    )
    for path, text in (STACK.files(spec, []) | STACK.journey_files(spec)).items():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text(text)
    checked = _ruff("check", "--no-cache", "--select", "I", str(tmp_path))
    assert checked.returncode == 0, checked.stdout[-6000:]
    routers = (tmp_path / "backend/app/routers/__init__.py").read_text()
    assert routers.index("    a9,") < routers.index("    a10,") < routers.index("    a_b,")
