"""Features in the React front end: each one is a folder, src/features/<name>/, whose index.tsx exports
its page; src/features.ts finds the folders and App.tsx links their pages. An app of features only
(no records, no log-ins) has no back end, and its front end still checks green with no feature built
(offline) and with a feature's files in place (testbed/fixtures/features/, as a model would write them),
the feature's tests reported under their criterion's id."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from agents.spec import Spec
from agents.stacks import get_stack
from tests.node_projects import sh, share, write

REACT = get_stack("react")

# "a unit converter for cooking measurements": a single page, no records, no back end.
CONVERTER = Spec.model_validate(
    {
        "app_name": "cooking-converter",
        "title": "Cooking unit converter",
        "summary": "",
        "entities": [],
        "auth": False,
        "features": [
            {
                "name": "converter",
                "title": "Cooking unit converter",
                "text": "Convert between cups, grams, ounces, tablespoons, teaspoons and millilitres for common ingredients.",
            }
        ],
    }
)
# "a snake game in the browser with a high-score table", as the offline reader keeps its scores.
SNAKE = Spec.model_validate(
    {
        "app_name": "snake-game",
        "title": "Snake game in the browser",
        "summary": "",
        "auth": True,
        "entities": [
            {
                "name": "Score",
                "plural": "scores",
                "label": "Score",
                "fields": [{"name": "player", "required": False}, {"name": "points", "type": "int", "required": False}],
            }
        ],
        "features": [
            {
                "name": "snakeGame",
                "title": "Snake game",
                "text": "A snake game on a canvas; the arrow keys steer; the score is posted when the game ends.",
            }
        ],
    }
)


def _frontend(spec: Spec) -> dict[str, str]:
    prefix = f"{REACT.root}/"
    return {path.removeprefix(prefix): text for path, text in REACT.files(spec, []).items()}


def test_an_app_of_features_only_generates_a_front_end_without_records_or_an_api():
    files = _frontend(CONVERTER)
    assert "src/features.ts" in files and "src/App.tsx" in files
    for absent in (
        "src/api.ts",
        "src/client.ts",
        "src/form.ts",
        "src/components/EntityPage.tsx",
        "src/test/fakeApi.ts",
    ):
        assert absent not in files
    assert not [path for path, text in files.items() if "/api" in text and path != "package-lock.json"]


def test_no_feature_file_is_generated_so_the_scaffold_stands_without_any():
    assert not [path for path in _frontend(CONVERTER) if path.startswith("src/features/")]
    assert (
        'import.meta.glob<{ feature: FeaturePage }>("./features/*/index.tsx"' in _frontend(CONVERTER)["src/features.ts"]
    )


def test_an_app_without_features_built_names_them_instead_of_a_page():
    app = _frontend(CONVERTER)["src/App.tsx"]
    assert "const NOT_BUILT = [`Cooking unit converter`];" in app
    assert "Not built yet:" in app


def test_an_app_of_features_only_is_served_without_a_back_end():
    assert "depends_on" not in REACT.compose_service(CONVERTER)
    assert "/api" not in REACT.devops_files(CONVERTER)["frontend/nginx.conf"]
    assert "VITE_API_URL" not in REACT.env_example(CONVERTER) + REACT.readme_section(CONVERTER)
    assert "proxy" not in _frontend(CONVERTER)["vite.config.ts"]


def test_features_change_no_file_of_a_front_end_with_records_but_its_readme():
    without = SNAKE.model_copy(update={"features": []})
    assert _frontend(SNAKE) == _frontend(without)
    assert "src/features/<name>/" in REACT.readme_section(SNAKE)
    assert REACT.compose_service(SNAKE)["depends_on"] == {"backend": {"condition": "service_healthy"}}


def test_a_features_area_is_its_own_folder_of_the_front_end():
    assert REACT.feature_area(SNAKE, SNAKE.features[0]) == ("frontend/src/features/snakeGame/",)


def test_the_guide_shows_the_page_to_export_and_the_typed_calls_to_save_a_score():
    guide = REACT.feature_guide(SNAKE, SNAKE.features[0])
    assert "export const feature: FeaturePage = {" in guide and "key: `snake-game`," in guide
    assert 'import { ApiError, resource } from "../../client";' in guide
    assert "const scores = resource<Score, ScoreInput>(`/api/scores`);" in guide
    assert "export type ScoreInput = {" in guide and "useToken()" in guide
    assert 'it("feature-snake-game: ' in guide
    assert "- feature-snake-game: A snake game on a canvas" in guide


def test_the_guide_of_an_app_without_a_back_end_offers_no_api():
    guide = REACT.feature_guide(CONVERTER, CONVERTER.features[0])
    assert "frontend/src/features/converter/" in guide and 'it("feature-converter: ' in guide
    assert "resource" not in guide and "fakeApi" not in guide and "never calls fetch" in guide


def test_the_guide_names_the_spec_criteria_of_the_feature():
    spec = Spec.model_validate(
        CONVERTER.model_dump()
        | {
            "criteria": [
                {"id": "grams", "text": "A cup of flour is 120 g.", "about": {"kind": "feature", "name": "converter"}},
                {"id": "free-text", "text": "It looks friendly."},
            ]
        }
    )
    guide = REACT.feature_guide(spec, spec.features[0])
    assert "- grams: A cup of flour is 120 g." in guide
    assert "free-text" not in guide and "feature-converter" not in guide


def test_a_feature_page_never_takes_a_record_pages_address():
    spec = SNAKE.model_copy(update={"features": [SNAKE.features[0].model_copy(update={"name": "scores"})]})
    assert "key: `scores-feature`," in REACT.feature_guide(spec, spec.features[0])


# --- the real toolchain ------------------------------------------------------------------------


def _checked(spec: Spec, root: Path, node_modules: Path) -> dict[str, str]:
    """Writes the spec's front end, type-checks, lints, tests and builds it; answers each test's
    status by its title, from Vitest's JSON report."""
    write(root, REACT.files(spec, []))
    frontend = root / REACT.root
    # Hard links: Vite and Vitest resolve modules from their real paths.
    share(node_modules, frontend, link=True)
    sh(frontend, "npx", "tsc", "--noEmit")
    sh(frontend, "npm", "run", "lint")
    sh(frontend, "npx", "vitest", "run", "--reporter=json", "--outputFile.json=../report.json")
    sh(frontend, "npx", "vite", "build")
    assert (frontend / "dist" / "index.html").exists()
    report = json.loads((root / "report.json").read_text())
    return {test["title"]: test["status"] for suite in report["testResults"] for test in suite["assertionResults"]}


# The converter and the snake game with their features are checked end to end, through a run and its verify
# stage, by tests/test_features_llm.py.


@pytest.mark.slow
def test_an_app_of_features_only_checks_green_before_any_feature_is_built(node_modules, tmp_path):
    results = _checked(CONVERTER, tmp_path, node_modules(REACT, scripts=True))
    assert results["opens the first feature's page, or says which features are not built yet"] == "passed"
    assert not [title for title in results if title.startswith("feature-")]
    assert set(results.values()) == {"passed"}
