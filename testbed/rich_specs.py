"""Three specs that use every part of the richer schema — choices with defaults, money, web addresses,
many-to-many links, owned records, due and done dates, summaries per group and per period — shared
by both back-end stacks' and the front end's end-to-end tests, so each stack is held to the same app."""

from __future__ import annotations

from agents.criteria import derive_criteria
from agents.generators.naming import normalise_spec
from agents.spec import Spec

TOOL_SHED = {
    "app_name": "tool-shed",
    "title": "Neighbourhood tool shed",
    "summary": "Members borrow tools; loans are due back.",
    "entities": [
        {
            "name": "Member",
            "plural": "members",
            "label": "Member",
            "fields": [
                {"name": "name", "type": "string"},
                {"name": "email", "type": "email", "unique": True},
                {"name": "phone", "type": "string", "required": False},
            ],
        },
        {
            "name": "Tool",
            "plural": "tools",
            "label": "Tool",
            "fields": [
                {"name": "name", "type": "string"},
                {"name": "condition", "type": "choice", "options": ["good", "worn", "broken"], "default": "good"},
                {"name": "boughtOn", "type": "date", "required": False},
                {"name": "price", "type": "money", "required": False},
                {"name": "manual", "type": "url", "required": False},
            ],
        },
        {
            "name": "Loan",
            "plural": "loans",
            "label": "Loan",
            "due": "dueOn",
            "done": "returnedOn",
            "fields": [
                {"name": "dueOn", "type": "date"},
                {"name": "returnedOn", "type": "date", "required": False},
                {"name": "notes", "type": "text", "required": False},
            ],
            "relations": [{"name": "tool", "target": "Tool"}, {"name": "member", "target": "Member"}],
        },
    ],
    "summaries": [
        {"name": "toolsOut", "label": "Tools currently out", "entity": "Loan", "measure": "count", "only": "open"},
        {
            "name": "loansPerMember",
            "label": "Loans per member",
            "entity": "Loan",
            "measure": "count",
            "group_by": "member",
        },
        {
            "name": "toolsByCondition",
            "label": "Tools by condition",
            "entity": "Tool",
            "measure": "count",
            "group_by": "condition",
        },
    ],
}

BAKERY = {
    "app_name": "bakery-orders",
    "title": "Bakery orders",
    "summary": "Customer orders listing several cakes.",
    "entities": [
        {
            "name": "Customer",
            "plural": "customers",
            "label": "Customer",
            "fields": [{"name": "name", "type": "string"}, {"name": "phone", "type": "string", "required": False}],
        },
        {
            "name": "Cake",
            "plural": "cakes",
            "label": "Cake",
            "fields": [
                {"name": "name", "type": "string", "unique": True},
                {"name": "price", "type": "money"},
                {"name": "glutenFree", "type": "boolean", "required": False},
            ],
        },
        {
            "name": "Order",
            "plural": "orders",
            "label": "Order",
            "fields": [
                {"name": "pickupAt", "type": "datetime"},
                {"name": "total", "type": "money", "required": False},
                {"name": "status", "type": "choice", "options": ["open", "in progress", "done"], "default": "open"},
                {"name": "paid", "type": "boolean", "required": False},
            ],
            "relations": [{"name": "customer", "target": "Customer"}, {"name": "cake", "target": "Cake", "many": True}],
        },
    ],
    "summaries": [
        {
            "name": "takingsPerMonth",
            "label": "Takings per month",
            "entity": "Order",
            "measure": "sum",
            "field": "total",
            "period": "month",
            "date_field": "pickupAt",
        },
        {
            "name": "ordersByStatus",
            "label": "Orders by status",
            "entity": "Order",
            "measure": "count",
            "group_by": "status",
        },
        {
            "name": "averageCakePrice",
            "label": "Average cake price",
            "entity": "Cake",
            "measure": "avg",
            "field": "price",
        },
    ],
}

RUNNING_CLUB = {
    "app_name": "running-club",
    "title": "Running club",
    "summary": "Members log runs; a monthly leaderboard.",
    "entities": [
        {
            "name": "Route",
            "plural": "routes",
            "label": "Route",
            "fields": [{"name": "name", "type": "string"}, {"name": "lengthKm", "type": "float", "required": False}],
        },
        {
            "name": "Run",
            "plural": "runs",
            "label": "Run",
            "owned": True,
            "fields": [
                {"name": "ranOn", "type": "date"},
                {"name": "distanceKm", "type": "float"},
                {"name": "minutes", "type": "int", "required": False},
                {"name": "effort", "type": "choice", "options": ["easy", "steady", "hard"], "required": False},
            ],
            "relations": [{"name": "route", "target": "Route", "required": False}],
        },
        {
            "name": "Tag",
            "plural": "tags",
            "label": "Tag",
            "fields": [{"name": "name", "type": "string", "unique": True}],
            "relations": [{"name": "run", "target": "Run", "many": True}],
        },
    ],
    "summaries": [
        {
            "name": "distancePerMonth",
            "label": "My total distance per month",
            "entity": "Run",
            "measure": "sum",
            "field": "distanceKm",
            "period": "month",
            "date_field": "ranOn",
        },
        {
            "name": "longestRunPerRoute",
            "label": "Longest run per route",
            "entity": "Run",
            "measure": "max",
            "field": "distanceKm",
            "group_by": "route",
        },
    ],
}

RICH_SPECS = {"tool-shed": TOOL_SHED, "bakery": BAKERY, "running-club": RUNNING_CLUB}

# The same three apps asked for in words, as a person would: what the offline planner reads from them
# uses choices, money, many-to-many lists, private records, due dates and a per-period summary.
RICH_REQUESTS = {
    "tool-shed": "A lending library for a neighbourhood tool shed: members borrow tools, we track who has what and "
    "when it is due back. Each tool has a condition (good, worn, broken) and a price. Show how many "
    "tools are out.",
    "running-club": "An app for my running club where each member logs their own runs with a date and distance, and "
    "sees a monthly leaderboard of total distance per member.",
    "bakery": "A bakery order system: each customer order lists several cakes, has a pickup time and a total price, "
    "and a status (open, baking, ready); show the takings per month.",
}


def rich_spec(name: str, backend: str = "express") -> Spec:
    """One of the three apps, with the acceptance criteria the offline planner derives for it."""
    spec = normalise_spec(Spec.model_validate(RICH_SPECS[name] | {"stack": {"backend": backend}}))
    return spec.model_copy(update={"criteria": derive_criteria(spec)})
