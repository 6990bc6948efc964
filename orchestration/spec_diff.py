"""What changed in the app between two plan versions, in the words a person uses: records, their
details and links, who sees what, summaries, log-ins, the website and the stacks.

Records, details, links and summaries are matched by name. A record (or a detail) that disappears
while exactly one new one appears with the same details and links (the same kind and rules) is said
to be renamed; when that is not clear-cut, it is said as removed and added.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from agents.spec import Entity, EntityField, Relation, Spec, Summary
from agents.spec_words import detail_kind, listed, name_words, record_plural, summary_shows
from agents.stacks import get_stack

Named = TypeVar("Named", Entity, EntityField)


@dataclass(frozen=True)
class SpecChange:
    """One change, said as a sentence; kind (added, removed, changed or unknown) is for styling only;
    topic says whether it changed the app ("app") or its acceptance criteria ("criteria")."""

    kind: str
    text: str
    topic: str = "app"


def spec_changes(
    old: Spec | None, new: Spec | None, *, old_label: str = "the older version", new_label: str = "the newer version"
) -> list[SpecChange]:
    """How `new` differs from `old`; a version made before specs were stored says so instead."""
    if old is None and new is None:
        return [SpecChange("unknown", f"{old_label} and {new_label} do not record what the app keeps")]
    if old is None or new is None:
        return [SpecChange("unknown", f"{old_label if old is None else new_label} does not record what the app keeps")]
    changes = _app_changes(old, new)
    renamed = _renamed(old.entities, new.entities, _record_shape)
    new_names = {e.name for e in new.entities}
    old_names = {e.name for e in old.entities}
    for before, after in renamed.items():
        was, now = old.entity(before).label, new.entity(after).label
        changes.append(
            SpecChange(
                "changed", f"renamed record {was} to {now}" if was != now else f"renamed record {before} to {after}"
            )
        )
    for entity in old.entities:
        if entity.name not in new_names and entity.name not in renamed:
            changes.append(SpecChange("removed", f"removed record {entity.label}"))
    for entity in new.entities:
        if entity.name not in old_names and entity.name not in renamed.values():
            changes.append(SpecChange("added", _added_record(entity, new)))
    now_called = {after: before for before, after in renamed.items()}
    for entity in new.entities:
        before = now_called.get(entity.name, entity.name)
        if before in old_names:
            changes += _record_changes(old.entity(before), entity, old, new, renamed)
    changes += _summary_changes(old, new)
    changes += [
        SpecChange("removed", f"now says it will not build: {note}")
        for note in new.not_built
        if note not in old.not_built
    ]
    changes += [
        SpecChange("added", f"no longer says it will not build: {note}")
        for note in old.not_built
        if note not in new.not_built
    ]
    return changes + criterion_changes(old, new)


def criterion_changes(old: Spec, new: Spec) -> list[SpecChange]:
    """The acceptance criteria added, reworded and removed, matched by id."""
    before = {c.id: c for c in old.criteria}
    after = {c.id: c for c in new.criteria}
    changes = [
        SpecChange("removed", f"removed criterion {c.id}: \u201c{c.text}\u201d", "criteria")
        for c in old.criteria
        if c.id not in after
    ]
    for criterion in new.criteria:
        was = before.get(criterion.id)
        if was is None:
            changes.append(
                SpecChange("added", f"added criterion {criterion.id}: \u201c{criterion.text}\u201d", "criteria")
            )
        elif was.text != criterion.text:
            verb = "reworded criterion" if criterion.by == "person" else "criterion"
            changes.append(
                SpecChange(
                    "changed",
                    f"{verb} {criterion.id} now says \u201c{criterion.text}\u201d (was \u201c{was.text}\u201d)",
                    "criteria",
                )
            )
        elif (was.about is None) != (criterion.about is None) or was.about != criterion.about:
            now = "a generated test can now prove it" if criterion.about else "no generated test can prove it any more"
            changes.append(SpecChange("changed", f"criterion {criterion.id}: {now}", "criteria"))
    return changes


def _app_changes(old: Spec, new: Spec) -> list[SpecChange]:
    changes = []
    if old.title != new.title:
        changes.append(SpecChange("changed", f"the app is now called {new.title} (was {old.title})"))
    if old.auth != new.auth:
        changes.append(
            SpecChange("added" if new.auth else "removed", f"log-ins switched {'on' if new.auth else 'off'}")
        )
    if old.frontend != new.frontend:
        changes.append(
            SpecChange(
                "added" if new.frontend else "removed", f"the website switched {'on' if new.frontend else 'off'}"
            )
        )
    if old.stack.backend != new.stack.backend:
        changes.append(
            SpecChange(
                "changed",
                f"the back end is now {get_stack(new.stack.backend).label} (was {get_stack(old.stack.backend).label})",
            )
        )
    if old.stack.frontend != new.stack.frontend and new.frontend:
        changes.append(
            SpecChange(
                "changed",
                f"the website is now {get_stack(new.stack.frontend).label} (was {get_stack(old.stack.frontend).label})",
            )
        )
    return changes


def _renamed(old: Sequence[Named], new: Sequence[Named], shape: Callable[[Named], tuple]) -> dict[str, str]:
    """Old name -> new name, for each thing that left while exactly one newcomer has its shape."""
    old_names, new_names = {x.name for x in old}, {x.name for x in new}
    gone = [x for x in old if x.name not in new_names]
    came = [x for x in new if x.name not in old_names]
    renamed = {}
    for before in gone:
        alike = [after for after in came if shape(after) == shape(before)]
        if len(alike) == 1 and [b for b in gone if shape(b) == shape(before)] == [before]:
            renamed[before.name] = alike[0].name
    return renamed


def _record_shape(entity: Entity) -> tuple:
    # Link targets are left out: a link to a record that was itself renamed still counts as the same link.
    return (
        tuple(f.model_dump_json() for f in entity.fields),
        tuple((r.name, r.required, r.many) for r in entity.relations),
        entity.owned,
        entity.due,
        entity.done,
    )


def _detail_shape(detail: EntityField) -> tuple:
    return detail.type, tuple(detail.options), detail.default, detail.required, detail.unique


def _added_record(entity: Entity, spec: Spec) -> str:
    text = f"added record {entity.label} ({', '.join(name_words(f.name) for f in entity.fields)})"
    if entity.relations:
        targets = [spec.entity(r.target) for r in entity.relations]
        text += f", linked to {listed([t.label for t in targets])}"
    return text


def _record_changes(
    old: Entity, new: Entity, old_spec: Spec, new_spec: Spec, renamed: dict[str, str]
) -> list[SpecChange]:
    changes = []
    plural = record_plural(new)
    if old.label != new.label and old.name == new.name:
        changes.append(SpecChange("changed", f"renamed record {old.label} to {new.label}"))
    changes += _detail_changes(old, new)
    changes += _link_changes(old, new, old_spec, new_spec, renamed)
    if old.owned != new.owned:
        changes.append(
            SpecChange(
                "changed", f"{plural} are {'now' if new.owned else 'no longer'} private to the person who adds them"
            )
        )
    if old.due != new.due:
        if new.due:
            was = f" (was their {name_words(old.due)})" if old.due else ""
            changes.append(SpecChange("changed", f"{plural} are now due by their {name_words(new.due)}{was}"))
        else:
            changes.append(SpecChange("removed", f"{plural} no longer have a date they are due by"))
    if old.done != new.done and new.due:
        if new.done:
            was = f" (was their {name_words(old.done)})" if old.done else ""
            changes.append(
                SpecChange("changed", f"{plural} are now done once their {name_words(new.done)} is set{was}")
            )
        else:
            changes.append(SpecChange("removed", f"{plural} no longer say when they are done"))
    return changes


def _detail_changes(old: Entity, new: Entity) -> list[SpecChange]:
    label = new.label
    renamed = _renamed(old.fields, new.fields, _detail_shape)
    changes = [
        SpecChange("changed", f"renamed detail {name_words(before)} to {name_words(after)} on {label}")
        for before, after in renamed.items()
    ]
    new_names = {f.name for f in new.fields}
    for detail in old.fields:
        if detail.name not in new_names and detail.name not in renamed:
            changes.append(SpecChange("removed", f"removed detail {name_words(detail.name)} from {label}"))
    for detail in new.fields:
        before = old.field(detail.name)
        if before is None:
            if detail.name not in renamed.values():
                changes.append(
                    SpecChange("added", f"added detail {name_words(detail.name)} ({detail_kind(detail)}) to {label}")
                )
            continue
        changes += _one_detail_changes(before, detail, new)
    return changes


def _one_detail_changes(old: EntityField, new: EntityField, entity: Entity) -> list[SpecChange]:
    name, label = name_words(new.name), entity.label
    changes = []
    if old.type == new.type == "choice":
        if old.options != new.options:
            changes.append(
                SpecChange(
                    "changed",
                    f"options of {name} on {label} are now {', '.join(new.options)} (were {', '.join(old.options)})",
                )
            )
        if old.default != new.default:
            text = (
                f"a new {label} now starts with {name} {new.default}"
                if new.default
                else f"{name} on {label} no longer starts with {old.default}"
            )
            changes.append(SpecChange("changed", text))
    elif old.type != new.type:
        changes.append(SpecChange("changed", f"{name} of {label} is now {detail_kind(new)} (was {detail_kind(old)})"))
    if old.required != new.required:
        changes.append(SpecChange("changed", f"{name} on {label} is now {'required' if new.required else 'optional'}"))
    if old.unique != new.unique:
        plural = record_plural(entity).lower()
        text = f"no two {plural} may now share {_a(name)}" if new.unique else f"{plural} may now share {_a(name)}"
        changes.append(SpecChange("changed", text))
    return changes


def _link_changes(
    old: Entity, new: Entity, old_spec: Spec, new_spec: Spec, renamed: dict[str, str]
) -> list[SpecChange]:
    changes = []
    for relation in old.relations:
        if new.relation(relation.name) is None:
            changes.append(SpecChange("removed", f"{new.label} no longer links to {_link_target(relation, old_spec)}"))
    for relation in new.relations:
        before = old.relation(relation.name)
        if before is None:
            changes.append(SpecChange("added", _new_link(new, relation, new_spec)))
        elif renamed.get(before.target, before.target) != relation.target:
            changes.append(
                SpecChange(
                    "changed",
                    f"{new.label} now links to {_link_target(relation, new_spec)} "
                    f"instead of {_link_target(before, old_spec)}",
                )
            )
        elif before.many != relation.many:
            target = new_spec.entity(relation.target)
            text = (
                f"{_a(new.label)} now has several {record_plural(target)} (was one)"
                if relation.many
                else f"{_a(new.label)} now has one {target.label} (was several)"
            )
            changes.append(SpecChange("changed", text))
        elif before.required != relation.required:
            target = _link_target(relation, new_spec)
            text = (
                f"{_a(new.label)} must now link to {_a(target)}"
                if relation.required
                else f"{_a(new.label)} may now be saved without {_a(target)}"
            )
            changes.append(SpecChange("changed", text))
    return changes


def _new_link(entity: Entity, relation: Relation, spec: Spec) -> str:
    target = spec.entity(relation.target)
    if relation.many:
        return f"{_a(entity.label)} now has several {record_plural(target)}"
    return f"{entity.label} now links to {_link_target(relation, spec)}"


def _link_target(relation: Relation, spec: Spec) -> str:
    """The linked record's label, with the link's own name when it differs: "Member (its borrower)"."""
    label = spec.entity(relation.target).label
    return label if name_words(relation.name) == label.lower() else f"{label} (its {name_words(relation.name)})"


def _summary_changes(old: Spec, new: Spec) -> list[SpecChange]:
    before = {s.name: s for s in old.summaries}
    after = {s.name: s for s in new.summaries}
    changes = [SpecChange("removed", f"removed summary {s.label}") for s in old.summaries if s.name not in after]
    for summary in new.summaries:
        was = before.get(summary.name)
        if was is None:
            changes.append(SpecChange("added", f"added summary {summary.label}"))
            continue
        if was.label != summary.label:
            changes.append(SpecChange("changed", f"renamed summary {was.label} to {summary.label}"))
        if _summary_shape(was) != _summary_shape(summary):
            changes.append(
                SpecChange(
                    "changed",
                    f"summary {summary.label} now shows {summary_shows(summary, new)} (was {summary_shows(was, old)})",
                )
            )
    return changes


def _summary_shape(summary: Summary) -> dict:
    return summary.model_dump(exclude={"label"})


def _a(noun: str) -> str:
    return f"{'an' if noun[:1].lower() in 'aeiou' else 'a'} {noun}"
