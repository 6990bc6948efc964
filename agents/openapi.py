"""The API contract of a generated backend as an OpenAPI 3.1 document, derived from the spec.

Every back-end stack serves exactly these routes with exactly these rules, so the contract names no
stack: unknown fields are refused (400), path ids are 32-bit integers from 1 (400 otherwise),
required short texts need one non-space character and are stored as sent, emails match one pattern,
and a method a path does not support answers 405 with an Allow header. The front end's typed client
and docs/API.md are built from the same contract.

The richer parts, which docs/spec.md describes in full:
- money is an exact decimal sent as a string ("12.5") and returned with two decimals ("12.50"); no
  stack ever holds it in a float;
- a choice is one of its options; when it has a default, a create may leave it out;
- a many-to-many link is a list of ids (`cakeIds`), sent in any order and returned ascending; an id
  that names no record is refused with 409, as a many-to-one link's is;
- an owned entity's routes all need a log-in, and a record someone else created is 404 to you;
- a list takes lookups as query parameters (`q`, a choice's value, date ranges, a link's id, `sort`,
  `due`), and refuses a bad value with 400;
- each summary is `GET /api/summaries/{name}`: rows of {group, groupId, period, value}.
"""

from __future__ import annotations

import json
from typing import Any

from agents.generators.naming import kebab, upper_first, words
from agents.generators.samples import sample_row
from agents.spec import DATE_TYPES, TEXT_TYPES, Entity, EntityField, Relation, Spec, Summary
from agents.stacks import get_stack

INT32_MAX = 2**31 - 1
# Decimal numbers up to 10^15 either way: every stack's database driver stores these as they are
# (one turned values near the largest double into Infinity).
FLOAT_LIMIT = 10**15
# At least one character that is not a space; the value is stored as sent, spaces included.
FILLED = "\\S"
EMAIL = "^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$"
URL = "^https?://[^\\s/?#]+([/?#]\\S*)?$"
MONEY_IN = "^-?[0-9]{1,9}(\\.[0-9]{1,2})?$"  # up to 999,999,999.99, as a string so that it stays exact
MONEY_OUT = "^-?[0-9]+\\.[0-9]{2}$"  # always two decimals: "12.50"; sums may run past nine digits
MAX_LINKED = 100  # ids in one many-to-many link
PERIODS = {"day": "YYYY-MM-DD", "week": "YYYY-Www (ISO week)", "month": "YYYY-MM", "year": "YYYY"}
_SCHEMAS: dict[str, dict[str, Any]] = {
    "string": {"type": "string", "minLength": 1, "maxLength": 200, "pattern": FILLED},
    "text": {"type": "string", "maxLength": 10000},
    "email": {"type": "string", "format": "email", "maxLength": 200, "pattern": EMAIL},
    "int": {"type": "integer", "minimum": -(2**31), "maximum": INT32_MAX},
    "float": {"type": "number", "minimum": -FLOAT_LIMIT, "maximum": FLOAT_LIMIT},
    "boolean": {"type": "boolean"},
    "date": {"type": "string", "format": "date"},
    "datetime": {"type": "string", "format": "date-time"},
    "money": {"type": "string", "pattern": MONEY_IN, "maxLength": 13},
    "url": {"type": "string", "maxLength": 2000, "pattern": URL},
}
ERROR = {"$ref": "#/components/responses/Error"}


def _field_schema(field: EntityField, *, stored: bool) -> dict[str, Any]:
    if field.type == "choice":
        schema: dict[str, Any] = {"type": "string", "enum": list(field.options)}
        if field.default is not None:
            schema["default"] = field.default
    else:
        schema = dict(_SCHEMAS[field.type])
    if not field.required and field.type == "string":
        schema = {"type": "string", "maxLength": 200}  # an optional text may be empty
    if stored and field.type == "date":
        schema["format"] = "date-time"  # stored dates come back as midnight UTC timestamps
    if stored and field.type == "money":
        schema = {"type": "string", "pattern": MONEY_OUT}
    if not field.required and field.type == "choice":
        schema["enum"] = [*field.options, None]
    if not field.required:
        schema["type"] = [schema["type"], "null"]
    return schema


def _id_schema(required: bool) -> dict[str, Any]:
    return {"type": "integer" if required else ["integer", "null"], "minimum": 1, "maximum": INT32_MAX}


def _link_schema(relation: Relation, *, stored: bool) -> dict[str, Any]:
    if not relation.many:
        return _id_schema(relation.required)
    if stored:
        return {"type": "array", "items": {"type": "integer"}, "description": "Ids in ascending order"}
    return {"type": "array", "items": _id_schema(True), "uniqueItems": True, "maxItems": MAX_LINKED}


def creation_required(entity: Entity) -> list[str]:
    """The fields a create must send: required fields without a default, and required one-record links."""
    fields = [f.name for f in entity.fields if f.required and f.default is None]
    return fields + [r.key for r in entity.relations if r.required]


def _entity_schemas(entity: Entity) -> dict[str, dict[str, Any]]:
    stored = {"id": {"type": "integer"}}
    stored |= {f.name: _field_schema(f, stored=True) for f in entity.fields}
    stored |= {r.key: _link_schema(r, stored=True) for r in entity.relations}
    stored |= {
        "createdAt": {"type": "string", "format": "date-time"},
        "updatedAt": {"type": "string", "format": "date-time"},
    }
    given = {f.name: _field_schema(f, stored=False) for f in entity.fields}
    given |= {r.key: _link_schema(r, stored=False) for r in entity.relations}
    required = creation_required(entity)
    return {
        entity.name: {"type": "object", "title": entity.label, "properties": stored, "required": list(stored)},
        f"{entity.name}Input": {
            "type": "object",
            "properties": given,
            "required": required,
            "additionalProperties": False,
            "example": sample_row(entity, 1) | {r.key: [1] if r.many else 1 for r in entity.relations},
        },
        f"{entity.name}Changes": {
            "type": "object",
            "description": f"Any of the fields of {entity.name}Input.",
            "properties": given,
            "additionalProperties": False,
        },
    }


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _item_links(entity: Entity) -> dict[str, Any]:
    """How the new record's id leads to its own routes (OpenAPI links, which tools like Schemathesis follow)."""
    by_id = {"id": "$response.body#/id"}
    return {
        f"{verb}{entity.name}": {"operationId": f"{verb}{entity.name}", "parameters": by_id}
        for verb in ("get", "update", "delete")
    }


def list_parameters(entity: Entity) -> list[dict[str, Any]]:
    """The lookups a list takes, as query parameters; every one is optional and ANDed with the others."""
    params: list[dict[str, Any]] = []

    def param(name: str, schema: dict[str, Any], description: str) -> None:
        if any(p["name"] == name for p in params):
            return  # a field named like a lookup ("sort", "q") is not filtered on; the lookup wins
        params.append({"name": name, "in": "query", "required": False, "schema": schema, "description": description})

    searched = [f.name for f in entity.fields if f.type in TEXT_TYPES]
    if searched:
        param(
            "q",
            {"type": "string", "maxLength": 200},
            f"Only records whose {' or '.join(searched)} contains this text, ignoring case (ASCII letters)",
        )
    param(
        "sort",
        {"type": "string", "enum": sort_keys(entity)},
        "Order by this field, ascending, or descending with a leading '-'; records without a value come last, "
        "ties by id. Without it: oldest first",
    )
    if entity.due is not None:
        done = f" and whose {entity.done} is not set (empty, or no for yes/no)" if entity.done else ""
        param(
            "due",
            {"type": "string", "enum": ["open", "overdue"]},
            f"open: records{done or ' (all)'}; overdue: those whose {entity.due} is before now "
            f"(before today, UTC, for a date){done}",
        )
    for field in entity.fields:
        if field.type == "choice":
            param(
                field.name, {"type": "string", "enum": list(field.options)}, f"Only records whose {field.name} is this"
            )
        elif field.type == "boolean":
            param(field.name, {"type": "string", "enum": ["true", "false"]}, f"Only records whose {field.name} is this")
        elif field.type in DATE_TYPES:
            fmt = {"type": "string", "format": "date" if field.type == "date" else "date-time"}
            param(f"{field.name}From", fmt, f"Only records whose {field.name} is on or after this")
            param(f"{field.name}To", fmt, f"Only records whose {field.name} is on or before this")
    for relation in entity.relations:
        param(
            relation.key if not relation.many else f"{relation.name}Id",
            _id_schema(True),
            f"Only records linked to this {relation.target}",
        )
    return params


def sort_keys(entity: Entity) -> list[str]:
    names = [f.name for f in entity.fields if f.type != "text"] + ["createdAt"]
    return [key for name in names for key in (name, f"-{name}")]


def _entity_paths(spec: Spec, entity: Entity) -> dict[str, dict[str, Any]]:
    api_path = get_stack(spec.stack.backend).api_path(entity)
    tag = words(entity.plural)
    secured = {"security": [{"bearerAuth": []}]} if spec.auth else {}
    denied = {"401": ERROR} if spec.auth else {}
    private = secured if entity.owned else {}  # an owned entity's reads need a log-in too
    whose = " of yours" if entity.owned else ""
    item_id = [{"name": "id", "in": "path", "required": True, "schema": _id_schema(True)}]
    body = {"required": True, "content": {"application/json": {"schema": _ref(f"{entity.name}Input")}}}
    partial = {"required": True, "content": {"application/json": {"schema": _ref(f"{entity.name}Changes")}}}
    label = entity.label.lower()
    return {
        api_path: {
            "get": {
                "tags": [tag],
                "summary": f"List every {label}{whose}",
                "operationId": f"list{entity.name}",
                **private,
                "parameters": list_parameters(entity),
                "responses": {
                    "200": _json({"type": "array", "items": _ref(entity.name)}, "The records that match"),
                    "400": ERROR,
                    **(denied if entity.owned else {}),
                },
            },
            "post": {
                "tags": [tag],
                "summary": f"Create a {label}",
                "operationId": f"create{entity.name}",
                **secured,
                "requestBody": body,
                "responses": {
                    "201": _json(_ref(entity.name), "The new record") | {"links": _item_links(entity)},
                    "400": ERROR,
                    **denied,
                    "409": ERROR,
                },
            },
        },
        f"{api_path}/{{id}}": {
            "parameters": item_id,
            "get": {
                "tags": [tag],
                "summary": f"Show one {label}{whose}",
                "operationId": f"get{entity.name}",
                **private,
                "responses": {
                    "200": _json(_ref(entity.name), "The record"),
                    "400": ERROR,
                    **(denied if entity.owned else {}),
                    "404": ERROR,
                },
            },
            "put": {
                "tags": [tag],
                "summary": f"Change a {label}",
                "operationId": f"update{entity.name}",
                **secured,
                "requestBody": partial,
                "responses": {
                    "200": _json(_ref(entity.name), "The changed record"),
                    "400": ERROR,
                    **denied,
                    "404": ERROR,
                    "409": ERROR,
                },
            },
            "delete": {
                "tags": [tag],
                "summary": f"Delete a {label}",
                "operationId": f"delete{entity.name}",
                **secured,
                "responses": {"204": {"description": "Deleted"}, "400": ERROR, **denied, "404": ERROR, "409": ERROR},
            },
        },
    }


def summary_path(summary: Summary) -> str:
    return f"/api/summaries/{kebab(summary.name)}"


def _summary_value(spec: Spec, summary: Summary) -> dict[str, Any]:
    if summary.measure == "count":
        return {"type": "integer", "minimum": 0}
    field = spec.entity(summary.entity).field(summary.field or "")
    assert field is not None
    if field.type == "money":
        return {"type": ["string", "null"], "pattern": MONEY_OUT}
    if field.type == "int" and summary.measure != "avg":
        return {"type": ["integer", "null"]}
    return {"type": ["number", "null"]}


def _summary_paths(spec: Spec, summary: Summary) -> dict[str, dict[str, Any]]:
    entity = spec.entity(summary.entity)
    row = {
        "type": "object",
        "required": ["group", "groupId", "period", "value"],
        "properties": {
            "group": {
                "type": ["string", "null"],
                "description": "The group's name: the linked record's first text, or the choice",
            },
            "groupId": {"type": ["integer", "null"], "description": "The linked record's id, when grouped by a link"},
            "period": {
                "type": ["string", "null"],
                "description": PERIODS[summary.period] if summary.period else "Always null",
            },
            "value": _summary_value(spec, summary),
        },
    }
    secured = {"security": [{"bearerAuth": []}]} if entity.owned else {}
    return {
        summary_path(summary): {
            "get": {
                "tags": ["Summaries"],
                "summary": summary.label,
                "operationId": f"summary{upper_first(summary.name)}",
                **secured,
                "description": summary_description(spec, summary),
                "responses": {
                    "200": _json({"type": "array", "items": row}, "One row per group and period"),
                    **({"401": ERROR} if entity.owned else {}),
                },
            }
        }
    }


def summary_description(spec: Spec, summary: Summary) -> str:
    """What a summary's rows are, in words: the docs and the API say the same."""
    entity = spec.entity(summary.entity)
    records = words(entity.plural).lower()
    scope = {"open": " not yet done", "overdue": " past their due date", None: ""}[summary.only]
    if summary.measure == "count":
        parts = [f"Number of {records}{scope}"]
    else:
        measure = {"sum": "Sum", "avg": "Average", "min": "Smallest", "max": "Largest"}[summary.measure]
        parts = [f"{measure} of {words(summary.field or '').lower()} over {records}{scope}"]
    if summary.group_by:
        parts.append(f"per {words(summary.group_by).lower()}")
    if summary.period:
        parts.append(f"per {summary.period} of {words(summary.date_field or 'createdAt').lower()} (UTC)")
    tail = "; only your own records count" if entity.owned else ""
    return (
        ", ".join(parts) + tail + ". Without a group or period there is exactly one row (a count of nothing is 0, "
        "a total of nothing 0, an average, smallest or largest of nothing null); otherwise one row per group and "
        "period that has records, newest period first, then largest value, then group by name. Averages of money "
        "are rounded half up to cents."
    )


def _auth_paths() -> dict[str, dict[str, Any]]:
    credentials = {"required": True, "content": {"application/json": {"schema": _ref("Credentials")}}}
    return {
        "/api/auth/register": {
            "post": {
                "tags": ["Accounts"],
                "summary": "Create an account and log in",
                "operationId": "register",
                "requestBody": credentials,
                "responses": {
                    "201": _json(_ref("Session"), "The new account and its token"),
                    "400": ERROR,
                    "409": ERROR,
                },
            }
        },
        "/api/auth/login": {
            "post": {
                "tags": ["Accounts"],
                "summary": "Log in",
                "operationId": "login",
                "requestBody": credentials,
                "responses": {"200": _json(_ref("Session"), "The account and a token"), "400": ERROR, "401": ERROR},
            }
        },
        "/api/auth/me": {
            "get": {
                "tags": ["Accounts"],
                "summary": "The logged-in account",
                "operationId": "me",
                "security": [{"bearerAuth": []}],
                "responses": {
                    "200": _json({"type": "object", "properties": {"user": _ref("Account")}}, "The account"),
                    "401": ERROR,
                },
            }
        },
    }


def _auth_schemas() -> dict[str, dict[str, Any]]:
    return {
        "Credentials": {
            "type": "object",
            "required": ["email", "password"],
            "additionalProperties": False,
            "properties": {
                "email": _SCHEMAS["email"],
                "password": {"type": "string", "minLength": 8, "maxLength": 200},
            },
        },
        "Account": {
            "type": "object",
            "properties": {
                "id": {"type": "integer"},
                "email": {"type": "string"},
                "role": {"type": "string"},
            },
        },
        "Session": {"type": "object", "properties": {"token": {"type": "string"}, "user": _ref("Account")}},
    }


def openapi_document(spec: Spec) -> dict[str, Any]:
    paths: dict[str, Any] = {
        "/api/health": {
            "get": {
                "tags": ["Health"],
                "summary": "Whether the API is up",
                "operationId": "health",
                "responses": {
                    "200": _json({"type": "object", "properties": {"status": {"const": "ok"}}}, "The API is up")
                },
            }
        }
    }
    schemas: dict[str, Any] = {
        "Error": {
            "type": "object",
            "required": ["error"],
            "properties": {
                "error": {"type": "string"},
                "issues": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {
                            "path": {"type": "string"},
                            "message": {"type": "string"},
                        },
                    },
                },
            },
        }
    }
    components: dict[str, Any] = {
        "schemas": schemas,
        "responses": {"Error": _json(_ref("Error"), "What went wrong, in words")},
    }
    if spec.auth:
        paths |= _auth_paths()
        schemas |= _auth_schemas()
        components["securitySchemes"] = {"bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}}
    for entity in spec.entities:
        paths |= _entity_paths(spec, entity)
        schemas |= _entity_schemas(entity)
    for summary in spec.summaries:
        paths |= _summary_paths(spec, summary)
    return {
        "openapi": "3.1.0",
        "info": {"title": spec.title, "version": "0.1.0", "description": spec.summary},
        "servers": [{"url": "http://localhost:3000"}],
        "paths": paths,
        "components": components,
    }


def openapi_json(spec: Spec) -> str:
    return json.dumps(openapi_document(spec), indent=2) + "\n"
