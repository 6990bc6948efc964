"""Features without a model: the offline planner recognises the game, converter or calculator a request
is about and what it asks for in passing, lists each as a feature in the request's own words, notes it
once as left to a model, "What we'll build" says so, and the project page shows each feature with ✓ or
✗ from the criteria about it."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.urls import reverse

from agents.criteria import derive_criteria
from agents.extraction import apply_options, extract_spec
from agents.spec import IDENTIFIER, MAX_FEATURES, Criterion, CriterionAbout, Feature, Spec
from agents.spec_words import NO_BACK_END, describe, feature_note
from orchestration.models import CriterionResult, PlanVersion, Run, TaskAttempt, TaskRun
from projects.criteria_panel import criteria_panel

from .ui_helpers import BACKEND_TASK, VERIFY_TASK, make_run, make_version

SNAKE = "a snake game in the browser with a high-score table"
FEATURE_TASK = {
    "key": "feature-snake-game",
    "title": "Build the snake game",
    "agent": "feature",
    "instructions": "Write it.",
    "depends_on": ["backend-1"],
    "scope": ["snakeGame"],
    "timeout_s": None,
}


def _features(request: str) -> list[tuple[str, str]]:
    return [(f.title, f.part) for f in extract_spec(request).features]


# --- recognised in the request's own words ----------------------------------------------------------


@pytest.mark.parametrize(
    ("request_text", "name", "title"),
    [
        (SNAKE, "snakeGame", "Snake game"),
        ("I want a memory game for kids", "memoryGame", "Memory game"),
        (
            "A multiplayer chess game where friends challenge each other",
            "multiplayerChessGame",
            "Multiplayer chess game",
        ),
        (
            "A unit converter for cooking measurements (cups, grams, ounces).",
            "cookingMeasurementConverter",
            "Cooking measurement converter",
        ),
        ("Convert temperatures between Celsius and Fahrenheit", "temperatureConverter", "Temperature converter"),
        ("Build me a simple currency converter for my holiday", "currencyConverter", "Currency converter"),
        ("a calculator for mortgage repayments", "mortgageRepaymentCalculator", "Mortgage repayment calculator"),
        (
            "Calculate my monthly mortgage payments",
            "monthlyMortgagePaymentCalculator",
            "Monthly mortgage payment calculator",
        ),
        ("A BMI calculator", "bmiCalculator", "BMI calculator"),
        ("A tip calculator that splits the bill between friends", "tipCalculator", "Tip calculator"),
    ],
)
def test_the_game_converter_or_calculator_itself_is_a_website_feature_named_from_the_request(request_text, name, title):
    spec = extract_spec(request_text)
    [feature] = spec.features
    assert (feature.name, feature.title, feature.part) == (name, title, "frontend")


def test_a_game_keeps_its_score_records_and_its_feature_says_what_the_request_says():
    spec = extract_spec(SNAKE)
    assert [e.name for e in spec.entities] == ["Score"]
    assert spec.features == [
        Feature(
            name="snakeGame",
            title="Snake game",
            part="frontend",
            text="A snake game in the browser with a high-score table.",
        )
    ]


def test_a_request_s_opening_is_not_part_of_what_the_feature_does():
    [feature] = extract_spec("I want a memory game for kids").features
    assert feature.text == "A memory game for kids."


def test_what_is_asked_in_passing_is_its_own_feature_and_not_part_of_the_game():
    spec = extract_spec("A multiplayer chess game where friends challenge each other. Email me when it is my turn.")
    chess, emails = spec.features
    assert chess.text == "A multiplayer chess game where friends challenge each other."
    assert (emails.title, emails.text, emails.part) == ("Emails", "Email me when it is my turn.", "backend")


@pytest.mark.parametrize(
    ("request_text", "features"),
    [
        ("Keep a list of my friends' birthdays and send me a reminder a week before.", [("Reminders", "backend")]),
        ("A volunteer rota: shifts with a date, and reminders by email the day before.", [("Reminders", "backend")]),
        (
            "Members borrow tools; email them a reminder the day before a loan is due, and let me export the loans to CSV.",
            [("Email reminders", "backend"), ("Loan export", "frontend")],
        ),
        ("Inventory for my shop: products with a price; notify me when stock is low.", [("Notifications", "backend")]),
        (
            "A book club where the app recommends books to members based on their ratings.",
            [("Book recommendations", "both")],
        ),
        ("A recipe site where people can import recipes from other websites.", [("Recipe import", "both")]),
    ],
)
def test_behaviour_asked_for_in_passing_is_a_feature_in_the_part_it_lives_in(request_text, features):
    assert _features(request_text) == features


def test_what_asks_for_it_is_the_feature_s_text():
    spec = extract_spec(
        "Members borrow tools; email them a reminder the day before a loan is due, and let me export the loans to CSV."
    )
    assert [f.text for f in spec.features] == [
        "Email them a reminder the day before a loan is due.",
        "Export the loans to CSV.",
    ]
    assert {"Member", "Tool", "Loan"} <= {e.name for e in spec.entities}


@pytest.mark.parametrize(
    "request_text",
    [
        "A clinic system where patients book appointments with doctors.",
        "A lending library for a neighbourhood tool shed: members borrow tools and we track what is due back.",
        "Log my runs with a distance and a date, and show a monthly leaderboard of total distance.",
        "A newsletter signup page where visitors leave their name and email address.",
        "A recipe site where people search recipes by ingredient.",
    ],
)
def test_a_plain_record_keeping_request_has_no_feature(request_text):
    spec = extract_spec(request_text)
    assert spec.features == [] and not any("a model builds it" in note for note in spec.not_built)


def test_kinds_no_stack_builds_stay_notes_even_what_they_ask_in_passing():
    spec = extract_spec("A command-line tool that renames my photos and emails me a report")
    assert spec.kind == "cli" and spec.features == []
    assert "not a command-line tool, even with a model" in spec.not_built[0]
    assert "Emails: not built." in spec.not_built


def test_feature_names_are_unique_identifiers_never_keywords_and_at_most_the_limit():
    spec = extract_spec(
        "A shop: products with a price. Remind me, notify customers, email suppliers, text the "
        "drivers, export the orders, import the products, print the invoices, scan the barcodes, "
        "recommend products and sync the stock."
    )
    names = [f.name for f in spec.features]
    assert 1 < len(names) <= MAX_FEATURES and len(set(names)) == len(names)
    assert all(re.fullmatch(IDENTIFIER, name) for name in names)
    assert [f.name for f in extract_spec("Track my expenses and export them as a PDF").features] == ["exportFeature"]


def test_without_a_website_a_feature_lives_on_the_back_end():
    assert _features("A REST API for a library where members borrow books; recommend books to members") == [
        ("Book recommendations", "backend")
    ]
    spec = apply_options(extract_spec("Members borrow tools; let me export the loans to CSV."), {"frontend": False})
    assert [(f.title, f.part) for f in spec.features] == [("Loan export", "backend")]


# --- not built offline, said once -------------------------------------------------------------------


def test_each_feature_is_noted_once_in_its_own_words_as_left_to_a_model():
    spec = extract_spec(SNAKE)
    assert spec.not_built == [
        "The offline planner builds apps that keep records; your request is mainly a game, so it will only build "
        "the high-score table.",
        "Snake game — A snake game in the browser with a high-score table. Not built offline: a model builds it "
        "(configure one, see README).",
    ]


def test_a_reminder_asked_in_passing_is_noted_as_its_feature_and_nothing_else():
    spec = extract_spec("Keep a list of my friends' birthdays and send me a reminder a week before.")
    assert spec.not_built == [feature_note(spec.features[0])]
    assert spec.not_built == [
        "Reminders — Send me a reminder a week before. Not built offline: a model builds it "
        "(configure one, see README)."
    ]


# --- What we'll build ------------------------------------------------------------------------------


def _converter_only() -> Spec:
    """A converter a model builds, with no records and no log-ins: no back end."""
    feature = Feature(name="cookingConverter", title="Cooking converter", text="Convert cups, grams and ounces.")
    return Spec(
        app_name="converter",
        title="Converter",
        summary="",
        entities=[],
        auth=False,
        features=[feature],
        not_built=[feature_note(feature)],
    )


def test_what_we_build_lists_a_feature_no_task_builds_as_not_built_offline():
    [words] = describe(extract_spec(SNAKE)).features
    assert (words.title, words.text, words.where, words.status) == (
        "Snake game",
        "A snake game in the browser with a high-score table.",
        "in the website",
        "not built offline",
    )


def test_what_we_build_says_a_model_builds_a_feature_the_plan_has_a_task_for():
    [words] = describe(extract_spec(SNAKE), [BACKEND_TASK, FEATURE_TASK]).features
    assert words.status == "built by a model"


def test_what_we_build_says_a_feature_s_note_beside_it_and_not_again_among_what_is_not_built():
    said = describe(extract_spec(SNAKE))
    assert not any("Snake game" in note for note in said.not_built)
    assert said.not_built == [
        "The offline planner builds apps that keep records; your request is mainly a game, so it "
        "will only build the high-score table."
    ]


def test_an_app_of_features_only_is_said_to_be_a_website_without_a_back_end():
    said = describe(_converter_only())
    assert (
        said.records == []
        and said.no_records == NO_BACK_END == "A website only: it keeps no records and needs no server."
    )
    assert said.access == [
        "Anyone who opens the website can use all of it: there is nothing to log in to, and nothing is stored."
    ]
    assert said.pages == [] and said.not_built == []
    assert [(f.title, f.where) for f in said.features] == [("Cooking converter", "in the website")]


def test_an_app_with_log_ins_and_no_records_keeps_only_the_accounts():
    spec = _converter_only().model_copy(update={"auth": True})
    assert describe(spec).no_records == "None: the back end keeps only the log-in accounts."


def _text(page: str) -> str:
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))


def _built(client, project) -> str:
    page = client.get(reverse("projects:detail", args=[project.pk])).content.decode()
    return page[page.index('id="what-we-build"') : page.index("</details>", page.index('id="what-we-build"'))]


@pytest.mark.django_db
def test_the_project_page_lists_the_features_and_the_notes_once(client, alice, project_a):
    spec = extract_spec(SNAKE)
    make_version(project_a, tasks=[BACKEND_TASK, VERIFY_TASK], spec=spec.model_dump(mode="json"))
    client.force_login(alice)
    built = _built(client, project_a)
    said = _text(built)
    assert (
        "Features Snake game — A snake game in the browser with a high-score table. in the website; not built offline"
        in said
    )
    not_built = built[built.index('class="not-built"') :]
    assert "Snake game" not in _text(not_built[: not_built.index("</div>")])


@pytest.mark.django_db
def test_the_project_page_of_a_website_only_says_it_keeps_no_records(client, alice, project_a):
    make_version(project_a, tasks=[VERIFY_TASK | {"depends_on": []}], spec=_converter_only().model_dump(mode="json"))
    client.force_login(alice)
    said = _text(_built(client, project_a))
    assert "Records it keeps A website only: it keeps no records and needs no server." in said
    assert "Pages of the website" not in said and "What this plan will not build" not in said


# --- features with ✓ and ✗ ---------------------------------------------------------------------------

GAME_RULE = Criterion(
    id="own-1",
    text="The snake grows each time it eats.",
    by="person",
    about=CriterionAbout(kind="feature", name="snakeGame"),
)


def _game_spec() -> Spec:
    spec = extract_spec(SNAKE)
    return spec.model_copy(update={"criteria": [*derive_criteria(spec), GAME_RULE]})


def _game(project, *, with_task: bool = True) -> PlanVersion:
    tasks = (
        [BACKEND_TASK, FEATURE_TASK, VERIFY_TASK | {"depends_on": ["backend-1", "feature-snake-game"]}]
        if with_task
        else [BACKEND_TASK, VERIFY_TASK]
    )
    return make_version(project, tasks=tasks, spec=_game_spec().model_dump(mode="json"))


def _checked(version: PlanVersion, **statuses: str) -> Run:
    """A finished run of `version` whose verify task proved each criterion id given (dashes as underscores) as told."""
    run = make_run(
        version, statuses={t["key"]: TaskRun.Status.SUCCEEDED for t in version.tasks}, status=Run.Status.SUCCEEDED
    )
    verify = run.task_runs.get(key="verify")
    TaskAttempt.objects.create(task_run=verify, number=1, started_at=verify.started_at, succeeded=True)
    for criterion, status in statuses.items():
        CriterionResult.objects.create(
            run=run, task_run=verify, attempt=1, round=0, criterion=criterion.replace("_", "-"), text="?", status=status
        )
    return run


@pytest.mark.django_db
def test_the_criteria_about_a_feature_are_listed_under_it_and_no_other(project_a):
    panel = criteria_panel(_game(project_a), None)
    [feature] = panel.features
    assert (feature.name, feature.title) == ("snakeGame", "Snake game")
    assert [line.id for line in feature.lines] == ["feature-snake-game", "own-1"]
    assert not any(line.id in ("feature-snake-game", "own-1") for line in panel.lines)
    assert [group.feature for group in panel.groups] == [None, feature]


@pytest.mark.django_db
def test_a_feature_is_proven_when_all_its_criteria_passed(project_a):
    run = _checked(_game(project_a), feature_snake_game="passed", own_1="passed", records_score="passed")
    [feature] = criteria_panel(run.plan_version, run).features
    assert (feature.state, feature.words) == ("passed", "Proven")


@pytest.mark.django_db
def test_a_feature_fails_when_one_of_its_criteria_failed(project_a):
    run = _checked(_game(project_a), feature_snake_game="passed", own_1="failed")
    [feature] = criteria_panel(run.plan_version, run).features
    assert (feature.state, feature.words) == ("failed", "Failed")


@pytest.mark.django_db
def test_a_feature_without_a_verdict_says_why_in_words(project_a):
    built = _game(project_a)
    assert criteria_panel(built, None).features[0].words == "Not run yet"
    run = _checked(built, feature_snake_game="passed", own_1="not_proven")
    assert (criteria_panel(built, run).features[0].state, criteria_panel(built, run).features[0].words) == (
        "",
        "Not proven",
    )
    offline = _game(project_a, with_task=False)
    run = _checked(offline, feature_snake_game="not_proven", own_1="not_proven")
    assert criteria_panel(offline, run).features[0].words == "Not built offline"


@pytest.mark.django_db
def test_the_page_shows_the_feature_with_its_verdict_and_its_criteria_under_it(client, alice, project_a):
    _checked(_game(project_a), feature_snake_game="passed", own_1="passed", records_score="failed")
    client.force_login(alice)
    page = client.get(reverse("projects:detail", args=[project_a.pk])).content.decode()
    must_do = page[page.index('<section class="what-it-must-do"') :]
    feature = _text(must_do[must_do.index('<h4 class="criteria-feature"') : must_do.index("</section>")])
    assert feature.strip().startswith("✓ Proven Snake game ")
    assert "The snake grows each time it eats. own-1" in feature and "records-score" not in feature
    assert "Not covered" not in feature
    every = len(_game_spec().criteria)
    assert f"2 of {every} proven by the run’s tests." in _text(must_do)
