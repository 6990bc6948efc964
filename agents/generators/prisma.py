"""The Prisma schema and the initial migration's SQL, both derived from the spec.

The SQL is what `prisma migrate diff --from-empty` prints for SQLite, so that the generated
project needs no schema engine (which Prisma would download) to create its database.
"""

from __future__ import annotations

from dataclasses import dataclass

from agents.spec import Entity, Spec

from .naming import auth_model, back_relations, relation_name

PRISMA_TYPES = {
    "string": "String", "text": "String", "email": "String", "int": "Int", "float": "Float",
    "boolean": "Boolean", "date": "DateTime", "datetime": "DateTime",
}
SQL_TYPES = {"String": "TEXT", "Int": "INTEGER", "Float": "REAL", "Boolean": "BOOLEAN", "DateTime": "DATETIME"}

GENERATOR_AND_DATASOURCE = """\
generator client {
  provider            = "prisma-client"
  output              = "../src/generated/prisma"
  moduleFormat        = "cjs"
  importFileExtension = ""
}

// The database URL lives in prisma.config.ts (Prisma 7); the app connects through the
// better-sqlite3 driver adapter in src/db.ts.
datasource db {
  provider = "sqlite"
}
"""


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


def _model(table: Table) -> str:
    width_name = max(len(n) for n, _, _ in table.lines)
    width_type = max(len(t) for _, t, _ in table.lines)
    body = [f"  {n.ljust(width_name)} {t.ljust(width_type)} {a}".rstrip() for n, t, a in table.lines]
    return f"model {table.name} {{\n" + "\n".join(body) + "\n}\n"


def schema_prisma(spec: Spec) -> str:
    return GENERATOR_AND_DATASOURCE + "".join("\n" + _model(t) for t in tables(spec))


def _create_table(table: Table) -> str:
    lines = []
    for column in table.columns:
        line = f'    "{column.name}" {SQL_TYPES[column.prisma_type]}'
        if column.required:
            line += " NOT NULL"
        if column.name == "id":
            line += " PRIMARY KEY AUTOINCREMENT"
        if column.sql_default:
            line += f" DEFAULT {column.sql_default}"
        lines.append(line)
    for fk in table.foreign_keys:
        on_delete = "RESTRICT" if fk.required else "SET NULL"
        lines.append(
            f'    CONSTRAINT "{table.name}_{fk.column}_fkey" FOREIGN KEY ("{fk.column}") '
            f'REFERENCES "{fk.target}" ("id") ON DELETE {on_delete} ON UPDATE CASCADE'
        )
    return f'-- CreateTable\nCREATE TABLE "{table.name}" (\n' + ",\n".join(lines) + "\n);\n"


def migration_sql(spec: Spec) -> str:
    """The initial migration, statement for statement as Prisma's schema engine writes it."""
    all_tables = tables(spec)
    statements = [_create_table(t) for t in all_tables]
    statements += [
        f'-- CreateIndex\nCREATE UNIQUE INDEX "{t.name}_{column}_key" ON "{t.name}"("{column}");\n'
        for t in all_tables for column in t.unique
    ]
    return "\n".join(statements)


MIGRATION_LOCK = """\
# Please do not edit this file manually
# It should be added in your version-control system (e.g., Git)
provider = "sqlite"
"""
