"""Offline spec extraction: read a plain-language request and work out what the app stores.

No model and no network: a few rules about how people describe software. Plural nouns name
what the app keeps ("doctors, patients and appointments"); words such as "price", "email" or
"when" are fields of the thing they follow; "X with a Y", "Ys on Xs" and "Xs book a Y" are
links between entities. The result is deterministic: the same request gives the same spec.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .spec import Entity, EntityField, Relation, Spec

# --- Word lists ------------------------------------------------------------------------------

DETERMINERS = frozenset(
    "a an the their his her its my our your each every any some many multiple several other "
    "new own one two three all this that these those".split()
)
PREPOSITIONS = frozenset(
    "on of for in to about under by from at within into per against between across through during before after "
    "like near over via around among".split()
)
LINKS = frozenset({",", "and", "or", "&", "plus"})
CLAUSE_ENDS = frozenset({".", ";", ":", "!", "?", "(", ")", "where", "so", "but", "while", "then", "who", "which", "that"})
OWNER_WORDS = frozenset({"with", "including", "containing", "having", "has", "have"})
SUBJECT_PRONOUNS = frozenset("that which who it he she everyone someone anyone one".split())

# Plural-looking words that are not plural nouns.
NOT_PLURAL = frozenset(
    """always perhaps various previous this its his hers yours ours theirs news series species
    yes was does has is less plus thus across unless whereas towards besides afterwards regardless
    business status bus gas canvas atlas alias lens ios analytics statistics sometimes""".split()
)
# Verbs in the third person that are never the plural of an entity here...
VERBS = frozenset(
    """lets allows helps wants uses makes takes gives gets shows sends manages handles supports
    includes contains provides creates offers requires displays belongs depends seems means goes comes
    becomes says looks keeps enables notifies reminds calculates generates saves loads exports imports
    sells buys follows writes reads owns assigns sorts filters searches adds edits deletes updates rates""".split()
)
# Base forms that start a new clause inside a list of fields ("recipes with steps, and rate them").
CLAUSE_VERBS = frozenset(
    """let keep track manage add see write leave make create send share get allow can will should must want need
    rate comment review vote upvote submit sign log register browse search buy sell pay""".split()
)
# ...and words that are either ("the clinic books an appointment", "track books").
EITHER = frozenset(
    "tracks lists stores records logs schedules reviews posts shares likes views books orders comments needs works runs".split()
)
# Singular nouns that never become an entity: the app itself, UI words, time units, people in
# general. "user" is here on purpose: authentication provides users.
NON_ENTITIES = frozenset(
    """user account login signup password profile person people thing stuff feature page screen view detail
    option setting other way kind type lot time day hour minute week month year second word info data
    everyone chart graph widget button form tab field role admin administrator moderator staff
    permission notification update change link result site website app application system platform
    service api backend frontend tool dashboard database interface ui ux web browser phone mobile
    owner visitor developer programmer request version bit part section idea music weather fitness
    health travel sport food money management administration automation communication collaboration productivity
    organization organisation reporting""".split()
)
NON_ENTITY_MODIFIERS = frozenset(
    """a an the simple small little basic tiny big large personal static online web mobile full-stack
    fullstack rest restful json http python fastapi flask django node react typescript javascript new
    modern minimal internal public private local shared multi-user single-page family
    """.split()
)
COMPOUND_HEADS = frozenset(
    """list tracker manager app application log planner journal catalog catalogue directory board site
    website system platform tool database organizer organiser api service backend dashboard portal
    keeper registry""".split()
)
# A request about one of these places, with no other entity named, is about what it holds.
FALLBACK_ENTITIES = {
    "blog": "post", "shop": "product", "store": "product", "webshop": "product", "e-commerce": "product",
    "ecommerce": "product", "library": "book", "inventory": "item", "warehouse": "item", "finance": "transaction",
    "budget": "transaction", "crm": "contact", "forum": "topic", "gallery": "photo", "portfolio": "project",
    "restaurant": "dish", "cafe": "dish", "bakery": "product", "menu": "dish", "clinic": "patient",
    "school": "student", "gym": "member", "game": "score", "quiz": "question", "newsletter": "subscriber",
    "wiki": "article", "todo": "todo", "to-do": "todo", "diary": "entry", "journal": "entry",
    "weather": "forecast", "music": "song", "fitness": "workout", "travel": "trip", "food": "meal",
}
SINGULAR_DOMAIN = {"blog": "post", "forum": "topic", "todo": "todo", "to-do": "todo", "wiki": "article"}

# field cue -> (field name, type). Two-word cues ("phone number") keep the first word's field.
CUES: dict[str, tuple[str, str]] = {
    "name": ("name", "string"), "title": ("title", "string"), "email": ("email", "email"),
    "e-mail": ("email", "email"), "phone": ("phone", "string"), "telephone": ("phone", "string"),
    "mobile": ("phone", "string"), "price": ("price", "float"), "cost": ("cost", "float"),
    "amount": ("amount", "float"), "total": ("total", "float"), "fee": ("fee", "float"),
    "salary": ("salary", "float"), "budget": ("budget", "float"), "balance": ("balance", "float"),
    "weight": ("weight", "float"), "date": ("date", "datetime"), "time": ("time", "datetime"),
    "when": ("scheduledAt", "datetime"), "deadline": ("deadline", "datetime"), "due": ("dueAt", "datetime"),
    "birthday": ("birthday", "date"), "quantity": ("quantity", "int"), "count": ("count", "int"),
    "stock": ("stock", "int"), "rating": ("rating", "int"), "score": ("score", "int"), "age": ("age", "int"),
    "capacity": ("capacity", "int"), "duration": ("durationMinutes", "int"), "calories": ("calories", "int"),
    "servings": ("servings", "int"), "pages": ("pages", "int"), "year": ("year", "int"),
    "done": ("done", "boolean"), "completed": ("completed", "boolean"), "complete": ("completed", "boolean"),
    "published": ("published", "boolean"), "active": ("active", "boolean"), "paid": ("paid", "boolean"),
    "available": ("available", "boolean"), "archived": ("archived", "boolean"), "finished": ("finished", "boolean"),
    "description": ("description", "text"), "notes": ("notes", "text"), "note": ("notes", "text"),
    "steps": ("steps", "text"), "instructions": ("instructions", "text"), "body": ("body", "text"),
    "content": ("content", "text"), "bio": ("bio", "text"), "summary": ("summary", "text"),
    "text": ("text", "text"), "address": ("address", "string"), "location": ("location", "string"),
    "city": ("city", "string"), "country": ("country", "string"), "url": ("url", "string"),
    "website": ("website", "string"), "link": ("url", "string"), "status": ("status", "string"),
    "color": ("color", "string"), "colour": ("colour", "string"), "size": ("size", "string"),
    "genre": ("genre", "string"), "isbn": ("isbn", "string"), "sku": ("sku", "string"),
    "brand": ("brand", "string"), "priority": ("priority", "string"), "photo": ("photoUrl", "string"),
    "image": ("imageUrl", "string"), "picture": ("pictureUrl", "string"), "breed": ("breed", "string"),
    "species": ("species", "string"), "room": ("room", "string"), "level": ("level", "string"),
    "language": ("language", "string"), "category": ("category", "string"), "author": ("author", "string"),
}
PLURAL_CUES = {"names": "name", "emails": "email", "phones": "phone", "prices": "price", "dates": "date",
               "times": "time", "photos": "photo", "images": "image", "pictures": "picture", "ratings": "rating",
               "scores": "score", "addresses": "address", "descriptions": "description", "deadlines": "deadline",
               "quantities": "quantity", "amounts": "amount", "costs": "cost", "locations": "location"}
# Cues that are only ever fields; the others name an entity of their own when nothing owns them
# ("a gallery of photos", "rooms, guests and bookings").
FIELD_ONLY = frozenset(
    """name title email e-mail phone telephone mobile price cost amount total fee salary balance weight date time
    when deadline due birthday quantity count stock age capacity duration calories servings pages year done completed
    complete published active paid available archived finished description steps instructions body content bio
    summary text address url website link status color colour size isbn sku priority level""".split()
)
ABSORBED_AFTER = {"phone": {"number"}, "email": {"address"}, "e-mail": {"address"}, "due": {"date"}}

PEOPLE = frozenset(
    """doctor patient customer client member author student teacher employee player guest contact artist
    speaker attendee organiser organizer volunteer driver tenant landlord supplier vendor instructor trainer coach athlete
    parent child kid friend subscriber seller buyer host agent candidate applicant participant reader
    writer musician chef owner manager worker technician nurse therapist dentist lawyer groomer
    mechanic tutor pupil physician vet veterinarian singer actor director""".split()
)
EVENTS = frozenset(
    "appointment booking reservation event meeting session shift visit match trip flight reminder "
    "workout exam interview concert show screening rental loan checkup".split()
)
MONEY = frozenset("order sale expense payment invoice transaction purchase donation bill income refund quote".split())
TASKS = frozenset("task todo chore habit goal ticket issue bug errand".split())
MESSAGES = frozenset("comment review message answer reply feedback testimonial".split())
CONTENT = frozenset(
    "post article recipe book story movie film song album episode podcast video photo question lesson "
    "note page poem essay course project listing job".split()
)
# Entity words that are reserved in JavaScript or TypeScript, and a name to use instead.
RESERVED_RENAMES = {"class": "session", "package": "parcel", "case": "matter", "function": "occasion",
                    "interface": "connector", "default": "preset", "export": "shipment", "import": "delivery",
                    "delete": "removal", "return": "refund", "switch": "toggle", "enum": "choice", "new": "novelty"}
# Actions that leave a record about the thing acted on: "rate recipes" -> a Rating of a recipe.
ACTION_RECORDS = {
    "rate": "rating", "rates": "rating", "rated": "rating", "rating": "rating", "review": "review",
    "comment": "comment", "favourite": "favorite", "favorite": "favorite", "bookmark": "bookmark",
    "vote": "vote", "upvote": "vote",
}

API_ONLY = re.compile(
    r"\b(rest(ful)?\s+api|json\s+api|http\s+api|web\s+api|graphql\s+api|api\s+only|backend\s+only|back-end\s+only"
    r"|headless|micro-?service|api\s+(service|server|backend)|no\s+(frontend|front-end|ui|user interface)"
    r"|without\s+(a\s+)?(frontend|front-end|ui|user interface))\b"
)
API_HEADS = frozenset({"api", "backend", "back-end", "service", "server", "microservice"})
UI_WORDS = re.compile(r"\b(web\s*site|site|web\s+app|frontend|front-end|user interface|ui|pages?|dashboard|browser|react|screens?|game)\b")
NEGATED_UI = re.compile(r"\b(no|without(\s+a)?)\s+(frontend|front-end|ui|user interface|web\s+pages?)\b")
AUTH_WORDS = re.compile(r"\b(users?|log\s*in|login|logins|sign\s*(up|in)|register|accounts?|profiles?|passwords?)\b")
NO_AUTH = re.compile(
    r"\b(static|landing\s+page|brochure|no\s+(login|logins|accounts|auth\w*)|without\s+(login|accounts|auth\w*)"
    r"|anonymous|public\s+read-only)\b"
)
PYTHON_WORDS = re.compile(r"\b(python|fastapi|flask|django|pytest)\b")
ADMIN_WORDS = re.compile(r"\b(admins?|administrators?|moderators?|staff)\b")
TITLE_PREFIX = re.compile(
    r"^\s*(?:please\s+)?(?:(?:i\s+(?:want|need|would\s+like)|we\s+(?:want|need)|build|create|make|write|generate|give)\s+(?:me\s+|us\s+)?)?"
    r"(?:an?\s+|the\s+)?", re.IGNORECASE
)

SWITCHES = ("frontend", "auth", "python")  # Spec fields a project's options may set
FEEDBACK_PREFIX = "Feedback to take into account: "  # how a re-plan's feedback reaches the architect task

TOKEN = re.compile(r"[a-z0-9]+(?:[-][a-z0-9]+)*|'s\b|[,.;:!?()&]")


# --- Words ---------------------------------------------------------------------------------------

IRREGULAR = {"people": "person", "children": "child", "men": "man", "women": "woman", "mice": "mouse",
             "geese": "goose", "teeth": "tooth", "feet": "foot", "data": "data", "criteria": "criterion",
             "analyses": "analysis", "buses": "bus", "statuses": "status", "quizzes": "quiz",
             "indices": "index", "matrices": "matrix", "bonuses": "bonus", "campuses": "campus",
             "viruses": "virus", "caches": "cache", "niches": "niche", "heroes": "hero",
             "potatoes": "potato", "tomatoes": "tomato", "echoes": "echo", "vetoes": "veto"}
IES_TO_IE = frozenset("movies cookies zombies calories pies ties lies brownies hoodies selfies rookies smoothies goalies freebies".split())
VES_TO_F = {"wolves": "wolf", "knives": "knife", "leaves": "leaf", "shelves": "shelf", "wives": "wife",
            "lives": "life", "halves": "half", "calves": "calf", "loaves": "loaf", "thieves": "thief",
            "scarves": "scarf", "hooves": "hoof", "elves": "elf"}


def singular(word: str) -> str:
    """The singular of an English plural noun; other words come back unchanged."""
    if word in IRREGULAR:
        return IRREGULAR[word]
    if word in VES_TO_F:
        return VES_TO_F[word]
    if word.endswith("ies") and len(word) > 4:
        return word[:-1] if word in IES_TO_IE else word[:-3] + "y"
    if word.endswith("es") and word[:-2].endswith(("ss", "x", "z", "ch", "sh")):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def plural(word: str) -> str:
    if word.endswith("y") and len(word) > 2 and word[-2] not in "aeiou":
        return word[:-1] + "ies"
    if word.endswith(("s", "x", "z", "ch", "sh")):
        return word + "es"
    if word == "person":
        return "people"
    return word + "s"


def _looks_plural(word: str) -> bool:
    return (
        word in IRREGULAR
        or (len(word) >= 4 and word.isalpha() and word.endswith("s") and not word.endswith(("ss", "us", "is", "ics"))
            and word not in NOT_PLURAL)
    )


def _is_noun_like(word: str, *, plural_form: bool = False) -> bool:
    """Could name a thing: not a function word, and (unless it was a plural, like "bookings") not an -ing/-ly/-ed form."""
    return (
        3 <= len(word) <= 30 and word[0].isalpha() and word not in DETERMINERS and word not in PREPOSITIONS
        and word not in LINKS and word not in CLAUSE_ENDS and word not in OWNER_WORDS
        and word not in NON_ENTITY_MODIFIERS and (plural_form or not word.endswith(("ing", "ly", "ed")))
    )


def _camel(parts: list[str]) -> str:
    words = [p for part in parts for p in re.split(r"[-']", part) if p]
    return words[0] + "".join(w.capitalize() for w in words[1:])


def _pascal(word: str) -> str:
    return "".join(w.capitalize() for w in re.split(r"[-']", word) if w)


# --- Findings --------------------------------------------------------------------------------------


@dataclass
class _Draft:
    word: str  # singular, lower case
    plural_word: str
    fields: dict[str, str] = field(default_factory=dict)
    parents: dict[str, bool] = field(default_factory=dict)  # target word -> required


@dataclass
class _Findings:
    tokens: list[str]
    drafts: dict[str, _Draft] = field(default_factory=dict)
    mentions: dict[int, str] = field(default_factory=dict)  # token index -> entity word
    notes: list[str] = field(default_factory=list)

    def add(self, word: str, plural_word: str | None = None) -> _Draft:
        if word in RESERVED_RENAMES:  # "class" cannot name a variable in the generated code
            word, plural_word = RESERVED_RENAMES[word], None
        if word not in self.drafts:
            self.drafts[word] = _Draft(word, plural_word or plural(word))
        return self.drafts[word]

    def link(self, child: str, parent: str) -> None:
        """child gets a many-to-one link to parent, unless that would close a loop."""
        if child == parent or parent in self.drafts[child].parents or self._reaches(parent, child):
            return
        self.drafts[child].parents[parent] = True

    def _reaches(self, start: str, goal: str) -> bool:
        seen, todo = set(), [start]
        while todo:
            word = todo.pop()
            if word == goal:
                return True
            if word not in seen:
                seen.add(word)
                todo.extend(self.drafts[word].parents)
        return False


def _tokens(request: str) -> list[str]:
    text = request.lower().replace("\u2019", "'").replace("to do", "todo").replace("e-mail", "email")
    text = re.sub(r"\n+", " . ", text)  # a new line starts a new sentence, with or without a full stop
    return TOKEN.findall(text)


def _word(tokens: list[str], i: int) -> str:
    return tokens[i] if 0 <= i < len(tokens) else "."


def _is_verb_here(tokens: list[str], i: int) -> bool:
    """A plural-looking word used as a verb: "the clinic books an appointment", "an app that tracks books"."""
    prev, nxt = _word(tokens, i - 1), _word(tokens, i + 1)
    if prev in SUBJECT_PRONOUNS:
        return True
    if tokens[i] in VERBS:
        return True
    after_subject = prev not in DETERMINERS and prev not in PREPOSITIONS and prev not in LINKS and prev not in OWNER_WORDS
    if tokens[i] in EITHER:
        return after_subject and (nxt in DETERMINERS or (_looks_plural(nxt) and nxt not in EITHER))
    return after_subject and nxt in DETERMINERS


def _find_plural_entities(found: _Findings) -> None:
    tokens = found.tokens
    for i, word in enumerate(tokens):
        if not _looks_plural(word) or word in PLURAL_CUES or word in CUES or _is_verb_here(tokens, i):
            continue
        base = singular(word)
        if base in NON_ENTITIES or base in FIELD_ONLY or not _is_noun_like(base, plural_form=True):
            continue
        if base in CUES and _owner_before(found, i) is not None:
            continue  # "recipes with photos": a field of the recipe, not a gallery
        found.mentions[i] = found.add(base, word).word


def _owner_before(found: _Findings, i: int) -> str | None:
    """The entity whose "with ..." clause reaches token i, if any."""
    j = i - 1
    while j >= 0 and found.tokens[j] not in CLAUSE_ENDS:
        if found.tokens[j] in OWNER_WORDS and j - 1 in found.mentions:
            return found.mentions[j - 1]
        j -= 1
    return None


def _find_singular_mentions(found: _Findings) -> None:
    """A known entity named in the singular ("with a doctor"), and heads such as "todo list"."""
    tokens = found.tokens
    for i, word in enumerate(tokens):
        if i in found.mentions:
            continue
        if word in found.drafts:
            found.mentions[i] = word
        elif word in SINGULAR_DOMAIN:
            found.mentions[i] = found.add(SINGULAR_DOMAIN[word]).word
        elif _word(tokens, i + 1) in COMPOUND_HEADS and _word(tokens, i + 1) not in found.drafts \
                and _is_noun_like(word) and word not in NON_ENTITIES \
                and word not in CUES and word not in FALLBACK_ENTITIES and not _looks_plural(word) \
                and not any(word.startswith(known) for known in found.drafts):  # "member" covers "membership"
            found.mentions[i] = found.add(word).word


# --- Fields and relations ------------------------------------------------------------------------


def _cue_at(tokens: list[str], i: int) -> tuple[str, str] | None:
    word = tokens[i]
    word = PLURAL_CUES.get(word, word)
    if word not in CUES:
        return None
    if _word(tokens, i - 1) in ABSORBED_AFTER and word in ABSORBED_AFTER[_word(tokens, i - 1)]:
        return None  # "phone number": the phone cue already made the field
    name, kind = CUES[word]
    prev = _word(tokens, i - 1)
    # "start time", "stock quantity", "due date": the modifier names the field.
    if _is_noun_like(prev) and prev not in CUES and prev not in PLURAL_CUES and i - 1 >= 0 and prev.isalpha() \
            and prev not in NON_ENTITIES and not _looks_plural(prev):
        name = _camel([prev, word if name == word else name])
    return name, kind


def _read_owner_clause(found: _Findings, owner: str, start: int) -> None:
    """'owner with a name, a start time and ingredients' -> fields and links of owner."""
    tokens = found.tokens
    i = start
    while i < len(tokens) and tokens[i] not in CLAUSE_ENDS:
        word = tokens[i]
        if i in found.mentions and found.mentions[i] != owner:
            target = found.mentions[i]
            if word == target and _word(tokens, i - 1) in DETERMINERS:  # "with a doctor"
                found.link(owner, target)
            else:  # "with ingredients"
                found.link(target, owner)
        elif (cue := _cue_at(tokens, i)) is not None:
            found.drafts[owner].fields.setdefault(*cue)
        elif word in CLAUSE_VERBS or ((word in VERBS or _looks_plural(word)) and _is_verb_here(tokens, i)):
            break  # "posts with comments, and the clinic books visits": a new clause starts
        i += 1


def _read_links(found: _Findings) -> None:
    tokens = found.tokens
    for i, entity in sorted(found.mentions.items()):
        nxt = _word(tokens, i + 1)
        if nxt in OWNER_WORDS:
            _read_owner_clause(found, entity, i + 2)
        elif nxt in PREPOSITIONS and (target := _mention_after(found, i + 2, reach=2)) is not None:
            found.link(entity, target)  # "comments on posts", "books by authors"
        elif nxt in {"belongs", "belong"} and (target := _mention_after(found, i + 3, reach=2)) is not None:
            found.link(entity, target)  # "each employee belongs to a department"
        elif _word(tokens, i + 2) == "by" and (target := _mention_after(found, i + 3, reach=2)) is not None:
            found.link(entity, target)  # "classes taught by trainers"
        elif tokens[i] != entity and nxt not in LINKS and nxt not in CLAUSE_ENDS and nxt not in COMPOUND_HEADS \
                and (target := _mention_after(found, i + 2, reach=3)) is not None:
            found.link(target, entity)  # "patients book an appointment": the appointment has a patient
        elif nxt == "'s" and (cue := _cue_at(tokens, i + 2)) is not None:
            found.drafts[entity].fields.setdefault(*cue)  # "each patient's email"


def _mention_after(found: _Findings, start: int, *, reach: int) -> str | None:
    for j in range(start, min(start + reach + 1, len(found.tokens))):
        if j in found.mentions:
            return found.mentions[j]
        if found.tokens[j] not in DETERMINERS and found.tokens[j] != "'s" and not _is_adjective_like(found.tokens[j]):
            return None
    return None


def _is_adjective_like(word: str) -> bool:
    return word in NON_ENTITY_MODIFIERS or word.endswith(("ing", "ed", "ly", "ful", "al", "ous", "ive"))


def _read_actions(found: _Findings) -> None:
    """'users rate each other's recipes' -> a Rating that belongs to the recipe; the same for
    comments, reviews, favourites and votes."""
    tokens = found.tokens
    for i, word in enumerate(tokens):
        record = ACTION_RECORDS.get(word)
        if record is None or i in found.mentions:
            continue
        window = range(i + 1, min(i + 6, len(tokens)))
        target = next((found.mentions[j] for j in window if j in found.mentions and found.mentions[j] != record), None)
        if target is not None:
            found.link(found.add(record).word, target)


# --- Defaults -----------------------------------------------------------------------------------


def _default_fields(word: str) -> list[tuple[str, str, bool]]:
    """(name, type, required) that an entity of this kind always has, before the cues."""
    if word in PEOPLE:
        return [("name", "string", True), ("email", "email", False), ("phone", "string", False)]
    if word in EVENTS:
        return [("title", "string", True), ("startsAt", "datetime", True), ("notes", "text", False)]
    if word in MONEY:
        return [("description", "string", True), ("amount", "float", True), ("date", "datetime", True)]
    if word in TASKS:
        return [("title", "string", True), ("done", "boolean", True), ("dueAt", "datetime", False)]
    if word == "rating":
        return [("score", "int", True)]
    if word == "vote":
        return [("value", "int", True)]
    if word in ("favorite", "bookmark"):
        return [("note", "string", False)]
    if word in MESSAGES:
        return [("body", "text", True)] + ([("rating", "int", True)] if word == "review" else [])
    if word == "score":
        return [("player", "string", True), ("points", "int", True)]
    if word in CONTENT:
        return [("title", "string", True), ("description", "text", False)]
    return [("name", "string", True), ("description", "text", False)]


def _entity(draft: _Draft, drafts: dict[str, _Draft]) -> Entity:
    relations = [Relation(name=_camel([p]), target=_pascal(p), required=True) for p in draft.parents]
    taken = {r.name for r in relations} | {f"{r.name}Id" for r in relations} | {"id", "createdAt", "updatedAt"}
    fields: dict[str, EntityField] = {}
    defaults = _default_fields(draft.word)
    label = defaults[0]
    cue_names = set(draft.fields)
    if label[0] not in cue_names and not ({"name", "title"} & cue_names):
        fields[label[0]] = EntityField(name=label[0], type=label[1], required=label[2])
    required_defaults = {name for name, _, required in defaults if required} | {"name", "title"}
    for name, kind in draft.fields.items():
        fields.setdefault(name, EntityField(name=name, type=kind, required=name in required_defaults))
    for name, kind, required in defaults[1:]:
        if name not in fields and not (kind == "datetime" and any(f.type == "datetime" for f in fields.values())):
            fields[name] = EntityField(name=name, type=kind, required=required)
    kept = [f for name, f in fields.items() if name not in taken and name not in {_camel([d]) for d in drafts}][:30]
    return Entity(
        name=_pascal(draft.word), plural=_camel([draft.plural_word]), label=draft.word.replace("-", " ").capitalize(),
        fields=kept or [EntityField(name="name")], relations=relations[:10],
    )


# --- Whole request ------------------------------------------------------------------------------


def _fallback_entity(found: _Findings) -> None:
    """Never zero entities: what the request's place holds, or its main noun."""
    tokens = found.tokens
    word = next((FALLBACK_ENTITIES[t] for t in tokens if t in FALLBACK_ENTITIES), None)
    if word is None:
        word = next((singular(t) for t in tokens if _is_noun_like(t) and t.isalpha() and singular(t) not in NON_ENTITIES
                     and t not in CUES and t not in VERBS and t not in COMPOUND_HEADS), "item")
    found.add(word)
    found.notes.append(f"no entity was named, so the app keeps {plural(word)}")


def _title(request: str) -> str:
    first = re.split(r"[.;:!?\n]|,\s|\s-\s|\s(?:with|where|that|which|so|for\s+managing)\s", request.strip(), maxsplit=1)[0]
    title = TITLE_PREFIX.sub("", first).strip() or "Generated app"
    title = title[0].upper() + title[1:]
    return title if len(title) <= 60 else title[:57].rsplit(" ", 1)[0] + "..."


def _app_name(title: str) -> str:
    words = re.findall(r"[a-z0-9]+", title.lower().replace("'s", ""))
    words = [w for w in words if w not in DETERMINERS and w not in {"with", "and", "for", "of"}]
    name = "-".join(words[:4]).strip("-")
    if not name or not name[0].isalpha():
        name = f"app-{name}".strip("-")
    return name[:50].rstrip("-") if len(name) >= 2 else "app"


def _flags(text: str, title: str) -> dict[str, object]:
    # "A Python FastAPI service for ...": the thing asked for is an API.
    head = re.split(r"\s(?:for|to|in|on|of)\s", title.lower(), maxsplit=1)[0].split()[-1]
    api_only = bool(API_ONLY.search(text) or head in API_HEADS)
    ui_asked = bool(UI_WORDS.search(NEGATED_UI.sub("", API_ONLY.sub("", text))))
    return {
        "frontend": not api_only or (ui_asked and not NEGATED_UI.search(text)),
        # Writes are protected unless the request is for something without accounts.
        "auth": bool(AUTH_WORDS.search(text)) or not NO_AUTH.search(text),
        "python": bool(PYTHON_WORDS.search(text)),
        "roles": ["user", "admin"] if ADMIN_WORDS.search(text) else ["user"],
    }


def request_with_feedback(request: str, instructions: str) -> str:
    """The request plus the feedback a re-plan put in the architect's instructions, so that the
    offline architect builds what the re-planned version promises."""
    feedback = [line[len(FEEDBACK_PREFIX):] for line in instructions.splitlines() if line.startswith(FEEDBACK_PREFIX)]
    return "\n".join([request, *feedback])


def apply_options(spec: Spec, options: dict) -> Spec:
    """The spec with the switches a person chose on the form (frontend, auth, python) taking precedence."""
    chosen = {name: value for name, value in options.items() if name in SWITCHES and isinstance(value, bool)}
    return spec.model_copy(update=chosen)


def extract_spec(request: str) -> Spec:
    """The spec of the app a plain-language request describes (offline, deterministic): the reading
    of agents.understanding mapped down to today's schema, with what it will not build."""
    from .understanding import read  # the language model's libraries load on first use, not on import
    from .understanding.to_spec import not_built, spec_entities

    reading = read(request)
    title = _title(request)
    text = " ".join(_tokens(request))
    return Spec(
        app_name=_app_name(title), title=title, summary=request.strip()[:2000], entities=spec_entities(reading),
        kind=reading.kind, not_built=not_built(reading), **_flags(text, title),
    )
