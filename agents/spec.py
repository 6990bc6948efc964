"""The architect's spec: what the generated project contains. Every generator reads only this."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, model_validator

IDENTIFIER = r"^[a-z][a-zA-Z0-9]{0,39}$"  # camelCase: fields, relations, route segments
TYPE_NAME = r"^[A-Z][a-zA-Z0-9]{0,39}$"  # PascalCase: entity names

FieldType = Literal["string", "text", "int", "float", "boolean", "date", "datetime", "email"]


class EntityField(BaseModel):
    name: str = Field(pattern=IDENTIFIER)
    type: FieldType = "string"
    required: bool = True
    unique: bool = False


class Relation(BaseModel):
    """A many-to-one link: this entity has a `name` field pointing at one `target` row."""

    name: str = Field(pattern=IDENTIFIER)
    target: str = Field(pattern=TYPE_NAME)
    required: bool = True


class Entity(BaseModel):
    name: str = Field(pattern=TYPE_NAME)  # singular, e.g. "Appointment"
    plural: str = Field(pattern=IDENTIFIER)  # route segment, e.g. "appointments"
    label: str = Field(min_length=1, max_length=60)  # for people, e.g. "Appointment"
    fields: list[EntityField] = Field(min_length=1, max_length=30)
    relations: list[Relation] = Field(default_factory=list, max_length=10)

    @model_validator(mode="after")
    def _names_are_unique(self) -> Entity:
        names = [f.name for f in self.fields] + [r.name for r in self.relations]
        reserved = {"id", "createdAt", "updatedAt"} | {f"{r.name}Id" for r in self.relations}
        duplicates = {n for n in names if names.count(n) > 1} | (set(names) & reserved)
        if duplicates:
            raise ValueError(f"entity {self.name}: duplicate or reserved field names {sorted(duplicates)}")
        return self


class StackChoice(BaseModel):
    """Which registered stack (agents/stacks/) builds each part of the project."""

    backend: str = "express"
    frontend: str = "react"

    @model_validator(mode="after")
    def _stacks_are_registered(self) -> StackChoice:
        from agents.stacks import stacks_for

        for part in ("backend", "frontend"):
            known = stacks_for(part)
            if getattr(self, part) not in known:
                raise ValueError(f"unknown {part} stack {getattr(self, part)!r}; choose one of {', '.join(sorted(known))}")
        return self


class Spec(BaseModel):
    app_name: str = Field(pattern=r"^[a-z][a-z0-9-]{1,49}$")  # npm package name
    title: str = Field(min_length=1, max_length=100)
    summary: str = Field(max_length=2000)
    entities: list[Entity] = Field(min_length=1, max_length=20)
    auth: bool = True  # users register and log in; writes need a JWT
    roles: list[str] = Field(default_factory=lambda: ["user"])
    frontend: bool = True  # False for "a REST API for ..." requests
    stack: StackChoice = Field(default_factory=StackChoice)
    kind: str = "records"  # what the request is: records, or a game, converter, cli tool, ... (generators ignore it)
    not_built: list[str] = Field(default_factory=list)  # plain-language notes on what offline mode will not build

    @model_validator(mode="after")
    def _relations_point_at_entities(self) -> Spec:
        names = [e.name for e in self.entities]
        if len(set(names)) != len(names):
            raise ValueError(f"duplicate entity names in {names}")
        plurals = [e.plural for e in self.entities]
        if len(set(plurals)) != len(plurals):
            raise ValueError(f"duplicate entity route names in {plurals}")
        for entity in self.entities:
            for relation in entity.relations:
                if relation.target not in names:
                    raise ValueError(f"{entity.name}.{relation.name} points at unknown entity {relation.target}")
        return self

    def entity(self, name: str) -> Entity:
        return next(e for e in self.entities if e.name == name)
