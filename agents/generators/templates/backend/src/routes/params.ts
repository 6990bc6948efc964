import { HttpError } from "../errors";

/** The numeric id in a route like /items/:id, or a 400 for anything else. */
export function parseId(raw: unknown): number {
  const id = typeof raw === "string" ? Number(raw) : NaN;
  if (!Number.isSafeInteger(id) || id < 1) {
    throw new HttpError(400, `"${String(raw)}" is not a valid id`);
  }
  return id;
}
