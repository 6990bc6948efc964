"""frontend/: React 19 + TypeScript + Tailwind 4 + Vite, a typed API client, Vitest + Testing Library."""

from __future__ import annotations

import html
import json

from agents.spec import Entity, EntityField, Relation, Spec

from .backend import api_path
from .naming import FIELD_TS_TYPES, kebab, lower_first, upper_first, words
from .samples import sample_value
from .scope import Files, select
from .templates import render
from .typescript import PRINT_WIDTH, article, js_string, ts_call, ts_import

ROOT = "frontend"
STATIC = {
    "tsconfig.json": "frontend/tsconfig.json",
    "vite.config.ts": "frontend/vite.config.ts",
    "eslint.config.js": "frontend/eslint.config.js",
    ".prettierrc.json": "frontend/prettierrc.json",
    ".prettierignore": "frontend/prettierignore",
    ".gitignore": "frontend/gitignore",
    "src/index.css": "frontend/src/index.css",
    "src/main.tsx": "frontend/src/main.tsx",
    "src/client.ts": "frontend/src/client.ts",
    "src/client.test.ts": "frontend/src/client.test.ts",
    "src/form.ts": "frontend/src/form.ts",
    "src/form.test.ts": "frontend/src/form.test.ts",
    "src/components/EntityPage.tsx": "frontend/src/components/EntityPage.tsx",
    "src/test/setup.ts": "frontend/src/test/setup.ts",
    "src/test/fakeApi.ts": "frontend/src/test/fakeApi.ts",
}
TEXT_KINDS = ("string", "email", "text")


def page_name(entity: Entity) -> str:
    return f"{entity.name}Page"


def section_label(entity: Entity) -> str:
    return upper_first(words(entity.plural).lower())


def frontend_files(spec: Spec, scope: list[str]) -> dict[str, str]:
    core: Files = {path: render(template) for path, template in STATIC.items()}
    core |= {
        "package.json": package_json(spec),
        # The dependencies are the same for every project, so one tested lock pins them all.
        "package-lock.json": render("frontend/package-lock.json", PACKAGE_NAME=package_name(spec)),
        "index.html": render("frontend/index.html", TITLE=html.escape(spec.title)),
        "src/api.ts": api_ts(spec),
        "src/App.tsx": app_tsx(spec),
        "src/App.test.tsx": app_test_tsx(spec),
    }
    if spec.auth:
        core["src/components/AuthPanel.tsx"] = render("frontend/src/components/AuthPanel.tsx")
        core["src/login.test.tsx"] = render("frontend/src/login.test.tsx")
    per_entity = {
        e.name: {
            f"src/pages/{page_name(e)}.tsx": page_tsx(spec, e),
            f"src/pages/{page_name(e)}.test.tsx": page_test_tsx(spec, e),
        }
        for e in spec.entities
    }
    return {f"{ROOT}/{path}": text for path, text in select(core, per_entity, scope).items()}


def package_name(spec: Spec) -> str:
    return f"{spec.app_name}-web"


def package_json(spec: Spec) -> str:
    package = {
        "name": package_name(spec),
        "private": True,
        "version": "0.1.0",
        "type": "module",
        "scripts": {
            "dev": "vite",
            "build": "tsc --noEmit && vite build",
            "preview": "vite preview",
            "test": "vitest run",
            "lint": "eslint . && prettier --check .",
            "format": "prettier --write .",
        },
        "engines": {"node": ">=20.19"},
        "dependencies": {"react": "^19.2.0", "react-dom": "^19.2.0"},
        "devDependencies": {
            "@eslint/js": "^10.0.1",
            "@tailwindcss/vite": "^4.1.0",
            "@testing-library/dom": "^10.4.0",
            "@testing-library/jest-dom": "^7.0.0",
            "@testing-library/react": "^16.3.0",
            "@testing-library/user-event": "^14.6.0",
            "@types/react": "^19.2.0",
            "@types/react-dom": "^19.2.0",
            "@vitejs/plugin-react": "^6.0.0",
            "eslint": "^10.0.0",
            "eslint-plugin-react-hooks": "^7.0.0",
            "globals": "^17.0.0",
            "jsdom": "^27.0.0",
            "prettier": "^3.6.0",
            "tailwindcss": "^4.1.0",
            "typescript": "~5.9.3",
            "typescript-eslint": "^8.46.0",
            "vite": "^8.0.0",
            # Vitest 5 does not resolve with this toolchain yet.
            "vitest": "~4.1.0",
        },
    }
    return json.dumps(package, indent=2) + "\n"


def _member(name: str, ts_type: str, required: bool, optional_key: bool = False) -> str:
    nullable = "" if required else " | null"
    mark = "?" if optional_key and not required else ""
    return f"  {name}{mark}: {ts_type}{nullable};"


def api_ts(spec: Spec) -> str:
    blocks = ['import { resource } from "./client";', ""]
    for e in spec.entities:
        row = ["  id: number;"]
        row += [_member(f.name, FIELD_TS_TYPES[f.type], f.required) for f in e.fields]
        row += [_member(f"{r.name}Id", "number", r.required) for r in e.relations]
        row += ["  createdAt: string;", "  updatedAt: string;"]
        given = [_member(f.name, FIELD_TS_TYPES[f.type], f.required, optional_key=True) for f in e.fields]
        given += [_member(f"{r.name}Id", "number", r.required, optional_key=True) for r in e.relations]
        var = lower_first(e.name)
        head = f"export const {var}Api = resource<{e.name}, {e.name}Input>"
        declaration = ts_call(head, [js_string(api_path(e))], 0)
        if len(head) + 1 > PRINT_WIDTH:
            declaration = f"export const {var}Api = resource<\n  {e.name},\n  {e.name}Input\n>({js_string(api_path(e))});"
        blocks += [
            f"/** {_comment(e.label)} as the API returns it. */",
            f"export type {e.name} = {{", *row, "};", "",
            f"/** What creating {_comment(e.label.lower())} takes; updates take any part of it. */",
            f"export type {e.name}Input = {{", *given, "};", "",
            declaration, "",
        ]
    return "\n".join(blocks)


def _comment(text: str) -> str:
    return text.replace("*/", "* /")


def app_tsx(spec: Spec) -> str:
    pages = [
        f"  {{ key: {js_string(kebab(e.plural))}, label: {js_string(section_label(e))}, Page: {page_name(e)} }},"
        for e in spec.entities
    ]
    pages = [line if len(line) <= PRINT_WIDTH else _expand_object(line) for line in pages]
    imports = [ts_import([page_name(e)], f"./pages/{page_name(e)}") for e in spec.entities]
    return render(
        "frontend/src/App.tsx" if spec.auth else "frontend/src/App-open.tsx",
        IMPORT_PAGES="\n".join(imports),
        TITLE=js_string(spec.title),
        PAGES="\n".join(pages),
    )


def _expand_object(line: str) -> str:
    """A one-line `{ a: 1, b: 2 },` entry at indent 2, laid out one property per line."""
    inner = line.strip()[2:-3]
    props = inner.split(", ")
    return "  {\n" + "".join(f"    {p},\n" for p in props) + "  },"


def app_test_tsx(spec: Spec) -> str:
    target = spec.entities[1] if len(spec.entities) > 1 else spec.entities[0]
    sections = json.dumps([section_label(e) for e in spec.entities])
    if len(f"const SECTIONS: string[] = {sections};") > PRINT_WIDTH:
        sections = "[\n" + "".join(f"  {js_string(section_label(e))},\n" for e in spec.entities) + "]"
    return render(
        "frontend/src/App.test.tsx",
        SECTIONS=sections,
        TARGET_HASH=js_string(f"#/{kebab(target.plural)}"),
        TARGET_LABEL=js_string(section_label(target)),
    )


def label_field(entity: Entity) -> str:
    """The field that names a row in a relation's select: the first text-like one, else the id."""
    return next((f.name for f in entity.fields if f.type in TEXT_KINDS), "id")


def _field_spec(field: EntityField) -> str:
    return "\n".join([
        "  {",
        f"    name: {js_string(field.name)},",
        f"    label: {js_string(words(field.name))},",
        f"    kind: {js_string(field.type)},",
        f"    required: {json.dumps(field.required)},",
        "  },",
    ])


def _relation_spec(spec: Spec, relation: Relation) -> str:
    target = spec.entity(relation.target)
    return "\n".join([
        "  {",
        f"    name: {js_string(relation.name + 'Id')},",
        f"    label: {js_string(words(relation.name))},",
        '    kind: "relation",',
        f"    required: {json.dumps(relation.required)},",
        f"    options: optionsFrom({lower_first(target.name)}Api.list, {js_string(label_field(target))}),",
        "  },",
    ])


def page_tsx(spec: Spec, entity: Entity) -> str:
    apis = sorted({f"{lower_first(entity.name)}Api"} | {f"{lower_first(r.target)}Api" for r in entity.relations})
    form_imports = ["optionsFrom", "type FieldSpec"] if entity.relations else ["type FieldSpec"]
    fields = [_field_spec(f) for f in entity.fields] + [_relation_spec(spec, r) for r in entity.relations]
    return "\n".join([
        ts_import(apis, "../api"),
        'import { EntityPage } from "../components/EntityPage";',
        ts_import(form_imports, "../form"),
        "",
        f"const TITLE = {js_string(section_label(entity))};",
        f"const SINGULAR = {js_string(entity.label)};",
        "const FIELDS: FieldSpec[] = [",
        *fields,
        "];",
        "",
        f"/** {_comment(section_label(entity))}: list, create, edit and delete. */",
        f"export function {page_name(entity)}() {{",
        f"  const api = {lower_first(entity.name)}Api;",
        "  return <EntityPage title={TITLE} singular={SINGULAR} api={api} fields={FIELDS} />;",
        "}",
        "",
    ])


def _stored(entity: Entity, n: int) -> dict[str, object]:
    """Sample row `n` as the API would return it."""
    row: dict[str, object] = {"id": n}
    for f in entity.fields:
        value = sample_value(entity, f, n)
        row[f.name] = f"{value}T00:00:00.000Z" if f.type == "date" else value
    row |= {f"{r.name}Id": 1 for r in entity.relations}
    return row | {"createdAt": "2030-01-01T00:00:00.000Z", "updatedAt": "2030-01-01T00:00:00.000Z"}


def _ts_object(values: dict[str, str], indent: int, context: int = 0) -> str:
    """An object literal from already-rendered values, laid out as Prettier would: on one line
    when it fits beside `context` other characters, else one property per line (kept so)."""
    pad = " " * indent
    one_line = "{ " + ", ".join(f"{k}: {v}" for k, v in values.items()) + " }"
    if context and indent + context + len(one_line) <= PRINT_WIDTH:
        return one_line
    return "{\n" + "".join(f"{pad}  {k}: {v},\n" for k, v in values.items()) + pad + "}"


def _json_values(row: dict[str, object]) -> dict[str, str]:
    return {k: js_string(v) if isinstance(v, str) else json.dumps(v) for k, v in row.items()}


def _fill(entity: Entity, field: EntityField, n: int) -> tuple[list[str], str]:
    """Test lines that fill `field` with sample `n`, and the payload value the form should send."""
    label = js_string(words(field.name))
    value = sample_value(entity, field, n)
    if field.type == "boolean":
        lines = [f"    await user.click(screen.getByLabelText({label}));"] if value else []
        return lines, json.dumps(value)
    if field.type == "datetime":
        local = str(value)[:16]
        return [ts_call("change", [f"screen.getByLabelText({label})", js_string(local)], 4)], f"new Date({js_string(local)}).toISOString()"
    shown = str(value)
    expected = js_string(shown) if isinstance(value, str) else json.dumps(value)
    return [ts_call("change", [f"screen.getByLabelText({label})", js_string(shown)], 4)], expected


def page_test_tsx(spec: Spec, entity: Entity) -> str:
    page = page_name(entity)
    path = api_path(entity)
    label = entity.label.lower()
    parents = {r.target for r in entity.relations}
    seed = {api_path(spec.entity(t)): [_stored(spec.entity(t), 1)] for t in sorted(parents)}
    fill_lines: list[str] = []
    expected: dict[str, str] = {}
    for field in entity.fields:
        lines, value = _fill(entity, field, 3)
        fill_lines += lines
        expected[field.name] = value
    for relation in entity.relations:
        target = spec.entity(relation.target)
        option = str(_stored(target, 1)[label_field(target)])
        fill_lines += [
            f"    await screen.findAllByRole(\"option\", {{ name: {js_string(option)} }});",
            ts_call("change", [f"screen.getByLabelText({js_string(words(relation.name))})", '"1"'], 4),
        ]
        expected[f"{relation.name}Id"] = "1"
    first = entity.fields[0]
    if first.type == "boolean":
        edit_lines = [f"    await user.click(screen.getByLabelText({js_string(words(first.name))}));"]
        edited = json.dumps(not sample_value(entity, first, 1))
    else:
        edit_lines, edited = _fill(entity, first, 5)
    parents_seed = "".join(
        f"\n  {js_string(p)}: [\n    {_ts_object(_json_values(rows[0]), 4)},\n  ]," for p, rows in seed.items()
    )
    uses_change = any("change(" in line for line in fill_lines + edit_lines)
    return render(
        "frontend/src/pages/page.test.tsx",
        IMPORT_FAKE=ts_import(["change", "fakeApi", "type Row"] if uses_change else ["fakeApi", "type Row"], "../test/fakeApi"),
        PAGE=page,
        PATH=js_string(path),
        EXISTING=_ts_object(_json_values(_stored(entity, 1)), 0),
        PARENTS="{" + parents_seed + "\n}" if seed else "{}",
        NEW_BUTTON=js_string(f"New {label}"),
        DESCRIBE=js_string(page),
        LIST_TEST=js_string(f"lists {words(entity.plural).lower()} from the API"),
        CREATE_TEST=js_string(f"creates {article(label)} from the form"),
        EDIT_TEST=js_string(f"saves changes to {article(label)}"),
        DELETE_TEST=js_string(f"deletes {article(label)} after asking"),
        FILL="\n".join(fill_lines),
        EXPECTED=_ts_object(expected, 4, context=len('expect(api.lastBody("POST")).toEqual();')),
        EDIT="\n".join(edit_lines),
        CHECK_EDIT=ts_call(f"expect(api.lastBody(\"PUT\")[{js_string(first.name)}]).toEqual", [edited], 4),
    )
