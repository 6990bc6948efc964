import type { Express } from "express";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import request from "supertest";
import { createApp } from "../src/app";
import { createPrisma } from "../src/db";
import { applyMigrations } from "../src/migrate";

export const JWT_SECRET = "only-for-tests";

/** An app on its own temporary SQLite database, plus a token for writes. */
export interface Api {
  app: Express;
  token: string;
  close: () => Promise<void>;
}

let accounts = 0;

/** Registers a fresh account on `app` and returns its bearer token. */
export async function register(app: Express): Promise<string> {
  accounts += 1;
  const res = await request(app)
    .post("/api/auth/register")
    .send({ email: `tester${accounts}@example.com`, password: "a-long-password" });
  return res.body.token as string;
}

/** A new app on a database created from prisma/migrations, as `npm run migrate` would. */
export async function startApi(): Promise<Api> {
  const dir = mkdtempSync(path.join(tmpdir(), "api-test-"));
  const file = path.join(dir, "test.db");
  applyMigrations(file);
  const prisma = createPrisma(`file:${file}`);
  const app = createApp({ prisma, jwtSecret: JWT_SECRET });
  return {
    app,
    token: await register(app),
    close: async () => {
      await prisma.$disconnect();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The header that authorises a write. */
export function auth(api: Api): Record<string, string> {
  return { Authorization: `Bearer ${api.token}` };
}
