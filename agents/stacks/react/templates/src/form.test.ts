import { describe, expect, it } from "vitest";
import { toFormValues, toPayload, type FieldSpec } from "./form";

const fields: FieldSpec[] = [
  { name: "title", label: "Title", kind: "string", required: true },
  { name: "count", label: "Count", kind: "int", required: false },
  { name: "price", label: "Price", kind: "float", required: true },
  { name: "done", label: "Done", kind: "boolean", required: true },
  { name: "due", label: "Due", kind: "date", required: false },
  { name: "ownerId", label: "Owner", kind: "relation", required: true },
];

describe("form values", () => {
  it("become a payload with numbers as numbers", () => {
    const values = { title: "A", count: "3", price: "2.5", done: true, due: "", ownerId: "4" };
    expect(toPayload(fields, values)).toEqual({
      title: "A",
      count: 3,
      price: 2.5,
      done: true,
      due: null,
      ownerId: 4,
    });
  });

  it("come from a stored row, dates cut to the day", () => {
    const row = {
      title: "A",
      count: null,
      price: 2.5,
      done: false,
      due: "2030-01-02T00:00:00.000Z",
      ownerId: 4,
    };
    expect(toFormValues(fields, row)).toEqual({
      title: "A",
      count: "",
      price: "2.5",
      done: false,
      due: "2030-01-02",
      ownerId: "4",
    });
  });
});
