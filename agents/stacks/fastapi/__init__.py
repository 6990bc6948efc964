"""FastAPI + SQLAlchemy 2 + Alembic + JWT (PyJWT, argon2 through pwdlib), pydantic v2 schemas,
pytest with FastAPI's test client; ruff and strict mypy clean. It serves the same contract
(agents/openapi.py) as the Express back end, so the React front end works against either."""

from __future__ import annotations

import json
import re
import shlex
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from agents.criteria import feature_criteria
from agents.generators.naming import auth_model, back_relations, creation_order, kebab
from agents.generators.samples import comparable_fields
from agents.openapi import creation_required, list_parameters, sort_keys, summary_path
from agents.spec import TEXT_TYPES, Entity, Feature, Spec, Summary

from ..base import Files, Stack, Step, Verification, digest, report_path, select
from .criteria_tests import (
    calls,
    checked_records,
    criteria_tests,
    factory_imports,
    inputs,
)
from .names import (
    Column,
    ManyLink,
    PyEntity,
    natural_key,
    py_entity,
    python_name,
    python_string,
    sample_expression,
    snake,
)
from .summary_tests import record_lines, scenario

PYTHON_VERSION = "3.12"
REPORT = report_path("backend", "xml")  # pytest's JUnit XML report, read by the verify stage
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

# What a feature's model is shown, word for word from the files it plugs into: the core's job types.
FEATURE_TYPES = re.compile(
    r"^@dataclass\(frozen=True\)\nclass (?:JobDeps|Job)\b.*?(?=\n\n\n)", re.MULTILINE | re.DOTALL
)

MAPPED_TYPES = {
    "string": "str",
    "text": "str",
    "email": "str",
    "int": "int",
    "float": "float",
    "boolean": "bool",
    "date": "dt.date",
    "datetime": "dt.datetime",
    "relation": "int",
    "money": "Decimal",
    "url": "str",
    "choice": "str",
}
# Money is kept as a whole number of cents (app.db.Cents): SQLite has no exact decimal type.
SQL_TYPES = {
    "string": "String(200)",
    "text": "Text()",
    "email": "String(200)",
    "int": "Integer()",
    "float": "Float()",
    "boolean": "Boolean()",
    "date": "Date()",
    "datetime": "DateTime()",
    "money": "Cents()",
    "url": "String(2000)",
    "choice": "String(40)",
}
MIGRATION_TYPES = {
    "string": "sa.String(length=200)",
    "text": "sa.Text()",
    "email": "sa.String(length=200)",
    "int": "sa.Integer()",
    "float": "sa.Float()",
    "boolean": "sa.Boolean()",
    "date": "sa.Date()",
    "datetime": "sa.DateTime()",
    "relation": 'sa.BigInteger().with_variant(sa.Integer(), "sqlite")',
    "money": "sa.BigInteger()",
    "url": "sa.String(length=2000)",
    "choice": "sa.String(length=40)",
}
INPUT_TYPES = {
    "string": "ShortText",
    "text": "LongText",
    "email": "Email",
    "int": "Integer",
    "float": "Number",
    "boolean": "Flag",
    "date": "Day",
    "datetime": "Moment",
    "relation": "RecordId",
    "money": "Money",
    "url": "Url",
}
OPTIONAL_INPUT_TYPES = INPUT_TYPES | {"string": "OptionalShortText"}
OUTPUT_TYPES = {
    "string": "str",
    "text": "str",
    "email": "str",
    "int": "int",
    "float": "float",
    "boolean": "bool",
    "date": "StoredDay",
    "datetime": "StoredMoment",
    "relation": "int",
    "money": "StoredMoney",
    "url": "str",
    "choice": "str",
}
# The list lookups' value types (query strings), by the kind of lookup.
LOOKUP_TYPES = {"q": "SearchText", "flag": "YesNo", "link": "IdText", "links": "IdText"}


@dataclass(frozen=True)
class Lookup:
    """One query parameter of a list, as agents/openapi.py's list_parameters names it."""

    name: str  # the parameter: boughtOnFrom
    attr: str  # its attribute on the <Entity>Lookup model: bought_on_from
    kind: str  # q, sort, due, choice, flag, from, to, link, links
    type: str  # its Python type
    column: str = ""  # the attribute it filters on: bought_on (for links: the relationship)
    searched: tuple[str, ...] = ()  # q: the text attributes it looks in

    @property
    def aliased(self) -> bool:
        return self.attr != self.name


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
    autoincrement: bool = True  # ids never reused; a many-to-many link's table has no id of its own


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
        ROUTERS I O Column Table Decimal ColumnElement Cents OwnedRecord Money Url StoredMoney LinkedIds IdText
        SearchText YesNo Literal Annotated Any Query Session CurrentUser Profile SummaryRow Fact Measure Kind
        Period Amount CENT SORTS Iterable Sequence Mapping Dialect TypeDecorator""".split()
    )
    folder = Path(__file__).parent

    def context(self, spec: Spec) -> dict[str, Any]:
        modules = {e.name: py_entity(e).module for e in spec.entities}
        py = {e.name: py_entity(e, modules) for e in spec.entities}
        created = [py[e.name] for e in creation_order(spec)]
        tables, deferred = self._tables(spec, py)
        account = auth_model(spec)
        cases = [(_summary_view(spec, py, s), scenario(spec, s)) for s in spec.summaries]
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
            "uses_money": any(f.type == "money" for e in spec.entities for f in e.fields),
            "any_owned": any(e.owned for e in spec.entities),
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
            "needs_user": lambda entity: _needs_user(spec, entity),
            "lookups": _lookups,
            "sorts": _sorts,
            "input_type": _input_type,
            "summaries": [_summary_view(spec, py, s) for s in spec.summaries],
            "summary_imports": lambda: _summary_imports(spec, py),
            "summary_cases": cases,
            "summary_test_imports": sorted(
                {f"create_{view.entity.snake}" for view, _ in cases}
                | {f"create_{view.group_target.snake}" for view, _ in cases if view.group_target},
                key=natural_key,
            ),
            "summary_tests_use_dt": any(case.created_period for _, case in cases),
            "record_lines": record_lines,
            "linked_targets": lambda entity: _linked_targets(spec, py, entity),
            "mapped_types": MAPPED_TYPES,
            "input_types": INPUT_TYPES,
            "optional_input_types": OPTIONAL_INPUT_TYPES,
            "output_types": OUTPUT_TYPES,
            "dependencies": [*DEPENDENCIES, *(name + version for name, version in spec.packages("backend").items())],
            "postgres_dependencies": POSTGRES_DEPENDENCIES,
            "dev_dependencies": DEV_DEPENDENCIES,
            "python_version": PYTHON_VERSION,
            "python_string": python_string,
            "toml_string": lambda text: json.dumps(text, ensure_ascii=False),
            "column_args": lambda entity, column: _column_args(entity, column, deferred),
            "model_imports": _model_imports,
            "schema_imports": lambda e: _schema_imports(e, _lookups(spec.entity(e.cls))),
            "router_imports": lambda entity: _router_imports(spec, py, entity),
            "comparable": comparable_fields,
            "test_fixtures": lambda entity: _test_fixtures(spec, py, entity),
            "test_plan": _test_plan,
            "creation_required": creation_required,
            "mark": MARK,
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
            tables.append(
                Table(
                    account,
                    [
                        _id_column(),
                        _column("email", "string", True),
                        _column("password_hash", "string", True),
                        'sa.Column("role", sa.String(length=50), nullable=False)',
                        *_timestamp_columns(),
                    ],
                    [
                        f'sa.PrimaryKeyConstraint("id", name=op.f("pk_{account}"))',
                        f'sa.UniqueConstraint("email", name=op.f("uq_{account}_email"))',
                    ],
                )
            )
        for name in order:
            entity = by_table[name]
            columns = [_id_column()] + [_column(c.attr, c.type, c.required) for c in entity.columns]
            constraints = [f'sa.PrimaryKeyConstraint("id", name=op.f("pk_{name}"))']
            constraints += [
                f'sa.UniqueConstraint("{c.attr}", name=op.f("uq_{name}_{c.attr}"))' for c in entity.fields if c.unique
            ]
            constraints += [
                _foreign_key(link.table, link.column, link.target, link.on_delete)
                for link in entity_links[name]
                if link not in deferred
            ]
            if entity.owned:
                columns.append(_column("owner_id", "relation", True))
                constraints.append(_foreign_key(name, "owner_id", snake(auth_model(spec)), "CASCADE"))
            tables.append(Table(name, columns + _timestamp_columns(), constraints))
        # Many-to-many links: a table of id pairs each, once both ends exist; deleting either end deletes the pair.
        for entity in py.values():
            for link in entity.links:
                tables.append(
                    Table(
                        link.table,
                        [_column(link.source_column, "relation", True), _column(link.target_column, "relation", True)],
                        [
                            _foreign_key(link.table, link.source_column, entity.table, "CASCADE"),
                            _foreign_key(link.table, link.target_column, link.target, "CASCADE"),
                            f'sa.PrimaryKeyConstraint("{link.source_column}", "{link.target_column}", name=op.f("pk_{link.table}"))',
                        ],
                        autoincrement=False,
                    )
                )
        return tables, deferred

    # --- what the agents ask of a stack --------------------------------------------------------

    def files(self, spec: Spec, scope: list[str]) -> Files:
        core, per_entity = self.tree(spec, "backend/")
        return select(core, per_entity, scope)

    def journey_files(self, spec: Spec) -> Files:
        return {"backend/tests/test_journey.py": self.render("journey/test_journey.py.j2", **self.context(spec))}

    def criteria_files(self, spec: Spec) -> Files:
        context = self.context(spec)
        tests = criteria_tests(spec, context)
        if not tests:
            return {}
        py = context["py"]
        return {
            "backend/tests/test_criteria.py": self.render(
                "criteria/test_criteria.py.j2",
                **context,
                tests=tests,
                calls=calls,
                inputs=inputs(tests, py),
                imports=factory_imports(tests, py),
                moments=checked_records(tests, py),
            )
        }

    def feature_area(self, spec: Spec, feature: Feature) -> tuple[str, ...]:
        name = snake(feature.name)
        return (f"backend/app/features/{name}/", f"backend/tests/features/{name}/")

    def feature_guide(self, spec: Spec, feature: Feature) -> str:
        context = self.context(spec)
        core, per_entity = self.tree(spec, "backend/app/")
        models = [per_entity[e.name][f"backend/app/models/{context['py'][e.name].module}.py"] for e in spec.entities]
        if spec.auth:
            models.insert(0, core["backend/app/auth.py"])  # the accounts' model
        criteria = [(c.id, c.text) for c in feature_criteria(spec, feature)]
        return self.render(
            "features/guide.txt.j2",
            **context,
            feature=feature,
            name=snake(feature.name),
            kebab_name=kebab(feature.name),
            criteria=criteria,
            interfaces=FEATURE_TYPES.findall(self.source("backend/app/features/__init__.py")),
            models="\n\n".join(_model_outline(source) for source in models),
        )

    def verification(self, files: Files) -> Verification:
        """A virtual environment of the pyproject's dependencies (runtime and dev), keyed by the
        list and this Python's version; then ruff, mypy, the migrations and pytest."""
        try:
            project = tomllib.loads(files.get("pyproject.toml", ""))["project"]
            requirements = sorted(
                [*project.get("dependencies", []), *project.get("optional-dependencies", {}).get("dev", [])]
            )
        except (tomllib.TOMLDecodeError, KeyError, TypeError, AttributeError):
            requirements = []  # the install then fails on the project's own pyproject, and says why
        python = ".".join(map(str, sys.version_info[:2]))
        install = "{python} -m venv {venv} && {venv}/bin/pip install --quiet --disable-pip-version-check " + (
            " ".join(shlex.quote(r) for r in requirements) if requirements else "-e ."
        )
        return Verification(
            tree="venv",
            install_key=digest(self.name, python, *requirements),
            install=install,
            steps=(
                Step("lint", "ruff check --no-cache ."),
                Step("format", "ruff format --check --no-cache ."),
                Step("types", "mypy --no-incremental ."),
                Step("migrations", "alembic upgrade head && alembic check"),
                Step("tests", f"pytest -q -p no:cacheprovider --junitxml={REPORT}", counts="pytest", report=REPORT),
            ),
            migrate="alembic upgrade head",
            serve="uvicorn --factory app.main:create_app --host 127.0.0.1 --port $PORT",
            env=(
                ("DATABASE_URL", "sqlite:////tmp/verify.db"),
                ("JWT_SECRET", "verify-stage-only-not-a-secret-0123456789"),
            ),
        )

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


def _model_outline(source: str) -> str:
    """A models module's tables as a feature's model needs them: each model's class line, columns and
    query methods with their docstrings, word for word; other classes (pydantic schemas) left out."""
    kept: list[str] = []
    in_model = False
    lines = source.splitlines()
    for n, line in enumerate(lines):
        if line.startswith("class "):
            in_model = line.endswith(("(Record):", "(OwnedRecord):"))
            if in_model:
                kept.append(line)
        elif in_model and (re.match(r"    \w+: Mapped\[", line) or line.startswith(("    def ", "    @"))):
            kept.append(line)
            if line.startswith("    def ") and n + 1 < len(lines) and lines[n + 1].strip().startswith('"""'):
                kept.append(lines[n + 1])
    return "\n".join(kept)


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


def _foreign_key(table: str, column: str, target: str, on_delete: str) -> str:
    name = f"fk_{table}_{column}"  # app.db's naming convention
    return f'sa.ForeignKeyConstraint(["{column}"], ["{target}.id"], name=op.f("{name}"), ondelete="{on_delete}")'


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
    sql = {SQL_TYPES[k].split("(")[0] for k in kinds} - {"Cents"}
    sql |= {"ForeignKey"} if entity.relations or entity.links else set()
    sql |= {"Column", "Table"} if entity.links else set()
    if entity.due is not None:
        sql |= {"ColumnElement", "and_"} | ({"true"} if entity.done is None else set())
    standard = [("datetime as dt", [])] if kinds & {"date", "datetime"} else []
    if "money" in kinds:
        standard.append(("decimal", ["Decimal"]))
    if any(not link.self_link for link in entity.links):
        standard.append(("typing", ["TYPE_CHECKING"]))
    orm = ["Mapped", "mapped_column"] + (["relationship"] if entity.links else [])
    app = ["OwnedRecord" if entity.owned else "Record"]
    app += ["ID_TYPE"] if entity.relations or entity.links else []
    app += ["Base"] if entity.links else []
    app += ["Cents"] if "money" in kinds else []
    if entity.due is not None:
        app.append("utc_now" if entity.due.type == "datetime" else "utc_today")
    third_party = ([("sqlalchemy", sorted(sql))] if sql else []) + [("sqlalchemy.orm", orm)]
    return _import_block([standard, third_party, [("app.db", app)]])


def _input_type(column: Column, optional: bool = False) -> str:
    if column.type == "choice":
        return column.options_alias
    return (OPTIONAL_INPUT_TYPES if optional else INPUT_TYPES)[column.type]


def _schema_imports(entity: PyEntity, lookups: list[Lookup]) -> str:
    types = {"StoredMoment"}
    for c in entity.columns:
        if c.type != "choice":
            types.add(_input_type(c, not c.required))
        if OUTPUT_TYPES[c.type][0].isupper():
            types.add(OUTPUT_TYPES[c.type])
    types |= {"LinkedIds"} if entity.links else set()
    types |= {lookup.type for lookup in lookups if lookup.kind in LOOKUP_TYPES or lookup.kind in ("from", "to")}
    needs_null_check = any(c.required for c in entity.columns) or entity.links
    pydantic = ["BaseModel", "ConfigDict", "Field"] + (["field_validator"] if needs_null_check else [])
    return _import_block(
        [
            [("typing", ["Literal"])],
            [("pydantic", pydantic)],
            [("app.fields", sorted(types))],
        ]
    )


def _needs_user(spec: Spec, entity: Entity) -> bool:
    """Whether the entity's routes need the caller's account: its own records, or links it may only make to the caller's."""
    owned = {e.name for e in spec.entities if e.owned}
    return entity.owned or any(r.target in owned for r in entity.relations)


def _linked_targets(spec: Spec, py: dict[str, PyEntity], entity: Entity) -> list[tuple[Column | ManyLink, bool]]:
    """Each link of the entity, with whether its target is someone's own (so only the caller's may be named)."""
    e = py[entity.name]
    owned = {p.table for name, p in py.items() if spec.entity(name).owned}
    return [(c, c.target in owned) for c in e.relations] + [(link, link.target in owned) for link in e.links]


def _router_imports(spec: Spec, py: dict[str, PyEntity], entity: PyEntity) -> str:
    source = spec.entity(entity.cls)
    user = _needs_user(spec, source)
    targets = sorted(
        (
            {(py[c.target_cls].module, c.target_cls) for c in entity.relations}
            | {(link.target_module, link.target_cls) for link in entity.links}
        )
        - {(entity.module, entity.cls)}
    )
    records = ["ItemId", "find_own" if entity.owned else "find", "ordering", "save"]
    records += ["require"] if entity.relations or entity.links else []
    app = [
        ("app.db", ["SessionDep"]),
        (f"app.models.{entity.module}", [entity.cls]),
        *((f"app.models.{module}", [cls]) for module, cls in targets),
        ("app.records", records),
        (
            f"app.schemas.{entity.module}",
            [f"{entity.cls}Changes", f"{entity.cls}Input", f"{entity.cls}Lookup", f"{entity.cls}Out"],
        ),
    ]
    if spec.auth:
        # An owned entity's routes all take the caller's account; others' writes need a log-in (require_user).
        guarded = not entity.owned
        app.append(("app.auth", (["CurrentUser"] if user else []) + (["require_user"] if guarded else [])))
    fastapi = ["APIRouter", "Query"] + (["Depends"] if spec.auth and not entity.owned else [])
    sqlalchemy = ["ColumnElement", "select"] + (
        ["or_"] if any(lookup.kind == "q" for lookup in _lookups(source)) else []
    )
    return _import_block(
        [
            [("typing", ["Annotated", "Any"])],
            [("fastapi", fastapi), ("sqlalchemy", sqlalchemy), ("sqlalchemy.orm", ["Session"])],
            app,
        ]
    )


def _lookups(entity: Entity) -> list[Lookup]:
    """The list's query parameters, in the contract's order and with its names (agents/openapi.py)."""
    e = py_entity(entity)
    found: dict[str, Lookup] = {}

    def add(name: str, kind: str, type_: str, column: str = "", searched: tuple[str, ...] = ()) -> None:
        found.setdefault(name, Lookup(name, python_name(name), kind, type_, column, searched))

    searched = tuple(python_name(f.name) for f in entity.fields if f.type in TEXT_TYPES)
    if searched:
        add("q", "q", LOOKUP_TYPES["q"], searched=searched)
    add("sort", "sort", "SORT_KEYS")
    if entity.due is not None:
        add("due", "due", 'Literal["open", "overdue"]')
    for field in entity.fields:
        column = e.column(field.name)
        if field.type == "choice":
            add(field.name, "choice", column.options_alias, column.attr)
        elif field.type == "boolean":
            add(field.name, "flag", LOOKUP_TYPES["flag"], column.attr)
        elif field.type in ("date", "datetime"):
            kind = "Day" if field.type == "date" else "Moment"
            add(f"{field.name}From", "from", kind, column.attr)
            add(f"{field.name}To", "to", kind, column.attr)
    ones = {c.name: c for c in e.relations}
    manys = {link.name: link for link in e.links}
    for relation in entity.relations:
        if relation.many:
            add(manys[relation.key].lookup, "links", LOOKUP_TYPES["links"], manys[relation.key].records)
        else:
            add(relation.key, "link", LOOKUP_TYPES["link"], ones[relation.key].attr)
    lookups = list(found.values())
    assert [lookup.name for lookup in lookups] == [p["name"] for p in list_parameters(entity)], (
        "the contract's lookups changed"
    )
    return lookups


def _sorts(entity: Entity) -> list[tuple[str, str]]:
    """The sort keys (ascending) and the columns they order by."""
    e = py_entity(entity)
    columns = {c.name: c.attr for c in e.fields} | {"createdAt": "created_at"}
    return [(key, columns[key]) for key in sort_keys(entity) if not key.startswith("-")]


@dataclass(frozen=True)
class SummaryView:
    """What a summary's route reads, in the names of the generated code."""

    summary: Summary
    function: str  # the route function: loans_per_member
    path: str  # its path under /api/summaries
    description: str
    entity: PyEntity
    value: str | None  # the attribute measured (none for a count)
    kind: str | None  # int, float or money
    group: Column | None  # a one-record link or a choice or yes/no field
    group_target: PyEntity | None  # a link's target, which names the groups
    date: str | None  # the attribute whose period is taken


def _summary_view(spec: Spec, py: dict[str, PyEntity], summary: Summary) -> SummaryView:
    e = py[summary.entity]
    value = e.column(summary.field) if summary.field else None
    group = None
    if summary.group_by is not None:
        group = next((c for c in e.relations if c.name == f"{summary.group_by}Id"), None) or e.column(summary.group_by)
    date = e.column(summary.date_field) if summary.date_field else None
    return SummaryView(
        summary=summary,
        function=f"summary_{snake(summary.name)}",
        path=summary_path(summary).removeprefix("/api/summaries"),
        description=_summary_words(spec, summary),
        entity=e,
        value=value.attr if value else None,
        kind=value.type if value else None,
        group=group,
        group_target=py[group.target_cls] if group is not None and group.type == "relation" else None,
        date=(date.attr if date else "created_at") if summary.period else None,
    )


def _summary_words(spec: Spec, summary: Summary) -> str:
    """What a summary's rows hold, in words made only of the spec's names (a route's docstring)."""
    entity = spec.entity(summary.entity)
    what = "How many" if summary.measure == "count" else f"The {summary.measure} of {summary.field} of"
    scope = {"open": " not yet done", "overdue": " past their due date", None: ""}[summary.only]
    parts = [f"{what} {entity.plural}{scope}"]
    if summary.group_by:
        parts.append(f"per {summary.group_by}")
    if summary.period:
        parts.append(f"per {summary.period} of {summary.date_field or 'createdAt'} (UTC)")
    return " ".join(parts) + (", of the caller's own only." if entity.owned else ".")


def _summary_imports(spec: Spec, py: dict[str, PyEntity]) -> str:
    models = set()
    for summary in spec.summaries:
        view = _summary_view(spec, py, summary)
        models.add((view.entity.module, view.entity.cls))
        if view.group_target and view.group_target.name_field:
            models.add((view.group_target.module, view.group_target.cls))  # its records name the groups
    owned = any(spec.entity(s.entity).owned for s in spec.summaries)
    app = [("app.db", ["SessionDep"]), ("app.fields", ["money_text"])]
    app += [(f"app.models.{module}", [cls]) for module, cls in sorted(models)]
    if owned:
        app.append(("app.auth", ["CurrentUser"]))
    return _import_block(
        [
            [
                ("datetime as dt", []),
                ("collections.abc", ["Iterable", "Sequence"]),
                ("dataclasses", ["dataclass"]),
                ("decimal", ["ROUND_HALF_UP", "Decimal"]),
                ("typing", ["Literal"]),
            ],
            [("fastapi", ["APIRouter"]), ("pydantic", ["BaseModel", "Field"]), ("sqlalchemy", ["select"])],
            app,
        ]
    )


@dataclass(frozen=True)
class TestPlan:
    """Values the generated tests of one entity send, worked out here so the templates stay plain."""

    search_field: str | None  # q: a text field, and a value of it that holds MARK
    search_value: str | None
    optional: list[str]  # fields a record may leave empty (the sort test's third record does)
    money: list[str]  # fields sorted as amounts, not as text
    due: str | None  # due=...: the due field, its past and future values
    due_past: str | None
    due_future: str | None
    done: str | None  # the done field, its done and not-done values (None: a record is always done)
    done_value: str | None
    not_done_value: str | None


MARK = "zQ9xJ"  # text no sample value holds, which a search looks for


def _test_plan(entity: Entity) -> TestPlan:
    searched = next((f for f in entity.fields if f.type in TEXT_TYPES), None)
    marked = (
        {
            "email": f"{MARK}@example.com",
            "url": f"https://example.com/{MARK}",
        }.get(searched.type, f"A {MARK} here")
        if searched
        else None
    )
    due = entity.field(entity.due) if entity.due else None
    done = entity.field(entity.done) if entity.done else None

    def when(kind: str, day: str) -> str:
        return python_string(day if kind == "date" else f"{day}T00:00:00Z")

    not_done = None
    if done is not None:
        not_done = "False" if done.type == "boolean" else None if done.required else "None"
    return TestPlan(
        search_field=searched.name if searched else None,
        search_value=python_string(marked) if marked else None,
        optional=[f.name for f in entity.fields if not f.required],
        money=[f.name for f in entity.fields if f.type == "money"],
        due=due.name if due else None,
        due_past=when(due.type, "2000-01-03") if due else None,
        due_future=when(due.type, "2999-01-03") if due else None,
        done=done.name if done else None,
        done_value=("True" if done.type == "boolean" else when(done.type, "2020-01-20")) if done else None,
        not_done_value=not_done,
    )


def _test_fixtures(spec: Spec, py: dict[str, PyEntity], entity: Entity) -> list[str]:
    e = py[entity.name]
    names = {"Row", f"create_{e.snake}", f"{e.snake}_data"}
    names |= {f"create_{c.target}" for c in e.relations} | {f"create_{link.target}" for link in e.links}
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
