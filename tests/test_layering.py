"""The apps depend one way: projects (the pages) → orchestration (plans, runs, workers) → agents;
and the benches share testbed/ with the tests rather than importing the tests.

agents/ is a library: it imports no app of ours and no Django model layer; what it needs recorded
(each model call, the budget) it is handed through the LLM context. orchestration may read the
projects app's models (a plan belongs to a project) but none of its pages, forms or access rules.
"""

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def imports(app: str) -> list[tuple[str, str]]:
    """(file, imported module) for every import in the app's Python files, function-level ones included."""
    found = []
    for path in sorted((ROOT / app).rglob("*.py")):
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                found += [(str(path.relative_to(ROOT)), alias.name) for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.append((str(path.relative_to(ROOT)), node.module))
    return found


def offending(app: str, forbidden: tuple[str, ...], allowed: tuple[str, ...] = ()) -> list[tuple[str, str]]:
    return [
        (file, module)
        for file, module in imports(app)
        if module.startswith(forbidden) and not module.startswith(allowed)
    ]


def test_agents_import_no_app_of_ours_and_no_django_model_layer():
    assert offending("agents", ("orchestration", "projects", "autodevos_site", "django.db", "django.contrib")) == []


def test_orchestration_reads_only_the_projects_apps_models():
    assert offending("orchestration", ("projects",), allowed=("projects.models",)) == []


@pytest.mark.parametrize("folder", ["bench", "testbed"])
def test_the_benches_and_what_they_share_with_the_tests_import_no_test_module(folder):
    # What both need lives in testbed/; a bench that imported tests/ would break when a test file moves.
    assert offending(folder, ("tests",)) == []


@pytest.mark.parametrize("app", ["agents", "orchestration"])
def test_the_check_sees_an_import_that_crosses_a_layer(app, tmp_path, monkeypatch):
    # The walk above must see imports inside functions too, where a loop is usually hidden.
    (tmp_path / app).mkdir()
    (tmp_path / app / "sneaky.py").write_text("def f():\n    from projects.views import project_list\n")
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    assert offending(app, ("projects",), allowed=("projects.models",)) == [(f"{app}/sneaky.py", "projects.views")]
