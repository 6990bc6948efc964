import type { Express } from "express";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createApp } from "../src/app";
import { createPrisma } from "../src/db";
import { applyMigrations } from "../src/migrate";

/** An app on its own temporary SQLite database. */
export interface Api {
  app: Express;
  close: () => Promise<void>;
}

/** A new app on a database created from prisma/migrations, as `npm run migrate` would. */
export async function startApi(): Promise<Api> {
  const dir = mkdtempSync(path.join(tmpdir(), "api-test-"));
  const file = path.join(dir, "test.db");
  applyMigrations(file);
  const prisma = createPrisma(`file:${file}`);
  return {
    app: createApp({ prisma }),
    close: async () => {
      await prisma.$disconnect();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Writes need no header: this API has no accounts. */
export function auth(_api: Api): Record<string, string> {
  return {};
}
