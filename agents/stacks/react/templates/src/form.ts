/** Turning an entity's fields into form inputs and form values back into API payloads. */

import { call } from "./client";

export type FieldKind =
  | "string"
  | "text"
  | "email"
  | "url"
  | "int"
  | "float"
  | "money"
  | "boolean"
  | "date"
  | "datetime"
  | "choice"
  | "link"
  | "links";

/** A record one may pick in a link's select or list of checkboxes. */
export interface Option {
  id: number;
  label: string;
}

/** One of a choice's options: `value` exactly as the API takes it, `label` as the page shows it. */
export interface Choice {
  value: string;
  label: string;
}

export interface FieldSpec {
  /** The API's name: a detail's, or a link's `toolId` / `cakeIds`. */
  name: string;
  label: string;
  kind: FieldKind;
  required: boolean;
  /** For choices: the options, and the one a new record starts with. */
  choices?: Choice[];
  default?: string;
  /** For links: the records one may pick from, and whether they are private to each person. */
  options?: () => Promise<Option[]>;
  privateOptions?: boolean;
  /** The list's query parameter that filters on this field (for dates: the `From`/`To` prefix). */
  lookup?: string;
  /** Whether the list can be sorted by it. */
  sortable?: boolean;
}

export type FormValue = string | boolean | string[];
export type FormValues = Record<string, FormValue>;

// The contract's patterns (spec/openapi.json): what the server accepts, checked before sending.
const MONEY = /^-?[0-9]{1,9}(\.[0-9]{1,2})?$/;
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
const URL_PATTERN = /^https?:\/\/[^\s/?#]+([/?#]\S*)?$/;
const INT32 = 2 ** 31;

/** `record[key]` when the record itself holds it: a field may be named like a property every
 * object inherits ("constructor"), which must not read as a value. */
export function own<T>(record: Record<string, T>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

function pad(n: number): string {
  return String(n).padStart(2, "0");
}

/** A stored ISO timestamp as a datetime-local input shows it, in the browser's time zone. */
function localDateTime(iso: string): string {
  const d = new Date(iso);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** "12.5" as "12.50", "-3" as "-3.00"; anything that is not an amount is left as typed. The
 * digits are moved as text: money never passes through a floating-point number. */
export function formatMoney(value: string): string {
  const text = value.trim();
  if (!MONEY.test(text)) return value;
  const [whole, cents = ""] = text.split(".");
  return `${whole}.${cents.padEnd(2, "0")}`;
}

export function emptyValues(fields: FieldSpec[]): FormValues {
  return Object.fromEntries(
    fields.map((f) => {
      if (f.kind === "boolean") return [f.name, false];
      if (f.kind === "links") return [f.name, []];
      return [f.name, f.default ?? ""];
    }),
  );
}

export function toFormValues(fields: FieldSpec[], row: Record<string, unknown>): FormValues {
  const values = emptyValues(fields);
  for (const field of fields) {
    const value = row[field.name];
    if (value === null || value === undefined) {
      if (field.kind === "choice") values[field.name] = "";
      continue;
    }
    if (field.kind === "boolean") values[field.name] = Boolean(value);
    else if (field.kind === "links") values[field.name] = (value as unknown[]).map(String);
    else if (field.kind === "date") values[field.name] = String(value).slice(0, 10);
    else if (field.kind === "datetime") values[field.name] = localDateTime(String(value));
    else values[field.name] = String(value);
  }
  return values;
}

function isEmpty(field: FieldSpec, value: FormValue): boolean {
  if (field.kind === "boolean") return false;
  if (Array.isArray(value)) return value.length === 0;
  return field.kind === "string" ? String(value).trim() === "" : value === "";
}

/** What is wrong with the values before anything is sent, by field name, in words. */
export function problems(fields: FieldSpec[], values: FormValues): Record<string, string> {
  const found: Record<string, string> = {};
  for (const field of fields) {
    const value = values[field.name];
    if (isEmpty(field, value)) {
      if (field.required) {
        const pick = field.kind === "choice" || field.kind === "link";
        found[field.name] = pick ? `Choose ${field.label.toLowerCase()}.` : "Fill this in.";
      }
      continue;
    }
    const text = String(value).trim();
    if (field.kind === "money" && !MONEY.test(text)) {
      found[field.name] = "Enter an amount like 12.50 (up to 9 digits and 2 decimals).";
    } else if (field.kind === "int") {
      const n = Number(text);
      const whole = Number.isInteger(n) && n >= -INT32 && n < INT32;
      if (!whole) found[field.name] = "Enter a whole number.";
    } else if (field.kind === "float" && !Number.isFinite(Number(text))) {
      found[field.name] = "Enter a number.";
    } else if (field.kind === "email" && !EMAIL.test(text)) {
      found[field.name] = "Enter an email address like name@example.com.";
    } else if (field.kind === "url" && !URL_PATTERN.test(text)) {
      found[field.name] = "Enter a web address starting with http:// or https://.";
    }
  }
  return found;
}

/** The JSON body for the API: numbers as numbers, money as text, empty optional inputs as null. */
export function toPayload(fields: FieldSpec[], values: FormValues): Record<string, unknown> {
  const payload: Record<string, unknown> = {};
  for (const field of fields) {
    const value = values[field.name];
    if (field.kind === "boolean") {
      payload[field.name] = Boolean(value);
    } else if (Array.isArray(value)) {
      payload[field.name] = value.map(Number);
    } else if (value === "") {
      payload[field.name] = null;
    } else if (field.kind === "int" || field.kind === "float" || field.kind === "link") {
      payload[field.name] = Number(value);
    } else if (field.kind === "money") {
      payload[field.name] = formatMoney(String(value)).trim();
    } else if (field.kind === "datetime") {
      payload[field.name] = new Date(String(value)).toISOString();
    } else {
      payload[field.name] = value;
    }
  }
  return payload;
}

/** How a stored value reads in a table cell (links are shown by their records' labels). */
export function display(field: FieldSpec, value: unknown): string {
  if (value === null || value === undefined || value === "") return "—";
  if (field.kind === "boolean") return value ? "Yes" : "No";
  if (field.kind === "date") return String(value).slice(0, 10);
  if (field.kind === "datetime") return new Date(String(value)).toLocaleString();
  if (field.kind === "choice") {
    return field.choices?.find((c) => c.value === value)?.label ?? String(value);
  }
  return String(value);
}

/** Options for a link's select: every row at `path`, labelled by its `label` field ("": none). */
export function optionsFrom(source: { path: string; label: string }): () => Promise<Option[]> {
  return async () => {
    const rows = await call<Record<string, unknown>[]>("GET", source.path);
    return rows.map((row) => {
      const text = source.label ? row[source.label] : null;
      const named = text !== null && text !== undefined && text !== "";
      return { id: Number(row.id), label: named ? String(text) : `#${String(row.id)}` };
    });
  };
}
