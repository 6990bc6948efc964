"""The few word tables the reader needs beyond the parse. The parse says which words are nouns,
verbs and adjectives and how they connect; these tables say what some words mean for an app
that keeps records. Each table is tested in tests/test_understanding.py.
"""

from __future__ import annotations

# Words about the software itself: not records when named once ("a lending library", "a tool"),
# though a plural can be ("members borrow tools", "boards, columns and cards").
SOFTWARE_WORDS = frozenset(
    """app application software site website web system platform tool program service api backend
    frontend interface feature page screen dashboard database portal tracker planner manager list log
    schedule rota timetable
    collection catalogue catalog directory board sheet scheduler calendar diary journal organiser
    organizer keeper registry leaderboard report chart graph form button view record detail
    place clone part""".split()
)
# Never records: who uses the app (log-ins provide users), and words for things in general.
NEVER_RECORDS = frozenset(
    """information data user account login password people person everyone someone anyone other
    visitor thing stuff way lot kind type bit idea option setting feature track one profile admin
    administrator moderator staff""".split()
)

# Units and spans of time: a quantity's unit or a period, not something kept.
UNITS = frozenset(
    """second minute hour day night evening morning week month year time kilometre kilometer km mile
    metre meter gram kilogram kg ounce pound dollar euro penny cent percent""".split()
)

# Details of a record, by the noun people use for them, with the kind of value they hold.
DETAIL_KINDS = {
    "name": "text",
    "title": "text",
    "subject": "text",
    "caption": "text",
    "symbol": "text",
    "phone": "text",
    "address": "text",
    "location": "text",
    "venue": "text",
    "city": "text",
    "country": "text",
    "registration": "text",
    "make": "text",
    "model": "text",
    "breed": "text",
    "producer": "text",
    "composer": "text",
    "genre": "text",
    "isbn": "text",
    "sku": "text",
    "treatment": "text",
    "scent": "text",
    "contact": "text",
    "condition": "text",
    "email": "email",
    "e-mail": "email",
    "description": "long_text",
    "notes": "long_text",
    "note": "long_text",
    "bio": "long_text",
    "body": "long_text",
    "content": "long_text",
    "text": "long_text",
    "code": "long_text",
    "instruction": "long_text",
    "step": "long_text",
    "allergy": "long_text",
    "word": "long_text",
    "price": "money",
    "cost": "money",
    "fee": "money",
    "amount": "money",
    "salary": "money",
    "rent": "money",
    "deposit": "money",
    "charge": "money",
    "budget": "money",
    "balance": "money",
    "total": "money",
    "value": "money",
    "distance": "decimal",
    "weight": "decimal",
    "height": "decimal",
    "length": "decimal",
    "date": "date",
    "birthday": "date",
    "vintage": "number",
    "time": "datetime",
    "deadline": "datetime",
    "age": "number",
    "capacity": "number",
    "quantity": "number",
    "count": "number",
    "stock": "number",
    "rating": "number",
    "score": "number",
    "point": "number",
    "page": "number",
    "calorie": "number",
    "duration": "number",
    "mileage": "number",
    "year": "number",
    "seat": "number",
    "mark": "number",
    "week": "number",
    "share": "number",
    "number": "number",
    "status": "choice",
    "priority": "choice",
    "category": "choice",
    "difficulty": "choice",
    "urgency": "choice",
    "level": "choice",
    "colour": "choice",
    "color": "choice",
    "size": "choice",
    "rsvp": "choice",
    "photo": "url",
    "image": "url",
    "picture": "url",
    "link": "url",
    "url": "url",
    "website": "url",
    "cv": "url",
}
# The last word of a two-word detail decides its kind whatever the first is: "start time",
# "closing date", "labour cost".
HEAD_KINDS = {
    "time": "datetime",
    "date": "date",
    "day": "date",
    "cost": "money",
    "price": "money",
    "count": "number",
    "number": "text",
    "address": "text",
    "name": "text",
}

# A verb between two record nouns that names an event of its own: "members borrow tools" keeps
# Loans (of a tool, by a member). Two-word verbs are written with their particle.
EVENT_NOUNS = {
    "borrow": "loan",
    "lend": "loan",
    "book": "booking",
    "rent": "rental",
    "hire": "hire",
    "reserve": "reservation",
    "sign up": "signup",
    "enrol": "enrolment",
    "enroll": "enrollment",
    "register": "registration",
    "order": "order",
    "buy": "purchase",
    "adopt": "adoption",
    "apply": "application",
    "attend": "attendance",
    "visit": "visit",
    "walk": "walk",
    "hand in": "submission",
    "check in": "checkin",
    "vaccinate": "vaccination",
    "donate": "donation",
    "pay": "payment",
    "rate": "rating",
    "review": "review",
    "comment": "comment",
    "reply": "reply",
    "vote": "vote",
    "upvote": "vote",
}
# Nouns that are events, those the verbs above name among them: "patients book appointments"
# keeps the Appointment itself.
EVENTS = frozenset(
    """appointment booking reservation session lesson class meeting visit rental loan shift match
    game concert gig event trip ride run walk workout repair service cleaning exam interview tenancy talk
    order sale purchase payment invoice expense transaction donation signup submission attempt
    rating review comment reply vote""".split()
) | frozenset(EVENT_NOUNS.values())
# What a record of a few common sorts holds when the request says nothing more.
DEFAULT_DETAILS = {
    "appointment": {"startsAt": "datetime"},
    "booking": {"startsAt": "datetime"},
    "session": {"startsAt": "datetime"},
    "lesson": {"startsAt": "datetime"},
    "class": {"startsAt": "datetime"},
    "meeting": {"startsAt": "datetime"},
    "shift": {"startsAt": "datetime"},
    "todo": {"title": "text", "done": "yes_no"},
    "task": {"title": "text", "done": "yes_no"},
    "rating": {"score": "number"},
    "vote": {"value": "number"},
    "score": {"player": "text", "points": "number"},
    "comment": {"text": "long_text"},
    "review": {"text": "long_text", "rating": "number"},
    "reply": {"text": "long_text"},
}

# Words for the same event: a request that keeps appointments and then mentions "bookings"
# means the appointments; one that keeps expenses and says "who paid for what" means the expenses.
SAME_EVENTS = (frozenset({"appointment", "booking", "reservation"}), frozenset({"expense", "payment"}))

# Verbs of making or running something: its object is the subject's ("teachers post homework",
# "customers open tickets", "trainers run classes").
CREATING_VERBS = frozenset(
    """post create write upload add list log record submit publish open run teach host lead organise
    organize own make give sell offer report raise file request""".split()
)

# Verbs whose object is a record of the app ("log runs", "leave a message"), even in the singular.
KEEPING_VERBS = frozenset(
    """keep track log record save store add list collect upload post leave write create enter sell""".split()
)

# Verbs that label records with records of their own, several per record: "tag snippets".
LABELS = {"tag": "tag", "label": "label"}

# Words that make a link many: "with several cakes", "more than one speaker".
SEVERAL = frozenset("several multiple many various".split())

# People: a noun of this kind before another record names who it is for ("customer orders").
PEOPLE = frozenset(
    """customer client member patient doctor dentist student pupil teacher tenant guest volunteer
    player trainer coach employee supplier seller buyer owner parent child kid speaker author artist
    flatmate gardener cleaner driver agent""".split()
)

# Records whose label is a title rather than a name.
TITLED = frozenset(
    """book song post article task todo issue homework assignment vacancy talk album snippet quiz
    pattern question story recipe movie film episode lesson project ticket""".split()
)

# What a request is, when it is not an app that keeps records. Each kind is recognised by the
# words that name it in the part of the request that says what it is.
REQUEST_KINDS = {  # in order: how it is run (a command line) says more than what it handles (CSV)
    "ml": frozenset("predict prediction classify classifier train neural learning".split()),
    "cli": frozenset("command-line command cli script terminal".split()),
    "desktop": frozenset("desktop".split()),
    "mobile": frozenset("mobile android iphone ios".split()),
    "game": frozenset("game tetris chess sudoku crossword wordle puzzle solitaire pong".split()),
    "data": frozenset("scrape scraper crawl crawler analyse analyze analysis spreadsheet csv".split()),
    "converter": frozenset("convert converter conversion".split()),
    "calculator": frozenset("calculator calculate calculation".split()),
}
# How the notes name each kind, and the one record offline mode still builds for it.
KIND_WORDS = {
    "ml": "machine-learning task",
    "data": "data-processing job",
    "cli": "command-line tool",
    "desktop": "desktop program",
    "mobile": "mobile app",
    "game": "game",
    "converter": "converter",
    "calculator": "calculator",
}

# The kinds of request the stacks build: an app that keeps records, and a game, a converter or a
# calculator, which offline mode lists as a feature a model builds (the others stay notes: no stack
# builds a command-line tool or a mobile app, with or without a model).
FEATURE_KINDS = frozenset({"game", "converter", "calculator"})
# Words before a game's, converter's or calculator's name that do not tell it apart: "a simple unit
# converter for cooking measurements" is a cooking measurement converter.
PLAIN_MODIFIERS = frozenset("simple little small basic quick easy fun nice new online web browser unit tiny".split())

# Behaviour beyond records that people ask for in passing, by its verb: the feature's title and
# the part it lives in. Sending happens on the back end, where a scheduled job sees every record
# and runs with nobody's browser open. Export and print are the website's: they format what a page
# already shows, and scanning uses the device's camera. Importing is both: the website reads the
# file, and the back end checks every row and stores them together. Recommendations and predictions
# are both: the rule must see all the records (the browser sees one page of them, and never anyone
# else's private ones), and people see the suggestions on a page.
FEATURE_VERBS = {
    "remind": ("reminders", "backend"),
    "notify": ("notifications", "backend"),
    "email": ("emails", "backend"),
    "text": ("text messages", "backend"),
    "send": ("messages", "backend"),
    "sync": ("syncing", "backend"),
    "export": ("export", "frontend"),
    "print": ("printing", "frontend"),
    "scan": ("scanning", "frontend"),
    "import": ("import", "both"),
    "recommend": ("recommendations", "both"),
    "suggest": ("suggestions", "both"),
    "predict": ("predictions", "both"),
}
# Things sent to people: sending them is a feature ("reminders by email"), not records kept.
SENT_THINGS = frozenset("reminder notification alert newsletter".split())
# Verbs whose object is who receives it ("remind members"), so it is not part of the title.
SENDING_VERBS = frozenset("remind notify email text send".split())
# Names a feature may not take: keywords of the generated languages (TypeScript and Python), where
# a feature's name becomes an identifier. The name gets "Feature" after it instead.
KEYWORDS = frozenset(
    """break case catch class const continue debugger default delete do else enum export extends false finally for
    function if import in instanceof new null return super switch this throw true try typeof var void while with yield
    let static implements interface package private protected public await async and as assert def del elif except
    from global is lambda nonlocal not or pass raise""".split()
)

# A request naming only a place is about what the place keeps ("a blog" keeps posts).
PLACE_HOLDS = {
    "blog": "post",
    "shop": "product",
    "store": "product",
    "library": "book",
    "inventory": "item",
    "forum": "topic",
    "gallery": "photo",
    "wiki": "article",
    "crm": "contact",
    "weather": "forecast",
    "todo": "todo",
    "to-do": "todo",
    "guestbook": "message",
    "newsletter": "subscriber",
}

# Words that ask for a figure over records, and which figure: "the total distance", "the average
# price", "the most expensive item". "how many" and "how much" count and add up too, when what
# follows says per what or per when ("how much I spent each month"); alone they are a detail.
MEASURES = {
    "total": "sum",
    "sum": "sum",
    "leaderboard": "sum",
    "average": "avg",
    "mean": "avg",
    "highest": "max",
    "largest": "max",
    "biggest": "max",
    "longest": "max",
    "maximum": "max",
    "most": "max",
    "lowest": "min",
    "smallest": "min",
    "shortest": "min",
    "cheapest": "min",
    "minimum": "min",
    "least": "min",
}
# Spans of time a figure is given per: "a monthly leaderboard", "each week", "per year".
PERIODS = {
    "day": "day",
    "daily": "day",
    "week": "week",
    "weekly": "week",
    "month": "month",
    "monthly": "month",
    "year": "year",
    "yearly": "year",
    "annual": "year",
}
# Words that ask only for records that are not yet done, or past their due date.
ONLY_WORDS = {"overdue": "overdue", "late": "overdue", "outstanding": "open", "unreturned": "open"}

# Details whose being set means a record is no longer due: "paid", "done", "returnedOn".
DONE_WORDS = frozenset("done paid completed complete finished returned collected closed resolved".split())
# Records of lending, which end when the thing comes back: a loan due back is done once returned.
LENDINGS = frozenset("loan rental hire borrowing".split())
