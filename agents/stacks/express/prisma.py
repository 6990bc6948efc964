"""The tables of the Prisma schema and of the initial migration, as data for their templates
(prisma/schema.prisma.j2, prisma/migrations/0_init/migration.sql.j2).

The SQL is what `prisma migrate diff --from-empty` prints for SQLite, so that the generated
project needs no schema engine (which Prisma would download) to create its database.
"""

from __future__ import annotations

from dataclasses import dataclass

from agents.generators.naming import auth_model, back_relations, relation_name
from agents.spec import Entity, Spec

PRISMA_TYPES = {
    "string": "String", "text": "String", "email": "String", "int": "Int", "float": "Float",
    "boolean": "Boolean", "date": "DateTime", "datetime": "DateTime",
}
SQL_TYPES = {"String": "TEXT", "Int": "INTEGER", "Float": "REAL", "Boolean": "BOOLEAN", "DateTime": "DATETIME"}


@dataclass(frozen=True)
class Column:
    name: str
    prisma_type: str
    required: bool
    attributes: str = ""
    sql_default: str = ""


@dataclass(frozen=True)
class ForeignKey:
    column: str
    target: str
    required: bool


@dataclass(frozen=True)
class Table:
    name: str
    columns: list[Column]
    foreign_keys: list[ForeignKey]
    unique: list[str]
    lines: list[tuple[str, str, str]]  # the model's fields as (name, type, attributes)

    @property
    def model_lines(self) -> list[str]:
        """The model's fields in columns, as `prisma format` aligns them."""
        width_name = max(len(n) for n, _, _ in self.lines)
        width_type = max(len(t) for _, t, _ in self.lines)
        return [f"{n.ljust(width_name)} {t.ljust(width_type)} {a}".rstrip() for n, t, a in self.lines]


def _entity_table(spec: Spec, entity: Entity) -> Table:
    columns = [Column("id", "Int", True, "@id @default(autoincrement())")]
    lines = [("id", "Int", "@id @default(autoincrement())")]
    for field in entity.fields:
        prisma_type = PRISMA_TYPES[field.type]
        attributes = "@unique" if field.unique else ""
        columns.append(Column(field.name, prisma_type, field.required, attributes))
        lines.append((field.name, prisma_type + ("" if field.required else "?"), attributes))
    foreign_keys = []
    for relation in entity.relations:
        mark = "" if relation.required else "?"
        on_delete = "Restrict" if relation.required else "SetNull"
        link = f'@relation("{relation_name(entity, relation)}", fields: [{relation.name}Id], references: [id], onDelete: {on_delete})'
        lines.append((relation.name, relation.target + mark, link))
        lines.append((f"{relation.name}Id", "Int" + mark, ""))
        columns.append(Column(f"{relation.name}Id", "Int", relation.required))
        foreign_keys.append(ForeignKey(f"{relation.name}Id", relation.target, relation.required))
    for back in back_relations(spec, entity):
        lines.append((back.name, f"{back.source.name}[]", f'@relation("{back.relation_name}")'))
    columns += [Column("createdAt", "DateTime", True, sql_default="CURRENT_TIMESTAMP"), Column("updatedAt", "DateTime", True)]
    lines += [("createdAt", "DateTime", "@default(now())"), ("updatedAt", "DateTime", "@updatedAt")]
    unique = [f.name for f in entity.fields if f.unique]
    return Table(entity.name, columns, foreign_keys, unique, lines)


def _auth_table(spec: Spec) -> Table:
    role = spec.roles[0] if spec.roles else "user"
    columns = [
        Column("id", "Int", True), Column("email", "String", True), Column("passwordHash", "String", True),
        Column("role", "String", True, sql_default=f"'{role}'"), Column("createdAt", "DateTime", True, sql_default="CURRENT_TIMESTAMP"),
    ]
    lines = [
        ("id", "Int", "@id @default(autoincrement())"), ("email", "String", "@unique"), ("passwordHash", "String", ""),
        ("role", "String", f'@default("{role}")'), ("createdAt", "DateTime", "@default(now())"),
    ]
    return Table(auth_model(spec), columns, [], ["email"], lines)


def tables(spec: Spec) -> list[Table]:
    entity_tables = [_entity_table(spec, e) for e in spec.entities]
    return ([_auth_table(spec)] if spec.auth else []) + entity_tables
