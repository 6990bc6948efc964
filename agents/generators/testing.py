"""What the tests agent adds beyond each half's own tests: a user's journey through the whole API
(backend/tests/journey.test.ts)."""

from __future__ import annotations

from agents.spec import Spec

from .backend import api_path
from .naming import creation_order, lower_first
from .templates import render
from .typescript import js_string, ts_call, ts_import


def extra_test_files(spec: Spec) -> dict[str, str]:
    return {"backend/tests/journey.test.ts": journey_test_ts(spec)}


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

