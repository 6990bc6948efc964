import { HttpError } from "./errors";
import { showCents } from "./money";

/** A stored row, or a record as the API shows it. */
export type Row = Record<string, unknown>;
/** One condition of a Prisma `where`; a list's conditions are ANDed. */
export type Where = Record<string, unknown>;

/** How an entity's API records differ from its stored rows. */
export interface Shape {
  /** Money fields, stored as whole cents. */
  money: readonly string[];
  /** Many-to-many links: the relation holding the join rows, and the API's list of ids. */
  lists: readonly { relation: string; key: string }[];
}

/** How one list lookup narrows the records: by equality, a bound, or membership of a link list. */
export interface Filter {
  param: string;
  field: string;
  test: "equals" | "gte" | "lte" | "listed";
}

/** What makes a record due: its due date, and the field that marks it done. */
export interface Due {
  field: string;
  /** A date (due before today, UTC) rather than a date and time (due before now). */
  isDate: boolean;
  done?: { field: string; yesNo: boolean; required: boolean };
}

/** A link list's join rows, ascending by the listed record's id. */
export const LISTED = { select: { targetId: true }, orderBy: { targetId: "asc" } } as const;

/**
 * A request body whose own fields are all it has: a field named like an Object method
 * ("constructor") that a client leaves out must read as missing, not as the inherited method.
 */
export function own(body: unknown): unknown {
  if (typeof body !== "object" || body === null || Array.isArray(body)) return body;
  return Object.assign(Object.create(null) as Row, body);
}

/**
 * A row with its dates as Dates and its whole cents as bigints. Prisma hands a model with a field
 * named "constructor" these still in their wire form, { $type: "DateTime" | "BigInt", value }.
 */
export function revive(row: Row): Row {
  const result: Row = {};
  for (const [field, value] of Object.entries(row)) {
    const wire = value as { $type?: unknown; value?: unknown } | null;
    const kind = typeof wire === "object" ? wire?.$type : undefined;
    if (kind === "DateTime") result[field] = new Date(String(wire?.value));
    else if (kind === "BigInt") result[field] = BigInt(String(wire?.value));
    else result[field] = value;
  }
  return result;
}

/** A stored row as the API shows it: money as text, link lists as ids, the owner left out. */
export function present(row: Row, shape: Shape): Row {
  const record = revive(row);
  delete record.ownerId;
  for (const field of shape.money) {
    const cents = record[field];
    record[field] = typeof cents === "bigint" ? showCents(cents) : null;
  }
  for (const { relation, key } of shape.lists) {
    const pairs = record[relation] as { targetId: number }[];
    delete record[relation];
    record[key] = pairs.map((pair) => pair.targetId);
  }
  return record;
}

/** The API's input as Prisma's data: each list of ids as join rows; an update replaces the list. */
export function stored(data: Row, shape: Shape, update: boolean): Row {
  const result = { ...data };
  for (const { relation, key } of shape.lists) {
    const ids = result[key] as number[] | undefined;
    delete result[key];
    if (ids === undefined) continue;
    const create = ids.map((targetId) => ({ targetId }));
    result[relation] = update ? { deleteMany: {}, create } : { create };
  }
  return result;
}

/** The ids `data` links to through `key` (one id, or a list of them). */
export function linked(data: Row, key: string): number[] {
  const value = data[key];
  if (Array.isArray(value)) return value as number[];
  return typeof value === "number" ? [value] : [];
}

/** Refuses (409) links to records of someone else's, given how many of `ids` are the caller's. */
export function mustAllBeOwn(ids: number[], own: number): void {
  if (own !== new Set(ids).size) {
    throw new HttpError(409, "A linked record does not exist, or is not yours");
  }
}

/** The conditions of a list's lookups that were given. */
export function narrow(query: Row, filters: readonly Filter[]): Where[] {
  const where: Where[] = [];
  for (const { param, field, test } of filters) {
    // Own fields only: a lookup named "constructor" that was not given is not Object's.
    const value = Object.hasOwn(query, param) ? query[param] : undefined;
    if (value === undefined) continue;
    if (test === "equals") where.push({ [field]: value });
    else if (test === "listed") where.push({ [field]: { some: { targetId: value } } });
    else where.push({ [field]: { [test]: value } });
  }
  return where;
}

function startOfDay(at: Date): Date {
  return new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate()));
}

/** Open records are not yet done; overdue ones are open and due before now (a date: before today). */
export function dueWhere(due: "open" | "overdue", rule: Due, now = new Date()): Where[] {
  const where: Where[] = [];
  const done = rule.done;
  if (done?.yesNo) {
    where.push(
      done.required
        ? { [done.field]: false }
        : { OR: [{ [done.field]: false }, { [done.field]: null }] },
    );
  } else if (done) {
    // A required done date is always set: no record is open.
    where.push(done.required ? { id: { lt: 0 } } : { [done.field]: null });
  }
  if (due === "overdue") where.push({ [rule.field]: { lt: rule.isDate ? startOfDay(now) : now } });
  return where;
}

/** Prisma's order for `sort` ("name" or "-name"): records without a value last, ties by id. */
export function order(sort: string | undefined, optional: readonly string[]): Where[] {
  if (!sort) return [{ id: "asc" }];
  const field = sort.replace(/^-/, "");
  const direction = sort.startsWith("-") ? "desc" : "asc";
  const by = optional.includes(field) ? { sort: direction, nulls: "last" } : direction;
  return [{ [field]: by }, { id: "asc" }];
}

/** Only ASCII letters are folded, as SQLite's LIKE does: "É" and "é" stay different. */
function fold(text: string): string {
  return text.replace(/[A-Z]/g, (letter) => letter.toLowerCase());
}

/** The rows where any of `fields` contains `q`, ignoring the case of ASCII letters. */
export function search<T extends Row>(
  rows: T[],
  q: string | undefined,
  fields: readonly string[],
): T[] {
  if (!q) return rows;
  const wanted = fold(q);
  return rows.filter((row) =>
    fields.some((field) => typeof row[field] === "string" && fold(row[field]).includes(wanted)),
  );
}
