"""The tables of the Prisma schema and of the initial migration, as data for their templates
(prisma/schema.prisma.j2, prisma/migrations/0_init/migration.sql.j2).

The SQL is what `prisma migrate diff --from-empty` prints for SQLite, so that the generated
project needs no schema engine (which Prisma would download) to create its database.

Names the spec cannot produce keep the stack's own tables and fields apart from the entities':
spec identifiers have no underscore, so a many-to-many link's join table (`Order_cake`), the owner
link of an owned entity (`owner_account`) and the account's lists of owned records
(`owned_runs`) never clash with an entity, a field or a back relation.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from agents.generators.naming import auth_model, back_relations, relation_name
from agents.spec import Entity, Relation, Spec

PRISMA_TYPES = {
    "string": "String",
    "text": "String",
    "email": "String",
    "url": "String",
    "choice": "String",
    "int": "Int",
    "float": "Float",
    "money": "BigInt",  # money: whole cents, exact past 2^31
    "boolean": "Boolean",
    "date": "DateTime",
    "datetime": "DateTime",
}
SQL_TYPES = {
    "String": "TEXT",
    "Int": "INTEGER",
    "BigInt": "BIGINT",
    "Float": "REAL",
    "Boolean": "BOOLEAN",
    "DateTime": "DATETIME",
}
# The columns of a join table: the record holding the list, and the record listed.
SOURCE, TARGET = "sourceId", "targetId"
OWNER = "owner_account"  # the owned entity's Prisma link to the account; its column is ownerId


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
    on_delete: str  # RESTRICT, SET NULL or CASCADE


@dataclass(frozen=True)
class Table:
    name: str
    columns: list[Column]
    foreign_keys: list[ForeignKey]
    unique: list[str]
    lines: list[tuple[str, str, str]]  # the model's fields as (name, type, attributes)
    primary_key: list[str] = field(default_factory=list)  # a composite key, for join tables

    @property
    def model_lines(self) -> list[str]:
        """The model's fields in columns, as `prisma format` aligns them, then its block attributes."""
        width_name = max(len(n) for n, _, _ in self.lines)
        width_type = max(len(t) for _, t, _ in self.lines)
        lines = [f"{n.ljust(width_name)} {t.ljust(width_type)} {a}".rstrip() for n, t, a in self.lines]
        if self.primary_key:
            lines += ["", f"@@id([{', '.join(self.primary_key)}])"]
        return lines


def join_table(entity: Entity, relation: Relation) -> str:
    """The table listing a many-to-many link's pairs: Order_cake for Order.cake."""
    return f"{entity.name}_{relation.name}"


def owned_list(entity: Entity) -> str:
    """The account's list of an owned entity's records (a Prisma back relation, never in the API)."""
    return f"owned_{entity.plural}"


def _entity_table(spec: Spec, entity: Entity) -> Table:
    columns = [Column("id", "Int", True, "@id @default(autoincrement())")]
    lines = [("id", "Int", "@id @default(autoincrement())")]
    for entity_field in entity.fields:
        prisma_type = PRISMA_TYPES[entity_field.type]
        attributes = "@unique" if entity_field.unique else ""
        columns.append(Column(entity_field.name, prisma_type, entity_field.required, attributes))
        lines.append((entity_field.name, prisma_type + ("" if entity_field.required else "?"), attributes))
    foreign_keys = []
    for relation in entity.relations:
        if relation.many:
            join = join_table(entity, relation)
            lines.append((relation.name, f"{join}[]", f'@relation("{join}_source")'))
            continue
        mark = "" if relation.required else "?"
        on_delete = "Restrict" if relation.required else "SetNull"
        link = f'@relation("{relation_name(entity, relation)}", fields: [{relation.key}], references: [id], onDelete: {on_delete})'
        lines.append((relation.name, relation.target + mark, link))
        lines.append((relation.key, "Int" + mark, ""))
        columns.append(Column(relation.key, "Int", relation.required))
        foreign_keys.append(ForeignKey(relation.key, relation.target, on_delete.upper().replace("SETNULL", "SET NULL")))
    if entity.owned:
        account = auth_model(spec)
        link = f'@relation("{entity.name}_owner", fields: [ownerId], references: [id], onDelete: Cascade)'
        lines += [(OWNER, account, link), ("ownerId", "Int", "")]
        columns.append(Column("ownerId", "Int", True))
        foreign_keys.append(ForeignKey("ownerId", account, "CASCADE"))
    for back in back_relations(spec, entity):
        if back.relation.many:
            join = join_table(back.source, back.relation)
            lines.append((back.name, f"{join}[]", f'@relation("{join}_target")'))
        else:
            lines.append((back.name, f"{back.source.name}[]", f'@relation("{back.relation_name}")'))
    columns += [
        Column("createdAt", "DateTime", True, sql_default="CURRENT_TIMESTAMP"),
        Column("updatedAt", "DateTime", True),
    ]
    lines += [("createdAt", "DateTime", "@default(now())"), ("updatedAt", "DateTime", "@updatedAt")]
    unique = [f.name for f in entity.fields if f.unique]
    return Table(entity.name, columns, foreign_keys, unique, lines)


def _join_table(entity: Entity, relation: Relation) -> Table:
    """The pairs of a many-to-many link; deleting either record removes its pairs."""
    name = join_table(entity, relation)
    lines = [
        ("source", entity.name, f'@relation("{name}_source", fields: [{SOURCE}], references: [id], onDelete: Cascade)'),
        (SOURCE, "Int", ""),
        (
            "target",
            relation.target,
            f'@relation("{name}_target", fields: [{TARGET}], references: [id], onDelete: Cascade)',
        ),
        (TARGET, "Int", ""),
    ]
    columns = [Column(SOURCE, "Int", True), Column(TARGET, "Int", True)]
    foreign_keys = [ForeignKey(SOURCE, entity.name, "CASCADE"), ForeignKey(TARGET, relation.target, "CASCADE")]
    return Table(name, columns, foreign_keys, [], lines, primary_key=[SOURCE, TARGET])


def _auth_table(spec: Spec) -> Table:
    role = spec.roles[0] if spec.roles else "user"
    columns = [
        Column("id", "Int", True),
        Column("email", "String", True),
        Column("passwordHash", "String", True),
        Column("role", "String", True, sql_default=f"'{role}'"),
        Column("createdAt", "DateTime", True, sql_default="CURRENT_TIMESTAMP"),
    ]
    lines = [
        ("id", "Int", "@id @default(autoincrement())"),
        ("email", "String", "@unique"),
        ("passwordHash", "String", ""),
        ("role", "String", f'@default("{role}")'),
        ("createdAt", "DateTime", "@default(now())"),
    ]
    lines += [(owned_list(e), f"{e.name}[]", f'@relation("{e.name}_owner")') for e in spec.entities if e.owned]
    return Table(auth_model(spec), columns, [], ["email"], lines)


def tables(spec: Spec) -> list[Table]:
    entity_tables = [_entity_table(spec, e) for e in spec.entities]
    join_tables = [_join_table(e, r) for e in spec.entities for r in e.relations if r.many]
    return ([_auth_table(spec)] if spec.auth else []) + entity_tables + join_tables
