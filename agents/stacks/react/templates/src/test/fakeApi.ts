import { fireEvent, screen, within } from "@testing-library/react";
import type { UserEvent } from "@testing-library/user-event";
import { vi } from "vitest";

export type Row = Record<string, unknown> & { id: number };

export interface SentRequest {
  method: string;
  path: string;
  /** The query parameters of the address, e.g. { q: "drill", sort: "-name" }. */
  query: Record<string, string>;
  body: unknown;
  headers: Record<string, string>;
}

/** An answer the fake gives to the next write instead of saving it: a 400 with issues, a 409. */
export interface Refusal {
  status: number;
  body: unknown;
}

export interface FakeOptions {
  /** The money fields: stored with two decimals ("12.5" becomes "12.50"), as the API does. */
  money?: string[];
  /** What each summary's route answers, by its path. */
  summaries?: Record<string, object[]>;
}

/** An in-memory stand-in for the backend behind `fetch`, recording every request. */
export interface FakeApi {
  requests: SentRequest[];
  rows: Record<string, Row[]>;
  lastBody: (method: string) => Record<string, unknown>;
  /** The GET requests sent to a collection, newest last. */
  lists: (path: string) => SentRequest[];
  refuseNextWrite: (refusal: Refusal) => void;
}

function json(status: number, body: unknown): Response {
  return new Response(status === 204 ? null : JSON.stringify(body), {
    status,
    headers: { "Content-Type": "application/json" },
  });
}

function twoDecimals(value: unknown): unknown {
  if (typeof value !== "string" || !/^-?\d+(\.\d{1,2})?$/.test(value)) return value;
  const [whole, cents = ""] = value.split(".");
  return `${whole}.${cents.padEnd(2, "0")}`;
}

/** A record as the API stores it: money with two decimals, many-to-many ids in ascending order. */
function stored(row: Row, options: FakeOptions): Row {
  const copy: Row = { ...row };
  for (const [key, value] of Object.entries(copy)) {
    if (options.money?.includes(key)) copy[key] = twoDecimals(value);
    else if (Array.isArray(value)) copy[key] = [...(value as number[])].sort((a, b) => a - b);
  }
  return copy;
}

/** The contract's list lookups over `rows`: q, a field's value, date bounds, a link's id and
 * sort. The fake does not know which date is due, so `due` is recorded but not applied. */
function lookup(rows: Row[], query: Record<string, string>): Row[] {
  let found = [...rows];
  for (const [name, value] of Object.entries(query)) {
    if (name === "q") {
      const text = value.toLowerCase();
      found = found.filter((row) =>
        Object.values(row).some((v) => typeof v === "string" && v.toLowerCase().includes(text)),
      );
    } else if (name === "sort" || name === "due") {
      continue;
    } else if (/.(From|To)$/.test(name) && !(name in (rows[0] ?? {}))) {
      const field = name.replace(/(From|To)$/, "");
      const after = name.endsWith("From");
      found = found.filter((row) => {
        const text = String(row[field] ?? "").slice(0, value.length);
        return row[field] != null && (after ? text >= value : text <= value);
      });
    } else if (name.endsWith("Id") && `${name}s` in (rows[0] ?? {})) {
      found = found.filter((row) => (row[`${name}s`] as number[]).includes(Number(value)));
    } else if (rows.length > 0 && name in rows[0]) {
      found = found.filter((row) => String(row[name]) === value);
    }
  }
  const sort = query.sort;
  if (sort) {
    const key = sort.replace(/^-/, "");
    const sign = sort.startsWith("-") ? -1 : 1;
    found.sort((a, b) => {
      const [x, y] = [a[key], b[key]] as (string | number | null)[];
      // Records without a value come last either way; ties by id.
      if (x === null || y === null) return Number(x === null) - Number(y === null) || a.id - b.id;
      return x < y ? -sign : x > y ? sign : a.id - b.id;
    });
  }
  return found;
}

/** Replaces `fetch` for one test with a fake API holding `rows` (collection path -> rows). */
export function fakeApi(rows: Record<string, Row[]>, options: FakeOptions = {}): FakeApi {
  let refusal: Refusal | null = null;
  const api: FakeApi = {
    requests: [],
    rows,
    lastBody: (method) => {
      const found = api.requests.filter((r) => r.method === method).at(-1);
      if (!found) throw new Error(`no ${method} request was sent`);
      return found.body as Record<string, unknown>;
    },
    lists: (path) => api.requests.filter((r) => r.method === "GET" && r.path === path),
    refuseNextWrite: (next) => {
      refusal = next;
    },
  };
  vi.stubGlobal(
    "fetch",
    vi.fn(async (input: string, init: RequestInit = {}) => {
      const method = init.method ?? "GET";
      const body: unknown = init.body ? JSON.parse(String(init.body)) : undefined;
      const headers = (init.headers ?? {}) as Record<string, string>;
      const [path, search = ""] = input.split("?");
      const query = Object.fromEntries(new URLSearchParams(search));
      api.requests.push({ method, path, query, body, headers });
      if (path.startsWith("/api/auth/")) {
        return json(200, { token: "test-token", user: { id: 1, email: "ada@example.com" } });
      }
      if (path.startsWith("/api/summaries/")) return json(200, options.summaries?.[path] ?? []);
      const [, collection, id] = /^(\/api\/[^/]+)(?:\/(\d+))?$/.exec(path) ?? [];
      const list = (api.rows[collection] ??= []);
      if (method === "GET" && id === undefined) return json(200, lookup(list, query));
      if (method !== "GET" && method !== "DELETE" && refusal) {
        const answer = refusal;
        refusal = null;
        return json(answer.status, answer.body);
      }
      if (method === "POST") {
        const row = stored({ ...(body as object), id: list.length + 100 }, options);
        list.push(row);
        return json(201, row);
      }
      const index = list.findIndex((row) => row.id === Number(id));
      if (index < 0) return json(404, { error: "Not found" });
      if (method === "GET") return json(200, list[index]);
      if (method === "DELETE") {
        list.splice(index, 1);
        return json(204, null);
      }
      list[index] = stored({ ...list[index], ...(body as object) }, options);
      return json(200, list[index]);
    }),
  );
  return api;
}

/** Sets an input's value the way typing a whole value would (also for date inputs). */
export function change(input: HTMLElement, value: string): void {
  fireEvent.change(input, { target: { value } });
}

/** One input of a form as a test fills it: its label, and the value to enter, a click on a
 * checkbox, the option to wait for before choosing `value` in a select, or for a list of
 * checkboxes (a group named `label`) the option to tick. */
export interface Entry {
  label: string;
  value?: string;
  click?: boolean;
  option?: string;
  tick?: string;
}

/** Fills a form's inputs in order, as a person would. */
export async function fill(user: UserEvent, entries: Entry[]): Promise<void> {
  const form = within(screen.getByRole("form"));
  for (const entry of entries) {
    if (entry.tick) {
      const group = form.getByRole("group", { name: entry.label });
      await user.click(await within(group).findByLabelText(entry.tick));
      continue;
    }
    if (entry.option) await form.findAllByRole("option", { name: entry.option });
    const input = form.getByLabelText(entry.label);
    if (entry.click) await user.click(input);
    else change(input, entry.value ?? "");
  }
}
