"""Behaviour beyond records in a request, named and described in its own words: the game, converter
or calculator a request is mainly about ("a snake game in the browser" is the Snake game), and what
it asks for in passing ("send me a reminder a week before" is Reminders, on the back end).

Offline mode builds none of it; the spec lists each as a feature, so a person sees exactly what a
model would add, and with a model each gets a task of its own.
"""

from __future__ import annotations

import re

from spacy.tokens import Doc, Span, Token

from ..spec import IDENTIFIER, MAX_FEATURE_CHARS, MAX_FEATURES
from ..spec_words import plural_of
from .language import lemma
from .reading import Behaviour
from .vocabulary import (
    FEATURE_KINDS,
    FEATURE_VERBS,
    KEYWORDS,
    KIND_WORDS,
    PEOPLE,
    PLAIN_MODIFIERS,
    REQUEST_KINDS,
    SENDING_VERBS,
    SENT_THINGS,
    SOFTWARE_WORDS,
)

# "I want", "Please build me", "We'd like to have": how a request opens, not what the thing does.
OPENING = re.compile(
    r"^\s*(?:please\s+)?(?:(?:i|we)(?:'d|\s+would)?\s+(?:want|need|like)(?:\s+to\s+(?:have|build|make|get|create))?"
    r"|(?:build|make|create|write|give)(?:\s+(?:me|us))?)\s+",
    re.IGNORECASE,
)
WHAT_IT_ACTS_ON = frozenset("for of between about".split())  # "a converter for cooking measurements"
CLAUSE_ENDS = frozenset(",;:.!?")


def read_features(doc: Doc, kind: str) -> list[Behaviour]:
    """The request's features, the thing it is mainly about first, each with a unique name; at most
    MAX_FEATURES."""
    found: list[Behaviour] = []
    passing = _in_passing(doc)
    if kind in FEATURE_KINDS:
        found.append(_the_thing_itself(doc, kind, [span for _, span in passing]))
    titles = {b.title.lower() for b in found}
    for behaviour, _ in passing:
        if behaviour.title.lower() not in titles:
            titles.add(behaviour.title.lower())
            found.append(behaviour)
    names: set[str] = set()
    for behaviour in found:
        behaviour.name = _unique(behaviour.name, names)
        names.add(behaviour.name)
    return found[:MAX_FEATURES]


# --- the thing the request is mainly about ---------------------------------------------------------


def _the_thing_itself(doc: Doc, kind: str, passing: list[Span]) -> Behaviour:
    cue = _cue(doc, kind)
    title = _sentence(_join(_kind_title(cue, kind) if cue is not None else [KIND_WORDS[kind]]))[:80]
    # What the request says of it: every sentence but those that only ask for something in passing.
    first = next(doc.sents, None)
    said = [
        s.text.strip()
        for s in doc.sents
        if s == first or not any(p.start >= s.start and p.end <= s.end for p in passing)
    ]
    text = OPENING.sub("", " ".join(said), count=1) or title
    return Behaviour(name=_camel(title), title=title, text=_cut(_sentence(text)), part="frontend")


def _cue(doc: Doc, kind: str) -> Token | None:
    """The word that names the kind: the game, "converter", "calculate"."""
    cues = REQUEST_KINDS[kind]
    first = next(doc.sents, doc[:0])
    return next((t for t in (*first, *doc) if lemma(t) in cues or t.lower_ in cues), None)


def _kind_title(cue: Token, kind: str) -> list[Token | str]:
    """The words that name the thing: "snake game", "cooking measurement converter", "tetris"."""
    noun = KIND_WORDS[kind]
    if lemma(cue) in ("convert", "calculate") or cue.pos_ == "VERB":
        # "Convert temperatures between ...", "Calculate my monthly mortgage payments"
        thing = next((c for c in cue.children if c.dep_ == "dobj"), None)
        if thing is None and cue.dep_ == "amod" and cue.head.pos_ == "NOUN":
            thing = cue.head  # "Convert" read as an adjective of what it converts
        return (
            [*(w for w in _named(thing) if not isinstance(w, Token) or w.i != cue.i), noun]
            if thing is not None
            else [noun]
        )
    head = cue
    if cue.dep_ in ("compound", "amod", "nmod") and cue.head.pos_ == "NOUN" and lemma(cue.head) not in SOFTWARE_WORDS:
        head = cue.head  # "a wordle clone", "a multiplayer chess game"
    words: list[Token | str] = [t for t in _modifiers(head) if lemma(t) not in PLAIN_MODIFIERS]
    last: Token | str = noun if lemma(head) in ("conversion", "calculation") else head
    if not [w for w in words if not isinstance(w, Token) or w.text != "-"]:
        acts_on = next(
            (
                o
                for p in head.children
                if p.dep_ == "prep" and p.lower_ in WHAT_IT_ACTS_ON
                for o in p.children
                if o.dep_ == "pobj" and o.pos_ in ("NOUN", "PROPN") and lemma(o) not in PEOPLE
            ),
            None,
        )
        if acts_on is not None:
            words = _named(acts_on)  # "a calculator for mortgage repayments": a mortgage repayment calculator
    return [*words, last]


def _modifiers(token: Token) -> list[Token]:
    """The words before a noun that say which one: "high-score" in "a high-score table", not "a" or "my"."""
    return [
        t
        for t in token.doc[token.left_edge.i : token.i]
        if t.dep_ in ("compound", "amod", "nmod", "punct")
        and t.pos_ in ("NOUN", "PROPN", "ADJ", "PUNCT")
        and (t.pos_ != "PUNCT" or t.text == "-")
    ]


def _named(token: Token) -> list[Token | str]:
    """A noun with the words that say which one, in the singular: "monthly mortgage payment"."""
    return [*_modifiers(token), _singular(token)]


# --- what is asked for in passing --------------------------------------------------------------------


def _in_passing(doc: Doc) -> list[tuple[Behaviour, Span]]:
    """Each behaviour asked for in passing, with the words that ask for it."""
    found = []
    for token in doc:
        word = lemma(token)
        sent = next((c for c in token.children if c.dep_ == "dobj" and lemma(c) in SENT_THINGS), None)
        if token.pos_ == "VERB" and word in FEATURE_VERBS and sent is None:
            title_noun, part = FEATURE_VERBS[word]
            thing = next(
                (c for c in token.children if c.dep_ == "dobj" and c.pos_ == "NOUN" and lemma(c) not in PEOPLE), None
            )
            words = [_singular(thing), title_noun] if thing is not None and word not in SENDING_VERBS else [title_noun]
            found.append((_passing(words, part, _clause(token)), _clause(token)))
        elif (
            token.pos_ == "NOUN" and word in SENT_THINGS and token.dep_ != "compound"
        ):  # not "a newsletter signup page"
            verb = token.head if token.dep_ == "dobj" and token.head.pos_ == "VERB" else None
            how = [verb.lower_] if verb is not None and lemma(verb) in ("email", "text") else []
            words = [*how, *(t for t in _modifiers(token) if lemma(t) not in PLAIN_MODIFIERS), plural_of(word)]
            span = _clause(verb) if verb is not None else _clause(token)
            found.append((_passing(words, "backend", span), span))
    return found


def _passing(words: list[Token | str], part: str, span: Span) -> Behaviour:
    title = _sentence(_join(words))[:80]
    return Behaviour(
        name=_camel(title), title=title, text=_cut(_sentence(OPENING.sub("", span.text, count=1))), part=part
    )


def _clause(token: Token) -> Span:
    """The words that ask for it: a verb with what depends on it ("email them a reminder the day
    before a loan is due"), without the clauses joined to it by "and"; a noun up to the end of its
    phrase ("reminders by email the day before")."""
    doc = token.doc
    own = [
        c
        for c in token.children
        if c.dep_ not in ("conj", "cc", "punct")
        and not (c.i < token.i and (c.pos_ == "PRON" or c.dep_ in ("ccomp", "advcl", "mark", "advmod", "aux")))
    ]
    start = min([token.i] + [c.left_edge.i for c in own if c.i < token.i])
    start = max(
        [start] + [t.i + 1 for t in doc[start : token.i] if t.text in ";:"]
    )  # "products with a price; notify me"
    end = max([token.i] + [c.right_edge.i for c in own if c.i > token.i])
    if token.pos_ != "VERB":
        while end + 1 < len(doc) and doc[end + 1].text not in CLAUSE_ENDS and doc[end + 1].dep_ != "cc":
            end += 1
    return doc[start : end + 1]


# --- words and names ---------------------------------------------------------------------------------


def _singular(token: Token) -> Token | str:
    return token if lemma(token) == token.lower_ or token.pos_ == "PROPN" else lemma(token)


def _join(words: list[Token | str]) -> str:
    """The words as a title says them: lower case but for names and abbreviations, "high-score" joined."""
    text = ""
    for word in words:
        said = (
            word
            if isinstance(word, str)
            else word.text
            if word.pos_ == "PROPN" or (word.text.isupper() and len(word) > 1)
            else word.lower_
        )
        text += said if text.endswith("-") or said == "-" or not text else f" {said}"
    return text


def _sentence(text: str) -> str:
    text = re.sub(r"\s+", " ", text).strip(" ,;:-")
    return text[:1].upper() + text[1:]


def _cut(text: str) -> str:
    """At most MAX_FEATURE_CHARS, cut at a word, ending as a sentence."""
    if len(text) > MAX_FEATURE_CHARS:
        text = text[: MAX_FEATURE_CHARS - 1].rsplit(" ", 1)[0].rstrip(",;:") + "…"
    return text if text.endswith((".", "!", "?", "…")) else f"{text}."


def _camel(title: str) -> str:
    parts = [p for p in re.split(r"[^A-Za-z0-9]+", title) if p]
    name = "".join(p.lower() if i == 0 else p[:1].upper() + p[1:].lower() for i, p in enumerate(parts))
    return name if re.fullmatch(r"[a-z][a-zA-Z0-9]*", name) else f"feature{name[:1].upper()}{name[1:]}"


def _unique(name: str, taken: set[str]) -> str:
    name = f"{name}Feature" if name in KEYWORDS else name
    name = name[:36] if re.fullmatch(IDENTIFIER, name[:36]) else "feature"
    unique, n = name, 2
    while unique in taken:
        unique, n = f"{name}{n}", n + 1
    return unique
