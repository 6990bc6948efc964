/** The HTTP client every resource uses: JSON in and out, the login token on each request. */

import { useSyncExternalStore } from "react";

const TOKEN_KEY = "token";
const BASE_URL: string = import.meta.env.VITE_API_URL ?? "";

/** One thing the server refused: `path` names the field ("price", or "cakeIds.0" for a list). */
export interface Issue {
  path: string;
  message: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly issues: Issue[] = [],
  ) {
    super(message);
  }
}

// Pages that show private records listen for log-ins and log-outs to load (or hide) them.
const listeners = new Set<() => void>();

export function getToken(): string | null {
  return localStorage.getItem(TOKEN_KEY);
}

export function setToken(token: string | null): void {
  if (token) localStorage.setItem(TOKEN_KEY, token);
  else localStorage.removeItem(TOKEN_KEY);
  listeners.forEach((listener) => listener());
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** The current login token, re-rendering the component when someone logs in or out. */
export function useToken(): string | null {
  return useSyncExternalStore(subscribe, getToken);
}

function issuesOf(data: unknown): Issue[] {
  if (!data || typeof data !== "object" || !("issues" in data) || !Array.isArray(data.issues)) {
    return [];
  }
  return data.issues.map((i: Partial<Issue>) => ({
    path: String(i.path ?? ""),
    message: String(i.message ?? ""),
  }));
}

function describe(status: number, data: unknown): string {
  if (data && typeof data === "object" && "error" in data) {
    const details = issuesOf(data).map((i) => (i.path ? `${i.path}: ${i.message}` : i.message));
    return [String(data.error), ...details].join(" — ");
  }
  return `The server answered ${status}`;
}

export async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const token = getToken();
  if (token) headers.Authorization = `Bearer ${token}`;
  const res = await fetch(BASE_URL + path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (res.status === 204) return undefined as T;
  const data: unknown = await res.json().catch(() => null);
  if (!res.ok) throw new ApiError(res.status, describe(res.status, data), issuesOf(data));
  return data as T;
}

/** A list's lookups (`q`, `sort`, a choice's value, date bounds...); empty values are left out. */
export type Query = Record<string, string>;

export function withQuery(path: string, query: Query = {}): string {
  const params = new URLSearchParams(Object.entries(query).filter(([, value]) => value !== ""));
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

/** The five calls of one entity's CRUD routes. */
export interface Resource<T, I> {
  list: (query?: Query) => Promise<T[]>;
  get: (id: number) => Promise<T>;
  create: (input: I) => Promise<T>;
  update: (id: number, input: Partial<I>) => Promise<T>;
  remove: (id: number) => Promise<void>;
}

export function resource<T, I>(path: string): Resource<T, I> {
  return {
    list: (query) => call<T[]>("GET", withQuery(path, query)),
    get: (id) => call<T>("GET", `${path}/${id}`),
    create: (input) => call<T>("POST", path, input),
    update: (id, input) => call<T>("PUT", `${path}/${id}`, input),
    remove: (id) => call<void>("DELETE", `${path}/${id}`),
  };
}
