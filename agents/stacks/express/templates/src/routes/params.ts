import type { RequestHandler, Response } from "express";
import { HttpError } from "../errors";
import { pathId } from "../validation";

/** The numeric id in a route like /items/:id, or a 400 for anything else. */
export function parseId(raw: unknown): number {
  const parsed = pathId.safeParse(raw);
  if (!parsed.success) {
    throw new HttpError(400, `"${String(raw)}" is not a valid id`);
  }
  return parsed.data;
}

/** Answers 405 with the methods a path does support, for any other method. */
export function allowOnly(methods: string): RequestHandler {
  return (req, res) => {
    res.set("Allow", methods);
    res.status(405).json({ error: `${req.method} is not allowed here; use ${methods}` });
  };
}

/** The id of the logged-in account (set by the auth guard), whose records an owned entity shows. */
export function userId(res: Response): number {
  return (res.locals.user as { id: number }).id;
}
