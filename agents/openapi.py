"""The API contract of a generated backend as an OpenAPI 3.1 document, derived from the spec.

Every back-end stack serves exactly these routes with exactly these rules, so the contract names no
stack: unknown fields are refused (400), path ids are 32-bit integers from 1 (400 otherwise),
required short texts need one non-space character and are stored as sent, emails match one pattern,
and a method a path does not support answers 405 with an Allow header. The front end's typed client
and docs/API.md are built from the same contract.
"""

from __future__ import annotations

import json
from typing import Any

from agents.generators.naming import words
from agents.generators.samples import sample_row
from agents.spec import Entity, EntityField, Spec
from agents.stacks import get_stack

INT32_MAX = 2**31 - 1
# At least one character that is not a space; the value is stored as sent, spaces included.
FILLED = "\\S"
EMAIL = "^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$"
_SCHEMAS: dict[str, dict[str, Any]] = {
    "string": {"type": "string", "minLength": 1, "maxLength": 200, "pattern": FILLED},
    "text": {"type": "string", "maxLength": 10000},
    "email": {"type": "string", "format": "email", "maxLength": 200, "pattern": EMAIL},
    "int": {"type": "integer", "minimum": -(2**31), "maximum": INT32_MAX},
    "float": {"type": "number"},
    "boolean": {"type": "boolean"},
    "date": {"type": "string", "format": "date"},
    "datetime": {"type": "string", "format": "date-time"},
}
ERROR = {"$ref": "#/components/responses/Error"}


def _field_schema(field: EntityField, *, stored: bool) -> dict[str, Any]:
    schema = dict(_SCHEMAS[field.type])
    if not field.required and field.type == "string":
        schema = {"type": "string", "maxLength": 200}  # an optional text may be empty
    if stored and field.type == "date":
        schema["format"] = "date-time"  # stored dates come back as midnight UTC timestamps
    if not field.required:
        schema["type"] = [schema["type"], "null"]
    return schema


def _id_schema(required: bool) -> dict[str, Any]:
    return {"type": "integer" if required else ["integer", "null"], "minimum": 1, "maximum": INT32_MAX}


def _entity_schemas(entity: Entity) -> dict[str, dict[str, Any]]:
    stored = {"id": {"type": "integer"}}
    stored |= {f.name: _field_schema(f, stored=True) for f in entity.fields}
    stored |= {f"{r.name}Id": _id_schema(r.required) for r in entity.relations}
    stored |= {"createdAt": {"type": "string", "format": "date-time"}, "updatedAt": {"type": "string", "format": "date-time"}}
    given = {f.name: _field_schema(f, stored=False) for f in entity.fields}
    given |= {f"{r.name}Id": _id_schema(r.required) for r in entity.relations}
    required = [f.name for f in entity.fields if f.required] + [f"{r.name}Id" for r in entity.relations if r.required]
    return {
        entity.name: {"type": "object", "title": entity.label, "properties": stored, "required": list(stored)},
        f"{entity.name}Input": {
            "type": "object",
            "properties": given,
            "required": required,
            "additionalProperties": False,
            "example": sample_row(entity, 1) | {f"{r.name}Id": 1 for r in entity.relations},
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
    return {f"{verb}{entity.name}": {"operationId": f"{verb}{entity.name}", "parameters": by_id}
            for verb in ("get", "update", "delete")}


def _entity_paths(spec: Spec, entity: Entity) -> dict[str, dict[str, Any]]:
    api_path = get_stack(spec.stack.backend).api_path(entity)
    tag = words(entity.plural)
    secured = {"security": [{"bearerAuth": []}]} if spec.auth else {}
    denied = {"401": ERROR} if spec.auth else {}
    item_id = [{"name": "id", "in": "path", "required": True, "schema": _id_schema(True)}]
    body = {"required": True, "content": {"application/json": {"schema": _ref(f"{entity.name}Input")}}}
    partial = {"required": True, "content": {"application/json": {"schema": _ref(f"{entity.name}Changes")}}}
    label = entity.label.lower()
    return {
        api_path: {
            "get": {"tags": [tag], "summary": f"List every {label}", "operationId": f"list{entity.name}",
                    "responses": {"200": _json({"type": "array", "items": _ref(entity.name)}, "All records, oldest first")}},
            "post": {"tags": [tag], "summary": f"Create a {label}", "operationId": f"create{entity.name}", **secured,
                     "requestBody": body,
                     "responses": {"201": _json(_ref(entity.name), "The new record") | {"links": _item_links(entity)},
                                   "400": ERROR, **denied, "409": ERROR}},
        },
        f"{api_path}/{{id}}": {
            "parameters": item_id,
            "get": {"tags": [tag], "summary": f"Show one {label}", "operationId": f"get{entity.name}",
                    "responses": {"200": _json(_ref(entity.name), "The record"), "400": ERROR, "404": ERROR}},
            "put": {"tags": [tag], "summary": f"Change a {label}", "operationId": f"update{entity.name}", **secured,
                    "requestBody": partial,
                    "responses": {"200": _json(_ref(entity.name), "The changed record"), "400": ERROR, **denied,
                                  "404": ERROR, "409": ERROR}},
            "delete": {"tags": [tag], "summary": f"Delete a {label}", "operationId": f"delete{entity.name}", **secured,
                       "responses": {"204": {"description": "Deleted"}, "400": ERROR, **denied, "404": ERROR, "409": ERROR}},
        },
    }


def _auth_paths() -> dict[str, dict[str, Any]]:
    credentials = {"required": True, "content": {"application/json": {"schema": _ref("Credentials")}}}
    return {
        "/api/auth/register": {"post": {
            "tags": ["Accounts"], "summary": "Create an account and log in", "operationId": "register",
            "requestBody": credentials,
            "responses": {"201": _json(_ref("Session"), "The new account and its token"), "400": ERROR, "409": ERROR},
        }},
        "/api/auth/login": {"post": {
            "tags": ["Accounts"], "summary": "Log in", "operationId": "login", "requestBody": credentials,
            "responses": {"200": _json(_ref("Session"), "The account and a token"), "400": ERROR, "401": ERROR},
        }},
        "/api/auth/me": {"get": {
            "tags": ["Accounts"], "summary": "The logged-in account", "operationId": "me",
            "security": [{"bearerAuth": []}],
            "responses": {"200": _json({"type": "object", "properties": {"user": _ref("Account")}}, "The account"), "401": ERROR},
        }},
    }


def _auth_schemas() -> dict[str, dict[str, Any]]:
    return {
        "Credentials": {"type": "object", "required": ["email", "password"], "additionalProperties": False, "properties": {
            "email": _SCHEMAS["email"], "password": {"type": "string", "minLength": 8, "maxLength": 200},
        }},
        "Account": {"type": "object", "properties": {
            "id": {"type": "integer"}, "email": {"type": "string"}, "role": {"type": "string"},
        }},
        "Session": {"type": "object", "properties": {"token": {"type": "string"}, "user": _ref("Account")}},
    }


def openapi_document(spec: Spec) -> dict[str, Any]:
    paths: dict[str, Any] = {"/api/health": {"get": {
        "tags": ["Health"], "summary": "Whether the API is up", "operationId": "health",
        "responses": {"200": _json({"type": "object", "properties": {"status": {"const": "ok"}}}, "The API is up")},
    }}}
    schemas: dict[str, Any] = {"Error": {"type": "object", "required": ["error"], "properties": {
        "error": {"type": "string"},
        "issues": {"type": "array", "items": {"type": "object", "properties": {
            "path": {"type": "string"}, "message": {"type": "string"},
        }}},
    }}}
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
    return {
        "openapi": "3.1.0",
        "info": {"title": spec.title, "version": "0.1.0", "description": spec.summary},
        "servers": [{"url": "http://localhost:3000"}],
        "paths": paths,
        "components": components,
    }


def openapi_json(spec: Spec) -> str:
    return json.dumps(openapi_document(spec), indent=2) + "\n"
