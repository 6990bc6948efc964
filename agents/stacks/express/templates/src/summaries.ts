import { averageCents, showCents } from "./money";
import type { Row } from "./records";

export type Period = "day" | "week" | "month" | "year";

/** What a summary computes over the records it is given. */
export interface Figure {
  measure: "count" | "sum" | "avg" | "min" | "max";
  /** The number or money field that sum, avg, min and max read. */
  field?: { name: string; money: boolean };
  /** A one-record link (by its id field and relation), a choice, or a yes/no field. */
  group?:
    | { kind: "link"; key: string; relation: string; label?: string }
    | { kind: "choice" | "yesNo"; field: string };
  /** The date field whose day, ISO week, month or year makes a row. */
  period?: { field: string; unit: Period };
}

/** One row of a summary's answer. */
export interface SummaryRow {
  group: string | null;
  groupId: number | null;
  period: string | null;
  value: number | string | null;
}

type Amount = number | bigint;

interface Bucket {
  group: string | null;
  groupId: number | null;
  period: string | null;
  count: number;
  amounts: Amount[];
}

const DAY = 86_400_000;

function pad(value: number, width: number): string {
  return String(value).padStart(width, "0");
}

/** The day, ISO week (2030-W05), month or year of `at`, in UTC. */
export function periodOf(at: Date, unit: Period): string {
  const iso = at.toISOString();
  if (unit === "day") return iso.slice(0, 10);
  if (unit === "month") return iso.slice(0, 7);
  if (unit === "year") return iso.slice(0, 4);
  // An ISO week belongs to the year of its Thursday; weeks start on Monday.
  const monday = (at.getUTCDay() + 6) % 7;
  const thursday = new Date(at.getTime() + (3 - monday) * DAY);
  const year = thursday.getUTCFullYear();
  const newYear = new Date(0);
  newYear.setUTCFullYear(year, 0, 1);
  const week = Math.floor((thursday.getTime() - newYear.getTime()) / DAY / 7) + 1;
  return `${pad(year, 4)}-W${pad(week, 2)}`;
}

function groupOf(row: Row, figure: Figure): { group: string | null; groupId: number | null } {
  const by = figure.group;
  if (!by) return { group: null, groupId: null };
  if (by.kind === "link") {
    const target = row[by.relation] as Row | null;
    if (!target) return { group: null, groupId: null };
    const label = by.label === undefined ? undefined : target[by.label];
    const id = target.id as number;
    return { group: typeof label === "string" ? label : `#${id}`, groupId: id };
  }
  const value = row[by.field];
  if (value === null || value === undefined) return { group: null, groupId: null };
  if (by.kind === "yesNo") return { group: value ? "yes" : "no", groupId: null };
  return { group: String(value), groupId: null };
}

function total(amounts: Amount[]): Amount {
  if (amounts.some((amount) => typeof amount === "bigint")) {
    return amounts.reduce<bigint>((sum, amount) => sum + BigInt(amount), 0n);
  }
  return amounts.reduce<number>((sum, amount) => sum + Number(amount), 0);
}

function value(bucket: Bucket, figure: Figure): Amount | null {
  const { amounts } = bucket;
  switch (figure.measure) {
    case "count":
      return bucket.count;
    case "sum":
      return figure.field?.money ? BigInt(total(amounts)) : total(amounts);
    case "avg": {
      if (!amounts.length) return null;
      const sum = total(amounts);
      return typeof sum === "bigint" ? averageCents(sum, amounts.length) : sum / amounts.length;
    }
    case "min":
    case "max": {
      if (!amounts.length) return null;
      const larger = figure.measure === "max" ? 1 : -1;
      return amounts.reduce((best, amount) => (compare(amount, best) * larger > 0 ? amount : best));
    }
  }
}

/** Compares two values, with null after every value. */
function compare(a: Amount | string | null, b: Amount | string | null): number {
  if (a === null || b === null) return a === b ? 0 : a === null ? 1 : -1;
  if (typeof a === "string" || typeof b === "string") return codePoints(String(a), String(b));
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Compares two values, larger first, with null still after every value. */
function descending(a: Amount | string | null, b: Amount | string | null): number {
  return a === null || b === null ? compare(a, b) : compare(b, a);
}

/** Orders texts by their Unicode code points, as most languages' sorts do (not UTF-16 units). */
function codePoints(a: string, b: string): number {
  const left = [...a];
  const right = [...b];
  for (let i = 0; i < Math.min(left.length, right.length); i += 1) {
    const difference = (left[i].codePointAt(0) ?? 0) - (right[i].codePointAt(0) ?? 0);
    if (difference) return difference;
  }
  return left.length - right.length;
}

/**
 * The summary's rows over `rows`: one row without a group or period, otherwise one per group and
 * period that has records, newest period first, then largest value, then group by name.
 */
export function summarise(rows: Row[], figure: Figure): SummaryRow[] {
  const buckets = new Map<string, Bucket>();
  if (!figure.group && !figure.period) {
    const everything = { group: null, groupId: null, period: null, count: 0, amounts: [] };
    buckets.set(JSON.stringify([null, null, null]), everything);
  }
  for (const row of rows) {
    let period: string | null = null;
    if (figure.period) {
      const at = row[figure.period.field];
      if (!(at instanceof Date)) continue;
      period = periodOf(at, figure.period.unit);
    }
    const { group, groupId } = groupOf(row, figure);
    const key = JSON.stringify([group, groupId, period]);
    const bucket = buckets.get(key) ?? { group, groupId, period, count: 0, amounts: [] };
    buckets.set(key, bucket);
    bucket.count += 1;
    const amount = figure.field ? row[figure.field.name] : null;
    if (typeof amount === "number" || typeof amount === "bigint") bucket.amounts.push(amount);
  }
  const computed = [...buckets.values()].map((bucket) => ({
    bucket,
    value: value(bucket, figure),
  }));
  computed.sort(
    (a, b) =>
      descending(a.bucket.period, b.bucket.period) ||
      descending(a.value, b.value) ||
      compare(a.bucket.group, b.bucket.group) ||
      compare(a.bucket.groupId, b.bucket.groupId),
  );
  return computed.map(({ bucket, value }) => ({
    group: bucket.group,
    groupId: bucket.groupId,
    period: bucket.period,
    value: typeof value === "bigint" ? showCents(value) : value,
  }));
}
