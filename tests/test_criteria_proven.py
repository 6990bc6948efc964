"""The verify stage proves each acceptance criterion with the generated tests tagged with its id, for
real in the sandbox, on both back-end stacks: a deliberately broken test turns exactly its criterion
red; every other is proven, a person's own with awkward words among them (the generated tests pass
lint and format with them); and free words no generated test can prove stay not proven."""

from __future__ import annotations

import re

import pytest

from agents.base import PermanentAgentError
from agents.spec import Criterion
from testbed.rich_specs import rich_spec
from testbed.verify import Recorded, generated, verify

pytestmark = pytest.mark.slow
BROKEN = "choice-tool-condition"
AWKWARD = "It's \"quoted\" `x` ${y} \\ text\nand a second line\r\nand a tab\tthere, é and '''three''' \"\"\""

# Where each stack's test of a criterion starts, and a line that fails it, in the file's own style.
STACKS = {
    "express": ("backend/tests/criteria.test.ts", rf'it\(\s*["`]{BROKEN}: [^\n]*\n', "    expect(1).toBe(2);\n"),
    "fastapi": (
        "backend/tests/test_criteria.py",
        rf'record_property\("criterion", "{BROKEN}"\)\n',
        '    assert len("broken on purpose") == 0\n',
    ),
}


def _back_end(backend: str) -> tuple[dict[str, str], object]:
    """The back end and its tests, as an offline run writes them (the website has no criteria tests)."""
    spec = rich_spec("tool-shed", backend=backend)
    own = [
        Criterion(id="own-1", text=AWKWARD, about=spec.criteria[0].about, by="person"),
        Criterion(id="own-2", text="Members find it friendly.", by="person"),
    ]
    return generated("", spec.model_copy(update={"criteria": [*spec.criteria, *own]}), agents=("backend", "tests"))


@pytest.mark.parametrize("backend", sorted(STACKS))
def test_a_broken_test_turns_exactly_its_criterion_red_and_every_other_is_proven(verify_settings, backend):  # noqa: F811
    files, spec = _back_end(backend)
    path, start, failing = STACKS[backend]
    found = re.search(start, files[path])
    assert found, f"no test of {BROKEN} in {path}"
    files[path] = files[path][: found.end()] + failing + files[path][found.end() :]
    hooks = Recorded()
    with pytest.raises(PermanentAgentError):  # the broken test fails the stage; what it recorded is checked below
        verify(files, spec, hooks)
    statuses = {o.id: o.status for o in hooks.criteria[0]}
    assert statuses[BROKEN] == "failed"
    assert statuses.pop("own-2") == "not_proven"
    assert {i: s for i, s in statuses.items() if i != BROKEN} == {
        c.id: "passed" for c in spec.criteria if c.id not in (BROKEN, "own-2")
    }
    assert [c.words for c in hooks.checks if not c.passed] == ["Back end: tests failed: 1"]
    broken = next(o for o in hooks.criteria[0] if o.id == BROKEN)
    assert any(t["status"] == "failed" and t["message"] for t in broken.tests)
