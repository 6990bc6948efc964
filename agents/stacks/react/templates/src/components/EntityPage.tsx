import { useEffect, useState, type FormEvent, type ReactNode } from "react";
import { ApiError, useToken, withQuery, type Query, type Resource } from "../client";
import {
  display,
  emptyValues,
  formatMoney,
  own,
  problems,
  toFormValues,
  toPayload,
  type FieldSpec,
  type FormValue,
  type FormValues,
  type Option,
} from "../form";

type Row = Record<string, unknown> & { id: number };

interface Props<T extends Row, I> {
  /** The page's heading, plural: "Tools". */
  title: string;
  singular: string;
  api: Resource<T, I>;
  fields: FieldSpec[];
  /** What the search box looks in ("name or notes"); none: the list has no search. */
  search?: string;
  /** Whether the list can show only open or overdue records. */
  due?: boolean;
  /** Whether each person sees only their own records (reads need a log-in too). */
  owned?: boolean;
}

const inputClass =
  "mt-1 block w-full min-w-0 rounded border border-slate-400 bg-white px-2 py-1.5 aria-invalid:border-red-700";
const buttonClass = "rounded bg-indigo-700 px-3 py-1.5 font-medium text-white hover:bg-indigo-800";
const INPUT_TYPES: Partial<Record<FieldSpec["kind"], string>> = {
  email: "email",
  url: "url",
  int: "number",
  float: "number",
  date: "date",
  datetime: "datetime-local",
};
const HINTS: Partial<Record<FieldSpec["kind"], string>> = {
  money: "An amount, e.g. 12.50",
  url: "Starts with https://",
};

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The field a server issue names: "price", or "cakeIds" for "cakeIds.0". */
function issueField(path: string): string {
  return path.split(".")[0];
}

function describedBy(...ids: (string | false)[]): string | undefined {
  return ids.filter(Boolean).join(" ") || undefined;
}

interface InputProps {
  field: FieldSpec;
  value: FormValue;
  options: Option[] | undefined;
  error: string | undefined;
  loggedIn: boolean;
  onChange: (value: FormValue) => void;
}

function FieldInput({ field, value, options, error, loggedIn, onChange }: InputProps) {
  const id = `field-${field.name}`;
  const errorId = error ? `${id}-error` : false;
  const hint = HINTS[field.kind];
  const hintId = hint ? `${id}-hint` : false;
  const errorText = error && (
    <p id={`${id}-error`} className="mt-1 text-sm text-red-700">
      {error}
    </p>
  );

  if (field.kind === "links") {
    let choices: ReactNode;
    if (field.privateOptions && !loggedIn) choices = <p>Log in to choose from your own records.</p>;
    else if (!options) choices = <p>Loading…</p>;
    else if (options.length === 0) choices = <p>Nothing to choose from yet.</p>;
    else {
      const picked = value as string[];
      choices = options.map((option) => {
        const optionId = `${id}-${option.id}`;
        const checked = picked.includes(String(option.id));
        return (
          <div key={option.id} className="flex items-center gap-2">
            <input
              id={optionId}
              type="checkbox"
              checked={checked}
              onChange={() =>
                onChange(
                  checked
                    ? picked.filter((p) => p !== String(option.id))
                    : [...picked, String(option.id)],
                )
              }
            />
            <label htmlFor={optionId}>{option.label}</label>
          </div>
        );
      });
    }
    return (
      <fieldset
        id={id}
        tabIndex={-1}
        aria-describedby={describedBy(errorId)}
        className="rounded border border-slate-300 p-3 sm:col-span-2"
      >
        <legend className="px-1 text-sm font-medium text-slate-800">{field.label}</legend>
        <div className="flex flex-wrap gap-x-6 gap-y-2">{choices}</div>
        {errorText}
      </fieldset>
    );
  }

  if (field.kind === "boolean") {
    return (
      <div>
        <div className="flex items-center gap-2 pt-6">
          <input
            id={id}
            type="checkbox"
            checked={Boolean(value)}
            aria-invalid={error ? true : undefined}
            aria-describedby={describedBy(errorId)}
            onChange={(e) => onChange(e.target.checked)}
          />
          <label htmlFor={id} className="text-sm font-medium text-slate-800">
            {field.label}
          </label>
        </div>
        {errorText}
      </div>
    );
  }

  const common = {
    id,
    value: String(value),
    className: inputClass,
    "aria-required": field.required,
    "aria-invalid": error ? true : undefined,
    "aria-describedby": describedBy(hintId, errorId),
  };
  let input;
  if (field.kind === "choice" || field.kind === "link") {
    const empty = field.required ? "Choose…" : "None";
    const entries =
      field.kind === "choice"
        ? (field.choices ?? []).map((c) => ({ value: c.value, label: c.label }))
        : (options ?? []).map((o) => ({ value: String(o.id), label: o.label }));
    input = (
      <select {...common} onChange={(e) => onChange(e.target.value)}>
        {(!field.required || !field.default) && <option value="">{empty}</option>}
        {entries.map((entry) => (
          <option key={entry.value} value={entry.value}>
            {entry.label}
          </option>
        ))}
      </select>
    );
  } else if (field.kind === "text") {
    input = <textarea {...common} rows={3} onChange={(e) => onChange(e.target.value)} />;
  } else if (field.kind === "money") {
    input = (
      <input
        {...common}
        type="text"
        inputMode="decimal"
        autoComplete="off"
        onChange={(e) => onChange(e.target.value)}
        onBlur={(e) => onChange(formatMoney(e.target.value))}
      />
    );
  } else {
    const step = field.kind === "int" ? "1" : field.kind === "float" ? "any" : undefined;
    input = (
      <input
        {...common}
        type={INPUT_TYPES[field.kind] ?? "text"}
        step={step}
        onChange={(e) => onChange(e.target.value)}
      />
    );
  }
  return (
    <div className={field.kind === "text" ? "sm:col-span-2" : undefined}>
      <div className="flex gap-1 text-sm font-medium text-slate-800">
        <label htmlFor={id}>{field.label}</label>
        {field.required && (
          <span aria-hidden="true" className="text-red-700">
            *
          </span>
        )}
      </div>
      {input}
      {hint && (
        <p id={`${id}-hint`} className="mt-1 text-xs text-slate-600">
          {hint}
        </p>
      )}
      {errorText}
    </div>
  );
}

/** The list's search, filters and order, all sent to the API as the contract's query parameters. */
function Lookups({
  fields,
  search,
  due,
  title,
  inputs,
  options,
  onChange,
}: {
  fields: FieldSpec[];
  search?: string;
  due?: boolean;
  title: string;
  inputs: Query;
  options: Record<string, Option[]>;
  onChange: (name: string, value: string) => void;
}) {
  const filterClass = "block text-sm font-medium text-slate-800";
  const select = (name: string, label: string, entries: { value: string; label: string }[]) => (
    <div key={name}>
      <label htmlFor={`filter-${name}`} className={filterClass}>
        {label}
      </label>
      <select
        id={`filter-${name}`}
        value={own(inputs, name) ?? ""}
        className={inputClass}
        onChange={(e) => onChange(name, e.target.value)}
      >
        {entries.map((entry) => (
          <option key={entry.value} value={entry.value}>
            {entry.label}
          </option>
        ))}
      </select>
    </div>
  );
  const any = { value: "", label: "Any" };
  const controls: ReactNode[] = [];
  for (const field of fields) {
    if (!field.lookup) continue;
    const name = field.lookup;
    const label = `Filter by ${field.label.toLowerCase()}`;
    if (field.kind === "choice") {
      controls.push(select(name, label, [any, ...(field.choices ?? [])]));
    } else if (field.kind === "boolean") {
      const yesNo = [any, { value: "true", label: "Yes" }, { value: "false", label: "No" }];
      controls.push(select(name, label, yesNo));
    } else if (field.kind === "link" || field.kind === "links") {
      const records = (own(options, field.name) ?? []).map((o) => ({
        value: String(o.id),
        label: o.label,
      }));
      controls.push(select(name, label, [any, ...records]));
    } else if (field.kind === "date" || field.kind === "datetime") {
      for (const [end, words] of [
        ["From", "from"],
        ["To", "until"],
      ]) {
        controls.push(
          <div key={name + end}>
            <label htmlFor={`filter-${name}${end}`} className={filterClass}>
              {`${field.label} ${words}`}
            </label>
            <input
              id={`filter-${name}${end}`}
              type={field.kind === "date" ? "date" : "datetime-local"}
              value={own(inputs, name + end) ?? ""}
              className={inputClass}
              onChange={(e) => onChange(name + end, e.target.value)}
            />
          </div>,
        );
      }
    }
  }
  if (due) {
    const shown = [
      { value: "", label: "All" },
      { value: "open", label: "Open" },
      { value: "overdue", label: "Overdue" },
    ];
    controls.push(select("due", "Show", shown));
  }
  const sorts = [
    { value: "", label: "Oldest first" },
    { value: "-createdAt", label: "Newest first" },
  ];
  for (const field of fields) {
    if (!field.sortable) continue;
    sorts.push({ value: field.name, label: `${field.label} (ascending)` });
    sorts.push({ value: `-${field.name}`, label: `${field.label} (descending)` });
  }
  controls.push(select("sort", "Sort by", sorts));
  const chosen = Object.entries(inputs).filter(([name, value]) => name !== "q" && value).length;

  return (
    <form
      role="search"
      aria-label={`Find ${title.toLowerCase()}`}
      onSubmit={(e) => e.preventDefault()}
      className="space-y-3"
    >
      {search && (
        <div>
          <label htmlFor="filter-q" className={filterClass}>
            Search {title.toLowerCase()}
          </label>
          <input
            id="filter-q"
            type="search"
            value={inputs.q ?? ""}
            className={inputClass}
            aria-describedby="filter-q-hint"
            onChange={(e) => onChange("q", e.target.value)}
          />
          <p id="filter-q-hint" className="mt-1 text-xs text-slate-600">
            Looks in {search}
          </p>
        </div>
      )}
      {/* Folded away so that on a phone the list is not pushed below a screenful of filters. */}
      <details>
        <summary className="cursor-pointer font-medium">
          Filter and sort{chosen > 0 && ` (${chosen} chosen)`}
        </summary>
        <div className="mt-3 grid grid-cols-1 gap-3 sm:grid-cols-2 lg:grid-cols-3">{controls}</div>
      </details>
    </form>
  );
}

/** What the list asks the API for: the inputs, with date-times as the ISO timestamps it takes. */
function toQuery(fields: FieldSpec[], inputs: Query): string {
  const query: Query = { ...inputs };
  for (const field of fields) {
    if (field.kind !== "datetime" || !field.lookup) continue;
    for (const end of ["From", "To"]) {
      const value = query[field.lookup + end];
      if (value) query[field.lookup + end] = new Date(value).toISOString();
    }
  }
  return withQuery("", query).replace(/^\?/, "");
}

/** One entity's records: a form to add or change one, and a list with search, filters and order. */
export function EntityPage<T extends Row, I>({
  title,
  singular,
  api,
  fields,
  search,
  due,
  owned,
}: Props<T, I>) {
  const token = useToken();
  const loggedIn = token !== null;
  const locked = Boolean(owned) && !loggedIn;
  const noun = singular.toLowerCase();
  const nouns = title.toLowerCase();

  const [rows, setRows] = useState<T[] | null>(null);
  const [listError, setListError] = useState<string | null>(null);
  const [inputs, setInputs] = useState<Query>({});
  const [options, setOptions] = useState<Record<string, Option[]>>({});
  const [editing, setEditing] = useState<T | null>(null);
  const [values, setValues] = useState<FormValues>(() => emptyValues(fields));
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [status, setStatus] = useState<string | null>(null);

  // Bumped after every change so that the list effect loads the rows again.
  const [version, setVersion] = useState(0);
  const reload = () => setVersion((v) => v + 1);
  const lookup = toQuery(fields, inputs);
  const filtered = lookup.replace(/(^|&)sort=[^&]*/, "") !== "";

  useEffect(() => {
    if (locked) return;
    let current = true;
    api.list(Object.fromEntries(new URLSearchParams(lookup))).then(
      (loaded) => {
        if (!current) return;
        setRows(loaded);
        setListError(null);
      },
      (e: unknown) => current && setListError(message(e)),
    );
    return () => {
      current = false;
    };
  }, [api, lookup, version, locked]);

  useEffect(() => {
    let current = true;
    for (const field of fields) {
      if (!field.options || (field.privateOptions && !loggedIn)) continue;
      field.options().then(
        (loaded) => current && setOptions((known) => ({ ...known, [field.name]: loaded })),
        (e: unknown) => current && setListError(message(e)),
      );
    }
    return () => {
      current = false;
    };
  }, [fields, loggedIn, version]);

  function startEditing(row: T | null) {
    setEditing(row);
    setValues(row ? toFormValues(fields, row) : emptyValues(fields));
    setFieldErrors({});
    setFormError(null);
    setStatus(null);
  }

  function refused(e: unknown) {
    if (e instanceof ApiError && e.status === 401) {
      setFormError(`Log in to add or change ${nouns}.`);
      return;
    }
    const byField: Record<string, string> = {};
    const elsewhere: string[] = [];
    for (const issue of e instanceof ApiError ? e.issues : []) {
      const name = issueField(issue.path);
      if (!fields.some((f) => f.name === name)) {
        elsewhere.push(issue.path ? `${issue.path}: ${issue.message}` : issue.message);
      } else if (!Object.hasOwn(byField, name)) {
        byField[name] = issue.message; // the first of a field's issues is shown beside it
      }
    }
    setFieldErrors(byField);
    if (e instanceof ApiError && e.status === 409) {
      setFormError(`Not saved: ${e.message.replace(/\.$/, "")}.`);
    } else if (Object.keys(byField).length > 0 && elsewhere.length === 0) {
      setFormError("Not saved: please correct the fields marked below.");
    } else {
      setFormError(`Not saved: ${elsewhere.join("; ") || message(e)}`);
    }
  }

  async function save(event: FormEvent) {
    event.preventDefault();
    setStatus(null);
    const found = problems(fields, values);
    if (Object.keys(found).length > 0) {
      setFieldErrors(found);
      setFormError("Not saved: please correct the fields marked below.");
      document.getElementById(`field-${Object.keys(found)[0]}`)?.focus();
      return;
    }
    const payload = toPayload(fields, values) as I;
    try {
      if (editing) await api.update(editing.id, payload);
      else await api.create(payload);
      startEditing(null);
      setStatus(editing ? `${singular} saved.` : `${singular} added.`);
      reload();
    } catch (e) {
      refused(e);
    }
  }

  async function remove(row: T) {
    if (!window.confirm(`Delete this ${noun}?`)) return;
    try {
      await api.remove(row.id);
      if (editing?.id === row.id) startEditing(null);
      setStatus(`${singular} deleted.`);
      reload();
    } catch (e) {
      if (e instanceof ApiError && e.status === 409) {
        setListError(`Not deleted: other records still link to this ${noun}.`);
      } else setListError(message(e));
    }
  }

  const labelsOf = (field: FieldSpec, value: unknown): string[] => {
    const ids = Array.isArray(value) ? value : [];
    const known = own(options, field.name) ?? [];
    return ids.map((id) => known.find((o) => o.id === id)?.label ?? `#${String(id)}`);
  };
  const cell = (field: FieldSpec, value: unknown): ReactNode => {
    if (field.kind === "links") {
      const labels = labelsOf(field, value);
      if (labels.length === 0) return "—";
      return (
        <ul className="list-inside list-disc">
          {labels.map((label, n) => (
            <li key={n}>{label}</li>
          ))}
        </ul>
      );
    }
    if (field.kind === "link" && value !== null && value !== undefined) {
      return own(options, field.name)?.find((o) => o.id === value)?.label ?? `#${String(value)}`;
    }
    return display(field, value);
  };
  const rowLabel = (row: T) => String(cell(fields[0], row[fields[0].name]));

  const privacy = owned && (
    <p className="rounded bg-sky-50 p-3 text-sky-900">
      {`${title} are private: each person sees only the ${nouns} they added.`}
      {locked && ` Log in above to see and add yours.`}
    </p>
  );
  if (locked) {
    return (
      <section aria-labelledby="page-title" className="space-y-4">
        <h2 id="page-title" className="text-xl font-semibold">
          {title}
        </h2>
        {privacy}
      </section>
    );
  }

  const shown = rows ?? [];
  let list: ReactNode;
  if (rows === null) list = <p>Loading {nouns}…</p>;
  else if (shown.length === 0 && filtered) {
    list = (
      <p>
        No {nouns} match these filters.{" "}
        <button type="button" className="underline" onClick={() => setInputs({})}>
          Clear the filters
        </button>
      </p>
    );
  } else if (shown.length === 0) {
    list = <p>{`No ${nouns} yet — add the first one with the form above.`}</p>;
  } else {
    const cellClass =
      "flex gap-2 px-2 py-1 wrap-anywhere before:min-w-28 before:font-medium before:content-[attr(data-label)] sm:table-cell sm:border-b sm:p-2 sm:before:content-none";
    list = (
      <table className="w-full text-left text-sm">
        <caption className="sr-only">{title}</caption>
        <thead className="hidden sm:table-header-group">
          <tr>
            {fields.map((field) => (
              <th key={field.name} scope="col" className="border-b p-2">
                {field.label}
              </th>
            ))}
            <th scope="col" className="border-b p-2">
              <span className="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {shown.map((row) => (
            <tr key={row.id} className="block border-b py-2 sm:table-row sm:border-0 sm:py-0">
              {fields.map((field) => (
                <td key={field.name} data-label={field.label} className={cellClass}>
                  {cell(field, row[field.name])}
                </td>
              ))}
              <td className="px-2 py-1 whitespace-nowrap sm:border-b sm:p-2 sm:text-right">
                <button type="button" className="mr-3 underline" onClick={() => startEditing(row)}>
                  Edit<span className="sr-only"> {rowLabel(row)}</span>
                </button>
                <button
                  type="button"
                  className="text-red-800 underline"
                  onClick={() => void remove(row)}
                >
                  Delete<span className="sr-only"> {rowLabel(row)}</span>
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    );
  }

  const formTitle = editing ? `Edit ${noun}` : `New ${noun}`;
  return (
    <section aria-labelledby="page-title" className="space-y-6">
      <h2 id="page-title" className="text-xl font-semibold">
        {title}
      </h2>
      {privacy}
      <form
        aria-labelledby="form-title"
        noValidate
        onSubmit={save}
        className="space-y-4 rounded border border-slate-300 bg-white p-4"
      >
        <h3 id="form-title" className="text-lg font-medium">
          {formTitle}
        </h3>
        <p className="text-sm text-slate-600">Fields marked * are required.</p>
        {formError && (
          <p role="alert" className="rounded bg-red-50 p-2 text-red-800">
            {formError}
          </p>
        )}
        <div className="grid grid-cols-1 gap-4 sm:grid-cols-2">
          {fields.map((field) => (
            <FieldInput
              key={field.name}
              field={field}
              value={values[field.name]}
              options={own(options, field.name)}
              error={own(fieldErrors, field.name)}
              loggedIn={loggedIn}
              onChange={(value) => setValues((current) => ({ ...current, [field.name]: value }))}
            />
          ))}
        </div>
        <div className="flex flex-wrap gap-2">
          <button type="submit" className={buttonClass}>
            {editing ? "Save changes" : `Add ${noun}`}
          </button>
          {editing && (
            <button
              type="button"
              className="rounded border border-slate-400 px-3 py-1.5"
              onClick={() => startEditing(null)}
            >
              Cancel
            </button>
          )}
        </div>
      </form>
      <p role="status" className="text-green-800">
        {status}
      </p>
      <div className="space-y-4 rounded border border-slate-300 bg-white p-4">
        <Lookups
          fields={fields}
          search={search}
          due={due}
          title={title}
          inputs={inputs}
          options={options}
          onChange={(name, value) => setInputs((current) => ({ ...current, [name]: value }))}
        />
        {listError && (
          <p role="alert" className="rounded bg-red-50 p-2 text-red-800">
            {listError}
          </p>
        )}
        {list}
      </div>
    </section>
  );
}
