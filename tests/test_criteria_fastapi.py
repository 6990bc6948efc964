"""The FastAPI back end's acceptance-criteria tests (backend/tests/test_criteria.py): every criterion a
generated test can prove gets tests tagged with its id, named after it, with its words as their
docstring however a person typed them; the others get none. tests/test_criteria_proven.py runs them
through the verify stage's real toolchain."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from agents.criteria import covered, tagged_tests
from agents.spec import Criterion, CriterionAbout, Spec
from agents.stacks import get_stack
from testbed.rich_specs import RICH_SPECS, rich_spec

STACK = get_stack("fastapi")
PATH = "backend/tests/test_criteria.py"
TRICKY = 'It\'s """quoted""" \\ text é'


def with_criteria(spec: Spec, *criteria: Criterion) -> Spec:
    return spec.model_copy(update={"criteria": spec.criteria + list(criteria)})


def about(spec: Spec, criterion_id: str) -> CriterionAbout:
    found = next(c.about for c in spec.criteria if c.id == criterion_id)
    assert found is not None
    return found


def functions(text: str) -> dict[str, ast.FunctionDef]:
    return {node.name: node for node in ast.parse(text).body if isinstance(node, ast.FunctionDef)}


@pytest.mark.parametrize("name", RICH_SPECS)
def test_every_covered_criterion_of_a_rich_spec_gets_tests_tagged_with_its_id(name: str) -> None:
    spec = rich_spec(name, backend="fastapi")
    files = STACK.criteria_files(spec)
    tests = tagged_tests(files, [c.id for c in spec.criteria])
    assert spec.criteria and all(covered(c, spec) for c in spec.criteria)
    assert [c.id for c in spec.criteria if not tests[c.id]] == []
    assert all(t["file"] == PATH for found in tests.values() for t in found)


def test_criteria_no_test_can_prove_get_no_tests() -> None:
    spec = rich_spec("tool-shed", backend="fastapi")
    spec = with_criteria(
        spec,
        Criterion(id="feels-fast", text="Pages open quickly.", about=None, by="person"),
        # Tools are shared, not private to their creator: nothing in the spec to prove this with.
        Criterion(
            id="own-1", text="Tools are private.", about=CriterionAbout(kind="private", entity="Tool"), by="person"
        ),
    )
    tests = tagged_tests(STACK.criteria_files(spec), ["feels-fast", "own-1", "records-tool"])
    assert tests["feels-fast"] == [] and tests["own-1"] == []
    assert tests["records-tool"]


def test_a_spec_without_covered_criteria_gets_no_criteria_file() -> None:
    spec = rich_spec("bakery", backend="fastapi").model_copy(update={"criteria": []})
    assert STACK.criteria_files(spec) == {}
    free = Criterion(id="feels-fast", text="Pages open quickly.", about=None, by="person")
    assert STACK.criteria_files(with_criteria(spec, free)) == {}


def test_the_criteria_file_is_not_one_of_the_back_ends_own_files() -> None:
    spec = rich_spec("tool-shed", backend="fastapi")
    assert PATH not in STACK.files(spec, [])
    assert list(STACK.criteria_files(spec)) == [PATH]


def test_a_persons_criterion_about_a_derived_behaviour_gets_its_own_tests_named_after_its_id() -> None:
    spec = rich_spec("tool-shed", backend="fastapi")
    own = Criterion(id="own-1", text=TRICKY, about=about(spec, "records-tool"), by="person")
    # Named like the second test of records-tool: its tests take the next free names.
    clash = Criterion(id="records-tool-2", text="Tools are kept.", about=about(spec, "records-tool"), by="person")
    text = STACK.criteria_files(with_criteria(spec, own, clash))[PATH]
    tests = tagged_tests({PATH: text}, ["records-tool", "own-1", "records-tool-2"])
    names = {key: [t["name"] for t in found] for key, found in tests.items()}
    assert names["records-tool"] == ["test_records_tool", "test_records_tool_2"]
    assert names["own-1"] == ["test_own_1", "test_own_1_2"]
    assert names["records-tool-2"] == ["test_records_tool_2_2", "test_records_tool_2_3"]
    defined = functions(text)
    assert ast.get_docstring(defined["test_own_1"], clean=False) == TRICKY
    assert ast.get_docstring(defined["test_records_tool_2_2"]) == "Tools are kept."


def test_a_criterion_typed_with_quotes_backslashes_odd_characters_and_line_breaks_passes_ruff(tmp_path: Path) -> None:
    spec = rich_spec("tool-shed", backend="fastapi")
    texts = [
        TRICKY,
        'Ends with a quote"',
        "Ends with a backslash \\",
        "  Two lines,\r\nthen a blank one\n\n\tand a tab, a nul \x00, a zero-width space \u200b and a line separator \u2028 done",
        "x" * 150 + '"' * 100 + "\\" * 50,
        "“Curly” quotes, a dash – and an emoji 😀",
    ]
    own = [
        Criterion(id=f"own-{n}", text=text, about=about(spec, "due-loan"), by="person")
        for n, text in enumerate(texts, start=1)
    ]
    files = STACK.files(spec, []) | STACK.criteria_files(with_criteria(spec, *own))
    for path, text in files.items():  # the whole back end: its ruff settings, and what its imports name
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text(text)
    for command in (["format", "--check", "--diff"], ["check"]):
        ruff = subprocess.run(
            [sys.executable, "-m", "ruff", *command, "--no-cache", "tests/test_criteria.py"],
            cwd=tmp_path / "backend",
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert ruff.returncode == 0, ruff.stdout[-4000:] + ruff.stderr[-2000:]
    defined = functions(files[PATH])
    for n, text in enumerate(texts, start=1):
        docstring = ast.get_docstring(defined[f"test_own_{n}"], clean=False)
        # Every character but spaces and line breaks stays, in order: only those change as the lines wrap.
        assert docstring is not None and "".join(docstring.split()) == "".join(text.split()), n
