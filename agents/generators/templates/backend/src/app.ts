import express, { type Express } from "express";
import { authRoutes, requireAuth } from "./auth";
import { errorHandler, notFound } from "./errors";
import type { PrismaClient } from "./generated/prisma/client";
import { entityRoutes } from "./routes";

export interface AppOptions {
  prisma: PrismaClient;
  jwtSecret: string;
}

/** The API: reads are public, writes need a token from /api/auth/register or /api/auth/login. */
export function createApp({ prisma, jwtSecret }: AppOptions): Express {
  const app = express();
  app.disable("x-powered-by");
  app.use(express.json({ limit: "1mb" }));
  app.get("/api/health", (_req, res) => {
    res.json({ status: "ok" });
  });
  app.use("/api/auth", authRoutes(prisma, jwtSecret));
  app.use("/api", entityRoutes(prisma, requireAuth(jwtSecret)));
  app.use(notFound);
  app.use(errorHandler);
  return app;
}
