"""Offline spec extraction: the spec of the app a plain-language request describes.

What the app keeps is read by agents.understanding (a language model's parse of the request);
this module adds what the request says about the project as a whole: its title and name, whether
people log in, whether it wants a website, its back-end stack, and the choices a person made on
the form. The result is deterministic: the same request gives the same spec.
"""

from __future__ import annotations

import re

from .spec import Spec, StackChoice
from .stacks import stacks_for

# --- Words that say what the project is ------------------------------------------------------


DETERMINERS = frozenset(
    "a an the their his her its my our your each every any some many multiple several other "
    "new own one two three all this that these those".split()
)
API_ONLY = re.compile(
    r"\b(rest(ful)?\s+api|json\s+api|http\s+api|web\s+api|graphql\s+api|api\s+only|backend\s+only|back-end\s+only"
    r"|headless|micro-?service|api\s+(service|server|backend)|no\s+(frontend|front-end|ui|user interface)"
    r"|without\s+(a\s+)?(frontend|front-end|ui|user interface))\b"
)
API_HEADS = frozenset({"api", "backend", "back-end", "service", "server", "microservice"})
UI_WORDS = re.compile(
    r"\b(web\s*site|site|web\s+app|frontend|front-end|user interface|ui|pages?|dashboard|browser|react|screens?|game)\b"
)
NEGATED_UI = re.compile(r"\b(no|without(\s+a)?)\s+(frontend|front-end|ui|user interface|web\s+pages?)\b")
AUTH_WORDS = re.compile(r"\b(users?|log\s*in|login|logins|sign\s*(up|in)|register|accounts?|profiles?|passwords?)\b")
NO_AUTH = re.compile(
    r"\b(static|landing\s+page|brochure|no\s+(log-?ins?|accounts|auth\w*)|without\s+(log-?ins?|accounts|auth\w*)"
    r"|anonymous|public\s+read-only)\b"
)
ADMIN_WORDS = re.compile(r"\b(admins?|administrators?|moderators?|staff)\b")
TITLE_PREFIX = re.compile(
    r"^\s*(?:please\s+)?(?:(?:i\s+(?:want|need|would\s+like)|we\s+(?:want|need)|build|create|make|write|generate|give)\s+(?:me\s+|us\s+)?)?"
    r"(?:an?\s+|the\s+)?",
    re.IGNORECASE,
)

SWITCHES = ("frontend", "auth")  # Spec fields a project's options may set, yes or no
STACK_PARTS = ("backend",)  # the parts whose stack a project's options may name

TOKEN = re.compile(r"[a-z0-9]+(?:[-][a-z0-9]+)*|'s\b|[,.;:!?()&]")


def _tokens(request: str) -> list[str]:
    text = request.lower().replace("\u2019", "'").replace("to do", "todo").replace("e-mail", "email")
    text = re.sub(r"\n+", " . ", text)  # a new line starts a new sentence, with or without a full stop
    return TOKEN.findall(text)


def title_for(request: str) -> str:
    """The name of what a request asks for ("A booking site for a dog groomer, with ..." ->
    "Booking site for a dog groomer"): the project's title and the spec's are this one."""
    first = re.split(
        r"[.;:!?\n]|,\s|\s-\s|\s(?:with|where|that|which|so|for\s+managing)\s", request.strip(), maxsplit=1
    )[0]
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
    # "A Python web service for ...": the thing asked for is an API.
    head = re.split(r"\s(?:for|to|in|on|of)\s", title.lower(), maxsplit=1)[0].split()[-1]
    api_only = bool(API_ONLY.search(text) or head in API_HEADS)
    ui_asked = bool(UI_WORDS.search(NEGATED_UI.sub("", API_ONLY.sub("", text))))
    return {
        "frontend": not api_only or (ui_asked and not NEGATED_UI.search(text)),
        # Writes are protected unless the request is for something without accounts.
        # ("no log-ins" names log-ins only to refuse them).
        "auth": bool(AUTH_WORDS.search(NO_AUTH.sub(" ", text))) or not NO_AUTH.search(text),
        "stack": StackChoice(backend=asked_backend(text) or StackChoice().backend),
        "roles": ["user", "admin"] if ADMIN_WORDS.search(text) else ["user"],
    }


def asked_backend(text: str) -> str | None:
    """The registered back-end stack a request (or feedback) asks for by its language or framework
    ("... in Python" picks the stack whose `asked_for_by` words include "python"). None when it
    names none of ours."""
    words = set(re.findall(r"[a-z][a-z0-9.]*[a-z0-9]", text.lower()))
    return next(
        (name for name, stack in sorted(stacks_for("backend").items()) if words & set(stack.asked_for_by)), None
    )


def chosen_options(options: dict) -> dict:
    """The choices a project's options make about the spec: switches set to yes or no, and stacks
    by the name of a registered stack. Anything else (an unset choice, a retired option) is left out."""
    switches = {name: value for name, value in options.items() if name in SWITCHES and isinstance(value, bool)}
    stacks = {part: name for part, name in options.items() if part in STACK_PARTS and name in stacks_for(part)}
    return switches | stacks


def apply_options(spec: Spec, options: dict) -> Spec:
    """The spec with what a person chose on the form (website, log-ins, back-end stack) taking
    precedence. Without log-ins no record can be private to its creator, and the notes say so; without
    a website, a feature does on the back end what it would have shown on a page."""
    from .understanding.to_spec import ownership_note

    chosen = chosen_options(options)
    stack = spec.stack.model_copy(update={part: chosen.pop(part) for part in STACK_PARTS if part in chosen})
    update = {**chosen, "stack": stack}
    owned = [e for e in spec.entities if e.owned]
    if owned and chosen.get("auth") is False:
        update["entities"] = [e.model_copy(update={"owned": False}) for e in spec.entities]
        update["not_built"] = [*spec.not_built, ownership_note(", ".join(e.plural for e in owned))]
    if chosen.get("frontend") is False:
        update["features"] = [f.model_copy(update={"part": "backend"}) for f in spec.features]
    return Spec.model_validate(spec.model_copy(update=update).model_dump())


def extract_spec(request: str) -> Spec:
    """The spec of the app a plain-language request describes (offline, deterministic): the reading
    of agents.understanding mapped to the spec, with what it will not build."""
    from .understanding import read  # the language model's libraries load on first use, not on import
    from .understanding.to_spec import not_built, spec_entities, spec_features, spec_summaries

    reading = read(request)
    title = title_for(request)
    text = " ".join(_tokens(request))
    flags = _flags(text, title)
    entities = spec_entities(reading, auth=flags["auth"])
    summaries = spec_summaries(reading, entities)
    features = spec_features(reading, frontend=flags["frontend"])
    return Spec(
        app_name=_app_name(title),
        title=title,
        summary=request.strip()[:2000],
        entities=entities,
        summaries=summaries,
        features=features,
        kind=reading.kind,
        not_built=not_built(reading, summaries, features, auth=flags["auth"]),
        **flags,
    )
