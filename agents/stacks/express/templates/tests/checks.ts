import type { Response } from "supertest";

type Row = Record<string, unknown>;

/** The ids of the records a list answered, in its order. */
export function ids(res: Response): number[] {
  return (res.body as { id: number }[]).map((row) => row.id);
}

function compare(a: unknown, b: unknown, money: boolean): number {
  if (money) return Number(a) - Number(b);
  if (typeof a === "number" && typeof b === "number") return a - b;
  if (typeof a === "boolean" && typeof b === "boolean") return Number(a) - Number(b);
  return String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0;
}

/**
 * Whether `rows` are ordered by `field` (descending when `descending`), with records that have
 * no value last either way and ties by id.
 */
export function isSorted(rows: Row[], field: string, descending: boolean, money: boolean): boolean {
  return rows.every((row, i) => {
    if (i === 0) return true;
    const before = rows[i - 1];
    const [a, b] = [before[field], row[field]];
    if (a === null || b === null) {
      if (a !== null) return true;
      return b === null && (before.id as number) < (row.id as number);
    }
    const order = compare(a, b, money) * (descending ? -1 : 1);
    return order < 0 || (order === 0 && (before.id as number) < (row.id as number));
  });
}
