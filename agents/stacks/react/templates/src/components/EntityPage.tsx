import { useEffect, useState, type FormEvent } from "react";
import type { Resource } from "../client";
import {
  display,
  emptyValues,
  toFormValues,
  toPayload,
  type FieldSpec,
  type FormValues,
  type Option,
} from "../form";

type Row = Record<string, unknown> & { id: number };

interface Props<T extends Row, I> {
  title: string;
  singular: string;
  api: Resource<T, I>;
  fields: FieldSpec[];
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

const inputClass = "mt-1 w-full rounded border border-slate-300 px-2 py-1";
const INPUT_TYPES: Partial<Record<FieldSpec["kind"], string>> = {
  email: "email",
  int: "number",
  float: "number",
  date: "date",
  datetime: "datetime-local",
};

function FieldInput({
  field,
  value,
  options,
  onChange,
}: {
  field: FieldSpec;
  value: string | boolean;
  options: Option[];
  onChange: (value: string | boolean) => void;
}) {
  const id = `field-${field.name}`;
  if (field.kind === "boolean") {
    return (
      <div className="flex items-center gap-2">
        <input
          id={id}
          type="checkbox"
          checked={Boolean(value)}
          onChange={(e) => onChange(e.target.checked)}
        />
        <label htmlFor={id} className="text-sm font-medium text-slate-700">
          {field.label}
        </label>
      </div>
    );
  }
  const common = { id, required: field.required, value: String(value), className: inputClass };
  let input;
  if (field.kind === "relation") {
    input = (
      <select {...common} onChange={(e) => onChange(e.target.value)}>
        <option value="">—</option>
        {options.map((option) => (
          <option key={option.id} value={String(option.id)}>
            {option.label}
          </option>
        ))}
      </select>
    );
  } else if (field.kind === "text") {
    input = <textarea {...common} rows={3} onChange={(e) => onChange(e.target.value)} />;
  } else {
    input = (
      <input
        {...common}
        type={INPUT_TYPES[field.kind] ?? "text"}
        step={field.kind === "float" ? "any" : undefined}
        onChange={(e) => onChange(e.target.value)}
      />
    );
  }
  return (
    <div>
      <label htmlFor={id} className="block text-sm font-medium text-slate-700">
        {field.label}
      </label>
      {input}
    </div>
  );
}

/** A list of one entity's records with create, edit and delete, driven by its field list. */
export function EntityPage<T extends Row, I>({ title, singular, api, fields }: Props<T, I>) {
  const [rows, setRows] = useState<T[]>([]);
  const [editing, setEditing] = useState<T | "new" | null>(null);
  const [values, setValues] = useState<FormValues>(() => emptyValues(fields));
  const [options, setOptions] = useState<Record<string, Option[]>>({});
  const [error, setError] = useState<string | null>(null);

  // Bumped after every change so that the list effect loads the rows again.
  const [version, setVersion] = useState(0);
  const reload = () => setVersion((v) => v + 1);

  useEffect(() => {
    let current = true;
    api.list().then(
      (loaded) => current && setRows(loaded),
      (e: unknown) => current && setError(message(e)),
    );
    return () => {
      current = false;
    };
  }, [api, version]);

  useEffect(() => {
    for (const field of fields) {
      field
        .options?.()
        .then((loaded) => setOptions((current) => ({ ...current, [field.name]: loaded })))
        .catch((e: unknown) => setError(message(e)));
    }
  }, [fields]);

  function open(row: T | "new") {
    setEditing(row);
    setValues(row === "new" ? emptyValues(fields) : toFormValues(fields, row));
    setError(null);
  }

  async function save(event: FormEvent) {
    event.preventDefault();
    const payload = toPayload(fields, values) as I;
    try {
      if (editing === "new") await api.create(payload);
      else if (editing) await api.update(editing.id, payload);
      setEditing(null);
      reload();
    } catch (e) {
      setError(message(e));
    }
  }

  async function remove(row: T) {
    if (!window.confirm(`Delete this ${singular.toLowerCase()}?`)) return;
    try {
      await api.remove(row.id);
      reload();
    } catch (e) {
      setError(message(e));
    }
  }

  const labelOf = (field: FieldSpec, value: unknown) =>
    options[field.name]?.find((o) => o.id === value)?.label ?? display(field, value);

  return (
    <section className="space-y-4">
      <div className="flex items-center justify-between">
        <h2 className="text-xl font-semibold">{title}</h2>
        <button
          type="button"
          className="rounded bg-indigo-600 px-3 py-1 text-white"
          onClick={() => open("new")}
        >
          New {singular.toLowerCase()}
        </button>
      </div>
      {error && (
        <p role="alert" className="rounded bg-red-50 p-2 text-red-700">
          {error}
        </p>
      )}
      {editing && (
        <form
          aria-label={`${singular} form`}
          onSubmit={save}
          className="space-y-3 rounded border p-4"
        >
          {fields.map((field) => (
            <FieldInput
              key={field.name}
              field={field}
              value={values[field.name]}
              options={options[field.name] ?? []}
              onChange={(value) => setValues((current) => ({ ...current, [field.name]: value }))}
            />
          ))}
          <div className="flex gap-2">
            <button type="submit" className="rounded bg-indigo-600 px-3 py-1 text-white">
              Save
            </button>
            <button
              type="button"
              className="rounded border px-3 py-1"
              onClick={() => setEditing(null)}
            >
              Cancel
            </button>
          </div>
        </form>
      )}
      {rows.length === 0 ? (
        <p className="text-slate-500">No {title.toLowerCase()} yet.</p>
      ) : (
        <table className="w-full text-left text-sm">
          <thead>
            <tr>
              {fields.map((field) => (
                <th key={field.name} className="border-b p-2">
                  {field.label}
                </th>
              ))}
              <th className="border-b p-2">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.id}>
                {fields.map((field) => (
                  <td key={field.name} className="border-b p-2">
                    {labelOf(field, row[field.name])}
                  </td>
                ))}
                <td className="border-b p-2 text-right whitespace-nowrap">
                  <button type="button" className="mr-2 underline" onClick={() => open(row)}>
                    Edit
                  </button>
                  <button
                    type="button"
                    className="text-red-700 underline"
                    onClick={() => void remove(row)}
                  >
                    Delete
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
