"""React 19 + TypeScript + Tailwind 4 + Vite, a typed API client, Vitest + Testing Library."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from agents.criteria import feature_criteria
from agents.generators.naming import kebab, upper_first, words
from agents.generators.samples import sample_value
from agents.openapi import sort_keys, summary_description, summary_path
from agents.spec import DATE_TYPES, TEXT_TYPES, Entity, EntityField, Feature, Spec, Summary

from .. import get_stack
from ..base import Files, Step, report_path, under
from ..typescript import FILTERS, NodeStack, template_literal, ts_value

PORT = 8080
API_TYPES = "src/{% if spec.entities %}api.ts{% endif %}.j2"  # the records' types, shown to a feature's model
REPORT = report_path("frontend", "json")  # Vitest's JSON report, read by the verify stage
TS_TYPES = {
    "string": "string",
    "text": "string",
    "email": "string",
    "url": "string",
    "date": "string",
    "datetime": "string",
    "money": "string",
    "choice": "string",
    "int": "number",
    "float": "number",
    "boolean": "boolean",
}


def section_label(entity: Entity) -> str:
    return upper_first(words(entity.plural).lower())


def website_features(spec: Spec) -> list[str]:
    """The titles of the features that live in the website, which App.tsx names while none of
    their pages is built."""
    return [f.title for f in spec.features if f.part != "backend"]


def feature_key(spec: Spec, feature: Feature) -> str:
    """A feature page's address after "#/": its name in kebab case, unless a record page has that
    address already (a feature "scores" beside the Score records' "scores")."""
    key = kebab(feature.name)
    return f"{key}-feature" if key in {kebab(e.plural) for e in spec.entities} else key


def label_field(entity: Entity) -> str:
    """The field that names a record in a link's picker, as the contract's summary groups do: the
    first short text, else the first text of any kind; "" when there is none (the record's id)."""
    first = next((f for f in entity.fields if f.type == "string"), None)
    first = first or next((f for f in entity.fields if f.type in TEXT_TYPES), None)
    return first.name if first else ""


def lookups(entity: Entity) -> dict[str, str]:
    """The list query parameter (agents/openapi.list_parameters) that filters on each field or link,
    by the field's API name; for dates, the prefix of `From` and `To`. A name some earlier lookup
    already takes ("q", "sort", ...) is not filtered on, as in the contract."""
    searched = any(f.type in TEXT_TYPES for f in entity.fields)
    taken = {"sort"} | ({"q"} if searched else set()) | ({"due"} if entity.due else set())
    found: dict[str, str] = {}

    def claim(key: str, param: str, names: set[str]) -> None:
        if not names & taken:
            found[key] = param
        taken.update(names)

    for f in entity.fields:
        if f.type in ("choice", "boolean"):
            claim(f.name, f.name, {f.name})
        elif f.type in DATE_TYPES:
            claim(f.name, f.name, {f"{f.name}From", f"{f.name}To"})
    for r in entity.relations:
        param = f"{r.name}Id"
        claim(r.key, param, {param})
    return found


def search_words(entity: Entity) -> str:
    """What the list's search looks in, in words: "name, email or phone"; "" without a search."""
    names = [words(f.name).lower() for f in entity.fields if f.type in TEXT_TYPES]
    return " or ".join([", ".join(names[:-1]), names[-1]] if len(names) > 1 else names)


def summary_sentence(spec: Spec, summary: Summary) -> str:
    """The first sentence of the contract's description of a summary: what its rows are
    ("How many loans per member."); the rest is the ordering rules, for the API's readers."""
    return summary_description(spec, summary).split(". ")[0] + "."


def summary_value_label(summary: Summary) -> str:
    """The heading of a summary's value column: "Count", "Total price"."""
    if summary.measure == "count":
        return "Count"
    how = {"sum": "Total", "avg": "Average", "min": "Smallest", "max": "Largest"}[summary.measure]
    return f"{how} {words(summary.field or '').lower()}"


def stored(entity: Entity, n: int) -> dict[str, Any]:
    """Sample row `n` as the API would return it, linked to record 1 of each target."""
    row: dict[str, Any] = {"id": n}
    for f in entity.fields:
        value = sample_value(entity, f, n)
        row[f.name] = f"{value}T00:00:00.000Z" if f.type == "date" else value
    row |= {r.key: [1] if r.many else 1 for r in entity.relations}
    return row | {"createdAt": "2030-01-01T00:00:00.000Z", "updatedAt": "2030-01-01T00:00:00.000Z"}


def _entry(entity: Entity, field: EntityField, n: int) -> tuple[list[dict[str, str]], str]:
    """How a test fills `field` with sample `n` (an empty list: leave it), and the value sent."""
    label = {"label": template_literal(words(field.name))}
    value = sample_value(entity, field, n)
    if field.type == "boolean":
        return ([label | {"click": "true"}] if value else []), ts_value(value)
    if field.type == "datetime":
        local = template_literal(str(value)[:16])
        return [label | {"value": local}], f"new Date({local}).toISOString()"
    return [label | {"value": template_literal(str(value))}], ts_value(value)


def ts_array(before: str, items: list[str]) -> str:
    """`before` and an array of texts, laid out as Prettier does: on one line when it fits in the
    print width (100), else one element a line."""
    texts = [template_literal(item) for item in items]
    line = f"{before}[{', '.join(texts)}]"
    if len(line) + 1 <= 100:
        return line
    return before + "[\n" + "".join(f"  {t},\n" for t in texts) + "]"


def _record_label(entity: Entity) -> str:
    """How sample record 1 of `entity` reads in a link's picker."""
    name = label_field(entity)
    return str(stored(entity, 1)[name]) if name else "#1"


def _filter_entry(spec: Spec, entity: Entity) -> dict[str, str] | None:
    """The first filter of an entity's list as a test sets it, and the query parameter it sends."""
    found = lookups(entity)
    for field in entity.fields:
        if field.name not in found:
            continue
        param = found[field.name]
        if field.type == "choice":
            value = template_literal(field.options[0])
            return {
                "label": template_literal(f"Filter by {words(field.name).lower()}"),
                "value": value,
                "param": template_literal(param),
                "sent": value,
            }
        if field.type == "boolean":
            return {
                "label": template_literal(f"Filter by {words(field.name).lower()}"),
                "value": '"true"',
                "param": template_literal(param),
                "sent": '"true"',
            }
        local = "2030-01-01" if field.type == "date" else "2030-01-01T09:30"
        sent = template_literal(local) if field.type == "date" else f"new Date({template_literal(local)}).toISOString()"
        return {
            "label": template_literal(f"{words(field.name)} from"),
            "value": template_literal(local),
            "param": template_literal(f"{param}From"),
            "sent": sent,
        }
    for relation in entity.relations:
        if relation.key in found:
            return {
                "label": template_literal(f"Filter by {words(relation.name).lower()}"),
                "value": '"1"',
                "option": template_literal(_record_label(spec.entity(relation.target))),
                "param": template_literal(found[relation.key]),
                "sent": '"1"',
            }
    return None


# Two periods of each kind, newest first, as a summary's rows come.
PERIOD_SAMPLES = {
    "day": ("2030-01-31", "2030-01-30"),
    "week": ("2030-W05", "2030-W04"),
    "month": ("2030-01", "2029-12"),
    "year": ("2030", "2029"),
}


def summary_rows(spec: Spec, summary: Summary) -> list[dict[str, Any]]:
    """Two rows a summary's API could answer (one, without a group or a period): the second in
    the group of records without a value."""
    entity = spec.entity(summary.entity)
    field = entity.field(summary.field or "")
    if summary.measure == "count":
        values: list[Any] = [3, 1]
    elif field is not None and field.type == "money":
        values = ["12.50", "3.00"]
    elif field is not None and field.type == "int" and summary.measure != "avg":
        values = [7, 2]
    else:
        values = [2.5, 1.25]
    group: Any = None
    group_id: Any = None
    if summary.group_by:
        relation, choice = entity.relation(summary.group_by), entity.field(summary.group_by)
        if relation:
            group, group_id = _record_label(spec.entity(relation.target)), 1
        else:
            group = choice.options[0] if choice and choice.type == "choice" else "yes"
    periods = PERIOD_SAMPLES[summary.period] if summary.period else (None, None)
    first = {"group": group, "groupId": group_id, "period": periods[0], "value": values[0]}
    if not (summary.group_by or summary.period):
        return [first]
    return [first, {"group": None, "groupId": None, "period": periods[1], "value": values[1]}]


class ReactStack(NodeStack):
    name = "react"
    part = "frontend"
    label = "React 19 + TypeScript + Tailwind 4 (Vite)"
    root = "frontend"
    language = "typescript"
    checks = ("npm run lint", "npm run build", "npm test")
    verify_steps = (
        Step("types", "npx tsc --noEmit"),
        Step("lint", "npm run lint"),
        Step(
            "tests",
            f"npm test -- --reporter=default --reporter=json --outputFile.json={REPORT}",
            counts="vitest",
            report=REPORT,
        ),
        Step("build", "npx vite build"),  # `npm run build` would type-check a second time
    )
    role = (
        "You write the web frontend: React 19, TypeScript strict, Tailwind 4, Vite, a typed API client, Vitest tests."
    )
    # TypeScript and DOM globals, React's names, and the generated modules' own identifiers.
    reserved_names = frozenset(
        """Array Boolean Date Error Function JSON Map Math Number Object Omit Partial Pick Promise Record
        Request Response Set String Symbol React App Layout Login Register Home Auth Entity Option Row
        Input Page""".split()
    )
    folder = Path(__file__).parent
    filters = FILTERS

    def context(self, spec: Spec) -> dict[str, Any]:
        backend = get_stack(spec.stack.backend)
        return super().context(spec) | {
            "package_name": f"{spec.app_name}-web",
            "port": PORT,
            "api_path": backend.api_path,
            "section_label": section_label,
            "label_field": label_field,
            "ts_types": TS_TYPES,
            "lookups": lookups,
            "ts_array": ts_array,
            "website_features": website_features,
            "search_words": search_words,
            "sort_keys": sort_keys,
            "summary_sentence": summary_sentence,
            "summary_path": summary_path,
            "summary_value_label": summary_value_label,
            "page_test": lambda entity: self.page_test(spec, entity),
            "summary_test": lambda summary: self.summary_test(spec, summary),
        }

    def page_test(self, spec: Spec, entity: Entity) -> dict[str, Any]:
        """The sample data of an entity page's test, as TypeScript literals."""
        backend = get_stack(spec.stack.backend)
        fill: list[dict[str, str]] = []
        expected: dict[str, str] = {}
        for field in entity.fields:
            entries, sent = _entry(entity, field, 3)
            fill += entries
            expected[field.name] = sent
        for relation in entity.relations:
            target = spec.entity(relation.target)
            option = template_literal(_record_label(target))
            label = template_literal(words(relation.name))
            if relation.many:
                fill.append({"label": label, "tick": option})
                expected[relation.key] = "[1]"
            else:
                fill.append({"label": label, "option": option, "value": '"1"'})
                expected[relation.key] = "1"
        first = entity.fields[0]
        if first.type == "boolean":
            edit = [{"label": template_literal(words(first.name)), "click": "true"}]
            edited = json.dumps(not sample_value(entity, first, 1))
        else:
            edit, edited = _entry(entity, first, 5)
        parents = {
            backend.api_path(spec.entity(t)): {k: ts_value(v) for k, v in stored(spec.entity(t), 1).items()}
            for t in sorted({r.target for r in entity.relations})
        }
        required = next((f for f in entity.fields if f.required and f.default is None and f.type != "boolean"), None)
        defaults = {
            f.name: {"label": template_literal(words(f.name)), "value": template_literal(f.default)}
            for f in entity.fields
            if f.default is not None
        }
        return {
            "existing": {k: ts_value(v) for k, v in stored(entity, 1).items()},
            "parents": parents,
            "fill": fill,
            "expected": expected,
            "kept": next((e for e in fill if "value" in e and "option" not in e), None),
            "edit": edit,
            "first": first.name,
            "first_label": words(first.name),
            "edited": edited,
            "labels": {f.name: template_literal(words(f.name)) for f in entity.fields}
            | {r.name: template_literal(words(r.name)) for r in entity.relations if not r.many},
            "groups": {r.name: template_literal(words(r.name)) for r in entity.relations if r.many},
            "defaults": defaults,
            "required": required
            and ("Fill this in." if required.type != "choice" else f"Choose {words(required.name).lower()}."),
            "required_label": required and words(required.name),
            "filter": _filter_entry(spec, entity),
            "money": [f.name for f in entity.fields if f.type == "money"],
        }

    def summary_test(self, spec: Spec, summary: Summary) -> dict[str, Any]:
        """A summary page's test: the rows the fake API answers, as TypeScript literals, and the
        texts the page should show for them."""
        rows = summary_rows(spec, summary)
        shown: list[str] = []
        for row in rows:
            if summary.group_by:
                shown.append(row["group"] or "None")
            if summary.period:
                shown.append(row["period"])
            value = row["value"]
            shown.append(value if isinstance(value, str) else str(round(value, 2)))
        return {
            "rows": [{k: ts_value(v) for k, v in row.items()} for row in rows],
            "shown": {f"cell{n}": template_literal(text) for n, text in enumerate(shown)},
            "chart": bool(summary.group_by or summary.period),
        }

    def package(self, spec: Spec) -> dict[str, Any]:
        return {
            "name": f"{spec.app_name}-web",
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
            "dependencies": {"react": "^19.2.0", "react-dom": "^19.2.0", **spec.packages("frontend")},
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
                # The pages' own tests run axe-core's accessibility rules in jsdom.
                "axe-core": "^4.14.0",
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

    def feature_area(self, spec: Spec, feature: Feature) -> tuple[str, ...]:
        return (f"{self.root}/src/features/{feature.name}/",)

    def feature_guide(self, spec: Spec, feature: Feature) -> str:
        context = self.context(spec)
        return self.render(
            "_stack/feature_guide.txt.j2",
            **context,
            feature=feature,
            key=feature_key(spec, feature),
            criteria=[(c.id, c.text) for c in feature_criteria(spec, feature)],
            api_types=self.render(API_TYPES, **context) if spec.entities else "",
        )

    def devops_files(self, spec: Spec) -> Files:
        return under(
            self.root,
            {
                "Dockerfile": self.source("_stack/Dockerfile"),
                ".dockerignore": self.source("_stack/dockerignore"),
                "nginx.conf": self.render("_stack/nginx.conf.j2", **self.context(spec)),
            },
        )

    def compose_service(self, spec: Spec) -> dict[str, Any]:
        service: dict[str, Any] = {"build": f"./{self.root}"}
        if spec.has_backend:
            # The back end's service is named after its folder, whichever stack builds it.
            service["depends_on"] = {get_stack(spec.stack.backend).root: {"condition": "service_healthy"}}
        return service | {"ports": [f"{PORT}:{PORT}"]}


STACK = ReactStack()
