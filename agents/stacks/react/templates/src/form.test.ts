import { describe, expect, it } from "vitest";
import { formatMoney, problems, toFormValues, toPayload, type FieldSpec } from "./form";

const fields: FieldSpec[] = [
  { name: "title", label: "Title", kind: "string", required: true },
  { name: "count", label: "Count", kind: "int", required: false },
  { name: "price", label: "Price", kind: "money", required: true },
  { name: "done", label: "Done", kind: "boolean", required: true },
  { name: "due", label: "Due", kind: "date", required: false },
  {
    name: "size",
    label: "Size",
    kind: "choice",
    required: false,
    choices: [{ value: "small", label: "Small" }],
    default: "small",
  },
  { name: "ownerId", label: "Owner", kind: "link", required: true },
  { name: "tagIds", label: "Tag", kind: "links", required: false },
];

describe("form values", () => {
  it("become a payload with numbers as numbers, money as text and links as ids", () => {
    const values = {
      title: "A",
      count: "3",
      price: "2.5",
      done: true,
      due: "",
      size: "small",
      ownerId: "4",
      tagIds: ["3", "1"],
    };
    expect(toPayload(fields, values)).toEqual({
      title: "A",
      count: 3,
      price: "2.50",
      done: true,
      due: null,
      size: "small",
      ownerId: 4,
      tagIds: [3, 1],
    });
  });

  it("come from a stored row, dates cut to the day", () => {
    const row = {
      title: "A",
      count: null,
      price: "2.50",
      done: false,
      due: "2030-01-02T00:00:00.000Z",
      size: null,
      ownerId: 4,
      tagIds: [1, 3],
    };
    expect(toFormValues(fields, row)).toEqual({
      title: "A",
      count: "",
      price: "2.50",
      done: false,
      due: "2030-01-02",
      size: "",
      ownerId: "4",
      tagIds: ["1", "3"],
    });
  });

  it("name what is missing or malformed before anything is sent", () => {
    const values = {
      title: "  ",
      count: "1.5",
      price: "12.345",
      done: false,
      due: "",
      size: "small",
      ownerId: "",
      tagIds: [],
    };
    expect(problems(fields, values)).toEqual({
      title: "Fill this in.",
      count: "Enter a whole number.",
      price: "Enter an amount like 12.50 (up to 9 digits and 2 decimals).",
      ownerId: "Choose owner.",
    });
  });
});

describe("money", () => {
  it("shows two decimals without passing through a float", () => {
    expect(formatMoney("12.5")).toBe("12.50");
    expect(formatMoney("-3")).toBe("-3.00");
    expect(formatMoney("999999999.99")).toBe("999999999.99");
    expect(formatMoney("twelve")).toBe("twelve");
  });
});
