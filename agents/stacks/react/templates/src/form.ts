/** Turning an entity's fields into form inputs and form values back into API payloads. */

import { call } from "./client";

export type FieldKind =
  "string" | "text" | "email" | "int" | "float" | "boolean" | "date" | "datetime" | "relation";

export interface Option {
  id: number;
  label: string;
}

export interface FieldSpec {
  name: string;
  label: string;
  kind: FieldKind;
  required: boolean;
  /** For relations: the rows one may pick from. */
  options?: () => Promise<Option[]>;
}

export type FormValues = Record<string, string | boolean>;

function pad(n: number): string {
  return String(n).padStart(2, "0");
}

/** A stored ISO timestamp as a datetime-local input shows it, in the browser's time zone. */
function localDateTime(iso: string): string {
  const d = new Date(iso);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

export function emptyValues(fields: FieldSpec[]): FormValues {
  return Object.fromEntries(fields.map((f) => [f.name, f.kind === "boolean" ? false : ""]));
}

export function toFormValues(fields: FieldSpec[], row: Record<string, unknown>): FormValues {
  const values = emptyValues(fields);
  for (const field of fields) {
    const value = row[field.name];
    if (value === null || value === undefined) continue;
    if (field.kind === "boolean") values[field.name] = Boolean(value);
    else if (field.kind === "date") values[field.name] = String(value).slice(0, 10);
    else if (field.kind === "datetime") values[field.name] = localDateTime(String(value));
    else values[field.name] = String(value);
  }
  return values;
}

/** The JSON body for the API: numbers as numbers, empty optional inputs as null. */
export function toPayload(fields: FieldSpec[], values: FormValues): Record<string, unknown> {
  const payload: Record<string, unknown> = {};
  for (const field of fields) {
    const value = values[field.name];
    if (field.kind === "boolean") {
      payload[field.name] = Boolean(value);
    } else if (value === "") {
      payload[field.name] = null;
    } else if (field.kind === "int" || field.kind === "float" || field.kind === "relation") {
      payload[field.name] = Number(value);
    } else if (field.kind === "datetime") {
      payload[field.name] = new Date(String(value)).toISOString();
    } else {
      payload[field.name] = value;
    }
  }
  return payload;
}

/** How a stored value reads in a table cell. */
export function display(field: FieldSpec, value: unknown): string {
  if (value === null || value === undefined || value === "") return "—";
  if (field.kind === "boolean") return value ? "Yes" : "No";
  if (field.kind === "date") return String(value).slice(0, 10);
  if (field.kind === "datetime") return new Date(String(value)).toLocaleString();
  return String(value);
}

/** Options for a relation's select: every row at `path`, labelled by its `label` field. */
export function optionsFrom(source: { path: string; label: string }): () => Promise<Option[]> {
  return async () => {
    const rows = await call<Record<string, unknown>[]>("GET", source.path);
    return rows.map((row) => ({
      id: Number(row.id),
      label: String(row[source.label] ?? `#${String(row.id)}`),
    }));
  };
}
