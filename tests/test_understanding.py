"""The offline planner reads a request for what the app keeps, the way a careful person would."""

import pytest

from agents.extraction import extract_spec
from agents.understanding import read
from agents.understanding.vocabulary import EVENT_NOUNS, NEVER_RECORDS, REQUEST_KINDS, SOFTWARE_WORDS
from orchestration.offline_planner import offline_plan


def _records(text: str) -> set[str]:
    return {r.name for r in read(text).records.values()}


def _links(text: str) -> set[tuple[str, str, str]]:
    reading = read(text)
    return {(reading.records[k.source].name, reading.records[k.target].name, k.cardinality) for k in reading.links}


def _details(text: str, record: str) -> dict[str, str]:
    reading = read(text)
    found = next(r for r in reading.records.values() if r.name == record)
    return {d.name: d.kind for d in found.details.values()}


@pytest.mark.parametrize(
    ("request_text", "not_records"),
    [
        ("A software application that lets a small bakery manage customer orders", {"Application", "Software", "Bakery"}),
        ("An app for my running club to log runs", {"App", "Club", "Running"}),
        ("A lending library for a neighbourhood tool shed: members borrow tools", {"Library", "Shed", "Lending", "Borrow"}),
        ("A clinic system with nice features where patients quickly book appointments", {"System", "Feature", "Quickly", "Nice"}),
    ],
)
def test_software_words_verbs_and_the_apps_own_opening_are_never_records(request_text, not_records):
    assert _records(request_text).isdisjoint(not_records)


def test_the_tables_of_words_the_reader_uses_keep_software_words_apart_from_things():
    assert {"app", "website", "dashboard", "interface"} <= SOFTWARE_WORDS
    assert {"user", "feature", "track"} <= NEVER_RECORDS
    assert "tool" in SOFTWARE_WORDS and "tool" not in NEVER_RECORDS  # "members borrow tools" keeps tools


def test_an_event_noun_comes_from_a_verb_between_two_records():
    text = "A lending library for a neighbourhood tool shed: members borrow tools, we track who has what and when it is due back."
    assert _records(text) == {"Member", "Tool", "Loan"}
    assert _links(text) == {("Loan", "Member", "one"), ("Loan", "Tool", "one")}


@pytest.mark.parametrize(
    ("verb", "event"), [("borrow", "loan"), ("book", "booking"), ("rent", "rental"), ("sign up", "signup")],
)
def test_the_table_of_event_nouns_names_what_a_verb_keeps(verb, event):
    assert EVENT_NOUNS[verb] == event


def test_signing_up_for_something_keeps_signups_of_both():
    text = "volunteers sign up for shifts, each shift has a start time and an end time"
    assert ("Signup", "Volunteer", "one") in _links(text) and ("Signup", "Shift", "one") in _links(text)


def test_booking_an_appointment_links_it_to_the_patient_and_the_doctor_not_the_other_way_round():
    links = _links("A clinic system where patients book appointments with doctors.")
    assert links == {("Appointment", "Patient", "one"), ("Appointment", "Doctor", "one")}


def test_x_with_several_ys_is_a_many_link_from_x():
    text = "A software application that lets a small bakery manage customer orders, with each order listing several cakes and a pickup time."
    assert ("Order", "Cake", "many") in _links(text)
    assert ("Order", "Customer", "one") in _links(text)


def test_ys_on_an_x_belong_to_the_x():
    assert _links("A blog with posts and comments on posts") == {("Comment", "Post", "one")}


def test_a_many_link_is_kept_on_the_listing_side_and_said_to_be_simplified():
    spec = extract_spec("I sell candles online. Products with scent and price, orders with several products.")
    assert [r.target for r in spec.entity("Order").relations] == ["Product"]
    assert any("several products" in note and "not built" in note for note in spec.not_built)


def test_amounts_dates_and_counts_become_typed_details():
    details = _details("Inventory for my little hardware shop: products with a price, a launch date and how many we have in stock.", "Product")
    assert details["price"] == "money"
    assert details["launchDate"] == "date"
    assert details["stock"] == "number"


def test_listed_options_make_a_choice_and_say_so():
    text = "A to-do list where each task has a priority (low, medium, high), a due date and can be marked done."
    reading = read(text)
    task = reading.records["task"]
    assert task.details["priority"].kind == "choice"
    assert task.details["priority"].options == ["low", "medium", "high"]
    assert task.details["done"].kind == "yes_no"
    spec = extract_spec(text)
    assert {f.name: f.type for f in spec.entity("Task").fields}["priority"] == "string"
    assert any("(low, medium, high)" in note for note in spec.not_built)


def test_only_seeing_your_own_records_is_read_as_ownership():
    assert read("A to-do list. Everyone only sees their own tasks.").owned == ["task"]


@pytest.mark.parametrize(
    ("request_text", "kind"),
    [
        ("A snake game playable in the browser with a high-score table", "game"),
        ("A unit converter for cooking measurements (cups, grams, ounces).", "converter"),
        ("a calculator for mortgage repayments", "calculator"),
        ("A command-line tool that renames my photos by the date they were taken", "cli"),
        ("Predict house prices from a CSV of past sales using machine learning", "ml"),
        ("A desktop app to edit photos", "desktop"),
        ("A clinic system where patients book appointments with doctors.", "records"),
        ("a quiz app: questions with four possible answers", "records"),
    ],
)
def test_it_recognises_what_kind_of_software_a_request_is(request_text, kind):
    assert read(request_text).kind == kind
    assert kind == "records" or kind in REQUEST_KINDS


def test_a_game_builds_only_its_high_score_table_and_says_so():
    spec = extract_spec("A snake game playable in the browser with a high-score table")
    assert [e.name for e in spec.entities] == ["Score"]
    assert spec.kind == "game"
    assert "your request is mainly a game, so it will only build the high-score table" in spec.not_built[0]
    assert "configure a model (see README)" in spec.not_built[0]


def test_a_converter_gets_a_minimal_plan_without_invented_unit_tables():
    spec = extract_spec("A unit converter for cooking measurements (cups, grams, ounces).")
    assert [e.name for e in spec.entities] == ["Conversion"]
    assert "mainly a converter" in spec.not_built[0]


def test_the_plan_reasoning_says_what_offline_mode_will_not_build():
    plan, _ = offline_plan("A clinic where patients book appointments with doctors and we send reminders.")
    assert "Sending reminders: not built." in plan.reasoning
    game, spec = offline_plan("A tetris clone")
    assert "mainly a game" in game.reasoning
    assert spec.kind == "game"


def test_replan_feedback_adds_details_and_records_and_never_a_track_entity():
    _, spec = offline_plan("A lending library for a neighbourhood tool shed: members borrow tools.",
                           feedback="Also track tool condition and repairs")
    names = [e.name for e in spec.entities]
    assert "Repair" in names and "Track" not in names
    assert "condition" in {f.name for f in spec.entity("Tool").fields}


def test_a_choice_among_records_links_the_record_described_to_them():
    text = "Inventory for my little hardware shop: products with a price, and which supplier we buy them from."
    assert ("Product", "Supplier", "one") in _links(text)


def test_written_by_and_grouped_by_name_records_of_their_own():
    assert ("Book", "Author", "one") in _links("A library catalogue: books with an ISBN and a title, each written by an author.")
    assert ("Dish", "Category", "one") in _links("An online menu with dishes grouped by category, each with a price.")
    assert "Date" not in _records("A photo album with photos sorted by date.")


def test_events_in_a_list_are_for_the_first_thing_listed():
    text = "A CRM for a consultancy: clients, contacts at each client, meetings with notes, and invoices with an amount."
    links = _links(text)
    assert {("Meeting", "Client", "one"), ("Invoice", "Client", "one"), ("Contact", "Client", "one")} <= links


def test_two_words_for_the_same_event_make_one_record():
    text = "I want customers to book appointments for their dogs, and I need to see each day's bookings."
    assert _records(text) == {"Customer", "Appointment", "Dog"}
    assert _links(text) == {("Appointment", "Dog", "one"), ("Dog", "Customer", "one")}


def test_a_command_line_tool_is_a_command_line_tool_whatever_it_handles():
    assert read("Build me a CLI that converts CSV to JSON").kind == "cli"


def test_only_making_or_running_something_makes_it_the_makers():
    assert ("Class", "Trainer", "one") in _links("A gym where trainers run classes and members sign up for them.")
    assert ("Question", "Student", "one") not in _links(
        "A web app where teachers create quizzes with questions and students take them."
    )


def test_what_follows_a_colon_after_an_event_belongs_to_the_event():
    text = "Keep track of the vaccinations of the animals on our farm: each animal, each vaccine, and the date it was given."
    assert _links(text) == {("Vaccination", "Animal", "one"), ("Vaccination", "Vaccine", "one")}


def test_an_event_listed_first_has_one_of_each_thing_listed_after_it():
    assert ("Talk", "Room", "one") in _links("A conference site with talks, speakers and rooms.")


def test_sending_something_is_noted_once_as_not_built_and_its_timing_is_no_detail():
    spec = extract_spec("Keep a list of my friends' birthdays and send me a reminder a week before.")
    assert [note for note in spec.not_built if "not built." in note and note.startswith("Sending")] == ["Sending reminders: not built."]
    assert {f.name for f in spec.entity("Friend").fields} == {"name", "birthday"}


def test_the_object_of_a_keeping_verb_is_kept_even_when_named_once():
    assert _records("I'd like a simple website where people can leave a message in a guestbook.") == {"Message"}


def test_tagging_records_gives_each_several_tags():
    assert _links("A place for our team to collect code snippets and tag them.") == {("Snippet", "Tag", "many")}
