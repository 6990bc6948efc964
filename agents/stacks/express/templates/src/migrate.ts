import Database from "better-sqlite3";
import { createHash, randomUUID } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";

const MIGRATIONS = path.join(__dirname, "..", "prisma", "migrations");

// Prisma's own bookkeeping table, so that `prisma migrate deploy` later sees these as applied.
const HISTORY = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
  "id" TEXT PRIMARY KEY NOT NULL,
  "checksum" TEXT NOT NULL,
  "finished_at" DATETIME,
  "migration_name" TEXT NOT NULL,
  "logs" TEXT,
  "rolled_back_at" DATETIME,
  "started_at" DATETIME NOT NULL DEFAULT current_timestamp,
  "applied_steps_count" INTEGER UNSIGNED NOT NULL DEFAULT 0
)`;

/**
 * Applies the migrations in prisma/migrations that the SQLite file at `file` lacks, oldest
 * first, without Prisma's schema engine. Returns the names of those it applied.
 */
export function applyMigrations(file: string, directory = MIGRATIONS): string[] {
  const db = new Database(file);
  try {
    db.exec(HISTORY);
    const done = new Set(
      db.prepare('SELECT "migration_name" FROM "_prisma_migrations"').pluck().all() as string[],
    );
    const pending = readdirSync(directory)
      .filter((name) => existsSync(path.join(directory, name, "migration.sql")) && !done.has(name))
      .sort();
    const record = db.prepare(
      'INSERT INTO "_prisma_migrations" ("id", "checksum", "finished_at", "migration_name", "applied_steps_count") VALUES (?, ?, current_timestamp, ?, 1)',
    );
    for (const name of pending) {
      const sql = readFileSync(path.join(directory, name, "migration.sql"), "utf8");
      const checksum = createHash("sha256").update(sql).digest("hex");
      db.transaction(() => {
        db.exec(sql);
        record.run(randomUUID(), checksum, name);
      })();
    }
    return pending;
  } finally {
    db.close();
  }
}

if (require.main === module) {
  const url = process.env.DATABASE_URL ?? "file:./dev.db";
  const applied = applyMigrations(url.replace(/^file:/, ""));
  console.log(applied.length ? `Applied ${applied.join(", ")}` : "The database is up to date");
}
