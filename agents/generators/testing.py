"""What the tests agent adds beyond each half's own tests: a user's journey through the whole API
(backend/tests/journey.test.ts) and, when the request asks for Python, a Python API client and
smoke test with their pytest tests (python/)."""

from __future__ import annotations

from agents.spec import Spec

from .backend import api_path
from .naming import creation_order, kebab, lower_first
from .samples import sample_row
from .templates import render
from .typescript import js_string, ts_call, ts_import

PYTHON_FILES = {
    "python/api_client.py": "python/api_client.py",
    "python/pytest.ini": "python/pytest.ini",
    "python/requirements-dev.txt": "python/requirements-dev.txt",
    "python/tests/fake_api.py": "python/tests/fake_api.py",
    "python/tests/conftest.py": "python/tests/conftest.py",
    "python/tests/test_api_client.py": "python/tests/test_api_client.py",
    "python/tests/test_smoke.py": "python/tests/test_smoke.py",
}


def extra_test_files(spec: Spec) -> dict[str, str]:
    files = {"backend/tests/journey.test.ts": journey_test_ts(spec)}
    if spec.python:
        files |= {path: render(template) for path, template in PYTHON_FILES.items()}
        files["python/smoke.py"] = smoke_py(spec)
    return files


def journey_test_ts(spec: Spec) -> str:
    order = creation_order(spec)
    creates: list[str] = []
    for entity in order:
        var = f"{lower_first(entity.name)}Row"
        data = f"{lower_first(entity.name)}Data()"
        links = [r for r in entity.relations if r.required]
        if links:
            creates += [f"    const {var} = await post({js_string(api_path(entity))}, {{", f"      ...{data},"]
            creates += [f"      {r.name}Id: {lower_first(r.target)}Row.id," for r in links]
            creates += ["    });"]
        else:
            creates.append(ts_call(f"const {var} = await post", [js_string(api_path(entity)), data], 4))
    checks = [
        f"    await expectListed({js_string(api_path(e))}, {lower_first(e.name)}Row.id);" for e in order
    ]
    changes = [
        ts_call("await put", [f"`{api_path(e)}/${{{lower_first(e.name)}Row.id}}`", f"{lower_first(e.name)}Data()"], 4)
        for e in order
    ]
    deletes = [
        f"    await remove(`{api_path(e)}/${{{lower_first(e.name)}Row.id}}`);" for e in reversed(order)
    ]
    return render(
        "backend/tests/journey.test.ts",
        IMPORT_FIXTURES=ts_import(sorted(f"{lower_first(e.name)}Data" for e in order) + ["type Created", "type Row"], "./fixtures"),
        CREATE="\n".join(creates),
        LIST="\n".join(checks),
        CHANGE="\n".join(changes),
        DELETE="\n".join(deletes),
    )


def smoke_py(spec: Spec) -> str:
    steps = [
        (kebab(e.plural), sample_row(e, 1), {f"{r.name}Id": kebab(spec.entity(r.target).plural) for r in e.relations if r.required})
        for e in creation_order(spec)
    ]
    return render(
        "python/smoke.py",
        STEPS="[\n" + "".join(f"    {step!r},\n" for step in steps) + "]",
        NEEDS_LOGIN=repr(spec.auth),
    )
