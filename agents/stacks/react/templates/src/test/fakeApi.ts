import { fireEvent, screen } from "@testing-library/react";
import type { UserEvent } from "@testing-library/user-event";
import { vi } from "vitest";

export type Row = Record<string, unknown> & { id: number };

export interface SentRequest {
  method: string;
  path: string;
  body: unknown;
  headers: Record<string, string>;
}

/** An in-memory stand-in for the backend behind `fetch`, recording every request. */
export interface FakeApi {
  requests: SentRequest[];
  rows: Record<string, Row[]>;
  lastBody: (method: string) => Record<string, unknown>;
}

function json(status: number, body: unknown): Response {
  return new Response(status === 204 ? null : JSON.stringify(body), {
    status,
    headers: { "Content-Type": "application/json" },
  });
}

/** Replaces `fetch` for one test with a fake API holding `rows` (collection path -> rows). */
export function fakeApi(rows: Record<string, Row[]>): FakeApi {
  const api: FakeApi = {
    requests: [],
    rows,
    lastBody: (method) => {
      const found = api.requests.filter((r) => r.method === method).at(-1);
      if (!found) throw new Error(`no ${method} request was sent`);
      return found.body as Record<string, unknown>;
    },
  };
  vi.stubGlobal(
    "fetch",
    vi.fn(async (input: string, init: RequestInit = {}) => {
      const method = init.method ?? "GET";
      const body: unknown = init.body ? JSON.parse(String(init.body)) : undefined;
      const headers = (init.headers ?? {}) as Record<string, string>;
      api.requests.push({ method, path: input, body, headers });
      if (input.startsWith("/api/auth/")) {
        return json(200, { token: "test-token", user: { id: 1, email: "ada@example.com" } });
      }
      const [, collection, id] = /^(\/api\/[^/]+)(?:\/(\d+))?$/.exec(input) ?? [];
      const list = (api.rows[collection] ??= []);
      if (method === "GET") return json(200, list);
      if (method === "POST") {
        const row = { ...(body as object), id: list.length + 100 };
        list.push(row);
        return json(201, row);
      }
      const index = list.findIndex((row) => row.id === Number(id));
      if (index < 0) return json(404, { error: "Not found" });
      if (method === "DELETE") {
        list.splice(index, 1);
        return json(204, null);
      }
      list[index] = { ...list[index], ...(body as object) };
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
 * checkbox, or the option to wait for before choosing `value` in a select. */
export interface Entry {
  label: string;
  value?: string;
  click?: boolean;
  option?: string;
}

/** Fills a form's inputs in order, as a person would. */
export async function fill(user: UserEvent, entries: Entry[]): Promise<void> {
  for (const entry of entries) {
    if (entry.option) await screen.findAllByRole("option", { name: entry.option });
    const input = screen.getByLabelText(entry.label);
    if (entry.click) await user.click(input);
    else change(input, entry.value ?? "");
  }
}
