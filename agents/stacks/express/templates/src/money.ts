// Money is kept as whole cents in a bigint: a float would turn 0.10 + 0.20 into 0.30000000000000004.
const AMOUNT = /^(-?)(\d+)(?:\.(\d{1,2}))?$/;

/** "12.5" as 1250n cents, "-3" as -300n. */
export function toCents(amount: string): bigint {
  const match = AMOUNT.exec(amount);
  if (!match) throw new Error(`"${amount}" is not an amount of money`);
  const [, sign, whole, fraction = ""] = match;
  const cents = BigInt(whole) * 100n + BigInt(fraction.padEnd(2, "0"));
  return sign ? -cents : cents;
}

/** 1250n cents as "12.50"; zero is always "0.00", never "-0.00". */
export function showCents(cents: bigint): string {
  const size = cents < 0n ? -cents : cents;
  const amount = `${size / 100n}.${String(size % 100n).padStart(2, "0")}`;
  return cents < 0n ? `-${amount}` : amount;
}

/** The average of `count` amounts totalling `total` cents, rounded half away from zero to a cent. */
export function averageCents(total: bigint, count: number): bigint {
  const n = BigInt(count);
  const size = total < 0n ? -total : total;
  const rounded = (2n * size + n) / (2n * n);
  return total < 0n ? -rounded : rounded;
}
