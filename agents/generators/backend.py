"""backend/: Express 5 + TypeScript + Prisma 7 (SQLite through better-sqlite3) + JWT, tested with Jest."""

from __future__ import annotations

import json

from agents.spec import Entity, EntityField, Relation, Spec

from .naming import auth_model, back_relations, creation_order, kebab, lower_first, words
from .prisma import MIGRATION_LOCK, migration_sql, schema_prisma
from .samples import comparable_fields, ts_sample
from .scope import Files, select
from .templates import render
from .typescript import article, js_string, ts_function, ts_import

ROOT = "backend"
STATIC = {
    "tsconfig.json": "backend/tsconfig.json",
    "tsconfig.build.json": "backend/tsconfig.build.json",
    "eslint.config.mjs": "backend/eslint.config.mjs",
    ".prettierrc.json": "backend/prettierrc.json",
    ".prettierignore": "backend/prettierignore",
    ".gitignore": "backend/gitignore",
    "prisma.config.ts": "backend/prisma.config.ts",
    "src/db.ts": "backend/src/db.ts",
    "src/errors.ts": "backend/src/errors.ts",
    "src/migrate.ts": "backend/src/migrate.ts",
    "src/routes/params.ts": "backend/src/routes/params.ts",
}
# Prisma and its client, adapter and engines must carry the same version.
PRISMA_VERSION = "7.10.0"
PRISMA_GENERATE = "PRISMA_SCHEMA_ENGINE_BINARY=${PRISMA_SCHEMA_ENGINE_BINARY:-$npm_node_execpath} prisma generate"


def api_path(entity: Entity) -> str:
    return f"/api/{kebab(entity.plural)}"


def route_module(entity: Entity) -> str:
    return kebab(entity.plural)


def backend_files(spec: Spec, scope: list[str]) -> dict[str, str]:
    core: Files = {path: render(template) for path, template in STATIC.items()}
    core |= {
        "package.json": package_json(spec),
        # The dependencies are the same for every project, so one tested lock pins them all.
        "package-lock.json": render("backend/package-lock.json", PACKAGE_NAME=package_name(spec)),
        "prisma/schema.prisma": schema_prisma(spec),
        "prisma/migrations/migration_lock.toml": MIGRATION_LOCK,
        "prisma/migrations/0_init/migration.sql": migration_sql(spec),
        "src/app.ts": app_ts(spec),
        "src/server.ts": server_ts(spec),
        "src/routes/index.ts": routes_index_ts(spec),
        "tests/helpers.ts": render("backend/tests/helpers.ts") if spec.auth else render("backend/tests/helpers-open.ts"),
        "tests/fixtures.ts": fixtures_ts(spec),
        "tests/app.test.ts": render("backend/tests/app.test.ts"),
    }
    if spec.auth:
        core["src/auth.ts"] = render("backend/src/auth.ts", AUTH_DELEGATE=lower_first(auth_model(spec)))
        core["tests/auth.test.ts"] = render("backend/tests/auth.test.ts")
    per_entity = {
        e.name: {
            f"src/routes/{route_module(e)}.ts": entity_routes_ts(e),
            f"tests/{route_module(e)}.test.ts": entity_test_ts(spec, e),
        }
        for e in spec.entities
    }
    return {f"{ROOT}/{path}": text for path, text in select(core, per_entity, scope).items()}


def package_name(spec: Spec) -> str:
    return f"{spec.app_name}-api"


def package_json(spec: Spec) -> str:
    package = {
        "name": package_name(spec),
        "version": "0.1.0",
        "private": True,
        "description": f"The API of {spec.title}",
        "scripts": {
            "postinstall": PRISMA_GENERATE,
            "generate": PRISMA_GENERATE,
            "build": "tsc -p tsconfig.build.json",
            "migrate": "node dist/migrate.js",
            "start": "node dist/server.js",
            "dev": "npm run build && npm run migrate && npm start",
            "test": "jest",
            "typecheck": "tsc --noEmit",
            "lint": "eslint . && prettier --check .",
            "format": "prettier --write .",
        },
        "engines": {"node": ">=20.19"},
        "dependencies": {
            "@prisma/adapter-better-sqlite3": PRISMA_VERSION,
            "@prisma/client": PRISMA_VERSION,
            "bcryptjs": "^3.0.2",
            "better-sqlite3": "^12.6.0",
            "express": "^5.1.0",
            "jsonwebtoken": "^9.0.2",
            "zod": "^4.1.0",
        },
        "devDependencies": {
            "@eslint/js": "^10.0.1",
            "@types/better-sqlite3": "^7.6.13",
            "@types/express": "^5.0.3",
            "@types/jest": "^30.0.0",
            "@types/jsonwebtoken": "^9.0.10",
            "@types/node": "^20.9.0",
            "@types/supertest": "^7.2.0",
            "eslint": "^10.0.0",
            "globals": "^17.0.0",
            "jest": "^30.0.0",
            "prettier": "^3.6.0",
            "prisma": PRISMA_VERSION,
            "supertest": "^7.1.0",
            "ts-jest": "^29.4.0",
            # TypeScript 7 breaks ts-jest and typescript-eslint.
            "typescript": "~5.9.3",
            "typescript-eslint": "^8.46.0",
        },
        "jest": {"preset": "ts-jest", "testEnvironment": "node", "roots": ["<rootDir>/tests"]},
        # The resolver's platform packages that newer releases list are missing from some registries.
        "overrides": {"unrs-resolver": "1.12.2"},
    }
    return json.dumps(package, indent=2) + "\n"


def app_ts(spec: Spec) -> str:
    if spec.auth:
        return render("backend/src/app.ts")
    return render("backend/src/app-open.ts")


def server_ts(spec: Spec) -> str:
    return render("backend/src/server.ts" if spec.auth else "backend/src/server-open.ts")


def routes_index_ts(spec: Spec) -> str:
    imports = [f'import {{ {lower_first(e.name)}Routes }} from "./{route_module(e)}";' for e in spec.entities]
    mounts = [f'  router.use("/{kebab(e.plural)}", {lower_first(e.name)}Routes(prisma, guard));' for e in spec.entities]
    return "\n".join([
        'import { Router, type RequestHandler } from "express";',
        'import type { PrismaClient } from "../generated/prisma/client";',
        *imports,
        "",
        "/** Every entity's CRUD routes; `guard` protects the writes. */",
        "export function entityRoutes(prisma: PrismaClient, guard: RequestHandler): Router {",
        "  const router = Router();",
        *mounts,
        "  return router;",
        "}",
        "",
    ])


def _zod(field: EntityField) -> str:
    rule = {
        "string": "z.string().trim().min(1).max(200)",
        "text": "z.string().max(10000)",
        "email": "z.email().max(200)",
        "int": "z.number().int()",
        "float": "z.number()",
        "boolean": "z.boolean()",
        "date": "z.coerce.date()",
        "datetime": "z.coerce.date()",
    }[field.type]
    if not field.required and field.type == "string":
        rule = "z.string().trim().max(200)"
    return rule if field.required else rule + ".nullish()"


def _zod_relation(relation: Relation) -> str:
    rule = "z.number().int().positive()"
    return rule if relation.required else rule + ".nullish()"


def entity_routes_ts(entity: Entity) -> str:
    var = lower_first(entity.name)
    shape = [f"  {f.name}: {_zod(f)}," for f in entity.fields]
    shape += [f"  {r.name}Id: {_zod_relation(r)}," for r in entity.relations]
    return render(
        "backend/src/routes/entity.ts",
        VAR=var,
        LABEL=js_string(f"{entity.label} not found"),
        SIGNATURE=ts_function(f"export function {var}Routes", ["prisma: PrismaClient", "guard: RequestHandler"], ": Router {"),
        SHAPE="\n".join(shape),
    )


def fixtures_ts(spec: Spec) -> str:
    blocks = []
    for entity in creation_order(spec):
        var = lower_first(entity.name)
        values = [f"    {f.name}: {ts_sample(entity, f)}," for f in entity.fields]
        parents = [r for r in entity.relations if r.required]
        links = [f"    {r.name}Id: (await create{r.target}(api)).id," for r in parents]
        blocks.append("\n".join([
            f"/** Valid input for a new {entity.label}, different on every call; no relations. */",
            f"export function {var}Data(): Row {{",
            "  const n = nextNumber();",
            "  return {",
            *values,
            "  };",
            "}",
            "",
            f"/** Creates a {entity.label} through the API, with any records it requires. */",
            f"export async function create{entity.name}(api: Api): Promise<Created> {{",
            f'  return create(api, "{api_path(entity)}", {{',
            f"    ...{var}Data(),",
            *links,
            "  });",
            "}",
            "",
        ]))
    return render("backend/tests/fixtures.ts") + "\n" + "\n".join(blocks)


def entity_test_ts(spec: Spec, entity: Entity) -> str:
    # Statements are shaped so that no line depends much on name lengths: Prettier would re-wrap them.
    var = lower_first(entity.name)
    label = entity.label.lower()
    one = article(label)
    tests = [
        _test(f"lists {words(entity.plural).lower()}", f"""
    const created = await create{entity.name}(api);
    const res = await request(api.app).get(PATH);
    expect(res.status).toBe(200);
    expect(res.body.map((row: Created) => row.id)).toContain(created.id);"""),
        _test(f"shows one {label}", f"""
    const created = await create{entity.name}(api);
    const res = await request(api.app).get(`${{PATH}}/${{created.id}}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual(created);"""),
        _test(f"answers 404 for {one} that does not exist", """
    const res = await request(api.app).get(`${PATH}/999999`);
    expect(res.status).toBe(404);"""),
        _test(f"creates {one} with the values sent", f"""
    const sent = {{ ...{var}Data(), ...(await parents()) }};
    const res = await request(api.app).post(PATH).set(auth(api)).send(sent);
    expect(res.status).toBe(201);
    for (const field of COMPARABLE) expect(res.body[field]).toEqual(sent[field]);"""),
        _test(f"updates {one}", f"""
    const created = await create{entity.name}(api);
    const changes = {var}Data();
    const res = await request(api.app).put(`${{PATH}}/${{created.id}}`).set(auth(api)).send(changes);
    expect(res.status).toBe(200);
    for (const field of COMPARABLE) expect(res.body[field]).toEqual(changes[field]);"""),
        _test(f"deletes {one}", f"""
    const created = await create{entity.name}(api);
    const url = `${{PATH}}/${{created.id}}`;
    expect((await request(api.app).delete(url).set(auth(api))).status).toBe(204);
    expect((await request(api.app).get(url)).status).toBe(404);"""),
        _test(f"answers 404 when deleting {one} that does not exist", """
    const res = await request(api.app).delete(`${PATH}/999999`).set(auth(api));
    expect(res.status).toBe(404);"""),
        _test("rejects an id that is not a number", """
    const res = await request(api.app).get(`${PATH}/abc`);
    expect(res.status).toBe(400);"""),
    ]
    if any(f.required for f in entity.fields) or any(r.required for r in entity.relations):
        tests.append(_test(f"rejects {one} without its required fields", """
    const res = await request(api.app).post(PATH).set(auth(api)).send({});
    expect(res.status).toBe(400);
    expect(res.body.error).toBe("Invalid input");"""))
    if spec.auth:
        tests.append(_test(f"refuses to create, update or delete {one} without a token", f"""
    const created = await create{entity.name}(api);
    const changes = {var}Data();
    const url = `${{PATH}}/${{created.id}}`;
    expect((await request(api.app).post(PATH).send(changes)).status).toBe(401);
    expect((await request(api.app).put(url).send(changes)).status).toBe(401);
    expect((await request(api.app).delete(url)).status).toBe(401);"""))
    for relation in entity.relations:
        tests.append(_test(f"rejects {one} whose {words(relation.name).lower()} does not exist", f"""
    const sent = {{ ...{var}Data(), ...(await parents()) }};
    sent.{relation.name}Id = 999999;
    const res = await request(api.app).post(PATH).set(auth(api)).send(sent);
    expect(res.status).toBe(409);"""))
    blockers = [b for b in back_relations(spec, entity) if b.relation.required and b.source.name != entity.name]
    for back in blockers:
        tests.append(_test(f"refuses to delete {one} that {words(back.source.plural).lower()} still refer to", f"""
    const child = await create{back.source.name}(api);
    const url = `${{PATH}}/${{String(child.{back.relation.name}Id)}}`;
    const res = await request(api.app).delete(url).set(auth(api));
    expect(res.status).toBe(409);"""))
    parents = [r for r in entity.relations if r.required]
    parent_lines = [f"      {r.name}Id: (await create{r.target}(api)).id," for r in parents]
    fixture_names = {f"create{entity.name}", f"{var}Data"} | {f"create{r.target}" for r in parents}
    fixture_names |= {f"create{b.source.name}" for b in blockers}
    return render(
        "backend/tests/entity.test.ts",
        IMPORT_FIXTURES=ts_import([*sorted(fixture_names), "type Created", "type Row"], "./fixtures"),
        PATH=json.dumps(api_path(entity)),
        COMPARABLE=json.dumps(comparable_fields(entity)),
        PARENTS="{\n" + "\n".join(parent_lines) + "\n    }" if parent_lines else "{}",
        TESTS="\n\n".join(tests),
    )


def _test(name: str, body: str) -> str:
    return f"  it({js_string(name)}, async () => {{{body}\n  }});"
