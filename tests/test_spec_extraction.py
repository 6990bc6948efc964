"""The offline extractor reads the entities, fields, links, flags and stack out of the request itself."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agents.extraction import apply_options, extract_spec, title_for
from agents.spec import Spec, StackChoice
from agents.stacks import get_stack, stacks_for

BACKENDS = sorted(stacks_for("backend"))
PYTHON_BACKENDS = [name for name in BACKENDS if get_stack(name).language == "python"]


def _entities(spec: Spec) -> list[str]:
    return [e.name for e in spec.entities]


def _fields(spec: Spec, entity: str) -> dict[str, str]:
    return {f.name: f.type for f in spec.entity(entity).fields}


def _links(spec: Spec, entity: str) -> set[str]:
    return {r.target for r in spec.entity(entity).relations}


@pytest.mark.parametrize(
    ("request_text", "entities"),
    [
        (
            "A small clinic appointment system with doctors, patients and appointments",
            ["Doctor", "Patient", "Appointment"],
        ),
        ("A recipe sharing site where users post recipes with ingredients and steps", ["Recipe", "Ingredient"]),
        ("An app to track books and authors", ["Book", "Author"]),
        ("A todo list", ["Todo"]),
        ("A REST API for a library's books, members and loans", ["Book", "Member", "Loan"]),
        ("A simple CRM for tracking contacts, companies and deals", ["Contact", "Company", "Deal"]),
        ("A kanban board with boards, columns and cards", ["Board", "Column", "Card"]),
        ("Hotel booking: rooms, guests and bookings", ["Room", "Guest", "Booking"]),
        ("A habit tracker", ["Habit"]),
        ("A Flask API to manage employees and departments", ["Employee", "Department"]),
        ("A music app with playlists of songs by artists", ["Playlist", "Song", "Artist"]),
        ("An online store selling handmade candles", ["Candle"]),
        ("A personal finance app with transactions and budgets", ["Transaction", "Budget"]),
        ("A pet adoption site listing pets with name, breed, age and photos", ["Pet"]),
        (
            "I need an inventory system for my hardware store: products, suppliers and purchase orders",
            ["Product", "Supplier", "Order"],
        ),
    ],
)
def test_it_finds_the_things_a_request_names(request_text, entities):
    assert _entities(extract_spec(request_text)) == entities


def test_user_is_never_an_entity_because_auth_provides_users():
    spec = extract_spec("Users and admins manage their accounts, profiles and notes")
    assert {"User", "Account", "Profile"}.isdisjoint(_entities(spec))
    assert spec.auth
    assert spec.roles == ["user", "admin"]


def test_a_request_with_no_entity_still_gets_one_named_after_its_main_noun():
    assert _entities(extract_spec("A blog")) == ["Post"]
    assert _entities(extract_spec("A weather dashboard")) == ["Forecast"]
    assert len(extract_spec("Make something nice").entities) == 1


@pytest.mark.parametrize("request_text", ["", "!!!", "???  ...", "1234 5678", "a", "Ein einfaches Werkzeug für alles"])
def test_odd_requests_still_give_a_valid_spec(request_text):
    spec = extract_spec(request_text)
    assert len(spec.entities) >= 1


def test_field_cues_give_typed_fields():
    spec = extract_spec(
        "A shop with products with a name, price, stock quantity and a description, and whether each is published"
    )
    assert _fields(spec, "Product") == {
        "name": "string",
        "price": "money",
        "stockQuantity": "int",
        "description": "text",
        "published": "boolean",
    }


def test_when_and_dates_become_datetimes():
    spec = extract_spec("An event planner where organisers create events with a location and start time")
    assert _fields(spec, "Event")["startTime"] == "datetime"
    assert _fields(spec, "Event")["location"] == "string"


def test_people_are_known_by_their_name_and_get_only_the_details_asked_for():
    assert _fields(extract_spec("Track doctors and patients"), "Patient") == {"name": "string"}
    assert _fields(extract_spec("Track patients with an email and a phone number"), "Patient") == {
        "name": "string",
        "email": "email",
        "phoneNumber": "string",
    }


def test_a_todo_gets_a_done_flag():
    assert _fields(extract_spec("A todo list"), "Todo")["done"] == "boolean"


def test_steps_become_a_text_field_of_the_recipe_not_an_entity():
    spec = extract_spec("users post recipes with ingredients and steps")
    assert _fields(spec, "Recipe")["steps"] == "text"
    assert "Step" not in _entities(spec)


def test_x_with_ys_makes_each_y_belong_to_its_x():
    spec = extract_spec("users post recipes with ingredients and steps")
    assert _links(spec, "Ingredient") == {"Recipe"}
    assert _links(spec, "Recipe") == set()


def test_booking_a_y_with_a_z_links_the_y_to_both():
    spec = extract_spec("A clinic with doctors, patients and appointments; patients book an appointment with a doctor")
    assert _links(spec, "Appointment") == {"Patient", "Doctor"}


def test_ys_on_xs_makes_the_y_belong_to_the_x():
    spec = extract_spec("A blog with posts and comments on posts")
    assert _links(spec, "Comment") == {"Post"}


def test_belongs_to_is_read_as_a_link():
    spec = extract_spec("Employees and departments; each employee belongs to a department")
    assert _links(spec, "Employee") == {"Department"}


def test_rating_things_creates_a_rating_that_belongs_to_them():
    spec = extract_spec("A recipe sharing site where users post recipes and rate each other's recipes")
    assert _links(spec, "Rating") == {"Recipe"}
    assert _fields(spec, "Rating") == {"score": "int"}


def test_commenting_on_and_upvoting_things_creates_records_that_belong_to_them():
    spec = extract_spec("A news site where people submit stories, comment on stories and upvote stories")
    assert _links(spec, "Comment") == {"Story"}
    assert _links(spec, "Vote") == {"Story"}


def test_links_never_form_a_loop():
    spec = extract_spec("Teams with players, and players with a team")
    assert not (_links(spec, "Team") and _links(spec, "Player"))


@pytest.mark.parametrize(
    "request_text",
    [
        "A REST API for managing books",
        "A Python FastAPI service for warehouse items",
        "A backend for a bike rental shop",
        "An inventory app with no frontend, just the API",
    ],
)
def test_api_requests_have_no_frontend(request_text):
    assert extract_spec(request_text).frontend is False


def test_a_web_app_with_an_api_keeps_its_frontend():
    assert extract_spec("A website for a book club, with a REST API and a React frontend").frontend is True


def test_a_static_site_has_no_login():
    spec = extract_spec("A static site for my bakery with a menu and opening hours")
    assert spec.auth is False
    assert spec.frontend is True


def test_a_request_that_mentions_logging_in_has_auth():
    assert extract_spec("A static site where members log in to see events").auth is True


# Runs once a back end in Python (the fastapi stack, built in parallel) is registered.
@pytest.mark.skipif(not PYTHON_BACKENDS, reason="no back-end stack in Python is registered yet")
@pytest.mark.parametrize(
    "request_text",
    [
        "A Flask API for employees",
        "A Django app for a school",
        "Python scripts and a REST API for notes",
        "A notes app with FastAPI",
        "A booking site for a vet, in Python",
    ],
)
def test_a_request_that_asks_for_python_gets_the_python_back_end(request_text):
    assert extract_spec(request_text).stack.backend == PYTHON_BACKENDS[0]


@pytest.mark.parametrize(
    "request_text", ["A React app for notes", "A TypeScript API for notes", "A pythonic notes app"]
)
def test_a_request_that_does_not_ask_for_python_gets_the_default_back_end(request_text):
    assert extract_spec(request_text).stack.backend == StackChoice().backend


def test_a_record_named_by_a_keyword_keeps_the_persons_word():
    # The stacks use "class" only inside longer names (classRoutes, ClassPage, class_ in Python);
    # the property tests draw such entity names too.
    spec = extract_spec("A gym where members book classes taught by trainers")
    assert "Class" in _entities(spec) and "Session" not in _entities(spec)


def test_the_title_and_app_name_come_from_the_request():
    spec = extract_spec("Build me a recipe sharing site where users post recipes")
    assert spec.title == "Recipe sharing site" == title_for("Build me a recipe sharing site where users post recipes")
    assert spec.app_name == "recipe-sharing-site"


@pytest.mark.parametrize(
    ("request_text", "title"),
    [
        ("An appointment booking site for a dog groomer, with customers", "Appointment booking site for a dog groomer"),
        ("I want a todo list. It should have due dates", "Todo list"),
        ("please create a gallery of photos for my family: albums and photos", "Gallery of photos for my family"),
        ("   ", "Generated app"),
        ("A " + "very " * 30 + "long request", "Very very very very very very very very very very very..."),
    ],
)
def test_the_title_is_the_opening_phrase_of_the_request(request_text, title):
    assert title_for(request_text) == title


def test_the_same_request_always_gives_the_same_spec():
    request = "A marketplace where sellers list products and buyers place orders and leave reviews for sellers"
    assert extract_spec(request) == extract_spec(request)


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=300))
def test_any_text_gives_a_valid_spec(text):
    assert extract_spec(text).entities


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            "a an the with and or of for on by users doctors patients books recipes steps price email when done notes "
            "api frontend static python login rooms classes reviews rate each other's , . ; : belongs to has have".split()
        ),
        max_size=40,
    )
)
def test_any_mix_of_cue_words_gives_a_valid_spec(words):
    assert extract_spec(" ".join(words)).entities


def test_options_chosen_on_the_form_override_the_request():
    spec = apply_options(extract_spec("A REST API for books"), {"frontend": True, "auth": False, "colour": "red"})
    assert (spec.frontend, spec.auth) == (True, False)


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_back_end_chosen_on_the_form_overrides_the_request(backend):
    spec = apply_options(extract_spec("A REST API in Python for books"), {"backend": backend})
    assert spec.stack.backend == backend


def test_a_back_end_that_is_not_registered_and_retired_options_are_ignored():
    spec = extract_spec("A REST API for books")
    assert apply_options(spec, {"backend": "cobol", "python": True, "frontend": "yes"}) == spec
