"""The offline planner reads a request for what the app keeps, the way a careful person would."""

from pathlib import Path

import pytest

from agents.extraction import extract_spec
from agents.understanding import read
from agents.understanding.to_spec import STAGE_WORDS
from agents.understanding.vocabulary import (
    DONE_WORDS,
    EVENT_NOUNS,
    LENDINGS,
    MEASURES,
    NEVER_RECORDS,
    ONLY_WORDS,
    PERIODS,
    REQUEST_KINDS,
    SOFTWARE_WORDS,
)
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
        (
            "A software application that lets a small bakery manage customer orders",
            {"Application", "Software", "Bakery"},
        ),
        ("An app for my running club to log runs", {"App", "Club", "Running"}),
        (
            "A lending library for a neighbourhood tool shed: members borrow tools",
            {"Library", "Shed", "Lending", "Borrow"},
        ),
        (
            "A clinic system with nice features where patients quickly book appointments",
            {"System", "Feature", "Quickly", "Nice"},
        ),
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
    ("verb", "event"),
    [("borrow", "loan"), ("book", "booking"), ("rent", "rental"), ("sign up", "signup")],
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


def test_an_order_listing_several_products_gets_a_many_link_on_the_order():
    spec = extract_spec("I sell candles online. Products with scent and price, orders with several products.")
    assert [(r.target, r.many, r.key) for r in spec.entity("Order").relations] == [("Product", True, "productIds")]
    assert spec.entity("Product").relations == []
    assert not any("several" in note for note in spec.not_built)


def test_amounts_dates_and_counts_become_typed_details():
    details = _details(
        "Inventory for my little hardware shop: products with a price, a launch date and how many we have in stock.",
        "Product",
    )
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


def test_listed_options_become_a_choice_with_no_default_when_they_are_not_stages():
    spec = extract_spec(
        "A to-do list where each task has a priority (low, medium, high), a due date and can be marked done."
    )
    priority = spec.entity("Task").field("priority")
    assert (priority.type, priority.options, priority.default) == ("choice", ["low", "medium", "high"], None)
    assert not any("low, medium, high" in note for note in spec.not_built)


def test_a_status_listing_its_stages_starts_at_the_first_in_lower_case():
    spec = extract_spec("An issue tracker: each issue has a title and a status (Open, In progress, Done).")
    status = spec.entity("Issue").field("status")
    assert (status.type, status.options, status.default) == ("choice", ["open", "in progress", "done"], "open")


def test_options_are_written_the_way_the_spec_accepts_them():
    spec = extract_spec("Keep a log of the wines in my cellar: producer, vintage year and colour (red, white, rosé).")
    assert spec.entity("Wine").field("colour").options == ["red", "white", "rose"]


def test_a_price_is_money_and_a_photo_is_a_web_address():
    spec = extract_spec("I sell second-hand furniture. Each piece has a price, a photo and a description.")
    piece = spec.entity("Piece")
    assert (piece.field("price").type, piece.field("photo").type) == ("money", "url")


def test_a_due_date_with_a_paid_tick_box_makes_a_record_due_until_paid():
    spec = extract_spec("Bills for our shared house: every bill has an amount, a due date and a paid tick box.")
    bill = spec.entity("Bill")
    assert (bill.due, bill.done) == ("dueOn", "paid")
    assert bill.field("dueOn").type == "date"


def test_a_loan_due_back_is_done_once_returned_even_if_the_request_does_not_say_so():
    spec = extract_spec(
        "A lending library for a tool shed: members borrow tools, we track who has what and when it is due back."
    )
    loan = spec.entity("Loan")
    assert (loan.due, loan.done) == ("dueOn", "returnedOn")
    assert loan.field("returnedOn").type == "date"


def test_records_each_person_keeps_their_own_of_are_owned_and_need_log_ins():
    spec = extract_spec("A to-do list where each task has a title. Everyone only sees their own tasks.")
    assert spec.entity("Task").owned and spec.auth
    assert not any("Everyone sees" in note for note in spec.not_built)


def test_a_request_without_log_ins_drops_ownership_and_says_so():
    spec = extract_spec("Just for me, no log-ins: my own subscriptions with the monthly cost and the renewal date.")
    assert not spec.auth and not spec.entity("Subscription").owned
    assert (
        "Everyone sees all subscriptions: keeping each person's own apart needs log-ins, and this app has none."
        in spec.not_built
    )


def test_a_monthly_leaderboard_per_member_is_a_summary_grouped_by_the_link_and_the_month():
    spec = extract_spec(
        "An app for my running club to log runs with the distance and the date, and see a monthly leaderboard "
        "of total distance per member."
    )
    [summary] = spec.summaries
    assert (summary.entity, summary.measure, summary.field, summary.group_by, summary.period, summary.date_field) == (
        "Run",
        "sum",
        "distance",
        "member",
        "month",
        "date",
    )
    assert not any("leaderboard" in note for note in spec.not_built)


def test_how_many_records_are_late_counts_the_overdue_ones():
    spec = extract_spec(
        "Our club lends equipment to players. Each loan has a return-by date. Show how many loans are late."
    )
    [summary] = spec.summaries
    assert (summary.entity, summary.measure, summary.only) == ("Loan", "count", "overdue")


def test_a_figure_the_records_cannot_give_is_noted_as_not_built():
    spec = extract_spec(
        "Our dance school runs classes; each class can have many pupils. Show how many pupils are in each class."
    )
    assert spec.summaries == []
    assert "How many pupils are in each class: not built" in " ".join(spec.not_built)


def test_the_spec_made_from_each_gold_request_is_valid_and_generatable():
    import yaml

    from agents.generators.naming import normalise_spec
    from agents.spec import Spec

    gold = yaml.safe_load(
        (Path(__file__).resolve().parent.parent / "bench" / "gold" / "understanding.yaml").read_text()
    )
    for case in gold:
        spec = extract_spec(case["request"])
        assert normalise_spec(Spec.model_validate(spec.model_dump())) is not None


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
    assert [f.title for f in spec.features] == ["Snake game"]
    assert (
        spec.not_built[1].startswith("Snake game — ")
        and "a model builds it (configure one, see README)" in spec.not_built[1]
    )


def test_a_converter_gets_a_minimal_plan_without_invented_unit_tables():
    spec = extract_spec("A unit converter for cooking measurements (cups, grams, ounces).")
    assert [e.name for e in spec.entities] == ["Conversion"]
    assert "mainly a converter" in spec.not_built[0]


def test_the_plan_reasoning_says_what_offline_mode_will_not_build():
    plan, _ = offline_plan("A clinic where patients book appointments with doctors and we send reminders.")
    assert "Reminders — Send reminders. Not built offline: a model builds it" in plan.reasoning
    game, spec = offline_plan("A tetris clone")
    assert "mainly a game" in game.reasoning
    assert spec.kind == "game"


def test_replan_feedback_adds_details_and_records_and_never_a_track_entity():
    _, spec = offline_plan(
        "A lending library for a neighbourhood tool shed: members borrow tools.",
        feedback="Also track tool condition and repairs",
    )
    names = [e.name for e in spec.entities]
    assert "Repair" in names and "Track" not in names
    assert "condition" in {f.name for f in spec.entity("Tool").fields}


def test_a_choice_among_records_links_the_record_described_to_them():
    text = "Inventory for my little hardware shop: products with a price, and which supplier we buy them from."
    assert ("Product", "Supplier", "one") in _links(text)


def test_written_by_and_grouped_by_name_records_of_their_own():
    assert ("Book", "Author", "one") in _links(
        "A library catalogue: books with an ISBN and a title, each written by an author."
    )
    assert ("Dish", "Category", "one") in _links("An online menu with dishes grouped by category, each with a price.")
    assert "Date" not in _records("A photo album with photos sorted by date.")


def test_events_in_a_list_are_for_the_first_thing_listed():
    text = (
        "A CRM for a consultancy: clients, contacts at each client, meetings with notes, and invoices with an amount."
    )
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
    assert [note for note in spec.not_built if "Not built offline" in note] == [
        "Reminders — Send me a reminder a week before. Not built offline: a model builds it (configure one, see README)."
    ]
    assert {f.name for f in spec.entity("Friend").fields} == {"name", "birthday"}


def test_the_object_of_a_keeping_verb_is_kept_even_when_named_once():
    assert _records("I'd like a simple website where people can leave a message in a guestbook.") == {"Message"}


def test_tagging_records_gives_each_several_tags():
    assert _links("A place for our team to collect code snippets and tag them.") == {("Snippet", "Tag", "many")}


def test_what_i_want_to_sell_is_the_business_not_a_record_of_its_own():
    assert _records("I want to sell handmade candles online. Products with scent and price.") == {"Product"}


def test_the_people_an_app_is_for_are_not_records_unless_named_again():
    assert "Student" not in _records("A homework planner for students: subjects and assignments due on a date.")
    assert "Student" in _records("A homework planner for students: each student has a class and assignments.")


def test_a_bare_noun_after_a_preposition_is_a_state_not_a_record():
    assert _records("Help me keep my invoices in order: each invoice has an amount.") == {"Invoice"}


def test_examples_joined_by_or_describe_a_record_rather_than_being_records():
    assert "Biscuit" not in _records("Every purchase of tea, milk or biscuits comes out of the kitty, with an amount.")


def test_people_who_only_act_in_the_app_are_its_users_not_records():
    records = _records(
        "a quiz app: questions with four possible answers, and players get a score at the end of each quiz attempt"
    )
    assert "Player" not in records
    assert "Member" in _records("A lending library: members borrow tools and return them.")


def test_what_someone_gets_at_a_record_is_that_records_detail():
    text = "a quiz app: questions with four possible answers, and players get a score at the end of each quiz attempt"
    assert _details(text, "Attempt")["score"] == "number"


def test_someone_who_only_replies_is_who_logs_in_and_the_reply_is_to_what_was_just_named():
    text = "A customer support desk: customers open tickets, agents reply, and each ticket has a priority."
    assert _records(text) == {"Customer", "Ticket", "Reply"}
    assert ("Reply", "Ticket", "one") in _links(text)


@pytest.mark.parametrize(
    ("word", "measure"), [("total", "sum"), ("average", "avg"), ("highest", "max"), ("cheapest", "min")]
)
def test_the_table_of_measures_says_which_figure_a_word_asks_for(word, measure):
    assert MEASURES[word] == measure


def test_the_tables_of_periods_and_of_open_or_late_records_read_the_words_for_them():
    assert (PERIODS["monthly"], PERIODS["week"], PERIODS["annual"]) == ("month", "week", "year")
    assert (ONLY_WORDS["late"], ONLY_WORDS["outstanding"]) == ("overdue", "open")


def test_a_due_record_is_done_by_a_detail_the_table_of_done_words_names():
    assert {"paid", "returned", "completed"} <= DONE_WORDS and "loan" in LENDINGS
    spec = extract_spec("A chores board: each chore has a name, a due date and whether it is completed.")
    assert (spec.entity("Chore").due, spec.entity("Chore").done) == ("dueOn", "completed")


def test_a_size_is_a_choice_without_a_default_since_it_is_no_stage():
    assert "size" not in STAGE_WORDS and "status" in STAGE_WORDS
    spec = extract_spec("A clothes shop: products with a price and a size (small, medium, large).")
    size = spec.entity("Product").field("size")
    assert (size.options, size.default) == (["small", "medium", "large"], None)


def test_a_record_split_between_several_others_lists_them():
    spec = extract_spec(
        "Bills for our shared house: every bill has an amount, and a bill can be split between several housemates."
    )
    assert [(r.target, r.many) for r in spec.entity("Bill").relations] == [("Housemate", True)]


def test_a_plural_listed_after_a_comma_is_a_record_even_where_the_parser_reads_a_verb():
    assert _details(
        "Help me keep my freelance invoices in order: clients, invoices with an amount, a due date and whether "
        "they're paid.",
        "Invoice",
    ) == {"amount": "money", "dueOn": "date", "paid": "yes_no"}


def test_the_things_currently_out_are_a_count_of_the_loans_not_yet_back():
    spec = extract_spec(
        "A lending library for a tool shed: members borrow tools and we track when each loan is due back. "
        "Show the tools currently out."
    )
    [summary] = spec.summaries
    assert (summary.entity, summary.measure, summary.only, summary.label) == (
        "Loan",
        "count",
        "open",
        "The tools currently out",
    )


def test_a_figure_per_option_of_a_choice_groups_by_the_choice_not_by_a_new_record():
    spec = extract_spec(
        "A small CRM: companies, deals with a value and a stage (lead, proposal, won, lost), and the total "
        "value of deals per stage."
    )
    assert "Stage" not in {e.name for e in spec.entities}
    [summary] = spec.summaries
    assert (summary.entity, summary.measure, summary.field, summary.group_by) == ("Deal", "sum", "value", "stage")


def test_things_sent_are_noted_as_not_built_rather_than_kept():
    spec = extract_spec("A volunteer rota: shifts with a date, and reminders by email the day before.")
    assert "Reminder" not in {e.name for e in spec.entities}
    assert [(f.title, f.part) for f in spec.features] == [("Reminders", "backend")]
    assert spec.not_built == [
        "Reminders — Reminders by email the day before. Not built offline: a model builds it "
        "(configure one, see README)."
    ]


def test_a_figure_per_something_already_linked_another_way_adds_no_link_of_its_own():
    spec = extract_spec(
        "Parents book several activities; each activity has a price; show how much each parent spent per month."
    )
    assert all(r.target != "Parent" for r in spec.entity("Activity").relations)


def test_a_record_that_covers_several_others_lists_them():
    spec = extract_spec("Lesson plans and topics: each plan can cover several topics.")
    assert ("Topic", True) in [(r.target, r.many) for r in spec.entity("Plan").relations]


def test_the_number_of_records_per_option_counts_them_by_that_choice():
    spec = extract_spec(
        "We track bugs with a severity (minor, major, critical), and I want the number of bugs per severity."
    )
    [summary] = spec.summaries
    assert (summary.entity, summary.measure, summary.group_by) == ("Bug", "count", "severity")


def test_a_maximum_number_of_people_is_a_detail_not_a_figure():
    spec = extract_spec("Volunteers sign up for shifts; each shift has a start time and a maximum number of people.")
    assert spec.summaries == [] and not any("number" in note for note in spec.not_built)


def test_a_detail_named_after_its_record_loses_the_record_word_only_when_it_is_a_word_of_its_own():
    assert set(_details("A library: each book has a bookshelf location and a book condition.", "Book")) == {
        "bookshelfLocation",
        "condition",
    }


def test_what_is_listed_as_part_of_what_i_keep_track_of_is_mine():
    spec = extract_spec("Keep track of my household budget: expenses with an amount and a date.")
    assert spec.entity("Expense").owned


def test_what_is_listed_for_my_business_is_shared_by_its_staff():
    spec = extract_spec(
        "Help me run my window cleaning business: customers, their addresses and the jobs I do for them."
    )
    assert not any(e.owned for e in spec.entities)


def test_my_clients_are_the_people_a_business_serves_not_records_private_to_one_account():
    assert read("I teach piano. I keep track of my pupils and their lessons.").owned == []


def test_which_tools_are_out_counts_the_loans_not_yet_returned():
    spec = extract_spec(
        "A tool library: members borrow tools and we track when each is due back. Show how many tools are out."
    )
    summary = spec.summaries[0]
    assert (summary.entity, summary.measure, summary.only) == ("Loan", "count", "open")


def test_out_of_stock_is_no_figure_of_what_is_lent():
    spec = extract_spec("A shop where products have a price; mark the ones that are out of stock.")
    assert spec.summaries == []


def test_a_total_price_that_each_record_has_is_a_detail_not_a_figure():
    spec = extract_spec("Customers place orders; each order has a pickup time and a total price.")
    assert [(f.name, f.type) for f in spec.entity("Order").fields] == [("pickupTime", "datetime"), ("price", "money")]
    assert spec.summaries == []
