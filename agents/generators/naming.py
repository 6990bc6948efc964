"""Names every stack derives from the spec, in one place so all files agree on them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from graphlib import CycleError, TopologicalSorter

from agents.spec import Entity, Relation, Spec, StackChoice


def lower_first(name: str) -> str:
    return name[:1].lower() + name[1:]


def upper_first(name: str) -> str:
    return name[:1].upper() + name[1:]


def article(noun: str) -> str:
    """ "a doctor", "an appointment" (by spelling, which is right for most nouns)."""
    return ("an " if noun[:1].lower() in "aeiou" else "a ") + noun


def kebab(name: str) -> str:
    """ "appointmentSlots" or "AppointmentSlot" -> "appointment-slots"."""
    return re.sub(r"(?<!^)(?=[A-Z])", "-", name).lower()


def words(name: str) -> str:
    """ "startsAt" -> "Starts at": labels for form fields and table headers."""
    spaced = re.sub(r"(?<!^)(?=[A-Z])", " ", name).lower()
    return upper_first(spaced)


@dataclass(frozen=True)
class BackRelation:
    """The list side of a relation, on the target model: Doctor.appointments for Appointment.doctor."""

    name: str
    source: Entity
    relation: Relation
    relation_name: str


def relation_name(entity: Entity, relation: Relation) -> str:
    return f"{entity.name}{upper_first(relation.name)}"


def back_relations(spec: Spec, target: Entity) -> list[BackRelation]:
    taken = (
        {f.name for f in target.fields} | {r.name for r in target.relations} | {f"{r.name}Id" for r in target.relations}
    )
    taken |= {"id", "createdAt", "updatedAt"}
    result = []
    for source in spec.entities:
        links = [r for r in source.relations if r.target == target.name]
        for relation in links:
            name = source.plural if len(links) == 1 else f"{source.plural}As{upper_first(relation.name)}"
            while name in taken:
                name += "List"
            taken.add(name)
            result.append(BackRelation(name, source, relation, relation_name(source, relation)))
    return result


def auth_model(spec: Spec) -> str:
    """The model (table) holding login accounts, named so that it never clashes with an entity."""
    names = {e.name for e in spec.entities}
    return next(n for n in ("User", "Account", "Member", "LoginAccount") if n not in names)


def creation_order(spec: Spec) -> list[Entity]:
    """Entities ordered so that every required relation's target comes first (normalised specs have no cycles)."""
    graph = {e.name: {r.target for r in e.relations if r.required} for e in spec.entities}
    return [spec.entity(name) for name in TopologicalSorter(graph).static_order()]


def reserved_names(choice: StackChoice) -> frozenset[str]:
    """Entity names the chosen stacks cannot take: their languages' globals, their libraries'
    names and their own modules'."""
    from agents.stacks import get_stack

    return get_stack(choice.backend).reserved_names | get_stack(choice.frontend).reserved_names


def normalise_spec(spec: Spec) -> Spec:
    """The spec made generatable: entity names that clash with a name of the chosen stacks get a
    suffix ("Date" -> "DateEntry"), and required relations that form a cycle (a row that needs
    itself, or A needs B needs A) become optional, since no first row could ever be created."""
    reserved = reserved_names(spec.stack)
    renames = {e.name: f"{e.name}Entry" for e in spec.entities if e.name in reserved}
    data = spec.model_dump()
    for entity in data["entities"]:
        entity["name"] = renames.get(entity["name"], entity["name"])
        for relation in entity["relations"]:
            relation["target"] = renames.get(relation["target"], relation["target"])
    for summary in data["summaries"]:
        summary["entity"] = renames.get(summary["entity"], summary["entity"])
    for criterion in data["criteria"]:
        if criterion["about"] and criterion["about"]["entity"]:
            criterion["about"]["entity"] = renames.get(criterion["about"]["entity"], criterion["about"]["entity"])
    while cycle := _required_cycle(data["entities"]):
        needing, needed = cycle[1], cycle[0]
        entity = next(e for e in data["entities"] if e["name"] == needing)
        relation = next(r for r in entity["relations"] if r["required"] and r["target"] == needed)
        relation["required"] = False
    return Spec.model_validate(data)


def _required_cycle(entities: list[dict]) -> list[str]:
    graph = {e["name"]: {r["target"] for r in e["relations"] if r["required"]} for e in entities}
    try:
        TopologicalSorter(graph).prepare()
    except CycleError as exc:
        return exc.args[1]
    return []
