import express, { type Express, type RequestHandler } from "express";
import { errorHandler, notFound } from "./errors";
import type { PrismaClient } from "./generated/prisma/client";
import { entityRoutes } from "./routes";

export interface AppOptions {
  prisma: PrismaClient;
}

// The spec asks for no accounts: every route is open.
const open: RequestHandler = (_req, _res, next) => next();

export function createApp({ prisma }: AppOptions): Express {
  const app = express();
  app.disable("x-powered-by");
  app.use(express.json({ limit: "1mb" }));
  app.get("/api/health", (_req, res) => {
    res.json({ status: "ok" });
  });
  app.use("/api", entityRoutes(prisma, open));
  app.use(notFound);
  app.use(errorHandler);
  return app;
}
