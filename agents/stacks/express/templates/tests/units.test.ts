import { averageCents, showCents, toCents } from "../src/money";
import { periodOf } from "../src/summaries";

describe("money", () => {
  it("adds amounts exactly: 0.10 and 0.20 make 0.30", () => {
    expect(showCents(toCents("0.10") + toCents("0.20"))).toBe("0.30");
  });

  it("shows two decimals and never a negative zero", () => {
    expect(showCents(toCents("12.5"))).toBe("12.50");
    expect(showCents(toCents("-3"))).toBe("-3.00");
    expect(showCents(toCents("-0.00"))).toBe("0.00");
    expect(showCents(toCents("999999999.99") * 1000n)).toBe("999999999990.00");
  });

  it("rounds an average half away from zero to a cent", () => {
    expect(showCents(averageCents(toCents("0.25"), 2))).toBe("0.13");
    expect(showCents(averageCents(toCents("-0.25"), 2))).toBe("-0.13");
    expect(showCents(averageCents(toCents("0.10"), 3))).toBe("0.03");
    expect(showCents(averageCents(toCents("-0.01"), 3))).toBe("0.00");
  });
});

describe("periods of a summary", () => {
  it("names a day, a month and a year in UTC", () => {
    const at = new Date("2030-01-31T23:30:00.000-02:00");
    expect(periodOf(at, "day")).toBe("2030-02-01");
    expect(periodOf(at, "month")).toBe("2030-02");
    expect(periodOf(at, "year")).toBe("2030");
  });

  it("names ISO weeks, which may belong to the year before or after", () => {
    expect(periodOf(new Date("2030-01-31T00:00:00Z"), "week")).toBe("2030-W05");
    expect(periodOf(new Date("2021-01-03T12:00:00Z"), "week")).toBe("2020-W53");
    expect(periodOf(new Date("2024-12-30T00:00:00Z"), "week")).toBe("2025-W01");
    expect(periodOf(new Date("2020-01-05T00:00:00Z"), "week")).toBe("2020-W01");
  });
});
