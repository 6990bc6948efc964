"""FastAPI + SQLAlchemy 2 + Alembic + JWT (PyJWT, argon2 through pwdlib), pydantic v2 schemas,
pytest with FastAPI's test client; ruff and strict mypy clean. It serves the same contract
(agents/openapi.py) as the Express back end, so the React front end works against either."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from agents.generators.naming import auth_model, back_relations, creation_order, kebab
from agents.generators.samples import comparable_fields
from agents.spec import Entity, Spec

from ..base import Files, Stack, select
from .names import (
    Column,
    PyEntity,
    natural_key,
    py_entity,
    python_name,
    python_string,
    sample_expression,
    snake,
)

PYTHON_VERSION = "3.12"
# Compatible-release pins, the versions this generator's tests install and check.
DEPENDENCIES = [
    "alembic>=1.20,<2",
    "fastapi>=0.163,<0.164",
    "pwdlib[argon2]>=0.3,<0.4",
    "pydantic>=2.14,<3",
    "pyjwt>=2.15,<3",
    "sqlalchemy>=2.1,<2.2",
    "uvicorn>=0.54,<0.55",
]
POSTGRES_DEPENDENCIES = ["psycopg[binary]>=3.2,<4"]
DEV_DEPENDENCIES = [
    # Starlette's test client runs on httpx2, the maintained fork of httpx.
    "httpx2>=2.16,<3",
    "mypy>=2.4,<3",
    "pytest>=9.2,<10",
    "ruff>=0.17,<0.18",
]

MAPPED_TYPES = {
    "string": "str", "text": "str", "email": "str", "int": "int", "float": "float", "boolean": "bool",
    "date": "dt.date", "datetime": "dt.datetime", "relation": "int",
}
SQL_TYPES = {
    "string": "String(200)", "text": "Text()", "email": "String(200)", "int": "Integer()", "float": "Float()",
    "boolean": "Boolean()", "date": "Date()", "datetime": "DateTime()",
}
MIGRATION_TYPES = {
    "string": "sa.String(length=200)", "text": "sa.Text()", "email": "sa.String(length=200)", "int": "sa.Integer()",
    "float": "sa.Float()", "boolean": "sa.Boolean()", "date": "sa.Date()", "datetime": "sa.DateTime()",
    "relation": 'sa.BigInteger().with_variant(sa.Integer(), "sqlite")',
}
INPUT_TYPES = {
    "string": "ShortText", "text": "LongText", "email": "Email", "int": "Integer", "float": "Number", "boolean": "Flag",
    "date": "Day", "datetime": "Moment", "relation": "RecordId",
}
OPTIONAL_INPUT_TYPES = INPUT_TYPES | {"string": "OptionalShortText"}
OUTPUT_TYPES = {
    "string": "str", "text": "str", "email": "str", "int": "int", "float": "float", "boolean": "bool",
    "date": "StoredDay", "datetime": "StoredMoment", "relation": "int",
}


@dataclass(frozen=True)
class Link:
    """A foreign key as the initial migration writes it."""

    table: str
    column: str
    target: str
    on_delete: str

    @property
    def name(self) -> str:
        return f"fk_{self.table}_{self.column}"  # app.db's naming convention


@dataclass(frozen=True)
class Table:
    name: str
    columns: list[str]
    constraints: list[str]


@dataclass(frozen=True)
class Blocker:
    """Records of `source_snake` whose required `name` link keeps a record from being deleted."""

    source_snake: str
    attr: str
    name: str


def _import_block(sections: list[list[tuple[str, list[str]]]]) -> str:
    """Import sections (standard library, third party, this app) as ruff's isort lays them out:
    plain imports first, then `from` imports, modules in order, names by kind (CONSTANT, Class, function)."""

    def name_key(name: str) -> tuple[int, list[str | int]]:
        kind = 0 if name.isupper() and len(name) > 1 else 1 if name[0].isupper() else 2
        return kind, natural_key(name)

    blocks = []
    for section in sections:
        plain = sorted(f"import {module}" for module, names in section if not names)
        froms = [
            f"from {module} import {', '.join(sorted(names, key=name_key))}"
            for module, names in sorted(section, key=lambda item: natural_key(item[0]))
            if names
        ]
        if plain or froms:
            blocks.append("\n".join(plain + froms))
    return "\n\n".join(blocks)


class FastAPIStack(Stack):
    name = "fastapi"
    part = "backend"
    label = "FastAPI + SQLAlchemy 2 + Alembic (Python)"
    root = "backend"
    language = "python"
    # A request for Python, or for a Python web framework, gets this back end.
    asked_for_by = ("python", "fastapi", "flask", "django", "pytest")
    role = (
        "You write the API in Python: FastAPI, SQLAlchemy 2 with Alembic migrations, pydantic v2 schemas that "
        "refuse unknown fields, JWT log-ins (PyJWT, argon2 via pwdlib), pytest with FastAPI's test client; "
        "code that passes ruff check, ruff format and strict mypy, and serves spec/openapi.json exactly."
    )
    # Entity names that would clash with a name the generated modules import or define beside them,
    # and the class names ruff refuses as ambiguous (E742).
    reserved_names = frozenset(
        """Base Record Mapped Boolean Date DateTime Float ForeignKey String Text APIRouter Depends
        SessionDep ItemId BaseModel ConfigDict Field Day Email Flag Integer LongText Moment Number
        OptionalShortText RecordId ShortText StoredDay StoredMoment TestClient Row INPUT PATH COMPARABLE
        ROUTERS I O""".split()
    )
    folder = Path(__file__).parent

    def context(self, spec: Spec) -> dict[str, Any]:
        py = {e.name: py_entity(e) for e in spec.entities}
        created = [py[e.name] for e in creation_order(spec)]
        tables, deferred = self._tables(spec, py)
        account = auth_model(spec)
        models = sorted((e.module, e.cls) for e in py.values())
        model_imports = [("app.db", ["Base"])] + [(f"app.models.{m}", [c]) for m, c in models]
        if spec.auth:
            model_imports.append(("app.auth", [account]))
        return super().context(spec) | {
            "py": py,
            "py_sorted": sorted(py.values(), key=lambda e: natural_key(e.module)),
            "py_ordered": list(py.values()),
            "py_created": created,
            "first": py[spec.entities[0].name],
            "account": account,
            "account_table": snake(account),
            "role": spec.roles[0] if spec.roles else "user",
            "uses_dt": any(f.type in ("date", "datetime") for e in spec.entities for f in e.fields),
            "samples": {e.name: {f.name: sample_expression(e, f) for f in e.fields} for e in spec.entities},
            "tables": tables,
            "deferred": deferred,
            "all_models": [name for _, names in model_imports for name in names],
            "models_init_imports": "\n".join(
                f"from {module} import {names[0]}"
                for module, names in sorted(model_imports, key=lambda item: natural_key(item[0]))
            ),
            "journey_imports": sorted((f"{e.snake}_data" for e in created), key=natural_key),
            "guard": ", dependencies=[Depends(require_user)]" if spec.auth else "",
            "mapped_types": MAPPED_TYPES,
            "input_types": INPUT_TYPES,
            "optional_input_types": OPTIONAL_INPUT_TYPES,
            "output_types": OUTPUT_TYPES,
            "dependencies": DEPENDENCIES,
            "postgres_dependencies": POSTGRES_DEPENDENCIES,
            "dev_dependencies": DEV_DEPENDENCIES,
            "python_version": PYTHON_VERSION,
            "python_string": python_string,
            "toml_string": lambda text: json.dumps(text, ensure_ascii=False),
            "column_args": lambda entity, column: _column_args(entity, column, deferred),
            "model_imports": _model_imports,
            "schema_imports": _schema_imports,
            "router_imports": lambda e: _router_imports(e, spec.auth),
            "comparable": comparable_fields,
            "test_fixtures": lambda entity: _test_fixtures(spec, py, entity),
            "blockers": lambda entity: _blockers(spec, py, entity),
        }

    def _tables(self, spec: Spec, py: dict[str, PyEntity]) -> tuple[list[Table], list[Link]]:
        """The initial migration's tables, each after the tables it points at. Where links go round
        in a circle, a table is created first and its links to the later ones added afterwards."""
        entity_links = {
            e.table: [Link(e.table, c.attr, c.target, "RESTRICT" if c.required else "SET NULL") for c in e.relations]
            for e in py.values()
        }
        pending = [e.table for e in py.values()]
        created: set[str] = set()
        order: list[str] = []
        deferred: list[Link] = []
        while pending:
            ready = next(
                (t for t in pending if all(link.target in created or link.target == t for link in entity_links[t])),
                pending[0],
            )
            for link in entity_links[ready]:
                if link.target not in created and link.target != ready:
                    deferred.append(link)
            pending.remove(ready)
            created.add(ready)
            order.append(ready)
        by_table = {e.table: e for e in py.values()}
        tables = []
        if spec.auth:
            account = snake(auth_model(spec))
            tables.append(Table(
                account,
                [_id_column(), _column("email", "string", True), _column("password_hash", "string", True),
                 'sa.Column("role", sa.String(length=50), nullable=False)', *_timestamp_columns()],
                [f'sa.PrimaryKeyConstraint("id", name=op.f("pk_{account}"))',
                 f'sa.UniqueConstraint("email", name=op.f("uq_{account}_email"))'],
            ))
        for name in order:
            entity = by_table[name]
            columns = [_id_column()] + [_column(c.attr, c.type, c.required) for c in entity.columns]
            constraints = [f'sa.PrimaryKeyConstraint("id", name=op.f("pk_{name}"))']
            constraints += [
                f'sa.UniqueConstraint("{c.attr}", name=op.f("uq_{name}_{c.attr}"))' for c in entity.fields if c.unique
            ]
            constraints += [
                f'sa.ForeignKeyConstraint(["{link.column}"], ["{link.target}.id"], name=op.f("{link.name}"), ondelete="{link.on_delete}")'
                for link in entity_links[name]
                if link not in deferred
            ]
            tables.append(Table(name, columns + _timestamp_columns(), constraints))
        return tables, deferred

    # --- what the agents ask of a stack --------------------------------------------------------

    def files(self, spec: Spec, scope: list[str]) -> Files:
        core, per_entity = self.tree(spec, "backend/")
        return select(core, per_entity, scope)

    def journey_files(self, spec: Spec) -> Files:
        return {"backend/tests/test_journey.py": self.render("journey/test_journey.py.j2", **self.context(spec))}

    def devops_files(self, spec: Spec) -> Files:
        return {
            "backend/Dockerfile": self.render("devops/Dockerfile.j2", **self.context(spec)),
            "backend/.dockerignore": self.render("devops/dockerignore"),
        }

    def compose_service(self, spec: Spec) -> dict[str, Any]:
        environment = {"DATABASE_URL": "sqlite:////data/app.db"}
        if spec.auth:
            environment = {"JWT_SECRET": "${JWT_SECRET:?set JWT_SECRET in .env or the environment}"} | environment
        probe = "import urllib.request; urllib.request.urlopen('http://localhost:3000/api/health', timeout=3)"
        return {
            "build": "./backend",
            "environment": environment,
            "volumes": ["db:/data"],
            "ports": ["3000:3000"],
            "healthcheck": {"test": ["CMD", "python", "-c", probe], "interval": "10s", "retries": 5},
        }

    def github_job(self, spec: Spec) -> dict[str, Any]:
        return {
            "runs-on": "ubuntu-latest",
            "defaults": {"run": {"working-directory": "backend"}},
            "steps": [
                {"uses": "actions/checkout@v4"},
                {"uses": "actions/setup-python@v5", "with": {"python-version": PYTHON_VERSION}},
                *({"run": step} for step in _CHECKS),
            ],
        }

    def gitlab_job(self, spec: Spec) -> dict[str, Any]:
        return {"stage": "test", "image": f"python:{PYTHON_VERSION}", "script": ["cd backend", *_CHECKS]}

    def readme_section(self, spec: Spec) -> str:
        return self.render("readme.md.j2", **self.context(spec))

    def env_example(self, spec: Spec) -> str:
        lines = []
        if spec.auth:
            lines += ["# Required: signs login tokens. Generate one with: openssl rand -hex 32", "JWT_SECRET=", ""]
        lines += [
            "# The API's database: a SQLite file, or postgresql+psycopg://user:password@host/name for PostgreSQL.",
            "DATABASE_URL=sqlite:///./dev.db",
        ]
        return "\n".join(lines) + "\n"

    def api_path(self, entity: Entity) -> str:
        return f"/api/{kebab(entity.plural)}"


_CHECKS = [
    'pip install -e ".[dev]"',
    "ruff check .",
    "ruff format --check .",
    "mypy .",
    "pytest",
]


def _id_column() -> str:
    return f'sa.Column("id", {MIGRATION_TYPES["relation"]}, nullable=False)'


def _column(attr: str, kind: str, required: bool) -> str:
    return f'sa.Column("{attr}", {MIGRATION_TYPES[kind]}, nullable={not required})'


def _timestamp_columns() -> list[str]:
    return [_column("created_at", "datetime", True), _column("updated_at", "datetime", True)]


def _column_args(entity: PyEntity, column: Column, deferred: list[Link]) -> str:
    if column.type == "relation":
        on_delete = "RESTRICT" if column.required else "SET NULL"
        # A link the migration adds after both tables exist; SQLAlchemy is told so, as it cannot order the tables.
        later = ", use_alter=True" if any(d.table == entity.table and d.column == column.attr for d in deferred) else ""
        return f'ID_TYPE, ForeignKey("{column.target}.id", ondelete="{on_delete}"{later})'
    return SQL_TYPES[column.type] + (", unique=True" if column.unique else "")


def _model_imports(entity: PyEntity) -> str:
    kinds = {c.type for c in entity.fields}
    sql = {SQL_TYPES[k].split("(")[0] for k in kinds} | ({"ForeignKey"} if entity.relations else set())
    standard = [("datetime as dt", [])] if kinds & {"date", "datetime"} else []
    return _import_block([
        standard,
        [("sqlalchemy", sorted(sql)), ("sqlalchemy.orm", ["Mapped", "mapped_column"])],
        [("app.db", ["ID_TYPE", "Record"] if entity.relations else ["Record"])],
    ])


def _schema_imports(entity: PyEntity) -> str:
    types = {"StoredMoment"}
    for c in entity.columns:
        types.add((INPUT_TYPES if c.required else OPTIONAL_INPUT_TYPES)[c.type])
        if OUTPUT_TYPES[c.type][0].isupper():
            types.add(OUTPUT_TYPES[c.type])
    pydantic = ["BaseModel", "ConfigDict", "Field"] + (["field_validator"] if any(c.required for c in entity.columns) else [])
    return _import_block([[("pydantic", pydantic)], [("app.fields", sorted(types))]])


def _router_imports(entity: PyEntity, auth: bool) -> str:
    app = [
        ("app.db", ["SessionDep"]),
        (f"app.models.{entity.module}", [entity.cls]),
        ("app.records", ["ItemId", "find", "save"]),
        (f"app.schemas.{entity.module}", [f"{entity.cls}Changes", f"{entity.cls}Input", f"{entity.cls}Out"]),
    ]
    if auth:
        app.append(("app.auth", ["require_user"]))
    return _import_block([
        [("fastapi", ["APIRouter", "Depends"] if auth else ["APIRouter"]), ("sqlalchemy", ["select"])],
        app,
    ])


def _test_fixtures(spec: Spec, py: dict[str, PyEntity], entity: Entity) -> list[str]:
    e = py[entity.name]
    names = {"Row", f"create_{e.snake}", f"{e.snake}_data"}
    names |= {f"create_{c.target}" for c in e.relations if c.required}
    names |= {f"create_{b.source_snake}" for b in _blockers(spec, py, entity)}
    return sorted(names, key=lambda name: (not name[0].isupper(), natural_key(name)))


def _blockers(spec: Spec, py: dict[str, PyEntity], entity: Entity) -> list[Blocker]:
    """Other entities whose required link to this one keeps it from being deleted."""
    found = []
    for back in back_relations(spec, entity):
        if back.relation.required and back.source.name != entity.name:
            column = python_name(f"{back.relation.name}Id")
            found.append(Blocker(py[back.source.name].snake, column, f"{back.relation.name}Id"))
    return found


STACK = FastAPIStack()
