"""README.md and docs/API.md of a generated project: a shared introduction followed by each chosen
stack's own section, and the API reference read from the OpenAPI contract. An app with no back end
has a README only, which says it is a website with no server."""

from __future__ import annotations

import re
from typing import Any

from agents.criteria import covered, uncovered_reason
from agents.openapi import list_parameters, summary_description, summary_path
from agents.spec import Spec
from agents.spec_words import PART_WORDS
from agents.stacks import chosen_stacks, get_stack

from .templates import render

METHODS = ("get", "post", "put", "delete")


def readme(spec: Spec) -> str:
    stacks = chosen_stacks(spec)
    api_paths = {e.name: get_stack(spec.stack.backend).api_path(e) for e in spec.entities}
    return render(
        "README.md.j2",
        spec=spec,
        stacks=stacks,
        sections=[s.readme_section(spec) for s in stacks],
        parts=PART_WORDS,
        criteria=criteria_section(spec) if spec.criteria else "",
        api_paths=api_paths,
        lookups={e.name: list_parameters(e) for e in spec.entities},
        summaries=[(s, summary_path(s), _first_sentence(summary_description(spec, s))) for s in spec.summaries],
    )


CRITERIA_SECTION = re.compile(r"<!-- criteria\b.*?<!-- /criteria -->\n?", re.DOTALL)
STATUS_WORDS = {"passed": "✓ proven", "failed": "✗ failed", "not_proven": "✗ not proven"}


def criteria_section(spec: Spec, statuses: dict[str, tuple[str, str]] | None = None) -> str:
    """The README's "What it must do": each criterion and the tests that prove it, or, given the
    verify stage's `statuses` (id -> (status, note)), whether they did."""
    if statuses is None:
        rows = [
            (c, "tests tagged with its id" if covered(c, spec) else uncovered_reason(c, spec)) for c in spec.criteria
        ]
    else:
        rows = []
        for criterion in spec.criteria:
            status, note = statuses.get(criterion.id, ("not_proven", "the project's checks did not run"))
            rows.append(
                (criterion, STATUS_WORDS.get(status, status) + (f": {note}" if note and status != "passed" else ""))
            )
    return render("criteria.md.j2", rows=rows, checked=statuses is not None)


def with_criteria_status(readme_text: str, spec: Spec, statuses: dict[str, tuple[str, str]]) -> str:
    """`readme_text` with its "What it must do" section saying each criterion's status (the section
    is added at the end when the README has none, as a model may have written it)."""
    section = criteria_section(spec, statuses)
    if CRITERIA_SECTION.search(readme_text):
        return CRITERIA_SECTION.sub(lambda _: section, readme_text, count=1)
    return readme_text.rstrip("\n") + "\n\n" + section


def _first_sentence(text: str) -> str:
    """What a summary counts; the rules every summary shares are said once, above the table."""
    return text.split(". ", 1)[0] + "."


def api_reference(contract: dict[str, Any]) -> str:
    return render(
        "API.md.j2",
        info=contract.get("info", {}),
        paths=contract.get("paths", {}),
        schemas=contract.get("components", {}).get("schemas", {}),
        methods=METHODS,
    )


def docs_files(spec: Spec, contract: dict[str, Any] | None) -> dict[str, str]:
    """The README, and the API reference from `contract`; None when the app has no back end, and so no API."""
    return {"README.md": readme(spec)} | ({"docs/API.md": api_reference(contract)} if contract is not None else {})
