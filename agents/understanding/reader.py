"""Read a plain-language request into a Reading: what the request is, the records it keeps,
their details and links, who owns what, and what offline mode will not build.

The language model tags and parses the request; the reader walks the parse. Nouns that the app
keeps become records (plural things, "each X", the object of "log" or "save"); nouns such as
"price" or "status" become details of the record they belong to; verbs between two records
become links, or events of their own ("members borrow tools" keeps Loans). The request's own
opening ("A lending library for a neighbourhood tool shed") says what the app is, and is not
itself a record unless the request names it again.
"""

from __future__ import annotations

import re

from spacy.tokens import Doc, Token

from ..spec_words import plural_of
from .features import read_features
from .language import lemma as _lemma
from .language import parse
from .reading import Detail, Link, Reading, Record, Tally, reaches
from .vocabulary import (
    CREATING_VERBS,
    DEFAULT_DETAILS,
    DETAIL_KINDS,
    DONE_WORDS,
    EVENT_NOUNS,
    EVENTS,
    HEAD_KINDS,
    KEEPING_VERBS,
    LABELS,
    LENDINGS,
    MEASURES,
    NEVER_RECORDS,
    ONLY_WORDS,
    PEOPLE,
    PERIODS,
    PLACE_HOLDS,
    REQUEST_KINDS,
    SAME_EVENTS,
    SENT_THINGS,
    SEVERAL,
    SOFTWARE_WORDS,
    TITLED,
    UNITS,
)

GENERIC_SUBJECTS = frozenset("people everyone someone anyone user users other others visitor they".split())
FIRST_PERSON = frozenset("i we me us".split())
RELATIVE = frozenset("who that which".split())
OWNER_PREPS = frozenset("with including containing".split())
HAVING_VERBS = frozenset("have include contain list".split())
LINK_PREPS = frozenset("on of for at in from to".split())
NAME_SKIP = frozenset(
    "several many other own small little short long new high low each every total maximum minimum "
    "daily monthly weekly yearly possible this last next few".split()
)
FLAG_HEADS = frozenset("flag box checkbox tick".split())
GROUP_WORDS = frozenset("per each every by".split())  # "per member", "each month", "by category"


def read(request: str) -> Reading:
    doc = parse(_normalise(request))
    reading = Reading()
    frame = _frame(doc)
    reading.kind = _kind(doc, frame)
    mentions = _Mentions(doc, frame)
    if reading.kind == "records":
        _read_records(doc, mentions, reading)
    else:
        _read_side_records(doc, reading)
    reading.features = read_features(doc, reading.kind)
    reading.links = _without_shortcuts(reading.links)
    return reading


def _normalise(request: str) -> str:
    text = request.replace("\u2019", "'").replace("\u2014", ", ").strip()
    text = re.sub(r"\bto[- ]do\b", "todo", text, flags=re.IGNORECASE)
    text = re.sub(r"\s*\n+\s*", ". ", text)  # a new line starts a new sentence, full stop or not
    return text[:4000]


# --- What the request is ---------------------------------------------------------------------------


def _frame(doc: Doc) -> set[int]:
    """The tokens that say what the request is: its opening noun phrase ("a lending library for a
    neighbourhood tool shed", "I run a dog grooming salon") or its opening verb ("Convert ...")."""
    if not len(doc):
        return set()
    sentence = next(doc.sents)
    root, first = sentence.root, doc[sentence.start]
    frame: set[int] = set()
    head = None
    if first.tag_ == "VB" or (first.lower_ in KEEPING_VERBS and first.i == root.left_edge.i and first.i != root.i):
        frame.add(first.i)  # an instruction: "Convert ...", "Track patients ..." (even parsed as a noun)
        colon = next((t for t in sentence if t.text == ":"), None)
        named = (
            [t for t in doc[first.i + 1 : colon.i] if t.pos_ == "NOUN" and not _is_plural(t)]
            if colon is not None
            else []
        )
        if named and named[-1].dep_ in ("dobj", "pobj"):
            frame |= _phrase(named[-1])  # "Keep track of my household budget: expenses ...": the budget is the app
    elif root.pos_ in ("NOUN", "PROPN"):
        head = root
    elif root.pos_ in ("VERB", "AUX"):
        subject = next((c for c in root.children if c.dep_ == "nsubj"), None)
        if subject is not None and subject.lower_ in FIRST_PERSON:  # "I run a salon", "We're a school"
            head = next((c for c in root.children if c.dep_ in ("dobj", "attr") and c.pos_ == "NOUN"), None)
            if head is None:  # "I want to sell handmade candles": what the business does is in the wanting
                head = next(
                    (
                        o
                        for x in root.children
                        if x.dep_ == "xcomp"
                        for o in x.children
                        if o.dep_ == "dobj" and o.pos_ == "NOUN"
                    ),
                    None,
                )
    if head is None and first.i not in frame:
        # "A snake game playable in the browser", "A portfolio site for ..., each photo has a caption":
        # an opening "A ..." phrase that is not the subject of what follows.
        if first.lower_ in ("a", "an") and first.head.pos_ == "NOUN" and first.head.dep_ not in ("nsubj", "nsubjpass"):
            head = first.head
    if head is not None:
        software = next(
            (t for t in doc[head.left_edge.i : head.i] if t.pos_ == "NOUN" and _lemma(t) in SOFTWARE_WORDS), None
        )
        if software is not None:  # "A sales dashboard showing orders": the opening ends at the dashboard
            return {t.i for t in doc[sentence.start : software.i + 1]}
        frame |= _phrase(head)
        for prep in (c for c in head.children if c.dep_ == "prep" and c.lower_ in ("for", "of")):
            # "for a food bank", "for students" is who the app is for; "for my software projects" is what it keeps.
            for obj in (c for c in prep.children if c.dep_ == "pobj" and (not _is_plural(c) or _lemma(c) in PEOPLE)):
                frame |= _phrase(obj)
        frame |= {c.i for c in head.children if c.dep_ in ("relcl", "acl") and c.pos_ == "VERB"}
    return frame


def _phrase(token: Token) -> set[int]:
    return {token.i} | {c.i for c in token.lefts if c.dep_ in ("compound", "amod", "nmod")}


def _kind(doc: Doc, frame: set[int]) -> str:
    """records, or the kind of software the request's opening names (a game, a converter, ...)."""
    # The opening, and the first sentence's words that are not details of something else.
    sentence = next(doc.sents) if len(doc) else doc[:0]
    said = [doc[i] for i in frame] + [t for t in sentence if t.dep_ not in ("compound", "pobj", "poss", "amod")]
    words = {_lemma(t) for t in said} | {t.lower_ for t in said}
    text = doc.text.lower()
    if "machine learning" in text or ("train" in words and "model" in text):
        return "ml"
    if re.search(r"\bcommand[- ]line\b", text) and words & {"command", "line", "tool", "command-line"}:
        return "cli"
    for kind, cues in REQUEST_KINDS.items():
        if words & cues:
            return kind
    return "records"


# --- Which nouns are records -----------------------------------------------------------------------


class _Mentions:
    """Which tokens name a record, and which record."""

    def __init__(self, doc: Doc, frame: set[int]) -> None:
        self.doc = doc
        self.frame = frame
        self.options = _options(doc)
        self.by_token: dict[int, str] = {}
        self.summary_spans = _summary_spans(doc)
        self.in_summary = {t.i for span in self.summary_spans for t in span}

    def word(self, token: Token | None) -> str | None:
        return None if token is None else self.by_token.get(token.i)

    def preceding(self, token: Token, *, besides: set[str] = frozenset(), plural: bool | None = None) -> str | None:
        """The nearest record named before token (what "it", "them" or "their" points back to)."""
        for i in range(token.i - 1, -1, -1):
            word = self.by_token.get(i)
            if word and word not in besides and (plural is None or _is_plural(self.doc[i]) == plural):
                return word
        return None


def _options(doc: Doc) -> dict[int, list[str]]:
    """token index of a noun -> the options listed in brackets after it: "a priority (low, high)"."""
    found: dict[int, list[str]] = {}
    for token in doc:
        if token.text != "(" or token.i == 0:
            continue
        close = next((t.i for t in doc[token.i :] if t.text == ")"), None)
        if close is None:
            continue
        inside = doc[token.i + 1 : close].text.lower()
        words = [w.strip() for w in re.split(r",|\bor\b|\band\b|/", inside) if w.strip()]
        if len(words) >= 2:
            found[token.i - 1] = words
    return found


def _in_brackets(doc: Doc, token: Token) -> bool:
    opened = False
    for t in doc[: token.i]:
        opened = True if t.text == "(" else False if t.text == ")" else opened
    return opened


def _is_plural(token: Token) -> bool:
    return token.tag_ in ("NNS", "NNPS") or (token.lower_.endswith("s") and _lemma(token) != token.lower_)


def _is_noun(token: Token) -> bool:
    """A noun, also where the parser took a plural in a list for a verb ("meetings with notes, and
    invoices with an amount")."""
    return (
        token.pos_ == "NOUN"
        or token.tag_ in ("NNS", "NNPS")
        or (token.pos_ == "PROPN" and token.text.islower())
        or (
            token.tag_ == "VBZ"
            and token.dep_ == "conj"
            and token.head.pos_ == "NOUN"
            and not any(c.dep_ in ("nsubj", "dobj") for c in token.children)  # "... and sees the totals" is a verb
        )
        or _listed_after(token)
    )


def _listed_after(token: Token) -> bool:
    """ "clients, invoices with an amount": a plural the parser took for a verb whose subject is the
    thing listed just before it."""
    return (
        token.tag_ == "VBZ"
        and token.i > 1
        and token.doc[token.i - 1].text == ","
        and any(c.dep_ == "nsubj" and c.tag_ == "NNS" and c.i == token.i - 2 for c in token.children)
    )


def _counted(token: Token) -> bool:
    """ "how many bottles", "the number of shares": a count, not a record."""
    before = token.doc[max(0, token.i - 2) : token.i].text.lower()
    return before == "how many" or (token.dep_ == "pobj" and _lemma(token.head.head) == "number")


def _could_be_record(token: Token) -> bool:
    lemma = _lemma(token)
    if token.tag_ == "VBZ" and lemma == token.lower_:
        lemma = lemma[:-1]
    plural = _is_plural(token)
    return (
        _is_noun(token)
        and token.is_alpha
        and not _counted(token)
        and len(lemma) > 2
        and lemma not in NEVER_RECORDS
        and lemma not in SENT_THINGS  # "reminders by email": sending them is a feature, not a record
        and (lemma not in SOFTWARE_WORDS or plural)
        and lemma not in UNITS
        # "my reading", "cooking": an activity, unless it is a known event or kept in the plural ("bookings")
        and not (lemma.endswith("ing") and not plural and lemma not in EVENTS)
        # "in order", "in stock", "on time": a bare singular after a preposition is a state, not a thing
        and not (
            token.dep_ == "pobj"
            and not plural
            and not any(c.dep_ in ("det", "poss", "nummod") for c in token.children)
            and token.head.lower_ in ("in", "on", "at", "by")
            and not any(c.dep_ == "compound" for c in token.children)
        )
        # "a purchase of tea, milk or biscuits": what it is of, by example, is a description of it
        and not (token.dep_ in ("pobj", "conj") and _alternatives(token))
    )


def _alternatives(token: Token) -> bool:
    """Whether token is one of a list of examples joined by "or" under "of" or "like"."""
    first = token
    while first.dep_ == "conj":
        first = first.head
    listed = [first, *first.conjuncts]
    joined_by_or = any(c.dep_ == "cc" and c.lower_ == "or" for t in listed for c in t.children)
    return joined_by_or and first.dep_ == "pobj" and first.head.lower_ in ("of", "like")


def _owner_clause(token: Token) -> Token | None:
    """The noun whose "with ..." or "has ..." clause token sits in ("recipes with ingredients",
    "each shift has a start time")."""
    current = token
    for _ in range(8):
        head = current.head
        if head.i == current.i:
            return None
        if current.dep_ in ("pobj",) and head.lower_ in OWNER_PREPS:
            owner = head.head
            if owner.pos_ in ("VERB", "AUX") and not _listed_after(owner):
                return next((c for c in owner.children if c.dep_ == "dobj"), None) or _subject(owner)
            return owner
        if current.dep_ in ("dobj", "attr") and _lemma(head) in HAVING_VERBS:
            return _subject(head)
        if current.dep_ not in ("conj", "appos", "pobj", "prep", "cc", "compound", "nmod"):
            return None
        current = head
    return None


def _subject(verb: Token) -> Token | None:
    for _ in range(4):
        subject = next((c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass")), None)
        if subject is not None:
            if subject.lower_ in RELATIVE and verb.dep_ == "relcl":
                return verb.head
            return subject
        if verb.dep_ in ("conj", "xcomp", "advcl", "pcomp") and verb.head.i != verb.i:
            verb = verb.head
        elif verb.dep_ == "relcl":
            return verb.head
        else:
            return None
    return None


def _read_records(doc: Doc, mentions: _Mentions, reading: Reading) -> None:
    _find_records(doc, mentions, reading)
    _read_which(doc, mentions, reading)  # the most telling: "which songs we played at each gig"
    _read_verbs(doc, mentions, reading)
    _read_by(doc, mentions, reading)
    _read_noun_links(doc, mentions, reading)
    _read_opening_link(doc, mentions, reading)
    _read_lists(doc, mentions, reading)
    _read_details(doc, mentions, reading)
    _read_flags(doc, mentions, reading)
    _read_due(doc, mentions, reading)
    _read_owned(doc, mentions, reading)
    _drop_app_users(doc, mentions, reading)
    if not reading.records:
        _fallback(doc, mentions, reading)
    for record in reading.records.values():
        _complete(record)
        _read_done(record)
    reading.summaries = [_tally(span, mentions, reading) for span in mentions.summary_spans]


def _complete(record: Record) -> None:
    """What a record of its sort has when the request does not say: every thing is known by a
    name or a title, and an event (a loan, a walk) happens on a date."""
    defaults = dict(DEFAULT_DETAILS.get(record.word, {}))
    if (
        record.word in EVENTS
        and not defaults
        and not any(d.kind in ("date", "datetime") for d in record.details.values())
    ):
        defaults["date"] = "date"  # a comment or a rating needs none: it is dated when it is made
    if (record.word not in EVENTS or record.word in TITLED) and not any(
        d.kind == "text" and not d.name.startswith(("phone", "address", "location")) for d in record.details.values()
    ):
        defaults = {"title" if record.word in TITLED else "name": "text", **defaults}
    # "each appointment has a start time": the request's own time replaces the usual one.
    if any(kind in ("date", "datetime") for kind in defaults.values()) and any(
        d.kind in ("date", "datetime") for d in record.details.values()
    ):
        defaults = {name: kind for name, kind in defaults.items() if kind not in ("date", "datetime")}
    labels = {
        name: Detail(name, kind) for name, kind in defaults.items() if kind == "text" and name not in record.details
    }
    record.details = {**labels, **record.details}
    for name, kind in defaults.items():
        record.details.setdefault(name, Detail(name, kind))


def _add(reading: Reading, word: str, plural: str | None = None) -> str | None:
    if not re.fullmatch(r"[a-z][a-z0-9-]{0,38}", word):
        return None  # not a word a table can be named by
    same = next(
        (kept for kept in reading.records if {kept, word} <= next((g for g in SAME_EVENTS if word in g), set())), None
    )
    if same is not None:
        return same  # "appointments" and then "each day's bookings": the same records
    if word not in reading.records:
        reading.records[word] = Record(word=word, plural=plural or plural_of(word))
    return word


def _link(reading: Reading, source: str | None, target: str | None, cardinality: str = "one") -> None:
    if not source or not target or source == target:
        return
    if any({link.source, link.target} == {source, target} for link in reading.links):
        return  # one link between two records, and never a loop of two
    reading.links.append(Link(source, target, cardinality))


def _logged_things(doc: Doc, mentions: _Mentions, reading: Reading) -> None:
    """ "Log my bike rides: ...": what an instruction to keep things names before its colon is a
    record, even where the parser read the plural as a verb."""
    for sentence in doc.sents:
        first = doc[sentence.start]
        if first.lower_ not in KEEPING_VERBS or first.tag_ != "VB":
            continue
        end = next((t.i for t in sentence if t.is_punct), sentence.end)
        last = doc[end - 1]
        if (
            last.i > first.i + 1
            and last.tag_ in ("NNS", "VBZ")
            and last.lower_.endswith("s")
            and last.i not in mentions.by_token
        ):
            lemma = _lemma(last) if last.tag_ == "NNS" else last.lower_[:-1]
            if lemma not in NEVER_RECORDS | SOFTWARE_WORDS | UNITS and lemma not in DETAIL_KINDS:
                _mention(mentions, last, _add(reading, lemma, last.lower_))


def _find_records(doc: Doc, mentions: _Mentions, reading: Reading) -> None:
    _logged_things(doc, mentions, reading)
    outside_frame = {_lemma(t) for t in doc if t.i not in mentions.frame and t.pos_ == "NOUN"}
    # Plural things first, so that their singular mentions are known ("each order").
    for token in doc:
        if not _could_be_record(token) or _in_brackets(doc, token):
            continue
        lemma = _lemma(token)
        if token.i in mentions.frame and lemma not in outside_frame:
            continue
        # A plural detail word is a detail of its owner ("books with pages", "their addresses"),
        # and a record only when listed as a thing of its own ("albums and photos").
        owner = _owner_clause(token)
        detail = lemma in DETAIL_KINDS and (
            any(c.lower_ in ("few", "couple") for c in token.children)  # "a few words": an amount of text
            or (owner is not None and owner.i not in mentions.frame)
            or any(c.dep_ in ("poss", "compound") for c in token.children)
            or token.dep_ not in ("conj", "appos", "nsubj", "dobj", "ROOT")
            or (token.dep_ == "conj" and _lemma(token.head) in DETAIL_KINDS | HEAD_KINDS.keys())
        )
        if _is_plural(token) and not detail and not _is_people_generic(token) and token.i not in mentions.in_summary:
            _mention(mentions, token, _add(reading, _record_lemma(token), token.lower_))
        elif (
            token.dep_ == "pobj"
            and token.head.lower_ == "per"
            and lemma not in DETAIL_KINDS
            and lemma not in _with_options(doc, mentions)
        ):  # "a stage (lead, won, lost)": per option
            _mention(mentions, token, _add(reading, lemma))  # "total distance per member"
    for token in doc:
        if token.i in mentions.by_token or not _could_be_record(token) or _in_brackets(doc, token):
            continue
        lemma = _lemma(token)
        if token.i in mentions.frame and lemma not in outside_frame:
            continue
        if lemma in reading.records:
            mentions.by_token[token.i] = lemma
            continue
        if lemma in DETAIL_KINDS or token.i in mentions.in_summary:
            continue  # "how many days of each mood": what a figure is given per is no record of its own
        each = any(c.dep_ == "det" and c.lower_ in ("each", "every") for c in token.children)
        kept = token.dep_ == "dobj" and _lemma(token.head) in KEEPING_VERBS
        event = lemma in EVENTS and token.dep_ not in ("compound", "amod")
        if each or kept or event:
            _mention(mentions, token, _add(reading, lemma))
    # "customer orders", "each quiz attempt": a person or a known record before a record.
    for token in doc:
        head = token.head
        if (
            token.dep_ == "compound"
            and head.i in mentions.by_token
            and token.i not in mentions.by_token
            and token.pos_ == "NOUN"
            and (
                _lemma(token) in PEOPLE
                or _lemma(token) in reading.records
                or (token.i not in mentions.frame and _lemma(token) in {_lemma(doc[i]) for i in mentions.frame})
            )
        ):
            _mention(mentions, token, _add(reading, _lemma(token)))
            _link(reading, mentions.by_token[head.i], mentions.word(token))


def _with_options(doc: Doc, mentions: _Mentions) -> set[str]:
    """Singular nouns the request lists options for: "a stage (lead, won, lost)" is a choice."""
    return {_lemma(doc[i]) for i in mentions.options if not _is_plural(doc[i])}


def _mention(mentions: _Mentions, token: Token, word: str | None) -> None:
    if word:
        mentions.by_token[token.i] = word


def _record_lemma(token: Token) -> str:
    lemma = _lemma(token)
    return lemma[:-1] if token.tag_ == "VBZ" and lemma == token.lower_ and lemma.endswith("s") else lemma


def _is_people_generic(token: Token) -> bool:
    return token.lower_ in GENERIC_SUBJECTS or _lemma(token) in ("people", "person", "user")


# --- Links -----------------------------------------------------------------------------------------


def _verb_of(token: Token) -> str:
    particle = next((c.lower_ for c in token.children if c.dep_ == "prt"), None)
    lemma = _lemma(token)
    return f"{lemma} {particle}" if particle and f"{lemma} {particle}" in EVENT_NOUNS else lemma


def _clauses(doc: Doc) -> list[tuple[str, Token | None, list[Token], list[Token], Token]]:
    """(verb, subject, objects, prepositional objects, verb token) for each verb, plus "Xs book a Y"
    where the parser took the verb for a noun."""
    found = []
    for token in doc:
        if token.pos_ in ("VERB", "AUX") or token.tag_.startswith("VB"):
            objects = [c for c in token.children if c.dep_ in ("dobj", "attr")]
            own_subject = any(c.dep_ == "nsubj" and c.lower_ not in RELATIVE for c in token.children)
            if (
                not objects
                and token.dep_ == "relcl"
                and token.head.pos_ == "NOUN"
                and own_subject
                and _lemma(token) != "be"
            ):
                objects = [token.head]  # "the jobs I do for them"
            for xcomp in (c for c in token.children if c.dep_ == "xcomp"):
                objects += [c for c in xcomp.children if c.dep_ == "dobj"]
            preps = [
                o for p in token.children if p.dep_ in ("prep", "prt", "agent") for o in p.children if o.dep_ == "pobj"
            ]
            found.append((_verb_of(token), _subject(token), _with_conjuncts(objects), _with_conjuncts(preps), token))
        elif _lemma(token) in EVENT_NOUNS and token.i < len(doc) - 1 and not _is_plural(token) and token.dep_ != "pobj":
            # "Members reserve books", "upvote stories", "comment on stories": a verb the parser
            # took for a noun or an adjective, before what it acts on.
            before = doc[token.i - 1] if token.i else None
            subject = before if before is not None and _is_plural(before) and _is_noun(before) else None
            obj = next((t for t in doc[token.i + 1 : token.i + 3] if _is_noun(t)), None)
            preps = [o for p in token.children if p.dep_ == "prep" for o in p.children if o.dep_ == "pobj"]
            if obj is not None or preps:
                found.append((_lemma(token), subject, [obj] if obj is not None else [], _with_conjuncts(preps), token))
    return found


def _with_conjuncts(tokens: list[Token]) -> list[Token]:
    out = []
    for token in tokens:
        out.append(token)
        out += [c for c in token.conjuncts if c.i > token.i]
    return out


def _resolve(token: Token, mentions: _Mentions, besides: set[str]) -> str | None:
    """The record a noun or pronoun names: "it", "them", "one" point back to an earlier record."""
    word = mentions.word(token)
    if word:
        return word
    if token.lower_ in ("it", "them", "one", "ones"):
        plural = {"them": True, "it": False}.get(token.lower_)
        return mentions.preceding(token, besides=besides, plural=plural)
    return None


def _read_verbs(doc: Doc, mentions: _Mentions, reading: Reading) -> None:
    for verb, subject, objects, preps, token in _clauses(doc):
        subject_word = _resolve(subject, mentions, set()) if subject is not None else None
        besides = {subject_word} if subject_word else set()
        object_words = [w for w in (_resolve(o, mentions, besides) for o in objects) if w]
        prep_words = [w for w in (_resolve(o, mentions, besides | set(object_words)) for o in preps) if w]
        quantified = [o for o in objects if _is_several(o)]
        if verb in EVENT_NOUNS and token.dep_ == "xcomp" and _verb_of(token.head) in EVENT_NOUNS:
            continue  # "apply to adopt one": one event, the application
        if verb in EVENT_NOUNS and (
            any(_lemma(o) in DETAIL_KINDS for o in objects)
            or (subject is not None and subject.dep_ == "nsubjpass")
            or any(c.lower_ == "whether" for c in token.children)
        ):
            continue  # "pay a fee", "whether they've paid": a detail, not an event
        if verb in EVENT_NOUNS and (
            object_words or prep_words or subject_word or (subject is not None and _is_people_generic(subject))
        ):
            generic = subject is None or _is_people_generic(subject) or subject.lower_ in FIRST_PERSON
            event_object = next((w for w in object_words if w in EVENTS), None)
            if event_object is not None:  # "patients book appointments with doctors"
                _link(reading, event_object, subject_word)
                for word in prep_words:
                    _link(reading, event_object, word)
                continue
            event = EVENT_NOUNS[verb].replace(" ", "")
            if subject_word is None and not generic:
                continue
            if subject.lower_ in FIRST_PERSON if subject is not None else False:
                if event not in reading.records:
                    continue  # "we buy them from a supplier": the business's own doings are not records
            event = _add(reading, event)
            if objects or preps:
                _link(reading, event, subject_word)  # "groups book the hall": the group's booking
            for obj, word in zip(objects, [_resolve(o, mentions, besides) for o in objects]):
                _link(reading, event, word, "many" if _is_several(obj) else "one")
            for word in prep_words:
                _link(reading, event, word)
            if not object_words and not prep_words:
                # "agents reply": to what was just named; who replies, with nothing said of them, is who logs in
                _link(reading, event, mentions.preceding(token, besides={event, *besides}))
            continue
        if verb in LABELS:  # "collect code snippets and tag them": each snippet has several tags
            for word in object_words:
                _link(reading, word, _add(reading, LABELS[verb]), "many")
            continue
        if verb in HAVING_VERBS and subject_word:
            for obj in quantified:
                _link(reading, subject_word, _resolve(obj, mentions, besides), "many")
            continue
        if subject_word and quantified and _lemma(token) not in CREATING_VERBS:
            for obj in quantified:  # "each plan can cover several topics": the plan lists them
                _link(reading, subject_word, _resolve(obj, mentions, besides), "many")
        if verb == "belong" and subject_word:
            for word in prep_words:
                _link(reading, subject_word, word)
            continue
        if _lemma(token) in CREATING_VERBS:
            for word in object_words:
                _link(reading, word, subject_word)  # "teachers post homework": the homework is the teacher's
        # "with" belongs to the thing ("post recipes with ingredients"); the rest to the act.
        for prep, word in [
            (o, w)
            for o, w in zip(preps, [_resolve(o, mentions, besides | set(object_words)) for o in preps])
            if w and o.head.lower_ not in OWNER_PREPS
        ]:
            several = "many" if _is_several(prep) else "one"  # "a bill split between several housemates"
            for obj_word in object_words:
                _link(reading, obj_word, word, several)  # "homework for classes", "the jobs I do for them"
            if not object_words:
                _link(reading, subject_word, word, several)  # "which guest sits at which table"


def _read_by(doc: Doc, mentions: _Mentions, reading: Reading) -> None:
    """ "books ... each written by an author", "dishes grouped by category": the record the phrase
    describes links to who or what comes after "by"."""
    for token in doc:
        if token.tag_ != "VBN" or token.dep_ not in ("acl", "relcl"):
            continue
        described = token.head
        if described.lower_ in ("each", "every") and described.head.i != described.i:
            described = described.head
        owner = mentions.word(described)
        if not owner:
            continue
        for by in (c for c in token.children if c.dep_ in ("agent", "prep") and c.lower_ == "by"):
            for target in (c for c in by.children if c.dep_ == "pobj" and _is_noun(c) and _lemma(c) not in UNITS):
                if _lemma(target) in NEVER_RECORDS | SOFTWARE_WORDS or DETAIL_KINDS.get(_lemma(target), "text") not in (
                    "text",
                    "choice",
                ):
                    continue  # "sorted by date" orders by a detail; "grouped by category" names records
                word = mentions.word(target) or _add(reading, _record_lemma(target))
                _mention(mentions, target, word)
                if word:
                    reading.records[owner].details.pop(_lemma(target), None)  # a record now, not a detail
                _link(reading, owner, word)


def _read_lists(doc: Doc, mentions: _Mentions, reading: Reading) -> None:
    """ "clients, contacts at each client, meetings with notes, and invoices": in a list of what the
    app keeps, the events (meetings, invoices, rentals) are each for the first thing listed."""
    lists: dict[int, list[Token]] = {}
    for token in doc:
        if not mentions.word(token):
            continue
        first = token
        while first.dep_ in ("conj", "appos") and mentions.word(first.head):
            first = first.head
        lists.setdefault(first.i, []).append(token)
    for tokens in lists.values():
        head = mentions.word(tokens[0])
        for token in tokens[1:]:
            word = mentions.word(token)
            if word in EVENTS and head not in EVENTS:
                _link(reading, word, head)
            elif head in EVENTS and word not in EVENTS and token.dep_ == "conj":
                _link(reading, head, word)  # "talks, speakers and rooms": each talk has its speaker and room
    # "the vaccinations of the animals: each animal, each vaccine": what follows the colon is the event's.
    for colon in (t for t in doc if t.text == ":"):
        before = next(
            (
                mentions.by_token[i]
                for i in range(colon.i - 1, colon.sent.start - 1, -1)
                if mentions.by_token.get(i) in EVENTS and doc[i].dep_ not in ("compound", "amod")
            ),
            None,
        )
        end = (
            doc[colon.i + 1].sent.end if colon.i + 1 < len(doc) else colon.i
        )  # the parser may end a sentence at the colon
        if before:
            for i in range(colon.i + 1, end):
                if i in mentions.by_token and mentions.by_token[i] not in EVENTS:
                    _link(reading, before, mentions.by_token[i])


def _read_opening_link(doc: Doc, mentions: _Mentions, reading: Reading) -> None:
    """ "an issue tracker for my software projects": the issues are the projects'."""
    for token in doc:
        if token.i not in mentions.frame or _lemma(token) not in SOFTWARE_WORDS:
            continue
        kept = next(
            (
                mentions.word(c) or (_lemma(c) if _lemma(c) in reading.records else None)
                for c in token.lefts
                if c.dep_ == "compound"
            ),
            None,
        )
        for prep in (c for c in token.children if c.dep_ == "prep" and c.lower_ == "for"):
            for obj in (c for c in prep.children if c.dep_ == "pobj"):
                _link(reading, kept, mentions.word(obj))


def _is_several(token: Token) -> bool:
    if any(_lemma(c) in SEVERAL for c in token.children):
        return True
    window = token.doc[max(0, token.i - 4) : token.i].text.lower()
    return "more than one" in window


def _clause_subject(token: Token, mentions: _Mentions, besides: set[str]) -> str | None:
    """The record that is the subject of the clause token sits in: "customers book appointments for
    their dogs": "their" is the customers'."""
    current = token
    for _ in range(6):
        if current.pos_ in ("VERB", "AUX"):
            subject = _subject(current)
            word = _resolve(subject, mentions, besides) if subject is not None else None
            return word if word not in besides else None
        if current.head.i == current.i:
            return None
        current = current.head
    return None


def _read_which(doc: Doc, mentions: _Mentions, reading: Reading) -> None:
    """ "which supplier we buy them from", "which songs are on each concert's programme", "a cleaning
    schedule saying which cleaner does which room": a choice among records of their own, made for
    the record the clause describes."""
    for token in doc:
        if token.lower_ == "which" and token.dep_ != "det":  # "which of my bikes I rode": one of them
            chosen = next((o for p in token.children if p.lower_ == "of" for o in p.children if o.dep_ == "pobj"), None)
            word = mentions.word(chosen) if chosen is not None else None
            if chosen is not None and not word and _could_be_record(chosen) and _lemma(chosen) not in DETAIL_KINDS:
                word = _add(reading, _record_lemma(chosen), chosen.lower_)
                _mention(mentions, chosen, word)
            if word:
                _link(reading, _governing_record(chosen, mentions, besides={word}), word)
            continue
        if not any(c.dep_ == "det" and c.lower_ == "which" for c in token.children) or not _could_be_record(token):
            continue
        if _lemma(token) in DETAIL_KINDS:
            continue
        word = mentions.word(token) or _add(reading, _record_lemma(token), token.lower_ if _is_plural(token) else None)
        _mention(mentions, token, word)
        scheduled = _scheduled_event(token, mentions, reading)
        if scheduled:
            _link(reading, scheduled, word)
        elif token.dep_ in ("nsubj", "nsubjpass"):
            # "which guest sits at which table": the guest's; "which songs are on each concert": the concert lists several
            for place in (o for p in token.head.children if p.dep_ == "prep" for o in p.children if o.dep_ == "pobj"):
                owner = mentions.word(place) or next(
                    (mentions.word(c) for c in place.children if c.dep_ == "poss"), None
                )
                if owner and _is_plural(token):
                    _link(reading, owner, word, "many")
                elif owner:
                    _link(reading, word, owner)
        else:
            _link(
                reading,
                _governing_record(token, mentions, besides={word}),
                word,
                "many" if _is_plural(token) else "one",
            )


def _scheduled_event(token: Token, mentions: _Mentions, reading: Reading) -> str | None:
    """ "a cleaning schedule saying which cleaner does which room": each Cleaning is one entry."""
    current = token
    for _ in range(8):
        if current.head.i == current.i:
            return None
        current = current.head
        if mentions.word(current):
            return None  # the clause is about a record already ("guests ..., which guest sits")
        if current.pos_ == "NOUN" and _lemma(current) in SOFTWARE_WORDS:
            # an act ("cleaning"), not an occasion ("a wedding planner")
            event = next(
                (
                    c
                    for c in current.lefts
                    if c.dep_ == "compound"
                    and (c.tag_ == "VBG" or _lemma(c) in EVENTS)
                    and _lemma(c) not in SOFTWARE_WORDS | NEVER_RECORDS
                ),
                None,
            )
            if event is None:
                return None
            _mention(mentions, event, _add(reading, _lemma(event) if event.pos_ == "NOUN" else event.lower_))
            return mentions.word(event)
    return None


def _governing_record(token: Token, mentions: _Mentions, besides: set[str]) -> str | None:
    """The record a clause hangs from, or else the one named last before it in the sentence."""
    current = token
    for _ in range(8):
        if current.head.i == current.i:
            break
        current = current.head
        word = mentions.word(current)
        if word and word not in besides:
            return word
    sentence = token.sent
    return next(
        (
            mentions.by_token[i]
            for i in range(token.i - 1, sentence.start - 1, -1)
            if i in mentions.by_token and mentions.by_token[i] not in besides
        ),
        None,
    )


def _read_noun_links(doc: Doc, mentions: _Mentions, reading: Reading) -> None:
    for token in doc:
        word = mentions.word(token)
        if not word:
            continue
        # "comments on posts", "contacts at each client", "the vaccinations of the animals"
        for prep in (c for c in token.children if c.dep_ == "prep" and c.lower_ in LINK_PREPS):
            for obj in _with_conjuncts([c for c in prep.children if c.dep_ == "pobj"]):
                _link(reading, word, mentions.word(obj))
        owner = _owner_clause(token)
        owner_word = mentions.word(owner)
        if owner_word and owner_word != word:
            if _is_several(token):
                _link(reading, owner_word, word, "many")  # "orders with several products"
            elif owner_word in EVENTS or not _is_plural(token):
                _link(reading, owner_word, word)  # "an appointment with a doctor"
            else:
                _link(reading, word, owner_word)  # "questions with answers": each answer is a question's
        # "customers ... their dogs": the dog is the customer's.
        possessive = next(
            (c for c in token.children if c.dep_ == "poss" and c.lower_ in ("their", "its", "his", "her")), None
        )
        if possessive is not None:
            other = _clause_subject(token, mentions, besides={word}) or mentions.preceding(token, besides={word})
            if other and word in PEOPLE and other in PEOPLE:
                _link(reading, other, word)  # "kids and their parents": a parent has several kids
            else:
                _link(reading, word, other)


# --- Details ---------------------------------------------------------------------------------------


def _camel(words: list[str]) -> str:
    parts = [p for w in words for p in re.split(r"[^a-zA-Z0-9]+", w) if p]
    if not parts:
        return ""
    name = parts[0].lower() + "".join(p.capitalize() for p in parts[1:])
    return name if name[0].isalpha() else f"n{name}"


def _detail_name(token: Token) -> tuple[str, str]:
    lemma = _lemma(token)
    head = lemma if lemma in DETAIL_KINDS or lemma in HEAD_KINDS else token.lower_
    modifiers = [
        c.lower_
        for c in token.lefts
        if (c.dep_ == "compound" and c.pos_ in ("NOUN", "VERB", "ADJ", "PROPN") and _lemma(c) not in SOFTWARE_WORDS)
        or (c.dep_ == "amod" and c.lower_ not in NAME_SKIP and c.is_alpha)
    ]
    before = token.doc[token.i - 1] if token.i else None
    if (
        not modifiers
        and before is not None
        and before.is_alpha
        and before.pos_ in ("NOUN", "VERB", "ADJ")
        and before.lower_ not in NAME_SKIP
        and _lemma(before) not in DETAIL_KINDS
    ):
        modifiers = [before.lower_]  # "with a location and start time", where the parse lost "start"
    # "number of shares" is the shares; "stock count" keeps "stock".
    if lemma == "number":
        of = next((o for p in token.children if p.lower_ == "of" for o in p.children if o.dep_ == "pobj"), None)
        if of is not None:
            return _camel([of.lower_]), "number"
    kind = HEAD_KINDS.get(lemma) if modifiers and lemma in HEAD_KINDS else DETAIL_KINDS.get(lemma, "text")
    if lemma == "date" and any(c.lower_ == "due" or any(p.lower_ == "by" for p in c.children) for c in token.lefts):
        return "dueOn", "date"  # "a due date", "a return-by date": the date it is due by
    plural_text = kind == "long_text" and _is_plural(token)  # "steps", "notes", "instructions"
    return _camel([*modifiers, token.lower_ if plural_text else head]), kind


def _add_detail(reading: Reading, owner: str | None, name: str, kind: str, options: list[str] | None = None) -> None:
    if not owner or not name or owner not in reading.records or name == owner:
        return
    record = reading.records[owner]
    if name.rstrip("s") not in {known.rstrip("s") for known in record.details}:  # "pages" and "how many pages"
        record.details[name] = Detail(name, "choice" if options else kind, options or [])


def _detail_owner(token: Token, mentions: _Mentions) -> str | None:
    for child in token.lefts:
        if child.dep_ == "compound" and mentions.word(child):
            return mentions.word(child)  # "tool condition"
        if child.dep_ == "poss":
            if mentions.word(child):
                return mentions.word(child)  # "each patient's email"
    owner = _owner_clause(token)
    if owner is not None:
        resolved = _resolve(owner, mentions, set())
        if resolved:
            return resolved
    if token.dep_ == "pobj" and token.head.head.pos_ == "VERB":
        # "students hand it in before the deadline": the deadline is the homework's
        acted_on = next((c for c in token.head.head.children if c.dep_ == "dobj"), None)
        word = _resolve(acted_on, mentions, set()) if acted_on is not None else None
        if word:
            return word
    if token.dep_ == "dobj" and _lemma(token.head) not in HAVING_VERBS:
        # "players get a score at the end of each quiz attempt": the score is the attempt's
        place = next(
            (
                mentions.word(t)
                for p in token.head.children
                if p.dep_ == "prep"
                for t in p.subtree
                if mentions.word(t) and t.dep_ != "compound"
            ),
            None,
        )  # "each quiz attempt" is an attempt
        if place:
            return place
    if token.dep_ in ("dobj", "attr") and _lemma(token.head) == "have":
        subject = _subject(token.head)
        if subject is not None and _resolve(subject, mentions, set()):
            return _resolve(subject, mentions, set())
    sentence = token.sent
    before = mentions.preceding(token)
    if before is not None and any(mentions.by_token.get(i) == before for i in range(sentence.start, token.i)):
        return before
    after = next((mentions.by_token[i] for i in range(token.i + 1, sentence.end) if i in mentions.by_token), None)
    return after or before


def _read_details(doc: Doc, mentions: _Mentions, reading: Reading) -> None:
    for token in doc:
        if token.i in mentions.by_token or token.pos_ not in ("NOUN", "PROPN") or _in_brackets(doc, token):
            continue
        if token.i in mentions.in_summary:
            continue  # "the average price": a figure over the prices, not a detail of its own
        lemma = _lemma(token)
        if lemma not in DETAIL_KINDS and not (lemma in HEAD_KINDS and any(c.dep_ == "compound" for c in token.lefts)):
            continue
        if token.dep_ == "compound" and token.head.pos_ == "NOUN":
            continue  # "phone numbers": the whole phrase is the detail
        if token.dep_ == "pobj" and token.head.lower_ == "by":
            continue  # "a reminder by email", "sorted by date": how, not what is kept
        if (token.dep_ == "npadvmod" and _lemma(token) in UNITS) or token.i in mentions.frame:
            continue  # "a week before"; "a podcast website": when, or what the app is
        name, kind = _detail_name(token)
        owner = _detail_owner(token, mentions)
        if owner and name.lower().startswith(owner) and len(name) > len(owner) and name[len(owner)].isupper():
            name = name[len(owner)].lower() + name[len(owner) + 1 :]  # "tool condition" is the tool's condition
        _add_detail(reading, owner, name, kind, mentions.options.get(token.i))
        for per in (c for c in token.children if c.dep_ == "prep" and c.lower_ == "per"):
            for obj in (c for c in per.children if c.dep_ == "pobj"):
                _link(reading, owner, mentions.word(obj))  # "distance per member": each run is a member's
    for index, options in mentions.options.items():
        word = mentions.by_token.get(index)
        if word:  # "animals (dog, cat, rabbit)": a record of several sorts
            _add_detail(reading, word, "type", "choice", options)
        elif _is_noun(doc[index]) and _lemma(doc[index]) not in DETAIL_KINDS:
            # "my mood (great, okay, low)": a detail of whatever its owner is, one of the options listed
            name = _detail_name(doc[index])[0]
            _add_detail(reading, _detail_owner(doc[index], mentions), name, "choice", options)
    for ent in doc.ents:
        if ent.label_ == "MONEY" and ent.root.head.pos_ == "VERB":
            subject = _subject(ent.root.head)
            _add_detail(reading, _resolve(subject, mentions, set()) if subject is not None else None, "price", "money")
    for token in doc:  # "what I charge": the price of the work
        if token.pos_ == "VERB" and _lemma(token) == "charge":
            _add_detail(reading, _detail_owner(token, mentions), "price", "money")


def _read_flags(doc: Doc, mentions: _Mentions, reading: Reading) -> None:
    """yes/no details: "whether they've paid", "a paid flag", "can be marked done"; and counts:
    "how many bottles", "how long it lasted"."""
    for token in doc:
        lower = token.lower_
        if lower == "whether":
            predicate = next(
                (
                    t
                    for t in doc[token.i + 1 : token.i + 8]
                    if t.pos_ in ("VERB", "ADJ")
                    and t.lemma_ != "be"
                    and t.tag_ not in ("MD",)
                    and _lemma(t) not in ("have", "be", "do")
                ),
                None,
            )
            if predicate is not None:
                _add_detail(reading, _detail_owner(token, mentions), _camel([predicate.lower_]), "yes_no")
        elif lower in FLAG_HEADS and token.pos_ == "NOUN":
            flag = next((c for c in token.lefts if c.dep_ in ("amod", "compound") and c.lower_ not in FLAG_HEADS), None)
            if flag is None and token.i > 0 and doc[token.i - 1].lower_ in FLAG_HEADS:
                flag = next((c for c in doc[token.i - 1].lefts if c.dep_ in ("amod", "compound")), None)
            if flag is not None:
                _add_detail(reading, _detail_owner(token, mentions), _camel([flag.lower_]), "yes_no")
        elif lower == "marked" and token.i + 1 < len(doc):
            _add_detail(reading, _detail_owner(token, mentions), _camel([doc[token.i + 1].lower_]), "yes_no")
        elif lower == "how" and token.i + 1 < len(doc) and token.i not in mentions.in_summary:
            _read_how(doc, token, mentions, reading)


def _read_how(doc: Doc, how: Token, mentions: _Mentions, reading: Reading) -> None:
    nxt = doc[how.i + 1]
    owner = _detail_owner(how, mentions)
    if nxt.lower_ == "many":
        counted = next(
            (t for t in doc[nxt.i + 1 : nxt.i + 7] if t.pos_ == "NOUN" and t.i not in mentions.by_token), None
        )
        if counted is not None:
            _add_detail(reading, owner, _camel([counted.lower_]), "number")
    elif nxt.lower_ == "much":
        _add_detail(reading, owner, "amount", "money")
    elif nxt.lower_ == "long":
        _add_detail(reading, owner, "duration", "number")
    elif nxt.lower_ == "often":
        _add_detail(reading, owner, "intervalDays", "number")


def _read_owned(doc: Doc, mentions: _Mentions, reading: Reading) -> None:
    """ "everyone only sees their own tasks", "my holdings": each person keeps their own. "my pupils"
    are the people a business serves, whom its staff share, not records private to one account."""
    for token in doc:
        word = mentions.word(token)
        if (
            word
            and any(c.lower_ == "own" for c in token.children)
            or (word and word not in PEOPLE and any(c.dep_ == "poss" and c.lower_ == "my" for c in token.children))
        ):
            if word not in reading.owned:
                reading.owned.append(word)
    # "Track my reading: books with pages ...": what is listed as part of what I keep track of is mine
    for token in (doc[i] for i in sorted(mentions.frame)):
        verb = (
            token.head
            if token.dep_ == "dobj"
            else token.head.head
            if token.dep_ == "pobj" and token.head.lower_ == "of"
            else None
        )
        kept = verb is not None and _lemma(verb) in KEEPING_VERBS  # "track my reading", not "run my business"
        colon = next((t for t in doc[token.i : token.sent.end] if t.text == ":"), None)
        if kept and colon is not None and any(c.dep_ == "poss" and c.lower_ == "my" for c in token.children):
            for word in (mentions.by_token[i] for i in range(colon.i, colon.sent.end) if i in mentions.by_token):
                if word not in reading.owned and word not in PEOPLE:
                    reading.owned.append(word)


def _drop_app_users(doc: Doc, mentions: _Mentions, reading: Reading) -> None:
    """ "players pick footballers for their team", "players get a score": people who only ever act in
    the app, with nothing kept about them and no event of theirs, are the people who log in."""
    for word in [w for w in reading.records if w in PEOPLE]:
        tokens = [doc[i] for i, w in mentions.by_token.items() if w == word]
        if not tokens or any(t.dep_ != "nsubj" or t.i in mentions.in_summary for t in tokens):
            continue  # named as something kept, or as what a figure is given per
        if any(
            _lemma(t.head) in CREATING_VERBS
            or (_verb_of(t.head) in EVENT_NOUNS and any(c.dep_ in ("dobj", "prep", "prt") for c in t.head.children))
            for t in tokens
        ):
            continue  # "members borrow tools", "teachers post homework": who did it is kept
        if reading.records[word].details or any(word in (k.source, k.target) for k in reading.links):
            continue
        del reading.records[word]
        for i in [i for i, w in mentions.by_token.items() if w == word]:
            del mentions.by_token[i]


def _read_due(doc: Doc, mentions: _Mentions, reading: Reading) -> None:
    """A date a record is due by: "a due date", "assignments due on a date", "when it is due back",
    "when the next MOT is due", "before the deadline"."""
    for token in doc:
        if token.lower_ != "due" or token.pos_ != "ADJ":
            continue
        if token.dep_ == "amod" and mentions.word(token.head):
            word, name = mentions.word(token.head), "dueOn"  # "assignments due on a date"
            for date in (t for t in token.subtree if _lemma(t) in ("date", "day")):
                reading.records[word].details.pop(_detail_name(date)[0], None)  # that date is the due date
        elif token.dep_ == "acomp":
            subject = _subject(token.head)
            if subject is None:
                continue
            word = _resolve(subject, mentions, set()) or (
                mentions.preceding(subject) if subject.pos_ == "PRON" else None
            )
            name = "dueOn" if word else _camel([subject.lower_, "due", "on"])  # "the next MOT is due"
            if word is None:
                word = _detail_owner(subject, mentions)
            elif word not in EVENTS:
                # "members borrow tools ... when it is due back": the loan of the tool is due, not the tool
                word = next((k.source for k in reading.links if k.target == word and k.source in EVENTS), word)
        else:
            continue
        _add_detail(reading, word, name, "date")
    for record in reading.records.values():
        record.due = next(
            (
                d.name
                for d in record.details.values()
                if d.kind in ("date", "datetime")
                and (d.name.startswith("due") or "Due" in d.name or d.name == "deadline")
            ),
            None,
        )


def _read_done(record: Record) -> None:
    """What ends a due record: a detail that says it is done ("paid", "returnedOn"), or for a loan,
    the date the thing came back, which a loan due back implies."""
    if record.due is None:
        return
    record.done = next(
        (
            d.name
            for d in record.details.values()
            if d.kind in ("yes_no", "date", "datetime") and re.split(r"(?=[A-Z])", d.name)[0] in DONE_WORDS
        ),
        None,
    )
    if record.done is None and record.word in LENDINGS:
        record.details.setdefault("returnedOn", Detail("returnedOn", "date"))
        record.done = "returnedOn"


def _summary_spans(doc: Doc) -> list[list[Token]]:
    """Where the request asks for a figure: from the phrase that names it ("a monthly leaderboard",
    "how much") to the end of its sentence or the next figure. "how many" and "how much" ask for a
    figure only when the words after them say per what or per when, or which records count
    ("how many loans are late"); else they name a detail ("how many bottles I have")."""
    spans: list[list[Token]] = []
    taken: set[int] = set()
    starts = []
    for token in doc:
        following = doc[token.i + 1].lower_ if token.i + 1 < len(doc) else ""
        if (token.lower_ == "how" and following in ("many", "much")) or (
            _lemma(token) == "number" and following == "of"
        ):
            starts.append((token, token))
        # ("a maximum number of people" is a limit each record has, not a figure over the records)
        elif (
            (_lemma(token) in MEASURES or token.lower_ in MEASURES)
            and token.pos_ in ("NOUN", "ADJ", "ADV")
            and not (token.lower_ == "most" and token.head.pos_ != "ADJ")
            and _lemma(token.head) != "number"
            and not _a_detail(token)
        ):
            if token.dep_ in ("amod", "advmod") and token.head.pos_ == "NOUN":
                phrase = token.head  # "the average price"
            elif token.dep_ == "pobj" and token.head.head.pos_ in ("VERB", "AUX"):
                phrase = token.head.head  # "what I pay in total"
            else:
                phrase = token
            starts.append((token, phrase))
        elif token.lower_ in ONLY_WORDS and token.pos_ == "ADJ":
            # "the ones that are overdue": the figure is about what is overdue
            subject = _subject(token.head) if token.dep_ == "acomp" else None
            starts.append((token, subject if subject is not None else token))
        elif _still_out(token):
            # "the tools currently out", "which tools are still out": what is out
            thing = (
                next((c for c in token.head.children if c.dep_ == "dobj"), None)
                if token.dep_ == "prt"
                else _subject(token.head)
            )
            starts.append((token, thing if thing is not None else token))
    for n, (trigger, phrase) in enumerate(starts):
        if trigger.i in taken:
            continue
        start = min(trigger.i, phrase.left_edge.i)
        end = trigger.sent.end
        for later, _ in starts[n + 1 :]:
            if later.i > trigger.i and later.i not in {t.i for t in phrase.subtree} and later.lower_ not in ONLY_WORDS:
                end = min(end, later.i)
                break
        span = [t for t in doc[start:end] if not (t.is_punct and t.text in ";:")]
        while span and (span[-1].is_punct or span[-1].dep_ == "cc"):
            span.pop()  # "the total spent per month and how much ...": the "and" starts the next one
        if not span or (
            trigger.lower_ in ("how", "number")
            and not any(t.lower_ in GROUP_WORDS or _lemma(t) in PERIODS or t.lower_ in ONLY_WORDS for t in span)
        ):
            continue
        spans.append(span)
        taken |= {t.i for t in span}
    return spans


def _a_detail(token: Token) -> bool:
    """ "each order has a total price": a measure word in a phrase with "a" names something each
    record has, not a figure over the records ("the total price", "total distance per member")."""
    return token.dep_ == "amod" and any(c.dep_ == "det" and c.lower_ in ("a", "an") for c in token.head.children)


def _still_out(token: Token) -> bool:
    """ "currently out", "still out", "which tools are out": lent and not yet back ("out of stock" is
    something else)."""
    if token.lower_ != "out" or any(c.lower_ == "of" for c in token.children):
        return False
    return (token.i > 0 and token.doc[token.i - 1].lower_ in ("currently", "still")) or _lemma(token.head) == "be"


def _measure(span: list[Token]) -> str | None:
    lowers = [t.lower_ for t in span]
    if "how" in lowers:
        return "count" if lowers[lowers.index("how") + 1 :][:1] == ["many"] else "sum"
    if lowers[:2] == ["number", "of"] or lowers[1:3] == ["number", "of"]:
        return "count"  # "the number of bugs per severity"
    return next((MEASURES[t.lower_] for t in span if t.lower_ in MEASURES), None) or next(
        (MEASURES[_lemma(t)] for t in span if _lemma(t) in MEASURES), None
    )


def _groups_and_period(span: list[Token]) -> tuple[list[Token], str | None]:
    """What a figure is given per: the nouns after "per", "by", "each" and "every" that are not
    spans of time, and the span of time ("a monthly leaderboard", "each week", "this year")."""
    groups, period = [], None
    for token in span:
        if token.lower_ in ("per", "by"):
            groups += [c for c in token.children if c.dep_ == "pobj"]
        elif token.lower_ in ("each", "every") and token.dep_ == "det":
            groups.append(token.head)
        elif _lemma(token) in PERIODS and token.pos_ == "ADJ":
            period = PERIODS[_lemma(token)]
    for group in (g for g in groups if _lemma(g) in PERIODS):
        period = period or PERIODS[_lemma(group)]
    if period is None:
        period = next((PERIODS[_lemma(t)] for t in span if _lemma(t) in PERIODS and t.dep_ == "npadvmod"), None)
    return [g for g in groups if _lemma(g) not in PERIODS], period


def _tally(span: list[Token], mentions: _Mentions, reading: Reading) -> Tally:
    """The figure a summary's words ask for, in the reading's terms; its measure stays None when
    what it counts or adds up cannot be told."""
    tally = Tally(words=span[0].doc[span[0].i : span[-1].i + 1].text.strip(" ,."), measure=_measure(span))
    tally.only = next((ONLY_WORDS[t.lower_] for t in span if t.lower_ in ONLY_WORDS), None) or (
        "open" if any(_still_out(t) for t in span) else None
    )
    if tally.only and tally.measure is None:
        tally.measure = "count"  # "a list of the ones that are overdue": how many there are
    grouped, tally.period = _groups_and_period(span)
    group_ids = {g.i for g in grouped}
    named = [w for w in (_resolve(t, mentions, set()) for t in span if t.i not in group_ids) if w]
    numbers = {
        word: [d.name for d in record.details.values() if d.kind in ("money", "number", "decimal")]
        for word, record in reading.records.items()
    }
    if tally.measure == "count":
        # "how many loans": the word after "how many" names what is counted
        counted = next(
            (_lemma(t) for t in span if t.i > 1 and t.doc[t.i - 1].lower_ in ("many", "of") and _is_noun(t)), None
        )
        tally.record = counted if counted in reading.records else named[0] if named else None
        counted_detail = next(
            ((w, n) for w, names in numbers.items() for n in names if counted and n.rstrip("s") == counted), None
        )
        if counted not in reading.records and counted_detail:
            tally.measure, (tally.record, tally.detail) = "sum", counted_detail  # "how many pages I read": their total
    elif tally.measure is not None:
        spoken = [
            (word, name)
            for t in span
            if t.i not in group_ids
            for word, names in numbers.items()
            for name in names
            if re.split(r"(?=[A-Z])", name)[0] in (_lemma(t), t.lower_)
        ]
        spoken.sort(key=lambda pair: (pair[0] not in named, pair[0] not in EVENTS))
        said = next(
            (
                t
                for t in span
                if t.i not in group_ids
                and DETAIL_KINDS.get(_lemma(t)) in ("money", "number", "decimal")
                and _lemma(t) not in MEASURES.keys() | PERIODS.keys() | UNITS
                and t.pos_ == "NOUN"
            ),
            None,
        )
        if not spoken and said is not None:
            # "total distance per member": the runs have a distance, though only the figure says so
            grouped_words = {_resolve(g, mentions, set()) for g in grouped}
            owners = [w for w in named if w not in grouped_words] or sorted(
                (w for w in reading.records if w not in grouped_words), key=lambda w: w not in EVENTS
            )
            if owners and (named or len(owners) == 1 or owners[0] in EVENTS):
                name, kind = _detail_name(said)
                _add_detail(reading, owners[0], name, kind)
                if name in reading.records[owners[0]].details:
                    spoken = [(owners[0], name)]
        if spoken:
            tally.record, tally.detail = spoken[0]
        else:  # "how much I spent", "the total of the bills": the money of what is named, or of the one thing that has money
            candidates = [w for w in named if numbers.get(w)] or [w for w, names in numbers.items() if names]
            if len(candidates) == 1 or (candidates and named):
                tally.record = candidates[0]
                money = [n for n in numbers[tally.record] if reading.records[tally.record].details[n].kind == "money"]
                tally.detail = (money or numbers[tally.record])[0]
    if tally.record is None and grouped:
        # "how many days of each mood": the records that have the detail it is given per
        tally.record = next((w for w, r in reading.records.items() if _detail_name(grouped[0])[0] in r.details), None)
    if tally.only and tally.record in reading.records and reading.records[tally.record].due is None:
        # "the tools currently out": the loans of tools that are not yet back
        tally.record = next(
            (k.source for k in reading.links if k.target == tally.record and reading.records[k.source].due), None
        )
    if tally.record is None:
        tally.measure = None
    elif grouped:
        group = grouped[0]
        word = _resolve(group, mentions, {tally.record})
        name = _detail_name(group)[0]
        if word:
            tally.per = word
            graph: dict[str, list[str]] = {}
            for link in reading.links:
                graph.setdefault(link.source, []).append(link.target)
                graph.setdefault(link.target, []).append(link.source)
            if not reaches(graph, tally.record, word):
                _link(reading, tally.record, word)  # "total distance per member": each run is a member's
        elif name in reading.records[tally.record].details:
            tally.per = name
        else:
            tally.measure = None  # per something the records do not have
    return tally


def _fallback(doc: Doc, mentions: _Mentions, reading: Reading) -> None:
    """No record named: what the request's place keeps ("a blog": posts), or the thing its opening
    is about ("a habit tracker": habits)."""
    lemmas = [_lemma(t) for t in doc if t.is_alpha]
    place = next((PLACE_HOLDS[w] for w in lemmas if w in PLACE_HOLDS), None)
    if place is not None:
        _add(reading, place)
        return
    for i in sorted(mentions.frame):
        token = doc[i]
        if (
            token.pos_ in ("NOUN", "PROPN", "ADJ")
            and token.dep_ in ("compound", "amod", "nmod")
            and token.is_alpha
            and _lemma(token) not in SOFTWARE_WORDS | UNITS | NEVER_RECORDS
            and _lemma(token) not in DETAIL_KINDS
        ):
            _add(reading, _lemma(token))
            return


# --- Everything else -------------------------------------------------------------------------------


def _read_side_records(doc: Doc, reading: Reading) -> None:
    """A request of another kind keeps only its score table, if it asks for one."""
    if any(_lemma(t) in ("score", "leaderboard", "high-score") or "score" in t.lower_ for t in doc):
        _add(reading, "score")
        reading.records["score"].details = {
            "player": Detail("player", "text"),
            "points": Detail("points", "number"),
        }


def _without_shortcuts(links: list[Link]) -> list[Link]:
    """Drop a link that another path already implies: an Appointment for a Dog that belongs to a
    Customer needs no link of its own to the Customer."""
    ones = [link for link in links if link.cardinality == "one"]

    def without(skip: Link) -> dict[str, list[str]]:
        graph: dict[str, list[str]] = {}
        for link in ones:
            if link != skip:
                graph.setdefault(link.source, []).append(link.target)
        return graph

    return [
        link
        for link in links
        if link.cardinality != "one"
        or not any(
            other.source == link.source and other != link and reaches(without(link), other.target, link.target)
            for other in ones
        )
    ]
