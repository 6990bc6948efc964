"""The stack registry and its template trees: what a stack provides, how a deployment overrides a
template, and that knowledge of a technology stays in its stack's folder."""

from __future__ import annotations

import re
from pathlib import Path

import jinja2
import pytest

from agents.generators.devops import devops_files
from agents.generators.docs import docs_files
from agents.openapi import openapi_document
from agents.registry import get_agent
from agents.spec import Spec
from agents.stacks import get_stack, stacks, stacks_for

ROOT = Path(__file__).resolve().parent.parent
STACKS_DIR = ROOT / "agents" / "stacks"
# The technologies' own names; lower-case words like "react" in a request's vocabulary are not stack knowledge.
STACK_NAMES = re.compile(r"\b(Express|Prisma|React|FastAPI)\b")


def _spec(**changes) -> Spec:
    data = {
        "app_name": "league",
        "title": "League",
        "summary": "Matches between teams.",
        "entities": [
            {"name": "Team", "plural": "teams", "label": "Team", "fields": [{"name": "name", "unique": True}]},
            {
                "name": "Match",
                "plural": "matches",
                "label": "Match",
                "fields": [{"name": "playedOn", "type": "date"}],
                "relations": [{"name": "homeTeam", "target": "Team"}],
            },
        ],
    }
    return Spec.model_validate(data | changes)


def _outside_the_stacks() -> list[Path]:
    """The project's Python and the shared generation templates, without the stacks' own folders."""
    files = [
        p for folder in ("agents", "orchestration", "projects", "autodevos_site") for p in (ROOT / folder).rglob("*.py")
    ]
    files += list((ROOT / "agents" / "generators" / "templates").rglob("*"))
    own = [d for d in STACKS_DIR.iterdir() if d.is_dir()]
    return sorted(
        p for p in files if p.is_file() and "migrations" not in p.parts and not any(d in p.parents for d in own)
    )


@pytest.mark.parametrize("path", _outside_the_stacks(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_code_outside_a_stacks_folder_names_a_stack(path):
    found = [(n, line.strip()) for n, line in enumerate(path.read_text().splitlines(), 1) if STACK_NAMES.search(line)]
    assert not found, f"{path.relative_to(ROOT)} names a stack; move this into agents/stacks/<name>/: {found}"


def test_each_registered_stack_lives_in_its_own_folder_and_builds_one_part():
    for name, stack in stacks().items():
        assert stack.name == name and stack.folder == STACKS_DIR / name
        assert (stack.folder / "templates").is_dir()
        assert stack.part in ("backend", "frontend") and stack.label and stack.role
    assert "express" in stacks_for("backend") and "react" in stacks_for("frontend")


def test_an_unknown_stack_is_refused_with_the_known_ones():
    with pytest.raises(KeyError, match="known stacks: express, fastapi, react"):
        get_stack("cobol")
    with pytest.raises(ValueError, match="unknown backend stack 'cobol'"):
        _spec(stack={"backend": "cobol"})


def test_a_template_that_uses_a_name_the_stack_does_not_provide_is_an_error(settings, tmp_path):
    override = tmp_path / "express" / "src" / "server.ts.j2"
    override.parent.mkdir(parents=True)
    override.write_text("listen({{ spec.nonexistent }})\n")
    settings.GENERATOR_TEMPLATE_DIRS = [str(tmp_path)]
    with pytest.raises(jinja2.UndefinedError, match="nonexistent"):
        get_stack("express").files(_spec(), ["core"])


def test_a_deployment_folder_replaces_a_stacks_template_and_nothing_else(settings, tmp_path):
    override = tmp_path / "express" / "src" / "server.ts.j2"
    override.parent.mkdir(parents=True)
    override.write_text('// {{ spec.title }}: our own server\nimport "./app";\n')
    settings.GENERATOR_TEMPLATE_DIRS = [str(tmp_path)]
    files = get_stack("express").files(_spec(), ["core"])
    assert files["backend/src/server.ts"] == '// League: our own server\nimport "./app";\n'
    assert "export function createApp" in files["backend/src/app.ts"]


def test_a_deployment_folder_replaces_a_readme_section_and_a_dockerfile(settings, tmp_path):
    (tmp_path / "react" / "_stack").mkdir(parents=True)
    (tmp_path / "react" / "_stack" / "README.md.j2").write_text("## Our web app for {{ spec.title }}\n")
    (tmp_path / "react" / "_stack" / "Dockerfile").write_text("FROM our-registry/nginx\n")
    settings.GENERATOR_TEMPLATE_DIRS = [str(tmp_path)]
    readme = docs_files(_spec(), openapi_document(_spec()))["README.md"]
    assert "## Our web app for League" in readme and "## The API: `backend/`" in readme
    assert devops_files(_spec())["frontend/Dockerfile"] == "FROM our-registry/nginx\n"


def test_without_the_setting_the_built_in_templates_are_used(settings):
    settings.GENERATOR_TEMPLATE_DIRS = []
    assert "createApp({ prisma, jwtSecret })" in get_stack("express").files(_spec(), ["core"])["backend/src/server.ts"]


def test_an_entity_file_is_written_once_per_entity_from_one_templated_path():
    files = get_stack("express").files(_spec(), [])
    assert {"backend/src/routes/teams.ts", "backend/src/routes/matches.ts"} <= set(files)
    assert not any("{{" in path or "{%" in path for path in files)


def test_log_ins_switch_files_and_code_on_and_off_in_the_same_templates():
    with_accounts = get_stack("react").files(_spec(), ["core"])
    without = get_stack("react").files(_spec(auth=False), ["core"])
    assert (
        "frontend/src/components/AuthPanel.tsx" in with_accounts
        and "frontend/src/components/AuthPanel.tsx" not in without
    )
    assert "AuthPanel" in with_accounts["frontend/src/App.tsx"] and "AuthPanel" not in without["frontend/src/App.tsx"]


def test_the_agents_of_a_part_describe_it_with_the_chosen_stacks_role():
    spec = _spec()
    assert get_stack("express").role in get_agent("backend").system_prompt(spec, None)
    assert get_stack("react").role in get_agent("frontend").system_prompt(spec, None)
    assert get_stack("express").label in get_agent("backend").description
