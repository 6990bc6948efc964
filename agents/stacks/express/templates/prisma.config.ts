import { defineConfig } from "prisma/config";

export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  // A fallback instead of env("DATABASE_URL"), which throws when the variable is unset and
  // would break `npm install` (postinstall runs `prisma generate`).
  datasource: { url: process.env.DATABASE_URL ?? "file:./dev.db" },
});
