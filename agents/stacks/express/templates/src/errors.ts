import type { ErrorRequestHandler, RequestHandler } from "express";
import { ZodError } from "zod";
import { Prisma } from "./generated/prisma/client";

/** An error whose message is meant for the client, with the HTTP status to send. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

// Prisma errors caused by the request rather than by the server.
const PRISMA_ERRORS = new Map<string, [number, string]>([
  ["P2002", [409, "Another record already has this value"]],
  ["P2003", [409, "A related record does not exist, or other records still refer to this one"]],
  ["P2025", [404, "Not found"]],
]);

export const notFound: RequestHandler = (req, _res, next) => {
  next(new HttpError(404, `No route for ${req.method} ${req.path}`));
};

export const errorHandler: ErrorRequestHandler = (err: unknown, _req, res, _next) => {
  if (err instanceof ZodError) {
    const issues = err.issues.map((issue) => ({
      path: issue.path.join("."),
      message: issue.message,
    }));
    res.status(400).json({ error: "Invalid input", issues });
    return;
  }
  if (err instanceof HttpError) {
    res.status(err.status).json({ error: err.message });
    return;
  }
  const known = err instanceof Prisma.PrismaClientKnownRequestError && PRISMA_ERRORS.get(err.code);
  if (known) {
    res.status(known[0]).json({ error: known[1] });
    return;
  }
  if (err instanceof SyntaxError && "body" in err) {
    res.status(400).json({ error: "The request body is not valid JSON" });
    return;
  }
  console.error(err);
  res.status(500).json({ error: "Internal server error" });
};
