/** The HTTP client every resource uses: JSON in and out, the login token on each request. */

const TOKEN_KEY = "token";
const BASE_URL: string = import.meta.env.VITE_API_URL ?? "";

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export function getToken(): string | null {
  return localStorage.getItem(TOKEN_KEY);
}

export function setToken(token: string | null): void {
  if (token) localStorage.setItem(TOKEN_KEY, token);
  else localStorage.removeItem(TOKEN_KEY);
}

function describe(status: number, data: unknown): string {
  if (data && typeof data === "object" && "error" in data) {
    const issues = "issues" in data && Array.isArray(data.issues) ? data.issues : [];
    const details = issues.map((i: { path: string; message: string }) => `${i.path}: ${i.message}`);
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
  if (!res.ok) throw new ApiError(res.status, describe(res.status, data));
  return data as T;
}

/** The five calls of one entity's CRUD routes. */
export interface Resource<T, I> {
  list: () => Promise<T[]>;
  get: (id: number) => Promise<T>;
  create: (input: I) => Promise<T>;
  update: (id: number, input: Partial<I>) => Promise<T>;
  remove: (id: number) => Promise<void>;
}

export function resource<T, I>(path: string): Resource<T, I> {
  return {
    list: () => call<T[]>("GET", path),
    get: (id) => call<T>("GET", `${path}/${id}`),
    create: (input) => call<T>("POST", path, input),
    update: (id, input) => call<T>("PUT", `${path}/${id}`, input),
    remove: (id) => call<void>("DELETE", `${path}/${id}`),
  };
}
